// hostile: a fork bomb: every process forks until fork fails (capped at 2000 in all)
// replaces: mmap/mm_fork
// grade: mmap/fork-anon shm/reader
// loses: mmap/fork-anon
// says: killed after
#include <sys/mman.h>

#include <atomic>

#include "hostile.hpp"

// The cap on forks over the whole tree, so that a grader without limits
// cannot take the machine down while this test is young.
constexpr long cap = 2000;

// Fork until the shared count reaches the cap or fork fails, in every process.
int main() {
  void *shared = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    hostile::complain("mmap");
    return 1;
  }
  auto *forks = new (shared) std::atomic<long>(0);
  while (forks->fetch_add(1) < cap)
    if (fork() < 0) break;
  hostile::sleep_forever();
}
