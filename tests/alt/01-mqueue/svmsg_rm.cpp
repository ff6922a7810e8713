/* svmsg_rm KEY: removes the System V queue of KEY. Second implementation. */
#define PROG "svmsg_rm"
#define SYNOPSIS "KEY"
#include "alt_mq.h"

#include <sys/ipc.h>
#include <sys/msg.h>

int main(int argc, char **argv)
{
  if (argc != 2)
    bad_usage();
  long key;
  if (parse_whole(argv[1], 0, &key) != 0 || key < INT_MIN || key > UINT_MAX)
    bad_usage();
  int id = msgget((key_t) key, 0);
  if (id == -1)
    fail_call("msgget", 0);
  if (msgctl(id, IPC_RMID, NULL) == -1)
    fail_call("msgctl", 0);
  return 0;
}
