// hostile: puts one item, then dies (SIGKILL) while holding the ring's mutex
// replaces: sem/ring_put
// grade: sem/producer channels/shm-data
// loses: sem/producer
// says: ring-mutex (value 0)
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>

#include <cstdint>
#include <string>

#include "hostile.hpp"

// The ring's header and item, as the handout lays them out.
struct Item {
  uint32_t len;
  char text[60];
};
struct RingHeader {
  char magic[4];
  uint32_t slots, in, out;
  sem_t empty, full, mutex;
  char pad[16];
};

// Open a named semaphore of the ring ("/ring-mutex"); exit 1 when it fails.
sem_t *open_sem(const std::string &name) {
  sem_t *s = sem_open(name.c_str(), 0);
  if (s == SEM_FAILED) {
    hostile::complain("sem_open");
    _exit(1);
  }
  return s;
}

// Take empty and mutex, store the first item, post full, and die holding mutex.
int main(int argc, char **argv) {
  std::string ring = hostile::arg_starting(argc, argv, "/");
  int fd = shm_open(ring.c_str(), O_RDWR, 0);
  if (fd < 0) return hostile::complain("shm_open"), 1;
  void *m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return hostile::complain("mmap"), 1;
  auto *h = static_cast<RingHeader *>(m);
  sem_t *empty = open_sem(ring + "-empty"), *full = open_sem(ring + "-full");
  sem_t *mutex = open_sem(ring + "-mutex");
  std::string line;
  for (char c; read(0, &c, 1) == 1 && c != '\n';) line += c;
  sem_wait(empty);
  sem_wait(mutex);
  auto *item = reinterpret_cast<Item *>(h + 1) + h->in;
  item->len = static_cast<uint32_t>(line.size());
  line.copy(item->text, sizeof item->text);
  h->in = (h->in + 1) % h->slots;
  sem_post(full);
  raise(SIGKILL);
}
