// hostile: raises every rlimit to its hard limit (and tries RLIM_INFINITY), then hogs memory and processes
// replaces: shm/shm_read
// grade: shm/reader sem/ring-init
// loses: shm/reader
// says: killed
#include <sys/mman.h>
#include <sys/resource.h>

#include <cstdint>

#include "hostile.hpp"

// The caps that keep this test from taking a shared machine down while the
// grader's own limits are missing.
constexpr size_t memory_cap = 4UL << 30;
constexpr int fork_cap = 200;

// Raise one limit: first to RLIM_INFINITY, else the soft one to the hard one.
void raise_limit(int resource, const char *name) {
  rlimit r{RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(resource, &r) == 0) return;
  if (getrlimit(resource, &r) < 0) return hostile::complain("getrlimit");
  r.rlim_cur = r.rlim_max;
  if (setrlimit(resource, &r) < 0) hostile::complain(name);
}

// Touch up to memory_cap bytes in 64 MiB pieces, stopping at the first refusal.
void hog_memory() {
  constexpr size_t piece = 64UL << 20;
  for (size_t done = 0; done < memory_cap; done += piece) {
    void *p = mmap(nullptr, piece, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    for (size_t i = 0; i < piece; i += 4096) static_cast<volatile char *>(p)[i] = 1;
  }
}

// Raise everything, fork a few sleepers, hog memory, then spin.
int main() {
  signal(SIGXCPU, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);
  raise_limit(RLIMIT_AS, "setrlimit(RLIMIT_AS)");
  raise_limit(RLIMIT_DATA, "setrlimit(RLIMIT_DATA)");
  raise_limit(RLIMIT_NPROC, "setrlimit(RLIMIT_NPROC)");
  raise_limit(RLIMIT_CPU, "setrlimit(RLIMIT_CPU)");
  raise_limit(RLIMIT_FSIZE, "setrlimit(RLIMIT_FSIZE)");
  raise_limit(RLIMIT_NOFILE, "setrlimit(RLIMIT_NOFILE)");
  raise_limit(RLIMIT_MSGQUEUE, "setrlimit(RLIMIT_MSGQUEUE)");
  raise_limit(RLIMIT_CORE, "setrlimit(RLIMIT_CORE)");
  raise_limit(RLIMIT_MEMLOCK, "setrlimit(RLIMIT_MEMLOCK)");
  for (int i = 0; i < fork_cap; ++i) {
    pid_t p = fork();
    if (p == 0) hostile::sleep_forever();
    if (p < 0) break;
  }
  hog_memory();
  volatile uint64_t n = 0;
  for (;;) n = n + 1;
}
