// hostile: truncates the grader's ring to 0 bytes while the grader has it mapped, then posts full
// replaces: sem/ring_put
// grade: sem/producer channels/shm-data
// loses: sem/producer
// says: truncated
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>

#include <string>

#include "hostile.hpp"

// Shrink the ring object to nothing, then tell the grader an item is there.
int main(int argc, char **argv) {
  std::string ring = hostile::arg_starting(argc, argv, "/");
  int fd = shm_open(ring.c_str(), O_RDWR, 0);
  if (fd < 0) return hostile::complain("shm_open"), 1;
  if (ftruncate(fd, 0) < 0) return hostile::complain("ftruncate"), 1;
  sem_t *full = sem_open((ring + "-full").c_str(), 0);
  if (full == SEM_FAILED) return hostile::complain("sem_open"), 1;
  if (sem_post(full) < 0) hostile::complain("sem_post");
  hostile::sleep_forever();
}
