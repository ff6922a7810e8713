// hostile: a correct client that also leaves a double-forked setsid daemon running
// replaces: channels/client
// grade: channels/shutdown mqueue/outlives-sender
// loses: channels/shutdown
// says: still runs
#include <fcntl.h>
#include <sys/wait.h>

#include "hostile.hpp"

int solution_main(int argc, char **argv);  // the reference client, renamed

// Fork, setsid, fork again: the grandchild leaves the process group and the
// session, drops its stdio, and sleeps for ever.
void start_daemon() {
  pid_t first = fork();
  if (first < 0) return hostile::complain("fork");
  if (first > 0) {
    while (waitpid(first, nullptr, 0) < 0 && errno == EINTR) {
    }
    return;
  }
  if (setsid() < 0) hostile::complain("setsid");
  pid_t second = fork();
  if (second != 0) _exit(0);
  int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) dup2(null, fd);
  if (chdir("/") < 0) hostile::complain("chdir");
  hostile::sleep_forever();
}

// Leave the daemon behind, then do the client's work as the solution does.
int main(int argc, char **argv) {
  start_daemon();
  return solution_main(argc, argv);
}
