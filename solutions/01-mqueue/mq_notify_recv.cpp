// mq_notify_recv.cpp: sleep, without using the CPU, until mq_notify() reports
// a message arriving on an empty POSIX queue; then print every queued message.
// Usage: mq_notify_recv NAME
// See also mq_recv.cpp, which waits inside mq_receive() instead.

#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

#include "mqlab.hpp"

// Reads the one argument, NAME, or exits 2 with the usage line.
const char *parse_args(int argc, char *argv[])
{
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 1)
    usage();
  return argv[optind];
}

// Prints one record to stdout: "PRIO LEN ", then the LEN bytes exactly as
// received (they may hold NUL bytes), then "\n"; then flushes stdout.
void print_record(unsigned int prio, const char *bytes, ssize_t len)
{
  // BEGIN SOLUTION
  printf("%u %zd ", prio, len);
  if (fwrite(bytes, 1, len, stdout) != (size_t) len)
    die("fwrite");
  printf("\n");
  if (fflush(stdout) == EOF)
    die("fflush");
  // END SOLUTION: todo("Step 5: print one record exactly as mq_recv does (see Step 3)", prio, bytes, len);
}

// Blocks SIGUSR1 and returns a set holding just SIGUSR1. Blocked, the
// signal waits as pending for sigwaitinfo() instead of killing us.
sigset_t block_sigusr1()
{
  // BEGIN SOLUTION
  sigset_t set;
  if (sigemptyset(&set) == -1)
    die("sigemptyset");
  if (sigaddset(&set, SIGUSR1) == -1)
    die("sigaddset");
  if (sigprocmask(SIG_BLOCK, &set, nullptr) == -1)
    die("sigprocmask");
  return set;
  // END SOLUTION: todo("Step 5: make SIGUSR1 wait as pending instead of killing us, and return a set holding it (see Step 5 and 'Notification: mq_notify')");
}

// Asks the kernel to send us SIGUSR1 when a message arrives on the empty
// queue q. The request is used up by that one notification.
void request_notification(mqd_t q)
{
  // BEGIN SOLUTION
  struct sigevent sev = {};
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGUSR1;
  if (mq_notify(q, &sev) == -1)
    die("mq_notify");
  // END SOLUTION: todo("Step 5: ask the kernel for SIGUSR1 when a message arrives on the empty queue (see Step 5 and 'Notification: mq_notify')", q);
}

// Receives and prints every message now in q. The queue was opened with
// O_NONBLOCK, so once it is empty mq_receive() fails with EAGAIN: done.
void drain(mqd_t q)
{
  // BEGIN SOLUTION
  struct mq_attr attr;
  if (mq_getattr(q, &attr) == -1)
    die("mq_getattr");
  std::vector<char> buf(attr.mq_msgsize); // room for the longest message

  for (;;) {
    unsigned int prio;
    ssize_t len = mq_receive(q, buf.data(), buf.size(), &prio);
    if (len == -1) {
      if (errno == EAGAIN)
        return; // the queue is empty
      die("mq_receive");
    }
    print_record(prio, buf.data(), len);
  }
  // END SOLUTION: todo("Step 5: print every message queued now, and stop once the queue is empty (see Step 5)", q);
}

// Opens NAME, waits asleep for the notification, then drains the queue.
int main(int argc, char *argv[])
{
  prog_name = "mq_notify_recv";
  prog_usage = "NAME";
  const char *name = parse_args(argc, argv);

  // BEGIN SOLUTION
  mqd_t q = mq_open(name, O_RDONLY | O_NONBLOCK);
  if (q == (mqd_t) -1)
    die("mq_open");
  sigset_t set = block_sigusr1(); // before mq_notify(), or SIGUSR1 kills us
  request_notification(q);
  if (sigwaitinfo(&set, nullptr) == -1) // asleep until SIGUSR1 is pending
    die("sigwaitinfo");
  drain(q);
  if (mq_close(q) == -1)
    die("mq_close");
  // END SOLUTION: todo("Step 5: open NAME once, sleep without using the CPU until the notification comes, then print what is queued (see Step 5 and the rules in 'Notification: mq_notify')", name);
  return 0;
}
