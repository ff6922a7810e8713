// svmsg_recv.cpp: receive messages, selected by TYPE, from an existing
// System V message queue and print each one as a record "TYPE LEN BYTES".
// Usage: svmsg_recv [-n] [-c COUNT] KEY TYPE
// TYPE > 0: the first message of that type; 0: the first message;
// TYPE < 0: the first message of the lowest type <= |TYPE|.
// See also svmsg_send.cpp, which sends them.

#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "mqlab.hpp"

constexpr size_t MAX_TEXT = 8192; // the most text one message carries

// A System V message: the kernel counts only mtext in its size.
struct Message {
  long mtype;           // the message type, >= 1; msgrcv() selects on it
  char mtext[MAX_TEXT]; // the text; no terminating NUL
};

// What the command line asked for.
struct Options {
  bool nonblock = false; // -n: fail with ENOMSG instead of waiting (IPC_NOWAIT)
  long count = 1;        // -c: how many messages to receive
  key_t key = 0;         // the queue's key, such as 0x4d51
  long type = 0;         // which messages msgrcv() selects, passed unchanged
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
  if (argc - optind != 2)
    usage();
  o.key = parse_key(argv[optind]);
  if (o.key == IPC_PRIVATE)
    usage(); // IPC_PRIVATE would make a new queue, never find one
  o.type = parse_long(argv[optind + 1], LONG_MIN, LONG_MAX);
  return o;
}

// Prints one record to stdout: "TYPE LEN ", then the LEN bytes exactly as
// received (they may hold NUL bytes), then "\n"; then flushes stdout.
void print_record(long type, const char *bytes, ssize_t len)
{
  // BEGIN SOLUTION
  printf("%ld %zd ", type, len);
  if (fwrite(bytes, 1, len, stdout) != (size_t) len)
    die("fwrite");
  printf("\n");
  if (fflush(stdout) == EOF)
    die("fflush");
  // END SOLUTION: todo("Step 8: print one record as mq_recv does, with the TYPE received in front (see Step 3 and the contract's record format)", type, bytes, len);
}

// Finds the queue for the key, receives COUNT messages selected by TYPE
// and prints each one with the type it was sent with.
void receive_messages(const Options &o)
{
  // BEGIN SOLUTION
  int id = msgget(o.key, 0);
  if (id == -1)
    die("msgget");
  int flags = 0;
  if (o.nonblock)
    flags |= IPC_NOWAIT;

  Message m;
  for (long i = 0; i < o.count; i++) {
    ssize_t len = msgrcv(id, &m, sizeof m.mtext, o.type, flags);
    if (len == -1)
      die_or_would_block("msgrcv");
    print_record(m.mtype, m.mtext, len);
  }
  // END SOLUTION: todo("Step 8: receive COUNT messages selected by TYPE from KEY's existing queue and print each with the type it carries (see Step 8 and the worked example in 'System V message queues')", o);
}

// Parses the command line, then receives and prints COUNT messages.
int main(int argc, char *argv[])
{
  prog_name = "svmsg_recv";
  prog_usage = "[-n] [-c COUNT] KEY TYPE";
  Options o = parse_args(argc, argv);
  receive_messages(o);
  return 0;
}
