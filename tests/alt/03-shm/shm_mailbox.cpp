/* shm_mailbox NAME: posts each line of stdin into a shared Mailbox.
 * Second implementation (tests/alt/): lines read with getline(3); the mailbox
 * addressed by byte offsets; seq published with __atomic_store_n (release);
 * at the end the name is unlinked first, then the mapping and descriptor go. */
#define PROG "shm_mailbox"
#define SYNOPSIS "NAME"
#include "alt_shm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* Stops with the data error unless the object still holds a whole mailbox. */
static void still_whole(int fd, const char *name)
{
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  if (st.st_size < MB_SIZE)
    fail_msg(1, "%s shrank to %lld bytes", name, (long long) st.st_size);
}

/* Posts LEN bytes of TEXT as message N: text, then len, then seq (last). */
static void post(char *mb, const char *text, uint32_t len, uint32_t n)
{
  memcpy(mb + MB_TEXT, text, len);
  memcpy(mb + MB_LEN, &len, sizeof len);
  __atomic_store_n((uint32_t *) (mb + MB_SEQ), n, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
  if (argc != 2)
    bad_usage();
  const char *name = name_or_exit(argv[1]);
  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd == -1)
    fail_call("shm_open");
  if (ftruncate(fd, MB_SIZE) == -1)
    fail_call("ftruncate");
  char *mb = (char *) mmap(NULL, MB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mb == MAP_FAILED)
    fail_call("mmap");
  uint32_t zero = 0;
  memcpy(mb + MB_MAGIC, "MBOX", 4);
  memcpy(mb + MB_SEQ, &zero, 4);
  memcpy(mb + MB_LEN, &zero, 4);

  char *line = NULL;
  size_t cap = 0;
  uint32_t n = 0;
  for (;;) {
    errno = 0;
    ssize_t got = getline(&line, &cap, stdin);
    if (got == -1) {
      if (errno != 0 && errno != EINTR)
        fail_call("getline");
      break;
    }
    n++;
    if (got > 0 && line[got - 1] == '\n')
      got--;
    if (got > MB_TEXT_MAX)
      fail_msg(1, "line %u is longer than %d bytes", (unsigned) n, MB_TEXT_MAX);
    still_whole(fd, name);
    post(mb, line, (uint32_t) got, n);
    char msg[32];
    int len = snprintf(msg, sizeof msg, "posted %u\n", (unsigned) n);
    write_all(STDOUT_FILENO, msg, (size_t) len);
  }
  free(line);
  if (shm_unlink(name) == -1)
    fail_call("shm_unlink");
  if (munmap(mb, MB_SIZE) == -1)
    fail_call("munmap");
  if (close(fd) == -1)
    fail_call("close");
  return 0;
}
