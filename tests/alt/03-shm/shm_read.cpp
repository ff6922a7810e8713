/* shm_read NAME OFFSET LENGTH: writes LENGTH bytes of an object from OFFSET.
 * Second implementation (tests/alt/): the range compared without adding, the
 * bytes written with write(2) in a loop. */
#define PROG "shm_read"
#define SYNOPSIS "NAME OFFSET LENGTH"
#include "alt_shm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
  if (argc != 4)
    bad_usage();
  const char *name = name_or_exit(argv[1]);
  unsigned long long offset = (unsigned long long) number_or_usage(argv[2], 10, 0, LLONG_MAX);
  unsigned long long length = (unsigned long long) number_or_usage(argv[3], 10, 0, LLONG_MAX);

  int fd = shm_open(name, O_RDONLY, 0); /* never O_CREAT */
  if (fd == -1)
    fail_call("shm_open");
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  unsigned long long size = (unsigned long long) st.st_size;
  if (offset > size || length > size - offset)
    fail_msg(1, "%s holds %llu bytes, fewer than %llu + %llu", name, size, offset, length);
  if (length > 0) {
    const char *bytes = (const char *) mmap(NULL, (size_t) size, PROT_READ, MAP_SHARED, fd, 0);
    if (bytes == MAP_FAILED)
      fail_call("mmap");
    write_all(STDOUT_FILENO, bytes + offset, (size_t) length);
    if (munmap((void *) bytes, (size_t) size) == -1)
      fail_call("munmap");
  }
  if (close(fd) == -1)
    fail_call("close");
  return 0;
}
