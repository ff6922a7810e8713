/* ring_rm [-u] NAME: removes a ring and its named semaphores. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *prog = "ring_rm";
const char *synopsis = "[-u] NAME";

/* Tries every removal (semaphores first), then reports the contract's first
   failure: shm_unlink's, else the first sem_unlink's. */
int main(int argc, char **argv)
{
  int unnamed = 0, opt;
  while ((opt = getopt(argc, argv, "+u")) != -1) {
    if (opt != 'u')
      usage_exit();
    unnamed = 1;
  }
  if (argc - optind != 1)
    usage_exit();
  const char *name = argv[optind];
  need_slash(name);

  int sem_errno = 0;
  if (!unnamed) {
    static const char *const roles[3] = {"empty", "full", "mutex"};
    for (int i = 2; i >= 0; i--) {   /* mutex, full, empty: any order is fine */
      char buf[300];
      if (sem_unlink(role_name(buf, sizeof buf, name, roles[i])) == -1 && sem_errno == 0)
        sem_errno = errno;
    }
  }
  int shm_errno = 0;
  if (shm_unlink(name) == -1)
    shm_errno = errno;
  if (shm_errno != 0) {
    errno = shm_errno;
    fail_call("shm_unlink");
  }
  if (sem_errno != 0) {
    errno = sem_errno;
    fail_call("sem_unlink");
  }
  return 0;
}
