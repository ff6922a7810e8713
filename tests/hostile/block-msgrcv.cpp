// hostile: a receiver that blocks for ever in msgrcv on a type nobody sends
// replaces: mqueue/svmsg_recv
// grade: mqueue/sysv-type-select sem/ring-init
// loses: mqueue/sysv-type-select
// says: blocked in msgrcv
#include <sys/msg.h>

#include <cstdlib>

#include "hostile.hpp"

// Wait in msgrcv for a message of type 999999, which never comes.
int main(int argc, char **argv) {
  std::string key = hostile::arg_starting(argc, argv, "0x");
  int id = msgget(static_cast<key_t>(std::strtoul(key.c_str(), nullptr, 16)), 0);
  if (id < 0) {
    hostile::complain("msgget");
    hostile::sleep_forever();
  }
  struct {
    long mtype;
    char mtext[8192];
  } m;
  for (;;)
    if (msgrcv(id, &m, sizeof m.mtext, 999999, 0) < 0 && errno != EINTR) {
      hostile::complain("msgrcv");
      hostile::sleep_forever();
    }
}
