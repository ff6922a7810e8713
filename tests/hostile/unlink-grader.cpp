// hostile: unlinks the grader's ring object and its three semaphores, then exits 0
// replaces: sem/ring_get
// grade: sem/consumer channels/shm-data
// loses: sem/consumer
// says: Removed (unlinked) under the grader
#include <semaphore.h>
#include <sys/mman.h>

#include <string>

#include "hostile.hpp"

// Remove every name of the ring the grader made.
int main(int argc, char **argv) {
  std::string ring = hostile::arg_starting(argc, argv, "/");
  if (shm_unlink(ring.c_str()) < 0) hostile::complain("shm_unlink");
  for (const char *role : {"-empty", "-full", "-mutex"})
    if (sem_unlink((ring + role).c_str()) < 0) hostile::complain("sem_unlink");
  return 0;
}
