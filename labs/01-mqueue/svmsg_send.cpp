// svmsg_send.cpp: send one message of type TYPE, given on the command line,
// to an existing System V message queue.
// Usage: svmsg_send [-n] KEY TYPE MSG
// See also svmsg_recv.cpp, which receives it, and svmsg_create.cpp.

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
  bool nonblock = false;     // -n: fail with EAGAIN instead of waiting (IPC_NOWAIT)
  key_t key = 0;             // the queue's key, such as 0x4d51
  long type = 1;             // the message type, >= 1
  const char *msg = nullptr; // the text to send, at most MAX_TEXT bytes
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
  if (argc - optind != 3)
    usage();
  o.key = parse_key(argv[optind]);
  if (o.key == IPC_PRIVATE)
    usage(); // IPC_PRIVATE would make a new queue, never find one
  o.type = parse_long(argv[optind + 1], 1, LONG_MAX);
  o.msg = argv[optind + 2];
  if (strlen(o.msg) > MAX_TEXT)
    usage();
  return o;
}

// Finds the queue for the key and sends the message: its type and the
// strlen(MSG) bytes of text, no terminating NUL.
void send_message(const Options &o)
{
  todo("Step 8: send MSG as one message of type TYPE to KEY's existing queue, counting only its text (see Step 8 and 'System V message queues')", o);
}

// Parses the command line, then sends the one message.
int main(int argc, char *argv[])
{
  prog_name = "svmsg_send";
  prog_usage = "[-n] KEY TYPE MSG";
  Options o = parse_args(argc, argv);
  send_message(o);
  return 0;
}
