/* svshm_attach KEY SIZE: a System V segment created, attached, removed.
 * Second implementation (tests/alt/): IPC_RMID first, then shmdt (the
 * handout's Step 5: "The other order also works"). */
#define PROG "svshm_attach"
#define SYNOPSIS "KEY SIZE"
#include "alt_shm.h"

#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
  if (argc != 3)
    bad_usage();
  long long key = number_or_usage(argv[1], 0, INT_MIN, UINT_MAX);
  if (key == 0)
    bad_usage();
  long long size = size_or_exit(argv[2]);

  int id = shmget((key_t) key, (size_t) size, IPC_CREAT | IPC_EXCL | 0600);
  if (id == -1)
    fail_call("shmget");
  char *addr = (char *) shmat(id, NULL, 0);
  if (addr == (char *) -1)
    fail_call("shmat");
  memcpy(addr, "attached", 9);
  handshake("attached");
  if (shmctl(id, IPC_RMID, NULL) == -1)
    fail_call("shmctl");
  if (shmdt(addr) == -1)
    fail_call("shmdt");
  handshake("removed");
  return 0;
}
