// ring_init.cpp: make a new, empty ring (see semlab.hpp) with SLOTS slots in
// the POSIX shared memory object NAME, and its three semaphores: named
// semaphores NAME-empty, NAME-full and NAME-mutex, or with -u unnamed ones
// in the ring's header. Whatever an earlier ring of that NAME left is
// removed first.
// Usage: ring_init [-u] NAME SLOTS
// See also ring_put.cpp and ring_get.cpp, which use the ring, and ring_rm.cpp.

#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semlab.hpp"

// What the command line asked for.
struct Options {
  bool unnamed = false;       // -u: the semaphores live in the ring's header
  const char *name = nullptr; // NAME, such as /ring
  uint32_t slots = 0;         // SLOTS: how many items the ring holds, 1..64
};

// Reads the options and arguments, or exits 2 with the usage line (or with
// the line of its own that a bad NAME or SLOTS gets).
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
  if (argc - optind != 2)
    usage();
  o.name = parse_name(argv[optind]);
  long slots = parse_long(argv[optind + 1], LONG_MIN, LONG_MAX);
  if (slots < 1 || slots > MAX_SLOTS)
    bad_argument("SLOTS must be between 1 and %ld", MAX_SLOTS);
  o.slots = slots;
  return o;
}

// Removes what an earlier ring of this NAME may have left behind: the
// object and, in named mode, the three named semaphores, whatever their
// values. A name that does not exist (ENOENT) is fine.
void remove_stale(const Options &o)
{
  todo("Step 2: remove whatever an earlier ring of this NAME left, the object and (named mode) its semaphores; a name that is not there is fine (see Step 2 and 'A semaphore's value outlives its programs')", o);
}

// Creates the object NAME (it must not exist now), makes it ring_size(SLOTS)
// bytes long (all zero), maps it shared and writes the header of an empty
// ring: magic "RING", slots SLOTS, in 0, out 0.
Ring *create_ring(const Options &o)
{
  todo("Step 2: create the object NAME (it must not exist yet) as an empty ring of SLOTS slots, mapped shared, and return it (see Step 2 and the contract's 'The ring')", o);
}

// Creates the named semaphore NAME-ROLE (it must not exist now) with the
// initial VALUE, then closes it: it lives on until ring_rm removes it.
void create_semaphore(const char *name, const char *role, unsigned int value)
{
  todo("Step 2: create the named semaphore NAME-ROLE with the value VALUE (it must not exist yet), and let go of it: it lives on until ring_rm (see Step 2)", name, role, value);
}

// Makes the ring's semaphores in its header, shared between processes
// (pshared 1): they work for every process that maps the ring.
void init_unnamed(Ring *r)
{
  todo("Step 7: make the header's three semaphores, with a fresh ring's values, usable by every process that maps the ring (see Step 7 and 'Unnamed semaphores in shared memory')", r);
}

// Parses the command line, removes what is stale, then makes the ring and
// its semaphores: empty SLOTS (all slots free), full 0, mutex 1.
int main(int argc, char *argv[])
{
  prog_name = "ring_init";
  prog_usage = "[-u] NAME SLOTS";
  Options o = parse_args(argc, argv);
  remove_stale(o);
  Ring *r = create_ring(o);
  if (o.unnamed) {
    init_unnamed(r);
  } else {
    create_semaphore(o.name, "empty", o.slots);
    create_semaphore(o.name, "full", 0);
    create_semaphore(o.name, "mutex", 1);
  }
  todo("Step 2: let go of this process's view of the ring: the ring lives on in the object (see Step 2)", r);
  return 0;
}
