/* ring_get [-u] [-t SECONDS] NAME COUNT: takes COUNT items and prints them. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

const char *prog = "ring_get";
const char *synopsis = "[-u] [-t SECONDS] NAME COUNT";

/* Waits on FULL, with the absolute CLOCK_REALTIME deadline DEADLINE when
   there is one (sem_clockwait on that clock is sem_timedwait); returns 0 when
   the time is up. */
static int take_full(sem_t *full, const struct timespec *deadline)
{
  if (deadline == NULL) {
    take(full);
    return 1;
  }
  while (sem_clockwait(full, CLOCK_REALTIME, deadline) == -1) {
    if (errno == ETIMEDOUT)
      return 0;
    if (errno != EINTR)
      fail_call("sem_timedwait");
  }
  return 1;
}

/* Writes the item's text and a newline with one writev, the rest after a
   short count. */
static void print_item(const struct item *it)
{
  char copy[TEXT_MAX + 1];
  memcpy(copy, it->text, it->len);
  copy[it->len] = '\n';
  size_t left = it->len + 1;
  const char *p = copy;
  while (left > 0) {
    struct iovec v = {.iov_base = (void *) p, .iov_len = left};
    ssize_t n = writev(STDOUT_FILENO, &v, 1);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      fail_call("writev");
    }
    p += n;
    left -= (size_t) n;
  }
}

/* Parses the arguments, opens the ring, takes and prints COUNT items. */
int main(int argc, char **argv)
{
  int unnamed = 0, opt;
  const char *seconds_text = NULL;
  uint64_t seconds = 0;
  while ((opt = getopt(argc, argv, "+ut:")) != -1) {
    if (opt == 'u') {
      unnamed = 1;
    } else if (opt == 't') {
      seconds_text = optarg;
      if (!decimal(optarg, &seconds) || seconds < 1 || seconds > 3600)
        usage_exit();
    } else {
      usage_exit();
    }
  }
  if (argc - optind != 2)
    usage_exit();
  const char *name = argv[optind];
  uint64_t count;
  if (!decimal(argv[optind + 1], &count) || count < 1)
    usage_exit();
  need_slash(name);
  count_usr1();
  size_t size;
  struct ring *r = open_ring(name, &size);
  struct ringsems s;
  ring_sems(&s, r, name, unnamed);

  for (uint64_t k = 1; k <= count; k++) {
    struct timespec deadline;
    if (seconds_text != NULL) {
      if (clock_gettime(CLOCK_REALTIME, &deadline) == -1)
        fail_call("clock_gettime");
      deadline.tv_sec += (time_t) seconds;
    }
    if (!take_full(s.full, seconds_text ? &deadline : NULL))
      fail_msg(3, "no item within %s s", seconds_text);
    take(s.mutex);
    struct item it;
    uint32_t at = r->out;
    memcpy(&it, &slots_of(r)[at], sizeof it);
    r->out = (at + 1) % r->slots;
    give(s.mutex);
    give(s.empty);
    if (it.len > TEXT_MAX)
      fail_msg(1, "item %llu is %u bytes long, longer than 60", (unsigned long long) k, it.len);
    print_item(&it);
  }
  if (munmap(r, size) == -1)
    fail_call("munmap");
  close_sems(&s, unnamed);
  return 0;
}
