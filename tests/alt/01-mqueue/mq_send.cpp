/* mq_send [-n] NAME MSG [PRIO]: sends strlen(MSG) bytes to an existing queue.
 * Second implementation (tests/alt/): the send is mq_timedsend with an
 * hour-long deadline, taken again after a timeout, so a full queue blocks. */
#define PROG "mq_send"
#define SYNOPSIS "[-n] NAME MSG [PRIO]"
#include "alt_mq.h"

#include <fcntl.h>
#include <mqueue.h>
#include <time.h>

/* Sends LEN bytes of MSG: blocks (or not, per the descriptor) until there is
 * room; returns 0, or -1 with errno. */
static int send_one(mqd_t q, const char *msg, size_t len, unsigned prio)
{
  for (;;) {
    struct timespec deadline;
    if (clock_gettime(CLOCK_REALTIME, &deadline) == -1)
      fail_call("clock_gettime", 0);
    deadline.tv_sec += 3600;
    if (mq_timedsend(q, msg, len, prio, &deadline) == 0)
      return 0;
    if (errno != ETIMEDOUT && errno != EINTR)
      return -1;
  }
}

int main(int argc, char **argv)
{
  int oflag = O_WRONLY;
  int c;
  while ((c = getopt(argc, argv, "+:n")) != -1) {
    if (c != 'n')
      bad_usage();
    oflag |= O_NONBLOCK;
  }
  int left = argc - optind;
  if (left != 2 && left != 3)
    bad_usage();
  const char *name = argv[optind];
  const char *msg = argv[optind + 1];
  unsigned prio = 0;
  if (left == 3)
    prio = (unsigned) number_or_usage(argv[optind + 2], 0, UINT_MAX);

  mqd_t q = mq_open(name, oflag); /* never O_CREAT */
  if (q == (mqd_t) -1)
    fail_call("mq_open", 0);
  if (send_one(q, msg, strlen(msg), prio) == -1)
    fail_call("mq_send", 1);
  if (mq_close(q) == -1)
    fail_call("mq_close", 0);
  return 0;
}
