// mm_private.cpp: change one balance of a record file in a private,
// copy-on-write mapping: this process sees the change, the file and every
// other process keep the old value.
// Usage: mm_private FILE INDEX BALANCE
// See also mm_edit.cpp, whose shared mapping changes the file itself.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmlab.hpp"

// What the command line asked for.
struct Options {
  const char *path = nullptr; // FILE, the record file; it is only read
  long index = 0;             // INDEX, the record to change
  int32_t balance = 0;        // BALANCE, its new balance in our copy
};

// A record file, open and (once map_records() has run) mapped.
struct Mapping {
  int fd = -1;               // FILE, open for reading only
  size_t size = 0;           // the file's size: the length to map and to unmap
  long count = 0;            // how many records the file holds
  Record *records = nullptr; // the mapping: records[0] .. records[count - 1]
};

// Reads the three arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 3)
    usage();
  o.path = argv[optind];
  o.index = parse_index(argv[optind + 1]);
  o.balance = parse_balance(argv[optind + 2]);
  return o;
}

// Opens FILE for reading only and learns its size with fstat().
// An empty file, or one that ends in a partial record, is a data error.
// The file is not mapped yet.
Mapping open_records(const char *path)
{
  todo("Step 3: open FILE with only the access this program needs and learn its size; the data errors are mm_edit's (see Step 3 and 'prot must fit the open mode')", path);
}

// Exits 1 unless the file's COUNT records include record INDEX.
void check_index(long index, long count)
{
  todo("Step 3: refuse a record INDEX that the file's COUNT records do not include, as in mm_edit", index, count);
}

// Maps all of m's file readable and writable, but private: the first store
// into a page gives this process its own copy of that page, which the file
// never sees. That is why a read-only descriptor is enough.
void map_records(Mapping &m)
{
  todo("Step 3: make the whole file reachable through m.records, writable, but so that stores change this process's copy and never the file (see Step 3 and 'MAP_SHARED and MAP_PRIVATE')", m);
}

// Undoes map_records() and open_records(): munmap() exactly the length
// that was mapped, then close() the file. Our copy of the page is lost.
void unmap_records(const Mapping &m)
{
  todo("Step 3: let go of all of the mapping, then of FILE, as in mm_edit", m);
}

// Parses the command line, changes the balance in a private mapping, prints
// it as the mapping now holds it, and waits while the grader compares.
int main(int argc, char *argv[])
{
  prog_name = "mm_private";
  prog_usage = "FILE INDEX BALANCE";
  Options o = parse_args(argc, argv);
  Mapping m = open_records(o.path);
  map_records(m);
  check_index(o.index, m.count);
  todo("Step 3: give record INDEX the new BALANCE in this process's copy (see Step 3)", m, o);
  printf("balance %d\n", (int) m.records[o.index].balance); // read back from the mapping
  handshake("ready"); // the grader finds FILE unchanged and our mapping private
  unmap_records(m);
  return 0;
}
