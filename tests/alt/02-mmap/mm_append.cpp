/* mm_append FILE ID BALANCE NAME: grows FILE by one record, written through a mapping.
 * Second implementation (tests/alt/): the record is assembled field by field
 * in the mapping itself; msync(MS_SYNC) before munmap. */
#define PROG "mm_append"
#define SYNOPSIS "FILE ID BALANCE NAME"
#include "alt_mm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
  if (argc != 5)
    bad_usage();
  const char *path = argv[1];
  uint32_t id = (uint32_t) decimal_or_usage(argv[2], 0, UINT32_MAX);
  int32_t balance = (int32_t) decimal_or_usage(argv[3], INT32_MIN, INT32_MAX);
  const char *name = name_or_usage(argv[4]);

  int fd = open(path, O_RDWR);
  if (fd == -1)
    fail_call("open");
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  if (st.st_size % REC_SIZE != 0)
    fail_data("%s: not a whole number of records", path);
  off_t old_size = st.st_size;
  off_t new_size = old_size + REC_SIZE;
  if (ftruncate(fd, new_size) == -1)
    fail_call("ftruncate");
  char *base = (char *) mmap(NULL, (size_t) new_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED)
    fail_call("mmap");

  char *rec = base + old_size;
  memset(rec, 0, REC_SIZE);
  memcpy(rec + REC_ID, &id, sizeof id);
  memcpy(rec + REC_BALANCE, &balance, sizeof balance);
  memcpy(rec + REC_NAME, name, strlen(name));

  if (msync(base, (size_t) new_size, MS_SYNC) == -1)
    fail_call("msync");
  if (munmap(base, (size_t) new_size) == -1)
    fail_call("munmap");
  if (close(fd) == -1)
    fail_call("close");
  return 0;
}
