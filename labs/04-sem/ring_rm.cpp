// ring_rm.cpp: remove the ring NAME: its object and, in named mode, its
// three named semaphores. Processes that still use them keep them until
// they let go; the names go now.
// Usage: ring_rm [-u] NAME
// See also ring_init.cpp, which makes the ring.

#include <semaphore.h>
#include <sys/mman.h>
#include <unistd.h>

#include "semlab.hpp"

// What the command line asked for.
struct Options {
  bool unnamed = false;       // -u: the semaphores live in the ring: only the object goes
  const char *name = nullptr; // NAME, such as /ring
};

// Reads the options and arguments, or exits 2 with the usage line (or with
// the line of its own that a bad NAME gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+u")) != -1) {
    switch (opt) {
    case 'u': o.unnamed = true; break;
    default: usage();
    }
  }
  if (argc - optind != 1)
    usage();
  o.name = parse_name(argv[optind]);
  return o;
}

// Removes the object NAME and, in named mode, NAME-empty, NAME-full and
// NAME-mutex. All four are tried, even after a failure, so that as much as
// possible goes; then the first failure, if any, is reported (exit 1).
void remove_ring(const Options &o)
{
  todo("Step 8: remove the object NAME and (named mode) its three named semaphores, trying each even after a failure, then report the first failure (see Step 8 and the contract's ring_rm)", o);
}

// Parses the command line, then removes the ring.
int main(int argc, char *argv[])
{
  prog_name = "ring_rm";
  prog_usage = "[-u] NAME";
  Options o = parse_args(argc, argv);
  remove_ring(o);
  return 0;
}
