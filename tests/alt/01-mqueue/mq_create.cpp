/* mq_create [-x] [-m MAXMSG] [-s MSGSIZE] NAME [MODE]: creates a POSIX queue.
 * Second implementation (tests/alt/): options through getopt, attributes only
 * when -m or -s is given, the queue closed again at once. */
#define PROG "mq_create"
#define SYNOPSIS "[-x] [-m MAXMSG] [-s MSGSIZE] NAME [MODE]"
#include "alt_mq.h"

#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>

/* What the command line asks for. */
struct request {
  int oflag;
  long maxmsg;  /* 0: not given */
  long msgsize; /* 0: not given */
  const char *name;
  unsigned mode;
};

/* Parses argv into a request, or exits 2 with the usage line. */
static struct request parse(int argc, char **argv)
{
  struct request r = {O_RDWR | O_CREAT, 0, 0, NULL, 0600};
  int c;
  while ((c = getopt(argc, argv, "+:xm:s:")) != -1) {
    if (c == 'x')
      r.oflag |= O_EXCL;
    else if (c == 'm')
      r.maxmsg = number_or_usage(optarg, 1, LONG_MAX);
    else if (c == 's')
      r.msgsize = number_or_usage(optarg, 1, LONG_MAX);
    else
      bad_usage();
  }
  int left = argc - optind;
  if (left < 1 || left > 2)
    bad_usage();
  r.name = argv[optind];
  if (left == 2)
    r.mode = mode_or_usage(argv[optind + 1]);
  return r;
}

int main(int argc, char **argv)
{
  struct request r = parse(argc, argv);
  struct mq_attr attr;
  memset(&attr, 0, sizeof attr);
  struct mq_attr *ap = NULL;
  if (r.maxmsg || r.msgsize) {
    attr.mq_maxmsg = r.maxmsg ? r.maxmsg : 10;
    attr.mq_msgsize = r.msgsize ? r.msgsize : 8192;
    ap = &attr;
  }
  mqd_t q = mq_open(r.name, r.oflag, (mode_t) r.mode, ap);
  if (q == (mqd_t) -1)
    fail_call("mq_open", 0);
  if (mq_close(q) == -1)
    fail_call("mq_close", 0);
  return 0;
}
