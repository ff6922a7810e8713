/* sem_counter SEM SHM ITERATIONS: adds 1 to the counter in SHM ITERATIONS
   times, each time inside a critical section guarded by SEM. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *prog = "sem_counter";
const char *synopsis = "SEM SHM ITERATIONS";

/* Opens SHM (after SEM, as the contract orders) and maps its first 8 bytes. */
static uint64_t *map_counter(const char *shm)
{
  int fd = shm_open(shm, O_RDWR, 0);
  if (fd == -1)
    fail_call("shm_open");
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  if (st.st_size < 8)
    fail_msg(1, "%s holds %lld bytes, fewer than 8", shm, (long long) st.st_size);
  void *p = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    fail_call("mmap");
  if (close(fd) == -1)
    fail_call("close");
  return p;
}

/* Checks the arguments, opens both, says ready, counts. */
int main(int argc, char **argv)
{
  uint64_t iterations;
  if (argc != 4 || !decimal(argv[3], &iterations) || iterations < 1)
    usage_exit();
  need_slash(argv[1]);
  need_slash(argv[2]);
  sem_t *sem = sem_open(argv[1], 0);
  if (sem == SEM_FAILED)
    fail_call("sem_open");
  uint64_t *counter = map_counter(argv[2]);
  handshake("ready");
  for (uint64_t i = 0; i < iterations; i++) {
    while (sem_wait(sem) == -1) {
      if (errno != EINTR)
        fail_call("sem_wait");
    }
    uint64_t v = *counter;
    sched_yield();
    *counter = v + 1;
    give(sem);
  }
  if (munmap(counter, 8) == -1)
    fail_call("munmap");
  if (sem_close(sem) == -1)
    fail_call("sem_close");
  return 0;
}
