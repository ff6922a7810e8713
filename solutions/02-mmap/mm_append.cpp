// mm_append.cpp: add one record at the end of a record file: grow the file
// with ftruncate(), then write the new record through a shared mapping.
// Usage: mm_append FILE ID BALANCE NAME
// See also mm_edit.cpp, which edits the records already there.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmlab.hpp"

// What the command line asked for.
struct Options {
  const char *path = nullptr; // FILE, the record file; it may be empty
  uint32_t id = 0;            // ID of the new record
  int32_t balance = 0;        // BALANCE of the new record
  const char *name = nullptr; // NAME of the new record, at most MAX_NAME bytes
};

// Reads the four arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 4)
    usage();
  o.path = argv[optind];
  o.id = (uint32_t) parse_long(argv[optind + 1], 0, UINT32_MAX);
  o.balance = parse_balance(argv[optind + 2]);
  o.name = parse_name(argv[optind + 3]);
  return o;
}

// Returns the record the options describe, its name NUL-padded.
Record new_record(const Options &o)
{
  // BEGIN SOLUTION
  Record r;
  memset(&r, 0, sizeof r); // every byte we do not set is 0
  r.id = o.id;
  r.balance = o.balance;
  memcpy(r.name, o.name, strlen(o.name));
  return r;
  // END SOLUTION: todo("Step 4: build the new record from ID, BALANCE and NAME, with every other byte 0 (see Step 4 and the contract's record file)", o);
}

// Appends R to the record file PATH. A mapping cannot make a file longer,
// and touching a page that lies wholly past the end of the file raises
// SIGBUS, so the file grows by one record first; then the new size is mapped.
void append_record(const char *path, const Record &r)
{
  // BEGIN SOLUTION
  int fd = open(path, O_RDWR);
  if (fd == -1)
    die("open");
  struct stat sb;
  if (fstat(fd, &sb) == -1)
    die("fstat");
  if (sb.st_size % sizeof(Record) != 0)
    die_data("%s: not a whole number of records", path);
  size_t count = sb.st_size / sizeof(Record); // 0 is fine: r becomes the first record
  size_t size = (count + 1) * sizeof(Record);
  if (ftruncate(fd, size) == -1)
    die("ftruncate");

  void *addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  Record *records = static_cast<Record *>(addr);
  records[count] = r;
  if (munmap(addr, size) == -1)
    die("munmap");
  if (close(fd) == -1)
    die("close");
  // END SOLUTION: todo("Step 4: make FILE exactly one record longer and put R in that last record through a shared mapping; an empty FILE is fine (see Step 4 and 'Growing a file: ftruncate first')", path, r);
}

// Parses the command line, then appends the one record.
int main(int argc, char *argv[])
{
  prog_name = "mm_append";
  prog_usage = "FILE ID BALANCE NAME";
  Options o = parse_args(argc, argv);
  append_record(o.path, new_record(o));
  return 0;
}
