// hostile: takes the counter's semaphore twice, so that every process sleeps in sem_wait for ever
// replaces: sem/sem_counter
// grade: sem/counter channels/mq-data
// loses: sem/counter
// says: blocked in futex (a semaphore or lock) on /dev/shm/sem.
#include <fcntl.h>
#include <semaphore.h>

#include "hostile.hpp"

// Say ready, then wait on SEM twice without ever posting it.
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  sem_t *s = sem_open(argv[1], 0);
  if (s == SEM_FAILED) hostile::complain("sem_open");
  hostile::write_all(1, "ready\n");
  hostile::read_line();
  for (;;)
    if (s != SEM_FAILED && sem_wait(s) < 0 && errno != EINTR) hostile::complain("sem_wait");
}
