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
  // BEGIN SOLUTION
  if (shm_unlink(o.name) == -1 && errno != ENOENT)
    die("shm_unlink");
  if (o.unnamed)
    return; // no named semaphores to remove
  for (const char *role : {"empty", "full", "mutex"}) {
    if (sem_unlink(sem_name(o.name, role).c_str()) == -1 && errno != ENOENT)
      die("sem_unlink");
  }
  // END SOLUTION: todo("Step 2: remove whatever an earlier ring of this NAME left, the object and (named mode) its semaphores; a name that is not there is fine (see Step 2 and 'A semaphore's value outlives its programs')", o);
}

// Creates the object NAME (it must not exist now), makes it ring_size(SLOTS)
// bytes long (all zero), maps it shared and writes the header of an empty
// ring: magic "RING", slots SLOTS, in 0, out 0.
Ring *create_ring(const Options &o)
{
  // BEGIN SOLUTION
  int fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd == -1)
    die("shm_open");
  if (ftruncate(fd, ring_size(o.slots)) == -1)
    die("ftruncate");
  void *addr = mmap(nullptr, ring_size(o.slots), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  if (close(fd) == -1) // the mapping keeps the object open
    die("close");
  Ring *r = static_cast<Ring *>(addr);
  memcpy(r->magic, "RING", sizeof r->magic); // no NUL: exactly 4 bytes
  r->slots = o.slots;
  r->in = 0;
  r->out = 0;
  return r;
  // END SOLUTION: todo("Step 2: create the object NAME (it must not exist yet) as an empty ring of SLOTS slots, mapped shared, and return it (see Step 2 and the contract's 'The ring')", o);
}

// Creates the named semaphore NAME-ROLE (it must not exist now) with the
// initial VALUE, then closes it: it lives on until ring_rm removes it.
void create_semaphore(const char *name, const char *role, unsigned int value)
{
  // BEGIN SOLUTION
  sem_t *sem = sem_open(sem_name(name, role).c_str(), O_CREAT | O_EXCL, 0600, value);
  if (sem == SEM_FAILED)
    die("sem_open");
  if (sem_close(sem) == -1)
    die("sem_close");
  // END SOLUTION: todo("Step 2: create the named semaphore NAME-ROLE with the value VALUE (it must not exist yet), and let go of it: it lives on until ring_rm (see Step 2)", name, role, value);
}

// Makes the ring's semaphores in its header, shared between processes
// (pshared 1): they work for every process that maps the ring.
void init_unnamed(Ring *r)
{
  // BEGIN SOLUTION
  if (sem_init(&r->empty, 1, r->slots) == -1) // every slot is free
    die("sem_init");
  if (sem_init(&r->full, 1, 0) == -1) // no slot is filled
    die("sem_init");
  if (sem_init(&r->mutex, 1, 1) == -1) // nobody is in the critical section
    die("sem_init");
  // END SOLUTION: todo("Step 7: make the header's three semaphores, with a fresh ring's values, usable by every process that maps the ring (see Step 7 and 'Unnamed semaphores in shared memory')", r);
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
  // BEGIN SOLUTION
  if (munmap(r, ring_size(o.slots)) == -1)
    die("munmap");
  // END SOLUTION: todo("Step 2: let go of this process's view of the ring: the ring lives on in the object (see Step 2)", r);
  return 0;
}
