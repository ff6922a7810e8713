/* shm_write [-x] NAME SIZE [MODE]: copies stdin into a POSIX object of SIZE bytes.
 * Second implementation (tests/alt/): stdin read with read(2) into a buffer
 * that never grows past SIZE bytes (the rest is only counted, to the end);
 * MAP_POPULATE; the descriptor closed before the copy, the mapping after. */
#define PROG "shm_write"
#define SYNOPSIS "[-x] NAME SIZE [MODE]"
#include "alt_shm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* Reads all of stdin; keeps at most LIMIT bytes in *BUF; returns how many
 * bytes there were in all (more than LIMIT: too long). */
static unsigned long long slurp(size_t limit, char **buf, size_t *kept)
{
  size_t cap = limit < 65536 ? limit : 65536;
  char *data = (char *) malloc(cap);
  if (data == NULL)
    fail_call("malloc");
  size_t have = 0;
  unsigned long long total = 0;
  char spill[4096];
  for (;;) {
    if (have == cap && cap < limit) {
      cap = (limit - cap < cap) ? limit : 2 * cap;
      data = (char *) realloc(data, cap);
      if (data == NULL)
        fail_call("realloc");
    }
    char *into = have < cap ? data + have : spill;
    size_t room = have < cap ? cap - have : sizeof spill;
    ssize_t n = read(STDIN_FILENO, into, room);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      fail_call("read");
    }
    if (n == 0)
      break;
    total += (unsigned long long) n;
    if (into != spill)
      have += (size_t) n;
  }
  *buf = data;
  *kept = have;
  return total;
}

int main(int argc, char **argv)
{
  int oflag = O_CREAT | O_RDWR;
  int c;
  while ((c = getopt(argc, argv, "+:x")) != -1) {
    if (c != 'x')
      bad_usage();
    oflag |= O_EXCL;
  }
  int left = argc - optind;
  if (left != 2 && left != 3)
    bad_usage();
  const char *name = name_or_exit(argv[optind]);
  long long size = size_or_exit(argv[optind + 1]);
  mode_t mode = 0600;
  if (left == 3)
    mode = (mode_t) number_or_usage(argv[optind + 2], 8, 0, 0777);

  char *input = NULL;
  size_t kept = 0;
  if (slurp((size_t) size, &input, &kept) > (unsigned long long) size)
    fail_msg(1, "input is longer than %lld bytes", size);

  int fd = shm_open(name, oflag, mode);
  if (fd == -1)
    fail_call("shm_open");
  if (ftruncate(fd, (off_t) size) == -1)
    fail_call("ftruncate");
  char *addr = (char *) mmap(NULL, (size_t) size, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_POPULATE, fd, 0);
  if (addr == MAP_FAILED)
    fail_call("mmap");
  if (close(fd) == -1)
    fail_call("close");
  memcpy(addr, input, kept);
  free(input);
  if (munmap(addr, (size_t) size) == -1)
    fail_call("munmap");
  return 0;
}
