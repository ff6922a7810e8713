/* ring_put [-u] NAME: puts each line of stdin into the ring. */
#define _GNU_SOURCE
#include "altsem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *prog = "ring_put";
const char *synopsis = "[-u] NAME";

/* One producer step: the item is copied whole, as a struct, under the mutex. */
static void produce(struct ring *r, struct ringsems *s, const struct item *it)
{
  take(s->empty);
  take(s->mutex);
  uint32_t at = r->in;
  memcpy(&slots_of(r)[at], it, sizeof *it);
  r->in = (at + 1 == r->slots) ? 0 : at + 1;
  give(s->mutex);
  give(s->full);
}

/* Reads stdin in blocks of raw bytes and puts each line as soon as its
   newline (or the end of input) is seen. */
static void put_lines(struct ring *r, struct ringsems *s)
{
  struct item it;
  memset(&it, 0, sizeof it);
  unsigned long line = 1;
  int pending = 0;   /* bytes of an unfinished line were seen */
  char block[4096];
  for (;;) {
    ssize_t got = read(STDIN_FILENO, block, sizeof block);
    if (got == -1) {
      if (errno == EINTR)
        continue;
      fail_call("read");
    }
    if (got == 0)
      break;
    for (ssize_t i = 0; i < got; i++) {
      if (block[i] == '\n') {
        produce(r, s, &it);
        it.len = 0;
        pending = 0;
        line++;
        continue;
      }
      if (it.len == TEXT_MAX)
        fail_msg(1, "line %lu is longer than 60 bytes", line);
      it.text[it.len++] = block[i];
      pending = 1;
    }
  }
  if (pending)
    produce(r, s, &it);
}

/* Parses the arguments, opens the ring, puts the lines. */
int main(int argc, char **argv)
{
  int unnamed = 0, opt;
  while ((opt = getopt(argc, argv, "+u")) != -1) {
    if (opt != 'u')
      usage_exit();
    unnamed = 1;
  }
  if (argc - optind != 1)
    usage_exit();
  const char *name = argv[optind];
  need_slash(name);
  count_usr1();
  size_t size;
  struct ring *r = open_ring(name, &size);
  struct ringsems s;
  ring_sems(&s, r, name, unnamed);
  put_lines(r, &s);
  if (munmap(r, size) == -1)
    fail_call("munmap");
  close_sems(&s, unnamed);
  return 0;
}
