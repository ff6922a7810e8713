/* svmsg_recv [-n] [-c COUNT] KEY TYPE: receives COUNT messages selected by TYPE.
 * Second implementation (tests/alt/): TYPE goes to msgrcv unchanged. */
#define PROG "svmsg_recv"
#define SYNOPSIS "[-n] [-c COUNT] KEY TYPE"
#include "alt_mq.h"

#include <sys/ipc.h>
#include <sys/msg.h>

/* The System V message: a type, then up to 8192 bytes of text. */
struct sv_message {
  long mtype;
  char mtext[8192];
};

int main(int argc, char **argv)
{
  int flags = 0;
  long count = 1;
  int c;
  while ((c = getopt(argc, argv, "+:nc:")) != -1) {
    if (c == 'n')
      flags |= IPC_NOWAIT;
    else if (c == 'c')
      count = number_or_usage(optarg, 1, LONG_MAX);
    else
      bad_usage();
  }
  if (argc - optind != 2)
    bad_usage();
  long key;
  if (parse_whole(argv[optind], 0, &key) != 0 || key < INT_MIN || key > UINT_MAX)
    bad_usage();
  long type = number_or_usage(argv[optind + 1], LONG_MIN, LONG_MAX);

  int id = msgget((key_t) key, 0);
  if (id == -1)
    fail_call("msgget", 0);
  static struct sv_message m;
  for (long i = 0; i < count; i++) {
    ssize_t n;
    do
      n = msgrcv(id, &m, sizeof m.mtext, type, flags);
    while (n == -1 && errno == EINTR);
    if (n == -1)
      fail_call("msgrcv", 1);
    print_record(m.mtype, m.mtext, (size_t) n);
  }
  return 0;
}
