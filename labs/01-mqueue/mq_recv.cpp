// mq_recv.cpp: receive messages from an existing POSIX message queue and
// print each one as a record "PRIO LEN BYTES".
// Usage: mq_recv [-n] [-c COUNT] NAME
// See also mq_send.cpp, which sends them, and mq_notify_recv.cpp.

#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include <vector>

#include "mqlab.hpp"

// What the command line asked for.
struct Options {
  bool nonblock = false;      // -n: fail with EAGAIN instead of waiting (O_NONBLOCK)
  long count = 1;             // -c: how many messages to receive
  const char *name = nullptr; // the queue's name, such as /demo
};

// Reads the options and arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+nc:")) != -1) {
    switch (opt) {
    case 'n': o.nonblock = true; break;
    case 'c': o.count = parse_long(optarg, 1, LONG_MAX); break;
    default: usage();
    }
  }
  if (argc - optind != 1)
    usage();
  o.name = argv[optind];
  return o;
}

// Returns the flags for mq_open(): read-only, plus O_NONBLOCK with -n.
// Never O_CREAT: receiving from a queue that does not exist is an error.
int open_flags(bool nonblock)
{
  int flags = O_RDONLY;
  if (nonblock) {
    todo("Step 4: with -n, an empty queue must make the receive fail at once with EAGAIN instead of waiting (see Step 4 and 'Blocking, O_NONBLOCK and timeouts')", flags);
  }
  return flags;
}

// Prints one record to stdout: "PRIO LEN ", then the LEN bytes exactly as
// received (they may hold NUL bytes), then "\n"; then flushes stdout.
void print_record(unsigned int prio, const char *bytes, ssize_t len)
{
  todo("Step 3: print one record: PRIO, LEN, exactly the LEN bytes received (NULs included) and a newline, on stdout at once (see Step 3 and the contract's record format)", prio, bytes, len);
}

// Opens the queue NAME with FLAGS, receives COUNT messages into a buffer of
// exactly mq_msgsize bytes and prints each one; never unlinks the queue.
void receive_messages(const char *name, int flags, long count)
{
  todo("Step 3: receive COUNT messages from the existing queue NAME, into a buffer that fits its longest message, and print each with its priority (see Step 3 and 'Sending and receiving')", name, flags, count);
}

// Parses the command line, then receives and prints COUNT messages.
int main(int argc, char *argv[])
{
  prog_name = "mq_recv";
  prog_usage = "[-n] [-c COUNT] NAME";
  Options o = parse_args(argc, argv);
  receive_messages(o.name, open_flags(o.nonblock), o.count);
  return 0;
}
