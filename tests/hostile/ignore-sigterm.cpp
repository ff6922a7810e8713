// hostile: sleeps for ever with SIGTERM, SIGINT and SIGHUP ignored
// replaces: mqueue/mq_send
// grade: mqueue/send-exact-bytes mmap/record-edit
// loses: mqueue/send-exact-bytes
// says: killed after
#include "hostile.hpp"

// Ignore the polite signals, then sleep until killed.
int main() {
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
    if (signal(s, SIG_IGN) == SIG_ERR) hostile::complain("signal");
  hostile::sleep_forever();
}
