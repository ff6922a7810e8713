// hostile: removes the grader's System V queue (IPC_RMID) instead of sending to it
// replaces: mqueue/svmsg_send
// grade: mqueue/sysv-ipc-stat shm/reader
// loses: mqueue/sysv-ipc-stat
// says: removed
#include <sys/msg.h>

#include <cstdlib>

#include "hostile.hpp"

// IPC_RMID the queue of KEY, which the grader made and still uses.
int main(int argc, char **argv) {
  std::string key = hostile::arg_starting(argc, argv, "0x");
  int id = msgget(static_cast<key_t>(std::strtoul(key.c_str(), nullptr, 16)), 0);
  if (id < 0) return hostile::complain("msgget"), 0;
  if (msgctl(id, IPC_RMID, nullptr) < 0) hostile::complain("msgctl(IPC_RMID)");
  return 0;
}
