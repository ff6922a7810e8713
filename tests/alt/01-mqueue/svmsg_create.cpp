/* svmsg_create [-x] KEY [MODE]: creates (or finds) a System V queue, prints its id.
 * Second implementation (tests/alt/). */
#define PROG "svmsg_create"
#define SYNOPSIS "[-x] KEY [MODE]"
#include "alt_mq.h"

#include <sys/ipc.h>
#include <sys/msg.h>

int main(int argc, char **argv)
{
  int flags = IPC_CREAT;
  int c;
  while ((c = getopt(argc, argv, "+:x")) != -1) {
    if (c != 'x')
      bad_usage();
    flags |= IPC_EXCL;
  }
  int left = argc - optind;
  if (left != 1 && left != 2)
    bad_usage();
  long key;
  if (parse_whole(argv[optind], 0, &key) != 0 || key < INT_MIN || key > UINT_MAX)
    bad_usage();
  unsigned mode = left == 2 ? mode_or_usage(argv[optind + 1]) : 0600;
  int id = msgget((key_t) key, flags | (int) (mode & 0777));
  if (id == -1)
    fail_call("msgget", 0);
  char line[32];
  int n = snprintf(line, sizeof line, "%d\n", id);
  struct iovec iov = {line, (size_t) n};
  if (writev_all(STDOUT_FILENO, &iov, 1) == -1)
    fail_call("write", 0);
  return 0;
}
