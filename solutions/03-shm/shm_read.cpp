// shm_read.cpp: print LENGTH raw bytes of a POSIX shared memory object,
// starting at byte OFFSET, read through a read-only shared mapping.
// Usage: shm_read NAME OFFSET LENGTH
// See also shm_write.cpp, which fills such an object.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab.hpp"

// What the command line asked for.
struct Options {
  const char *name = nullptr; // NAME, such as /demo
  long offset = 0;            // OFFSET: the first byte to print
  long length = 0;            // LENGTH: how many bytes to print; 0 prints nothing
};

// An object, open for reading and (once map_object() has run) mapped.
struct Object {
  int fd = -1;                 // NAME, open read-only
  size_t size = 0;             // its size, from fstat(): the length to map and to unmap
  const char *bytes = nullptr; // the mapping: bytes[0] .. bytes[size - 1]
};

// Reads the three arguments, or exits 2 with the usage line (or with the
// line of its own that a bad NAME gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 3)
    usage();
  o.name = parse_name(argv[optind]);
  o.offset = parse_long(argv[optind + 1], 0, LONG_MAX);
  o.length = parse_long(argv[optind + 2], 0, LONG_MAX);
  return o;
}

// Opens the object NAME read-only and learns its size with fstat().
// The object is not mapped yet.
Object open_object(const char *name)
{
  // BEGIN SOLUTION
  Object obj;
  obj.fd = shm_open(name, O_RDONLY, 0);
  if (obj.fd == -1)
    die("shm_open");
  struct stat sb;
  if (fstat(obj.fd, &sb) == -1)
    die("fstat");
  obj.size = sb.st_size;
  return obj;
  // END SOLUTION: todo("Step 2: open NAME for reading only, never creating it, and learn its size; fill in fd and size (see Step 2 and 'The POSIX calls, one by one')", name);
}

// Exits 1 unless the object's SIZE bytes include OFFSET + LENGTH. Checked
// before mapping: reading past the end of the object would print the zeros
// of its last page, or raise SIGBUS past that page.
void check_range(const Options &o, size_t size)
{
  // BEGIN SOLUTION
  // Written so that OFFSET + LENGTH cannot overflow.
  if ((size_t) o.offset > size || (size_t) o.length > size - o.offset)
    die_data("%s holds %zu bytes, fewer than %ld + %ld", o.name, size, o.offset, o.length);
  // END SOLUTION: todo("Step 2: stop with the contract's data error unless the object's SIZE bytes hold OFFSET + LENGTH, in a test that cannot overflow (see Step 2 and the contract's shm_read)", o, size);
}

// Maps all of the object, read-only and shared: we see what writers store.
void map_object(Object &obj)
{
  // BEGIN SOLUTION
  void *addr = mmap(nullptr, obj.size, PROT_READ, MAP_SHARED, obj.fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  obj.bytes = static_cast<const char *>(addr);
  // END SOLUTION: todo("Step 2: map the whole object read-only and shared, and keep where it lies in obj.bytes (see Step 2)", obj);
}

// Writes LENGTH bytes from OFFSET to stdout exactly as they are: they may
// hold NUL bytes, where printf("%s") would stop.
void print_bytes(const Object &obj, const Options &o)
{
  // BEGIN SOLUTION
  if (fwrite(obj.bytes + o.offset, 1, o.length, stdout) != (size_t) o.length)
    die("fwrite");
  // END SOLUTION: todo("Step 2: send LENGTH bytes from OFFSET to stdout exactly as they are, NULs included (see Step 2)", obj, o);
}

// Undoes map_object() and open_object().
void close_object(const Object &obj)
{
  // BEGIN SOLUTION
  if (obj.bytes != nullptr && munmap((void *) obj.bytes, obj.size) == -1)
    die("munmap");
  if (close(obj.fd) == -1)
    die("close");
  // END SOLUTION: todo("Step 2: let go of the mapping (if there is one) and of the descriptor (see Step 2)", obj);
}

// Parses the command line, checks the range, then prints the bytes.
// LENGTH 0 prints nothing and maps nothing (mmap() refuses length 0).
int main(int argc, char *argv[])
{
  prog_name = "shm_read";
  prog_usage = "NAME OFFSET LENGTH";
  Options o = parse_args(argc, argv);
  Object obj = open_object(o.name);
  check_range(o, obj.size);
  if (o.length > 0) {
    map_object(obj);
    print_bytes(obj, o);
  }
  close_object(obj);
  return 0;
}
