// ring_get.cpp: the consumer. Takes COUNT items out of the ring NAME (see
// semlab.hpp), in order, and prints each as a line, sleeping while the ring
// is empty; with -t, for no longer than SECONDS per item.
// Usage: ring_get [-u] [-t SECONDS] NAME COUNT
// See also ring_put.cpp, the producer, and ring_init.cpp, which makes the ring.

#include <semaphore.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "semlab.hpp"

// What the command line asked for.
struct Options {
  bool unnamed = false;          // -u: the semaphores live in the ring's header
  long seconds = 0;              // -t SECONDS: the longest wait for an item, 1..3600; 0: no limit
  const char *seconds_text = ""; // SECONDS as given, for the message when time is up
  const char *name = nullptr;    // NAME, such as /ring
  long count = 0;                // COUNT: how many items to take, at least 1
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
  while ((opt = getopt(argc, argv, "+ut:")) != -1) {
    switch (opt) {
    case 'u': o.unnamed = true; break;
    case 't':
      o.seconds = parse_long(optarg, 1, 3600);
      o.seconds_text = optarg;
      break;
    default: usage();
    }
  }
  if (argc - optind != 2)
    usage();
  o.name = parse_name(argv[optind]);
  o.count = parse_long(argv[optind + 1], 1, LONG_MAX);
  return o;
}

// Installs count_signal() as the SIGUSR1 handler, with sa_flags 0: without
// SA_RESTART, so that the signal interrupts a wait (which fails with EINTR)
// rather than end the program, as SIGUSR1's default action would.
void install_handler()
{
  todo("Step 6: make SIGUSR1 run count_signal() and interrupt a wait, rather than end the program or restart the wait (see Step 6 and 'Signals and EINTR')");
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
  todo("Step 4: open the ring's three named semaphores, which ring_init made, as ring_put does (see Step 4)", s, o);
}

// Waits on SEM: sem_wait(), again whenever a signal handler interrupts it
// (it fails with EINTR then, whatever SA_RESTART says).
void wait_sem(sem_t *sem)
{
  todo("Step 4: take SEM, asleep while it is 0, and again whenever a signal interrupts the sleep; then wait through wait_sem() everywhere (see Step 4 and 'Signals and EINTR')", sem);
}

// Waits on FULL for an item. Without -t, as wait_sem() does. With -t, no
// longer than SECONDS from now: sem_timedwait() with an absolute
// CLOCK_REALTIME deadline, kept when a signal interrupts the wait; when the
// deadline passes, exits 3 with "PROG: no item within SECONDS s".
void wait_full(sem_t *full, const Options &o)
{
  todo("Step 4: wait for an item on FULL; Step 6: with -t, for no longer than SECONDS from now, signals or not, then the contract's message and exit 3 (see Step 6 and 'Timeouts: sem_timedwait and its absolute deadline')", full, o);
}

// The consumer step: takes a filled slot (asleep while there is none), then
// the mutex; copies the item in slot out to *ITEM and moves out on; gives
// back the mutex and announces one more free slot.
void consume(Ring *r, const RingSems &s, const Options &o, Item *item)
{
  todo("Step 4: take the next item out of the ring into *ITEM as the consumer, asleep while the ring is empty (see Step 4 and 'Empty and full swapped')", r, s, o, item);
}

// Prints the text of item N and a newline, then flushes stdout, so that
// each item shows as soon as it is taken.
void print_item(const Item &item, long n)
{
  if (item.len > MAX_TEXT)
    die_data("item %ld is %u bytes long, longer than %zu", n, (unsigned) item.len, MAX_TEXT);
  if (fwrite(item.text, 1, item.len, stdout) != item.len)
    die("fwrite");
  if (putchar('\n') == EOF)
    die("putchar");
  if (fflush(stdout) == EOF)
    die("fflush");
}

// In named mode, closes the three semaphores (they live on for the other
// processes). Unnamed ones belong to the ring: nothing to close.
void close_semaphores(const Options &o, const RingSems &s)
{
  todo("Step 4: let go of the three named semaphores without removing them; with -u there is nothing to let go of (see Step 4)", o, s);
}

// Parses the command line, opens the ring, then takes and prints COUNT items.
int main(int argc, char *argv[])
{
  prog_name = "ring_get";
  prog_usage = "[-u] [-t SECONDS] NAME COUNT";
  Options o = parse_args(argc, argv);
  if (o.seconds != 0) todo("Step 6: -t SECONDS: install the SIGUSR1 handler here, before the first wait, with or without -t (see Step 6)", o);
  size_t size;
  Ring *r = map_ring(o.name, &size);
  RingSems s = open_semaphores(o, r);
  for (long n = 1; n <= o.count; n++) {
    Item item;
    consume(r, s, o, &item);
    print_item(item, n);
  }
  unmap_ring(r, size);
  close_semaphores(o, s);
  return 0;
}
