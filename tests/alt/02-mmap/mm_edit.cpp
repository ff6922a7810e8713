/* mm_edit [-w] FILE set INDEX BALANCE | swap I J | rename INDEX NAME
 * Second implementation (tests/alt/): indexes checked before the mapping is
 * made, MAP_SHARED|MAP_POPULATE, edits as memcpy at byte offsets, msync(MS_SYNC)
 * after the edit, and close() before munmap(). */
#define PROG "mm_edit"
#define SYNOPSIS "[-w] FILE set INDEX BALANCE|swap I J|rename INDEX NAME"
#include "alt_mm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

enum op { OP_SET, OP_SWAP, OP_RENAME };

/* The command line. */
struct edit {
  int wait;
  const char *path;
  enum op op;
  long long a, b; /* INDEX (or I, J) */
  int32_t balance;
  const char *name;
};

/* Parses argv, or exits 2 with the usage line. */
static struct edit parse(int argc, char **argv)
{
  struct edit e;
  memset(&e, 0, sizeof e);
  int c;
  while ((c = getopt(argc, argv, "+:w")) != -1) {
    if (c != 'w')
      bad_usage();
    e.wait = 1;
  }
  char **pos = argv + optind;
  int n = argc - optind;
  if (n != 4)
    bad_usage();
  e.path = pos[0];
  if (strcmp(pos[1], "set") == 0) {
    e.op = OP_SET;
    e.a = decimal_or_usage(pos[2], 0, LLONG_MAX);
    e.balance = (int32_t) decimal_or_usage(pos[3], INT32_MIN, INT32_MAX);
  } else if (strcmp(pos[1], "swap") == 0) {
    e.op = OP_SWAP;
    e.a = decimal_or_usage(pos[2], 0, LLONG_MAX);
    e.b = decimal_or_usage(pos[3], 0, LLONG_MAX);
  } else if (strcmp(pos[1], "rename") == 0) {
    e.op = OP_RENAME;
    e.a = decimal_or_usage(pos[2], 0, LLONG_MAX);
    e.name = name_or_usage(pos[3]);
  } else {
    bad_usage();
  }
  return e;
}

/* INDEX must name a record of a file of COUNT records. */
static void check_index(long long index, long long count)
{
  if (index >= count)
    fail_data("record %lld is out of range (the file holds %lld records)", index, count);
}

/* Makes the edit, by stores into the mapping BASE only. */
static void apply(const struct edit *e, char *base)
{
  char *ra = base + e->a * REC_SIZE;
  if (e->op == OP_SET) {
    memcpy(ra + REC_BALANCE, &e->balance, sizeof e->balance);
  } else if (e->op == OP_SWAP) {
    char *rb = base + e->b * REC_SIZE;
    char tmp[REC_SIZE];
    memcpy(tmp, ra, REC_SIZE);
    memmove(ra, rb, REC_SIZE);
    memcpy(rb, tmp, REC_SIZE);
  } else {
    char field[NAME_FIELD] = {0};
    memcpy(field, e->name, strlen(e->name));
    memcpy(ra + REC_NAME, field, NAME_FIELD);
  }
}

int main(int argc, char **argv)
{
  struct edit e = parse(argc, argv);
  int fd = open(e.path, O_RDWR); /* never O_CREAT */
  if (fd == -1)
    fail_call("open");
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  if (st.st_size == 0)
    fail_data("%s: file is empty", e.path);
  if (st.st_size % REC_SIZE != 0)
    fail_data("%s: not a whole number of records", e.path);
  long long count = st.st_size / REC_SIZE;
  check_index(e.a, count);
  if (e.op == OP_SWAP)
    check_index(e.b, count);

  size_t len = (size_t) st.st_size;
  void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (map == MAP_FAILED)
    fail_call("mmap");
  apply(&e, (char *) map);
  if (msync(map, len, MS_SYNC) == -1)
    fail_call("msync");

  if (e.wait)
    handshake("ready");
  if (close(fd) == -1)
    fail_call("close");
  if (munmap(map, len) == -1)
    fail_call("munmap");
  if (e.wait)
    handshake("done");
  return 0;
}
