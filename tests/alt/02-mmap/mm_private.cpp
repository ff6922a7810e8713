/* mm_private FILE INDEX BALANCE: a copy-on-write store the file never sees.
 * Second implementation (tests/alt/): the balance line and the handshake word
 * go out in one write(2); the store and the read-back are memcpy's. */
#define PROG "mm_private"
#define SYNOPSIS "FILE INDEX BALANCE"
#include "alt_mm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
  if (argc != 4)
    bad_usage();
  const char *path = argv[1];
  long long index = decimal_or_usage(argv[2], 0, LLONG_MAX);
  int32_t balance = (int32_t) decimal_or_usage(argv[3], INT32_MIN, INT32_MAX);

  int fd = open(path, O_RDONLY);
  if (fd == -1)
    fail_call("open");
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  if (st.st_size == 0)
    fail_data("%s: file is empty", path);
  if (st.st_size % REC_SIZE != 0)
    fail_data("%s: not a whole number of records", path);
  size_t len = (size_t) st.st_size;
  char *base = (char *) mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED)
    fail_call("mmap");
  long long count = st.st_size / REC_SIZE;
  if (index >= count)
    fail_data("record %lld is out of range (the file holds %lld records)", index, count);

  char *field = base + index * REC_SIZE + REC_BALANCE;
  memcpy(field, &balance, sizeof balance);
  int32_t seen;
  memcpy(&seen, field, sizeof seen);

  char out[64];
  int n = snprintf(out, sizeof out, "balance %d\nready\n", (int) seen);
  write_all(STDOUT_FILENO, out, (size_t) n);
  await_line();

  if (munmap(base, len) == -1)
    fail_call("munmap");
  if (close(fd) == -1)
    fail_call("close");
  return 0;
}
