// hostile: sends oversized System V messages (8192 bytes of binary) of the wrong type
// replaces: mqueue/svmsg_send
// grade: mqueue/sysv-ipc-stat shm/reader
// loses: mqueue/sysv-ipc-stat
// says: msg_qnum
#include <sys/msg.h>

#include <climits>
#include <cstdlib>

#include "hostile.hpp"

// One message of the largest size, type LONG_MAX, every byte value in it.
int main(int argc, char **argv) {
  std::string key = hostile::arg_starting(argc, argv, "0x");
  int id = msgget(static_cast<key_t>(std::strtoul(key.c_str(), nullptr, 16)), 0);
  if (id < 0) return hostile::complain("msgget"), 1;
  static struct {
    long mtype;
    char mtext[8192];
  } m;
  m.mtype = LONG_MAX;
  for (size_t i = 0; i < sizeof m.mtext; ++i) m.mtext[i] = static_cast<char>(i * 7);
  if (msgsnd(id, &m, sizeof m.mtext, IPC_NOWAIT) < 0) hostile::complain("msgsnd");
  return 0;
}
