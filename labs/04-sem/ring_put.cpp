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
  todo("Step 6: sigaction() SIGUSR1 with sa_handler count_signal, an empty sa_mask and sa_flags 0 (not SA_RESTART)");
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
    todo("Step 7: use the header's semaphores: &r->empty, &r->full, &r->mutex", s, r);
  }
  todo("Step 3: sem_open() sem_name(NAME, \"empty\"), \"full\" and \"mutex\" with oflag 0; die(\"sem_open\") on SEM_FAILED", s, o);
}

// Waits on SEM: sem_wait(), again whenever a signal handler interrupts it
// (it fails with EINTR then, whatever SA_RESTART says).
void wait_sem(sem_t *sem)
{
  todo("Step 3: sem_wait() on SEM, again whenever it fails with EINTR (as in Step 1); other errors die(\"sem_wait\"); then use wait_sem() for every wait", sem);
}

// The producer step: takes a free slot (asleep while there is none), then
// the mutex; copies the LEN bytes of TEXT into slot in and moves in on;
// gives back the mutex and announces one more filled slot.
void produce(Ring *r, const RingSems &s, const char *text, size_t len)
{
  todo("Step 3: wait on empty, wait on mutex; copy TEXT and LEN into slot in; in = (in + 1) % slots; post mutex, post full", r, s, text, len);
}

// In named mode, closes the three semaphores (they live on for the other
// processes). Unnamed ones belong to the ring: nothing to close.
void close_semaphores(const Options &o, const RingSems &s)
{
  todo("Step 3: sem_close() the three semaphores (named mode; Step 7: unnamed ones are not closed)", o, s);
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
