// hostile: stops itself with SIGSTOP instead of sending
// replaces: mqueue/mq_send
// grade: mqueue/outlives-sender shm/reader
// loses: mqueue/outlives-sender
// says: killed after 5.0 s: stopped (SIGSTOP
#include "hostile.hpp"

// Stop; whoever continues it finds it exiting 0 without having sent anything.
int main() {
  raise(SIGSTOP);
  return 0;
}
