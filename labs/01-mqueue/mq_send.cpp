// mq_send.cpp: send one message, given on the command line, to an existing
// POSIX message queue.
// Usage: mq_send [-n] NAME MSG [PRIO]
// See also mq_recv.cpp, which receives it, and mq_create.cpp.

#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include "mqlab.hpp"

// What the command line asked for.
struct Options {
  bool nonblock = false;      // -n: fail with EAGAIN instead of waiting (O_NONBLOCK)
  const char *name = nullptr; // the queue's name, such as /demo
  const char *msg = nullptr;  // the text to send, without its terminating NUL
  unsigned int prio = 0;      // the message's priority; higher comes out first
};

// Reads the options and arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+n")) != -1) {
    switch (opt) {
    case 'n': o.nonblock = true; break;
    default: usage();
    }
  }
  int left = argc - optind;
  if (left < 2 || left > 3)
    usage();
  o.name = argv[optind];
  o.msg = argv[optind + 1];
  if (left == 3)
    o.prio = parse_long(argv[optind + 2], 0, UINT_MAX);
  return o;
}

// Returns the flags for mq_open(): write-only, plus O_NONBLOCK with -n.
// Never O_CREAT: sending to a queue that does not exist is an error.
int open_flags(bool nonblock)
{
  int flags = O_WRONLY;
  if (nonblock) {
    todo("Step 4: with -n, a full queue must make the send fail at once with EAGAIN instead of waiting (see Step 4 and 'Blocking, O_NONBLOCK and timeouts')", flags);
  }
  return flags;
}

// Opens the queue NAME with FLAGS and sends the strlen(MSG) bytes of MSG
// (no terminating NUL) with priority PRIO.
void send_message(const char *name, int flags, const char *msg, unsigned int prio)
{
  todo("Step 2: send exactly the bytes of MSG, no more, with priority PRIO, to the existing queue NAME (see Step 2 and 'Sending and receiving')", name, flags, msg, prio);
}

// Parses the command line, then sends the one message.
int main(int argc, char *argv[])
{
  prog_name = "mq_send";
  prog_usage = "[-n] NAME MSG [PRIO]";
  Options o = parse_args(argc, argv);
  send_message(o.name, open_flags(o.nonblock), o.msg, o.prio);
  return 0;
}
