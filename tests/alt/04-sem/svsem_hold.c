/* svsem_hold KEY: takes a System V semaphore with SEM_UNDO and exits holding it. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

const char *prog = "svsem_hold";
const char *synopsis = "KEY";

/* semctl's fourth argument, which the caller defines. */
union semarg {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

/* Parses KEY as strtol base 0 does; never 0. */
static key_t parse_key(const char *text)
{
  char *end;
  errno = 0;
  long v = strtol(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0' || v == 0 || v < INT_MIN || v > (long) UINT_MAX)
    usage_exit();
  return (key_t) v;
}

/* Makes the set, sets it to 1, takes it with SEM_UNDO, says held, exits. */
int main(int argc, char **argv)
{
  if (argc != 2)
    usage_exit();
  key_t key = parse_key(argv[1]);
  int id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
  if (id == -1)
    fail_call("semget");
  union semarg arg;
  arg.val = 1;
  if (semctl(id, 0, SETVAL, arg) == -1)
    fail_call("semctl");
  struct sembuf op = {.sem_num = 0, .sem_op = -1, .sem_flg = SEM_UNDO};
  while (semtimedop(id, &op, 1, NULL) == -1) {   /* semop with no time limit */
    if (errno != EINTR)
      fail_call("semop");
  }
  handshake("held");
  return 0;
}
