/* mq_notify_recv NAME: waits (asleep) for mq_notify, then drains the queue.
 * Second implementation (tests/alt/): SIGEV_THREAD notification; the thread
 * that glibc starts drains and prints, then posts an unnamed semaphore that
 * the main thread sleeps on (sem_wait: a futex, no CPU). */
#define PROG "mq_notify_recv"
#define SYNOPSIS "NAME"
#include "alt_mq.h"

#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>

/* What the notification thread needs: the queue, a buffer, the wake-up. */
struct watch {
  mqd_t q;
  char *buf;
  size_t size;
  sem_t done;
};

/* Receives and prints every queued message, until the queue is empty. */
static void drain(struct watch *w)
{
  for (;;) {
    unsigned prio = 0;
    ssize_t n = mq_receive(w->q, w->buf, w->size, &prio);
    if (n == -1) {
      if (errno == EAGAIN)
        return;
      fail_call("mq_receive", 0);
    }
    print_record((long) prio, w->buf, (size_t) n);
  }
}

/* Runs in glibc's notification thread: drain, then wake main(). */
static void on_message(union sigval sv)
{
  struct watch *w = (struct watch *) sv.sival_ptr;
  drain(w);
  if (sem_post(&w->done) == -1)
    fail_call("sem_post", 0);
}

int main(int argc, char **argv)
{
  if (argc != 2 || argv[1][0] == '-')
    bad_usage();
  static struct watch w;
  if (sem_init(&w.done, 0, 0) == -1)
    fail_call("sem_init", 0);
  w.q = mq_open(argv[1], O_RDONLY | O_NONBLOCK);
  if (w.q == (mqd_t) -1)
    fail_call("mq_open", 0);
  struct mq_attr attr;
  if (mq_getattr(w.q, &attr) == -1)
    fail_call("mq_getattr", 0);
  w.size = (size_t) attr.mq_msgsize;
  w.buf = (char *) malloc(w.size);
  if (w.buf == NULL)
    fail_call("malloc", 0);

  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD;
  sev.sigev_notify_function = on_message;
  sev.sigev_value.sival_ptr = &w;
  if (mq_notify(w.q, &sev) == -1)
    fail_call("mq_notify", 0);

  while (sem_wait(&w.done) == -1) {
    if (errno != EINTR)
      fail_call("sem_wait", 0);
  }
  if (mq_close(w.q) == -1)
    fail_call("mq_close", 0);
  return 0;
}
