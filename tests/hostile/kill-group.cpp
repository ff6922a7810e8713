// hostile: kill(0, SIGKILL): kills its whole process group
// replaces: mqueue/mq_send
// grade: mqueue/send-exact-bytes shm/reader
// loses: mqueue/send-exact-bytes
// says: SIGKILL
#include "hostile.hpp"

// Kill every process in its group, itself included.
int main() {
  if (kill(0, SIGKILL) < 0) hostile::complain("kill");
  return 0;
}
