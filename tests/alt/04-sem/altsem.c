/* altsem.c: the helpers of altsem.h. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t usr1_seen = 0;

/* Prints "PROG: CALL: STRERROR" and exits 1. */
void fail_call(const char *call)
{
  int e = errno;
  fprintf(stderr, "%s: %s: %s\n", prog, call, strerror(e));
  exit(1);
}

/* Prints "PROG: " and the formatted message, exits CODE. */
void fail_msg(int code, const char *fmt, ...)
{
  va_list ap;
  char line[512];
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s: %s\n", prog, line);
  exit(code);
}

/* Prints the usage line and exits 2. */
void usage_exit(void)
{
  fprintf(stderr, "usage: %s %s\n", prog, synopsis);
  exit(2);
}

/* Exits 2 with the NAME line unless NAME starts with '/'. */
void need_slash(const char *name)
{
  if (name[0] != '/')
    fail_msg(2, "NAME must start with '/': %s", name);
}

/* Parses a decimal number of digits only; saturates when too large. */
int decimal(const char *text, uint64_t *out)
{
  uint64_t v = 0;
  if (*text == '\0')
    return 0;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9')
      return 0;
    unsigned d = (unsigned) (*p - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  *out = v;
  return 1;
}

/* "/ring" + "-" + role into BUF. */
const char *role_name(char *buf, size_t size, const char *name, const char *role)
{
  if ((size_t) snprintf(buf, size, "%s-%s", name, role) >= size)
    fail_msg(2, "NAME is too long: %s", name);
  return buf;
}

/* Writes all of BUF to FD, again after EINTR and short counts. */
static void put_all(int fd, const char *buf, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      fail_call("write");
    }
    buf += n;
    len -= (size_t) n;
  }
}

/* Says WORD and waits for a line or EOF, reading stdin one byte at a time. */
void handshake(const char *word)
{
  char line[32];
  int n = snprintf(line, sizeof line, "%s\n", word);
  put_all(STDOUT_FILENO, line, (size_t) n);
  for (;;) {
    char c;
    ssize_t got = read(STDIN_FILENO, &c, 1);
    if (got == -1) {
      if (errno == EINTR)
        continue;
      fail_call("read");
    }
    if (got == 0 || c == '\n')
      return;
  }
}

/* The handler: counts. */
static void on_usr1(int sig)
{
  (void) sig;
  usr1_seen = usr1_seen + 1;
}

/* Installs the counting SIGUSR1 handler, sa_flags 0. */
void count_usr1(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  if (sigemptyset(&sa.sa_mask) == -1)
    fail_call("sigemptyset");
  sa.sa_flags = 0;
  if (sigaction(SIGUSR1, &sa, NULL) == -1)
    fail_call("sigaction");
}

/* Waits on SEM: a try first, then sem_wait, again after EINTR. */
void take(sem_t *sem)
{
  if (sem_trywait(sem) == 0)
    return;
  if (errno != EAGAIN && errno != EINTR)
    fail_call("sem_trywait");
  while (sem_wait(sem) == -1) {
    if (errno != EINTR)
      fail_call("sem_wait");
  }
}

/* Posts SEM or exits 1. */
void give(sem_t *sem)
{
  if (sem_post(sem) == -1)
    fail_call("sem_post");
}

/* Opens ring NAME, checks its header with pread, then maps it. */
struct ring *open_ring(const char *name, size_t *size)
{
  int fd = shm_open(name, O_RDWR, 0);
  if (fd == -1)
    fail_call("shm_open");
  struct stat st;
  if (fstat(fd, &st) == -1)
    fail_call("fstat");
  struct ring head;
  if (st.st_size < (off_t) sizeof head)
    fail_msg(1, "%s is not a ring", name);
  ssize_t got = pread(fd, &head, sizeof head, 0);
  if (got == -1)
    fail_call("pread");
  if (got != (ssize_t) sizeof head || memcmp(head.magic, "RING", 4) != 0 || head.slots < 1 ||
      head.slots > SLOTS_MAX ||
      (uint64_t) st.st_size != sizeof head + (uint64_t) head.slots * sizeof(struct item))
    fail_msg(1, "%s is not a ring", name);
  void *p = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    fail_call("mmap");
  if (close(fd) == -1)
    fail_call("close");
  *size = (size_t) st.st_size;
  return p;
}

/* Opens the named semaphores (never O_CREAT), mutex first, or the header's. */
void ring_sems(struct ringsems *s, struct ring *r, const char *name, int unnamed)
{
  if (unnamed) {
    s->empty = &r->empty;
    s->full = &r->full;
    s->mutex = &r->mutex;
    return;
  }
  char buf[300];
  s->mutex = sem_open(role_name(buf, sizeof buf, name, "mutex"), 0);
  if (s->mutex == SEM_FAILED)
    fail_call("sem_open");
  s->full = sem_open(role_name(buf, sizeof buf, name, "full"), 0);
  if (s->full == SEM_FAILED)
    fail_call("sem_open");
  s->empty = sem_open(role_name(buf, sizeof buf, name, "empty"), 0);
  if (s->empty == SEM_FAILED)
    fail_call("sem_open");
}

/* Closes the named semaphores. */
void close_sems(struct ringsems *s, int unnamed)
{
  if (unnamed)
    return;
  sem_t *all[3] = {s->full, s->empty, s->mutex};
  for (int i = 0; i < 3; i++) {
    if (sem_close(all[i]) == -1)
      fail_call("sem_close");
  }
}

/* The slots after the header. */
struct item *slots_of(struct ring *r)
{
  return (struct item *) ((char *) r + sizeof *r);
}
