/* mq_recv [-n] [-c COUNT] NAME: receives COUNT messages and prints each record.
 * Second implementation (tests/alt/): mq_timedreceive with an hour-long
 * deadline, taken again after a timeout, and records written with writev. */
#define PROG "mq_recv"
#define SYNOPSIS "[-n] [-c COUNT] NAME"
#include "alt_mq.h"

#include <fcntl.h>
#include <mqueue.h>
#include <time.h>

/* Receives one message into BUF (SIZE bytes): blocks (or not, per the
 * descriptor) until one is there; returns its length, or -1 with errno. */
static ssize_t receive_one(mqd_t q, char *buf, size_t size, unsigned *prio)
{
  for (;;) {
    struct timespec deadline;
    if (clock_gettime(CLOCK_REALTIME, &deadline) == -1)
      fail_call("clock_gettime", 0);
    deadline.tv_sec += 3600;
    ssize_t n = mq_timedreceive(q, buf, size, prio, &deadline);
    if (n != -1 || (errno != ETIMEDOUT && errno != EINTR))
      return n;
  }
}

int main(int argc, char **argv)
{
  int oflag = O_RDONLY;
  long count = 1;
  int c;
  while ((c = getopt(argc, argv, "+:nc:")) != -1) {
    if (c == 'n')
      oflag |= O_NONBLOCK;
    else if (c == 'c')
      count = number_or_usage(optarg, 1, LONG_MAX);
    else
      bad_usage();
  }
  if (argc - optind != 1)
    bad_usage();

  mqd_t q = mq_open(argv[optind], oflag); /* never O_CREAT */
  if (q == (mqd_t) -1)
    fail_call("mq_open", 0);
  struct mq_attr attr;
  if (mq_getattr(q, &attr) == -1)
    fail_call("mq_getattr", 0);
  char *buf = (char *) malloc((size_t) attr.mq_msgsize);
  if (buf == NULL)
    fail_call("malloc", 0);
  for (long i = 0; i < count; i++) {
    unsigned prio = 0;
    ssize_t n = receive_one(q, buf, (size_t) attr.mq_msgsize, &prio);
    if (n == -1)
      fail_call("mq_receive", 1);
    print_record((long) prio, buf, (size_t) n);
  }
  free(buf);
  if (mq_close(q) == -1)
    fail_call("mq_close", 0);
  return 0;
}
