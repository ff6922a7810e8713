/* ring_init [-u] NAME SLOTS: makes an empty ring and its three semaphores. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *prog = "ring_init";
const char *synopsis = "[-u] NAME SLOTS";

static const char *const roles[3] = {"mutex", "full", "empty"};

/* Removes a leftover semaphore of ring NAME; ENOENT is fine. */
static void remove_sem(const char *name, const char *role)
{
  char buf[300];
  if (sem_unlink(role_name(buf, sizeof buf, name, role)) == -1 && errno != ENOENT)
    fail_call("sem_unlink");
}

/* Creates a named semaphore of ring NAME with VALUE, and closes it. */
static void create_sem(const char *name, const char *role, unsigned value)
{
  char buf[300];
  sem_t *s = sem_open(role_name(buf, sizeof buf, name, role), O_CREAT | O_EXCL, 0600, value);
  if (s == SEM_FAILED)
    fail_call("sem_open");
  if (sem_close(s) == -1)
    fail_call("sem_close");
}

/* Makes the semaphores in the header, mutex first. */
static void init_unnamed(struct ring *r, unsigned slots)
{
  if (sem_init(&r->mutex, 1, 1) == -1 || sem_init(&r->full, 1, 0) == -1 ||
      sem_init(&r->empty, 1, slots) == -1)
    fail_call("sem_init");
}

/* Parses the arguments, removes what was there, makes the ring. */
int main(int argc, char **argv)
{
  int unnamed = 0, opt;
  while ((opt = getopt(argc, argv, "+u")) != -1) {
    if (opt != 'u')
      usage_exit();
    unnamed = 1;
  }
  if (argc - optind != 2)
    usage_exit();
  const char *name = argv[optind];
  uint64_t slots;
  if (!decimal(argv[optind + 1], &slots))
    usage_exit();
  need_slash(name);
  if (slots < 1 || slots > SLOTS_MAX)
    fail_msg(2, "SLOTS must be between 1 and 64");

  /* The semaphores first, then the object: the contract lists no order. */
  if (!unnamed) {
    for (int i = 0; i < 3; i++)
      remove_sem(name, roles[i]);
  }
  if (shm_unlink(name) == -1 && errno != ENOENT)
    fail_call("shm_unlink");

  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd == -1)
    fail_call("shm_open");
  size_t size = sizeof(struct ring) + slots * sizeof(struct item);
  if (ftruncate(fd, (off_t) size) == -1)
    fail_call("ftruncate");
  struct ring *r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (r == MAP_FAILED)
    fail_call("mmap");
  if (close(fd) == -1)
    fail_call("close");

  /* Indexes and count first, the magic last. */
  r->in = 0;
  r->out = 0;
  r->slots = (uint32_t) slots;
  memcpy(r->magic, "RING", 4);

  if (unnamed) {
    init_unnamed(r, (unsigned) slots);
  } else {
    create_sem(name, "mutex", 1);
    create_sem(name, "full", 0);
    create_sem(name, "empty", (unsigned) slots);
  }
  if (munmap(r, size) == -1)
    fail_call("munmap");
  return 0;
}
