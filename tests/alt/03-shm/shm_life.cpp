/* shm_life NAME: an object's life, one call per handshake.
 * Second implementation (tests/alt/). */
#define PROG "shm_life"
#define SYNOPSIS "NAME"
#include "alt_shm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

enum { LIFE = 4096 };

int main(int argc, char **argv)
{
  if (argc != 2)
    bad_usage();
  const char *name = name_or_exit(argv[1]);
  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd == -1)
    fail_call("shm_open");
  if (ftruncate(fd, LIFE) == -1)
    fail_call("ftruncate");
  char *addr = (char *) mmap(NULL, LIFE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (addr == MAP_FAILED)
    fail_call("mmap");
  memcpy(addr, "alive", 6);
  handshake("mapped");
  if (close(fd) == -1)
    fail_call("close");
  handshake("closed");
  if (shm_unlink(name) == -1)
    fail_call("shm_unlink");
  handshake("unlinked");
  if (munmap(addr, LIFE) == -1)
    fail_call("munmap");
  handshake("unmapped");
  return 0;
}
