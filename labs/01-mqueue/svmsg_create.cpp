// svmsg_create.cpp: create a System V message queue for KEY (or, without -x,
// open the existing one) and print its identifier.
// Usage: svmsg_create [-x] KEY [MODE]
// See also svmsg_send.cpp, svmsg_recv.cpp and svmsg_rm.cpp.

#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "mqlab.hpp"

// What the command line asked for.
struct Options {
  bool exclusive = false; // -x: fail if KEY has a queue already (IPC_EXCL)
  key_t key = 0;          // the queue's key, such as 0x4d51
  mode_t mode = 0600;     // permission bits of the new queue
};

// Reads the options and arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+x")) != -1) {
    switch (opt) {
    case 'x': o.exclusive = true; break;
    default: usage();
    }
  }
  int left = argc - optind;
  if (left < 1 || left > 2)
    usage();
  o.key = parse_key(argv[optind]);
  if (left == 2)
    o.mode = parse_mode(argv[optind + 1]);
  return o;
}

// Creates the queue for the key as the options say and prints its
// identifier, a decimal number, on a line of its own.
void create_queue(const Options &o)
{
  todo("Step 8: create the System V queue for KEY with MODE (or, without -x, find the one there is) and print its id (see Step 8 and 'System V message queues')", o);
}

// Parses the command line, then creates the queue and prints its id.
int main(int argc, char *argv[])
{
  prog_name = "svmsg_create";
  prog_usage = "[-x] KEY [MODE]";
  Options o = parse_args(argc, argv);
  create_queue(o);
  return 0;
}
