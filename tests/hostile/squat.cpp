// hostile: a correct ring_get that first squats on the names of the ring the grader makes next
// replaces: sem/ring_get
// grade: sem/eintr channels/fifo-data
// loses: sem/eintr
// says: its name was taken before the grader made it
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>

#include <string>

#include "hostile.hpp"

int solution_main(int argc, char **argv);  // the reference ring_get, renamed

// In sem/eintr the grader's first ring is ".../empty" and its next one
// ".../full": create that one's object and semaphores before the grader does.
void squat(const std::string &ring) {
  if (!ring.ends_with("empty")) return;
  std::string next = ring.substr(0, ring.size() - 5) + "full";
  int fd = shm_open(next.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) hostile::complain("shm_open");
  for (const char *role : {"-empty", "-full", "-mutex"}) {
    sem_t *s = sem_open((next + role).c_str(), O_CREAT | O_EXCL, 0600, 0);
    if (s == SEM_FAILED) hostile::complain("sem_open");
  }
}

// Squat, then consume as the solution does.
int main(int argc, char **argv) {
  squat(hostile::arg_starting(argc, argv, "/"));
  return solution_main(argc, argv);
}
