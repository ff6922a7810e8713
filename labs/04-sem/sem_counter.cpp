// sem_counter.cpp: add 1 to a counter in shared memory ITERATIONS times,
// each time inside a critical section that the named semaphore SEM guards,
// so that any number of sem_counters running at once lose no update.
// Usage: sem_counter SEM SHM ITERATIONS
// See also ring_put.cpp and ring_get.cpp, which use semaphores to count too.

#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semlab.hpp"

constexpr size_t COUNTER_SIZE = sizeof(uint64_t); // the counter: the object's first 8 bytes

// What the command line asked for.
struct Options {
  const char *sem = nullptr; // SEM: the named semaphore, value 1, made by someone else
  const char *shm = nullptr; // SHM: the object that holds the counter
  long iterations = 0;       // ITERATIONS: how many times to add 1, at least 1
};

// Reads the three arguments, or exits 2 with the usage line (or with the
// line of its own that a bad name gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 3)
    usage();
  o.sem = parse_name(argv[optind]);
  o.shm = parse_name(argv[optind + 1]);
  o.iterations = parse_long(argv[optind + 2], 1, LONG_MAX);
  return o;
}

// Opens the named semaphore NAME, which must exist already: without
// O_CREAT, sem_open() fails with ENOENT rather than make a semaphore that
// no other process uses.
sem_t *open_semaphore(const char *name)
{
  todo("Step 1: open the semaphore NAME that someone else made, never creating one (see Step 1 and 'The named POSIX semaphore calls, one by one')", name);
}

// Opens the object NAME, checks that it holds at least the 8 bytes of the
// counter, and maps those 8 bytes shared. The descriptor is closed again:
// the mapping keeps the object open.
uint64_t *map_counter(const char *name)
{
  int fd = shm_open(name, O_RDWR, 0);
  if (fd == -1)
    die("shm_open");
  struct stat sb;
  if (fstat(fd, &sb) == -1)
    die("fstat");
  if ((size_t) sb.st_size < COUNTER_SIZE)
    die_data("%s holds %ld bytes, fewer than %zu", name, (long) sb.st_size, COUNTER_SIZE);
  void *addr = mmap(nullptr, COUNTER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  if (close(fd) == -1)
    die("close");
  return static_cast<uint64_t *>(addr);
}

// ITERATIONS times, adds 1 to *COUNTER inside the critical section: between
// a sem_wait() on SEM, which takes the semaphore from 1 to 0 (or sleeps
// until it can), and a sem_post(), which gives it back.
void count(sem_t *sem, uint64_t *counter, long iterations)
{
  for (long i = 0; i < iterations; i++) {
    todo("Step 1: enter the critical section: take SEM, asleep while another process is inside, and again if a signal interrupts the sleep (see Step 1 and 'Signals and EINTR')", sem);
    uint64_t v = *counter; // read the counter,
    sched_yield();         // let another process run (the race window, made wide on purpose),
    *counter = v + 1;      // and write back what we read, plus 1
    todo("Step 1: leave the critical section, so that one process waiting for SEM may enter (see Step 1 and 'Lost updates, and the critical section')", sem);
  }
}

// Parses the command line, opens the semaphore and the counter, waits for
// the grader's go, then counts. It never unlinks either: both belong to
// whoever made them.
int main(int argc, char *argv[])
{
  prog_name = "sem_counter";
  prog_usage = "SEM SHM ITERATIONS";
  Options o = parse_args(argc, argv);
  sem_t *sem = open_semaphore(o.sem);
  uint64_t *counter = map_counter(o.shm);
  handshake("ready"); // all the counters start together
  count(sem, counter, o.iterations);
  if (munmap(counter, COUNTER_SIZE) == -1)
    die("munmap");
  todo("Step 1: let go of SEM without removing it: it belongs to whoever made it (see Step 1)", sem);
  return 0;
}
