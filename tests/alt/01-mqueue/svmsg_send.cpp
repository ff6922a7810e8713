/* svmsg_send [-n] KEY TYPE MSG: sends one typed message to an existing queue.
 * Second implementation (tests/alt/): the message is built on the heap. */
#define PROG "svmsg_send"
#define SYNOPSIS "[-n] KEY TYPE MSG"
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
  int c;
  while ((c = getopt(argc, argv, "+:n")) != -1) {
    if (c != 'n')
      bad_usage();
    flags |= IPC_NOWAIT;
  }
  if (argc - optind != 3)
    bad_usage();
  long key;
  if (parse_whole(argv[optind], 0, &key) != 0 || key < INT_MIN || key > UINT_MAX)
    bad_usage();
  long type = number_or_usage(argv[optind + 1], 1, LONG_MAX);
  const char *msg = argv[optind + 2];
  size_t len = strlen(msg);
  if (len > sizeof ((struct sv_message *) 0)->mtext)
    bad_usage();

  int id = msgget((key_t) key, 0); /* never IPC_CREAT */
  if (id == -1)
    fail_call("msgget", 0);
  struct sv_message *m = (struct sv_message *) calloc(1, sizeof *m);
  if (m == NULL)
    fail_call("calloc", 0);
  m->mtype = type;
  memcpy(m->mtext, msg, len);
  if (msgsnd(id, m, len, flags) == -1)
    fail_call("msgsnd", 1);
  free(m);
  return 0;
}
