// mm_edit.cpp: edit one record of a record file in place, through a shared
// mapping of the whole file: set a balance, swap two records or rename one.
// Usage: mm_edit [-w] FILE set INDEX BALANCE
//        mm_edit [-w] FILE swap I J
//        mm_edit [-w] FILE rename INDEX NAME
// See also mm_private.cpp, whose changes stay private, and mm_append.cpp.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmlab.hpp"

// The edits mm_edit can make.
enum class Command { set, swap, rename };

// What the command line asked for.
struct Options {
  bool wait = false;              // -w: handshake "ready" after the edit, "done" after munmap/close
  const char *path = nullptr;     // FILE, the record file to edit
  Command command = Command::set; // which edit
  long index = 0;                 // INDEX, or I for swap
  long other = 0;                 // J for swap
  int32_t balance = 0;            // BALANCE for set
  const char *name = nullptr;     // NAME for rename, at most MAX_NAME bytes
};

// A record file, open and (once map_records() has run) mapped.
struct Mapping {
  int fd = -1;               // FILE, open for reading and writing
  size_t size = 0;           // the file's size: the length to map and to unmap
  long count = 0;            // how many records the file holds
  Record *records = nullptr; // the mapping: records[0] .. records[count - 1]
};

// Reads the options and arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+w")) != -1) {
    switch (opt) {
    case 'w': o.wait = true; break;
    default: usage();
    }
  }
  if (argc - optind != 4)
    usage();
  o.path = argv[optind];
  const char *command = argv[optind + 1];
  const char *arg1 = argv[optind + 2];
  const char *arg2 = argv[optind + 3];
  if (strcmp(command, "set") == 0) {
    o.command = Command::set;
    o.index = parse_index(arg1);
    o.balance = parse_balance(arg2);
  } else if (strcmp(command, "swap") == 0) {
    o.command = Command::swap;
    o.index = parse_index(arg1);
    o.other = parse_index(arg2);
  } else if (strcmp(command, "rename") == 0) {
    o.command = Command::rename;
    o.index = parse_index(arg1);
    o.name = parse_name(arg2);
  } else {
    usage();
  }
  return o;
}

// Opens FILE for reading and writing and learns its size with fstat().
// An empty file, or one that ends in a partial record, is a data error.
// The file is not mapped yet.
Mapping open_records(const char *path)
{
  // BEGIN SOLUTION
  Mapping m;
  m.fd = open(path, O_RDWR);
  if (m.fd == -1)
    die("open");
  struct stat sb;
  if (fstat(m.fd, &sb) == -1)
    die("fstat");
  if (sb.st_size == 0)
    die_data("%s: file is empty", path); // and mmap() would fail: length 0
  if (sb.st_size % sizeof(Record) != 0)
    die_data("%s: not a whole number of records", path);
  m.size = sb.st_size;
  m.count = sb.st_size / sizeof(Record);
  return m;
  // END SOLUTION: todo("Step 1: open FILE for editing and learn its size; an empty file or a partial last record is a data error (see Step 1 and 'prot must fit the open mode')", path);
}

// Exits 1 unless the file's COUNT records include record INDEX.
void check_index(long index, long count)
{
  // BEGIN SOLUTION
  if (index >= count)
    die_data("record %ld is out of range (the file holds %ld records)", index, count);
  // END SOLUTION: todo("Step 1: refuse a record INDEX that the file's COUNT records do not include (see Step 1 and the contract's data errors)", index, count);
}

// Maps all of m's file, readable and writable, shared with the file itself:
// what we store through m.records is what every reader of the file sees.
void map_records(Mapping &m)
{
  // BEGIN SOLUTION
  void *addr = mmap(nullptr, m.size, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  m.records = static_cast<Record *>(addr);
  // END SOLUTION: todo("Step 1: make the whole file reachable through m.records, so that what you store there is what the file holds (see Step 1 and 'What a mapping is')", m);
}

// Makes the edit O asks for by storing into the mapping; never read() or
// write() on the file. The indexes have been checked.
void edit_records(const Mapping &m, const Options &o)
{
  // BEGIN SOLUTION
  Record *r = &m.records[o.index];
  switch (o.command) {
  case Command::set: r->balance = o.balance; break;
  case Command::swap: {
    Record saved = *r; // all 32 bytes; I == J changes nothing
    *r = m.records[o.other];
    m.records[o.other] = saved;
    break;
  }
  case Command::rename:
    memset(r->name, 0, sizeof r->name); // NUL-pad the rest
    memcpy(r->name, o.name, strlen(o.name));
    break;
  }
  // END SOLUTION: todo("Step 1: make the edit O asks for through m.records alone, leaving every byte it does not name as it was (see Step 1 and 'Records in a file')", m, o);
}

// Undoes map_records() and open_records(): munmap() exactly the length
// that was mapped, then close() the file.
void unmap_records(const Mapping &m)
{
  // BEGIN SOLUTION
  if (munmap(m.records, m.size) == -1)
    die("munmap");
  if (close(m.fd) == -1)
    die("close");
  // END SOLUTION: todo("Step 1: let go of all of the mapping, then of FILE (see Step 1 and 'munmap, close and the end of a mapping')", m);
}

// Parses the command line, maps FILE, edits it, then lets go of it.
int main(int argc, char *argv[])
{
  prog_name = "mm_edit";
  prog_usage = "[-w] FILE set INDEX BALANCE|swap I J|rename INDEX NAME";
  Options o = parse_args(argc, argv);
  Mapping m = open_records(o.path);
  map_records(m);
  check_index(o.index, m.count);
  if (o.command == Command::swap)
    check_index(o.other, m.count);
  edit_records(m, o);
  if (o.wait) {
    handshake("ready"); // the grader finds the edit in FILE, and our mapping of it
    // BEGIN SOLUTION
    unmap_records(m);
    // END SOLUTION: todo("Step 2: let go of the mapping and FILE here, between ready and done (see Step 2)", m);
    handshake("done"); // the grader finds neither the mapping nor FILE's descriptor
  } else {
    unmap_records(m);
  }
  return 0;
}
