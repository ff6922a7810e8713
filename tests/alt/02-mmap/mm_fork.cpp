/* mm_fork TEXT: a child writes a line into a shared anonymous page; the parent prints it.
 * Second implementation (tests/alt/): the parent prints with stdio and
 * flushes before the handshake; the page is MAP_SHARED|MAP_ANONYMOUS|MAP_POPULATE. */
#define PROG "mm_fork"
#define SYNOPSIS "TEXT"
#include "alt_mm.h"

#include <sys/mman.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
  if (argc != 2 || strlen(argv[1]) > 200)
    bad_usage();
  const char *text = argv[1];
  long page = sysconf(_SC_PAGESIZE);
  if (page == -1)
    fail_call("sysconf");
  char *region = (char *) mmap(NULL, (size_t) page, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (region == MAP_FAILED)
    fail_call("mmap");

  pid_t child = fork();
  if (child == -1)
    fail_call("fork");
  if (child == 0) {
    snprintf(region, (size_t) page, "child %ld: %s", (long) getpid(), text);
    _exit(0);
  }
  int status = 0;
  while (waitpid(child, &status, 0) == -1) {
    if (errno != EINTR)
      fail_call("waitpid");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_data("child failed");

  if (printf("%s\n", region) < 0 || fflush(stdout) == EOF)
    fail_call("printf");
  handshake("ready");
  if (munmap(region, (size_t) page) == -1)
    fail_call("munmap");
  return 0;
}
