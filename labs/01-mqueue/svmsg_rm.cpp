// svmsg_rm.cpp: remove the System V message queue for KEY at once; messages
// still in it are lost and waiting processes fail with EIDRM.
// Usage: svmsg_rm KEY
// See also svmsg_create.cpp.

#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "mqlab.hpp"

// Reads the one argument, KEY, or exits 2 with the usage line.
key_t parse_args(int argc, char *argv[])
{
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 1)
    usage();
  key_t key = parse_key(argv[optind]);
  if (key == IPC_PRIVATE)
    usage(); // IPC_PRIVATE would make a new queue, never find one
  return key;
}

// Finds the queue for KEY and removes it.
void remove_queue(key_t key)
{
  todo("Step 8: remove KEY's existing queue, at once (see Step 8 and 'System V message queues')", key);
}

// Parses the command line, then removes the queue.
int main(int argc, char *argv[])
{
  prog_name = "svmsg_rm";
  prog_usage = "KEY";
  key_t key = parse_args(argc, argv);
  remove_queue(key);
  return 0;
}
