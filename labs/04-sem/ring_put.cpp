// ring_put.cpp: the producer. Puts each line of stdin into the ring NAME
// (see semlab.hpp) as one item, in order, sleeping while the ring is full.
// Usage: ring_put [-u] NAME
// See also ring_get.cpp, the consumer, and ring_init.cpp, which makes the ring.

#include <semaphore.h>
#include <signal.h>
#include <unistd.h>

#include "semlab.hpp"

// What the command line asked for.
struct Options {
  bool unnamed = false;       // -u: the semaphores live in the ring's header
  const char *name = nullptr; // NAME, such as /ring
};

// How many SIGUSR1s have arrived. The handler only counts: a handler may
// call async-signal-safe functions only, and it has nothing else to do.
volatile sig_atomic_t signals_caught = 0;

// The SIGUSR1 handler. What matters is that it returns: a sem_wait() that
// it interrupted then fails with EINTR.
void count_signal(int) { signals_caught = signals_caught + 1; }

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

// Installs count_signal() as the SIGUSR1 handler, with sa_flags 0: without
// SA_RESTART, so that the signal interrupts a wait (which fails with EINTR)
// rather than end the program, as SIGUSR1's default action would.
void install_handler()
{
  todo("Step 6: make SIGUSR1 run count_signal() and interrupt a wait, rather than end the program or restart the wait (see Step 6 and 'Signals and EINTR')");
}

// Reads line N of stdin into *LINE (getline() makes the buffer big enough)
// and returns its length without the '\n', or -1 at the end of input.
// A line longer than an item holds is a data error.
ssize_t read_line(char **line, size_t *capacity, uint32_t n)
{
  ssize_t len = getline(line, capacity, stdin);
  if (len == -1) {
    if (ferror(stdin))
      die("getline");
    return -1;
  }
  if (len > 0 && (*line)[len - 1] == '\n')
    len--;
  if ((size_t) len > MAX_TEXT)
    die_data("line %u is longer than %zu bytes", (unsigned) n, MAX_TEXT);
  return len;
}

// Returns the ring's semaphores. In named mode, opens NAME-empty, NAME-full
// and NAME-mutex, which ring_init made (no O_CREAT: they must exist). In
// unnamed mode they are the sem_t fields of the ring's header R.
RingSems open_semaphores(const Options &o, Ring *r)
{
  RingSems s;
  if (o.unnamed) {
    todo("Step 7: with -u, the semaphores are the three in the ring's header, as this process maps it (see Step 7)", s, r);
  }
  todo("Step 3: open the ring's three named semaphores, which ring_init made (see Step 3 and the contract's ring_put)", s, o);
}

// Waits on SEM: sem_wait(), again whenever a signal handler interrupts it
// (it fails with EINTR then, whatever SA_RESTART says).
void wait_sem(sem_t *sem)
{
  todo("Step 3: take SEM, asleep while it is 0, and again whenever a signal interrupts the sleep; then wait through wait_sem() everywhere (see Step 3 and 'Signals and EINTR')", sem);
}

// The producer step: takes a free slot (asleep while there is none), then
// the mutex; copies the LEN bytes of TEXT into slot in and moves in on;
// gives back the mutex and announces one more filled slot.
void produce(Ring *r, const RingSems &s, const char *text, size_t len)
{
  todo("Step 3: put TEXT into the ring as the producer, asleep while the ring is full (see Step 3 and 'Why wait(empty) comes before wait(mutex)')", r, s, text, len);
}

// In named mode, closes the three semaphores (they live on for the other
// processes). Unnamed ones belong to the ring: nothing to close.
void close_semaphores(const Options &o, const RingSems &s)
{
  todo("Step 3: let go of the three named semaphores without removing them; with -u there is nothing to let go of (see Step 3)", o, s);
}

// Parses the command line, opens the ring, then produces one item per line
// of stdin until its end.
int main(int argc, char *argv[])
{
  prog_name = "ring_put";
  prog_usage = "[-u] NAME";
  Options o = parse_args(argc, argv);
  // Step 6: call install_handler() here, before the first wait
  size_t size;
  Ring *r = map_ring(o.name, &size);
  RingSems s = open_semaphores(o, r);
  char *line = nullptr; // getline()'s buffer, reused for every line
  size_t capacity = 0;
  ssize_t len;
  for (uint32_t n = 1; (len = read_line(&line, &capacity, n)) != -1; n++)
    produce(r, s, line, len);
  free(line);
  unmap_ring(r, size);
  close_semaphores(o, s);
  return 0;
}
