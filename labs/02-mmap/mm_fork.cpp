// mm_fork.cpp: a child writes a line into an anonymous shared mapping, and
// its parent, once the child has ended, prints what it finds there.
// Usage: mm_fork TEXT
// See also mm_edit.cpp, whose shared mapping is backed by a file instead.

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmlab.hpp"

constexpr size_t MAX_TEXT = 200; // the longest TEXT, in bytes

// Reads the one argument, TEXT, or exits 2 with the usage line.
const char *parse_args(int argc, char *argv[])
{
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 1)
    usage();
  const char *text = argv[optind];
  if (strlen(text) > MAX_TEXT)
    usage();
  return text;
}

// Returns the size of one page: the size of the shared region.
size_t page_size()
{
  long size = sysconf(_SC_PAGESIZE);
  if (size == -1)
    die("sysconf");
  return size;
}

// Maps SIZE bytes of anonymous memory, zero-filled, readable and writable,
// and shared: children forked afterwards share the very same pages.
char *map_shared_region(size_t size)
{
  todo("Step 5: get SIZE bytes of zeroed memory that a child forked later shares with this process (see Step 5 and 'Anonymous shared memory and fork')", size);
}

// Runs in the child: writes "child PID: TEXT" and its NUL into REGION, then
// ends the child with _exit(), which leaves the parent's stdio buffers alone.
[[noreturn]] void child_writes(char *region, size_t size, const char *text)
{
  todo("Step 5: in the child, leave \"child PID: TEXT\" in REGION, then end the child without flushing the parent's stdio buffers (see Step 5)", region, size, text);
}

// Forks a child that runs child_writes(), and waits for it to end.
// A child that did not exit with status 0 is the data error "child failed".
void fork_and_wait(char *region, size_t size, const char *text)
{
  todo("Step 5: start a child that runs child_writes() and wait until it has ended; a child that did not succeed is the data error \"child failed\" (see Step 5)", region, size, text);
}

// Undoes map_shared_region().
void unmap_region(char *region, size_t size)
{
  todo("Step 5: let go of the region (see Step 5)", region, size);
}

// Parses the command line, lets a child write into the shared region, then
// prints what the child wrote and waits while the grader looks at the region.
int main(int argc, char *argv[])
{
  prog_name = "mm_fork";
  prog_usage = "TEXT";
  const char *text = parse_args(argc, argv);
  size_t size = page_size();
  char *region = map_shared_region(size);
  fork_and_wait(region, size, text);
  printf("%s\n", region); // the child's line, seen through the shared pages
  handshake("ready");     // the grader finds the region still mapped
  unmap_region(region, size);
  return 0;
}
