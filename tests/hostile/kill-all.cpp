// hostile: kill(-1, SIGKILL): kills every process it may signal, its siblings included
// replaces: sem/sem_counter
// grade: sem/counter channels/mq-data
// loses: sem/counter
// says: SIGKILL
#include "hostile.hpp"

// Pass the handshake, then kill everything within reach and exit 0.
int main() {
  hostile::write_all(1, "ready\n");
  hostile::read_line();
  if (kill(-1, SIGKILL) < 0) hostile::complain("kill");
  return 0;
}
