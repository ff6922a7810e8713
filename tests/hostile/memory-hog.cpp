// hostile: touches 4 GiB of memory, then sleeps
// replaces: mqueue/mq_unlink
// grade: mqueue/unlink-lifecycle shm/reader
// loses: mqueue/unlink-lifecycle
// says: killed
#include <sys/mman.h>

#include "hostile.hpp"

// Stop at 4 GiB, so that a grader without a memory limit cannot exhaust the machine.
constexpr size_t cap = 4UL << 30;

// Map and touch 64 MiB pieces until the cap or a refusal, then sleep until killed.
int main() {
  constexpr size_t piece = 64UL << 20;
  for (size_t done = 0; done < cap; done += piece) {
    void *p = mmap(nullptr, piece, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) break;
    for (size_t i = 0; i < piece; i += 4096) static_cast<volatile char *>(p)[i] = 1;
  }
  hostile::sleep_forever();
}
