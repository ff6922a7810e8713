// hostile: kill(getppid(), SIGKILL), and SIGKILL to pid 1, instead of sending
// replaces: mqueue/mq_send
// grade: mqueue/send-exact-bytes shm/reader
// loses: mqueue/send-exact-bytes
// says: the queue is empty
#include "hostile.hpp"

// Try to kill the grader's process (its parent) and the namespace's init; exit 0.
int main() {
  pid_t parent = getppid();
  if (parent > 1 && kill(parent, SIGKILL) < 0) hostile::complain("kill(getppid())");
  if (kill(1, SIGKILL) < 0) hostile::complain("kill(1)");
  return 0;
}
