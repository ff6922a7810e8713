/* mq_unlink NAME: removes a POSIX queue's name. Second implementation. */
#define PROG "mq_unlink"
#define SYNOPSIS "NAME"
#include "alt_mq.h"

#include <mqueue.h>

int main(int argc, char **argv)
{
  if (argc != 2)
    bad_usage();
  if (mq_unlink(argv[1]) == -1)
    fail_call("mq_unlink", 0);
  return 0;
}
