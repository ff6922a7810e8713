// hostile: an infinite CPU loop that never reads its queue
// replaces: mqueue/mq_recv
// grade: mqueue/recv-exact-bytes shm/reader
// loses: mqueue/recv-exact-bytes
// says: killed after
#include "hostile.hpp"

// Spin on the CPU for ever.
int main() {
  volatile unsigned long n = 0;
  for (;;) n = n + 1;
}
