// shm_write.cpp: create (or open) a POSIX shared memory object, give it a
// size, and copy all of stdin to its start through a shared mapping.
// Usage: shm_write [-x] NAME SIZE [MODE]
// See also shm_read.cpp, which prints bytes of such an object.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "shmlab.hpp"

// What the command line asked for.
struct Options {
  bool exclusive = false;     // -x: fail if NAME exists (O_EXCL)
  const char *name = nullptr; // NAME, such as /demo
  size_t size = 0;            // SIZE: the object's size in bytes, at least 1
  mode_t mode = 0600;         // permission bits of a new object
};

// Reads the options and arguments, or exits 2 with the usage line (or with
// the line of its own that a bad NAME or SIZE gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+x")) != -1) {
    switch (opt) {
    case 'x': o.exclusive = true; break;
    default: usage();
    }
  }
  int left = argc - optind;
  if (left < 2 || left > 3)
    usage();
  o.name = parse_name(argv[optind]);
  o.size = parse_size(argv[optind + 1]);
  if (left == 3)
    o.mode = parse_mode(argv[optind + 2]);
  return o;
}

// Reads all of stdin. Input longer than SIZE is a data error, found before
// the object is even opened: then nothing is created.
std::vector<char> read_input(size_t size)
{
  std::vector<char> input;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
    input.insert(input.end(), chunk, chunk + n);
    if (input.size() > size)
      die_data("input is longer than %zu bytes", size);
  }
  if (ferror(stdin))
    die("fread");
  return input;
}

// Opens NAME for reading and writing, creating it if need be, and makes it
// SIZE bytes long. A new object is empty, and touching a page of a mapping
// that lies wholly past the end of the object raises SIGBUS: hence the
// ftruncate(), which also fills the object with zero bytes.
int open_object(const Options &o)
{
  todo("Step 1: open NAME for reading and writing, creating it with MODE if need be (for -x, only a new one), and make it SIZE bytes long; return the descriptor (see Step 1 and 'Why ftruncate: size 0 and SIGBUS')", o);
}

// Copies INPUT to offset 0 of the object through a shared mapping of all
// SIZE bytes, then lets go of the mapping and of FD. The object lives on.
void write_object(int fd, size_t size, const std::vector<char> &input)
{
  todo("Step 1: put INPUT at the start of the object through a shared, writable mapping of all SIZE bytes, then let go of the mapping and the descriptor; the object lives on (see Step 1)", fd, size, input);
}

// Parses the command line, reads the input, then writes it into the object.
// It never unlinks the object: that is what makes it outlive this process.
int main(int argc, char *argv[])
{
  prog_name = "shm_write";
  prog_usage = "[-x] NAME SIZE [MODE]";
  Options o = parse_args(argc, argv);
  std::vector<char> input = read_input(o.size);
  int fd = open_object(o);
  write_object(fd, o.size, input);
  return 0;
}
