// chan.cpp: the three channels. FIFOs send each message with one writev
// (length and bytes together) and wait for input with poll; queues use
// mq_timedsend and mq_timedreceive; shared memory opens its semaphores
// before its object and waits with sem_clockwait on CLOCK_MONOTONIC.
#include "chan.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace alt {

void (*peer_gone)() = nullptr;

// Prints "PROG: CALL: STRERROR" and exits 1.
void die(const char *call)
{
  int e = errno;
  std::fprintf(stderr, "%s: %s: %s\n", prog, call, std::strerror(e));
  std::exit(1);
}

// Prints "PROG: " and the message; exits CODE.
void fail(int code, const char *fmt, ...)
{
  char line[600];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "%s: %s\n", prog, line);
  std::exit(code);
}

// Unlinks with CALL, ignoring ENOENT.
static void unlink_or_die(int (*call)(const char *), const std::string &what, const char *name)
{
  if (call(what.c_str()) == -1 && errno != ENOENT)
    die(name);
}

// An absolute time an hour from now on CLOCK, for waits that never end.
static timespec an_hour_from_now(clockid_t clock)
{
  timespec t;
  if (clock_gettime(clock, &t) == -1)
    die("clock_gettime");
  t.tv_sec += 3600;
  return t;
}

// ---- FIFOs ----

class FifoChan : public Channel {
 public:
  FifoChan(const std::string &name, Side side) : name_(name), side_(side)
  {
    for (const char *dir : {".s2c", ".c2s"}) {   // either order: both exist before use
      if (mkfifo((name + dir).c_str(), 0600) == -1 && errno != EEXIST)
        die("mkfifo");
    }
  }
  ~FifoChan() override
  {
    for (int fd : {rd_, wr_}) {
      if (fd != -1 && close(fd) == -1)
        die("close");
    }
    remove(name_);
  }
  static void remove(const std::string &name)
  {
    unlink_or_die(unlink, name + ".c2s", "unlink");
    unlink_or_die(unlink, name + ".s2c", "unlink");
  }
  // The length and the message in one writev, again for whatever is left.
  void send(const void *msg, size_t len) override
  {
    open_both();
    uint32_t n = (uint32_t) len;
    iovec v[2] = {{&n, sizeof n}, {const_cast<void *>(msg), len}};
    iovec *at = v;
    int count = 2;
    while (count > 0) {
      ssize_t put = writev(wr_, at, count);
      if (put == -1) {
        if (errno == EINTR)
          continue;
        if (errno == EPIPE && peer_gone)
          peer_gone();
        die("writev");
      }
      size_t done = (size_t) put;
      while (count > 0 && done >= at->iov_len) {   // drop what went whole
        done -= at->iov_len;
        at++;
        count--;
      }
      if (count > 0) {
        at->iov_base = static_cast<char *>(at->iov_base) + done;
        at->iov_len -= done;
      }
    }
  }
  size_t recv(void *buf, size_t cap) override
  {
    open_both();
    uint32_t n;
    if (!fill(&n, sizeof n, true))
      return 0;
    if (n == 0 || n > cap)
      fail(1, "a message of %u bytes on %s: not 1 to %zu", n, name_.c_str(), cap);
    if (!fill(buf, n, false))
      fail(1, "a message cut short on %s", name_.c_str());
    return n;
  }

 private:
  // Opens c2s, then s2c, at the first use.
  void open_both()
  {
    if (rd_ != -1)
      return;
    bool server = side_ == Side::server;
    int first = open((name_ + ".c2s").c_str(), (server ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    if (first == -1)
      die("open");
    int second = open((name_ + ".s2c").c_str(), (server ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (second == -1)
      die("open");
    rd_ = server ? first : second;
    wr_ = server ? second : first;
  }
  // Reads exactly LEN bytes, sleeping in poll until there are some; false
  // at end of file (the client side hands that to peer_gone, except before a
  // message, AT_START).
  bool fill(void *buf, size_t len, bool at_start)
  {
    char *p = static_cast<char *>(buf);
    while (len > 0) {
      pollfd pf = {rd_, POLLIN, 0};
      if (poll(&pf, 1, -1) == -1) {
        if (errno == EINTR)
          continue;
        die("poll");
      }
      ssize_t got = read(rd_, p, len);
      if (got == -1) {
        if (errno == EINTR)
          continue;
        die("read");
      }
      if (got == 0) {
        if (peer_gone && side_ == Side::client)
          peer_gone();
        (void) at_start;
        return false;
      }
      p += got;
      len -= (size_t) got;
    }
    return true;
  }
  std::string name_;
  Side side_;
  int rd_ = -1, wr_ = -1;
};

// ---- POSIX message queues ----

class MqChan : public Channel {
 public:
  MqChan(const std::string &name, Side side, size_t cap) : name_(name)
  {
    mqd_t s2c = open_queue("/" + name + ".s2c", cap);   // s2c first: no order is given
    mqd_t c2s = open_queue("/" + name + ".c2s", cap);
    in_ = side == Side::server ? c2s : s2c;
    out_ = side == Side::server ? s2c : c2s;
  }
  ~MqChan() override
  {
    if (mq_close(in_) == -1 || mq_close(out_) == -1)
      die("mq_close");
    remove(name_);
  }
  static void remove(const std::string &name)
  {
    unlink_or_die(mq_unlink, "/" + name + ".s2c", "mq_unlink");
    unlink_or_die(mq_unlink, "/" + name + ".c2s", "mq_unlink");
  }
  void send(const void *msg, size_t len) override
  {
    for (;;) {
      timespec t = an_hour_from_now(CLOCK_REALTIME);
      if (mq_timedsend(out_, static_cast<const char *>(msg), len, 0, &t) == 0)
        return;
      if (errno != ETIMEDOUT && errno != EINTR)
        die("mq_timedsend");
    }
  }
  size_t recv(void *buf, size_t cap) override
  {
    for (;;) {
      timespec t = an_hour_from_now(CLOCK_REALTIME);
      ssize_t n = mq_timedreceive(in_, static_cast<char *>(buf), cap, nullptr, &t);
      if (n >= 0)
        return (size_t) n;
      if (errno != ETIMEDOUT && errno != EINTR)
        die("mq_timedreceive");
    }
  }

 private:
  static mqd_t open_queue(const std::string &q, size_t cap)
  {
    mq_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.mq_maxmsg = 1;
    attr.mq_msgsize = (long) cap;
    mqd_t d = mq_open(q.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600, &attr);
    if (d == (mqd_t) -1)
      die("mq_open");
    return d;
  }
  std::string name_;
  mqd_t in_, out_;
};

// ---- shared memory slots and semaphores ----

struct SlotHead { uint32_t len, pad; };

struct Dir {
  sem_t *empty = nullptr, *full = nullptr;
  char *slot = nullptr;   // 8 + cap bytes
};

class ShmChan : public Channel {
 public:
  ShmChan(const std::string &name, Side side, size_t cap) : name_(name), cap_(cap)
  {
    Dir c2s = open_dir(name + ".c2s");
    Dir s2c = open_dir(name + ".s2c");
    in_ = side == Side::server ? c2s : s2c;
    out_ = side == Side::server ? s2c : c2s;
  }
  ~ShmChan() override
  {
    for (Dir *d : {&in_, &out_}) {
      if (sem_close(d->empty) == -1 || sem_close(d->full) == -1)
        die("sem_close");
      if (munmap(d->slot, sizeof(SlotHead) + cap_) == -1)
        die("munmap");
    }
    remove(name_);
  }
  // The objects first, then the semaphores: any order is fine.
  static void remove(const std::string &name)
  {
    for (const char *d : {".c2s", ".s2c"})
      unlink_or_die(shm_unlink, "/" + name + d, "shm_unlink");
    for (const char *d : {".c2s", ".s2c"}) {
      unlink_or_die(sem_unlink, "/" + name + d + ".full", "sem_unlink");
      unlink_or_die(sem_unlink, "/" + name + d + ".empty", "sem_unlink");
    }
  }
  void send(const void *msg, size_t len) override
  {
    take(out_.empty);
    SlotHead h = {(uint32_t) len, 0};
    std::memcpy(out_.slot, &h, sizeof h);
    std::memcpy(out_.slot + sizeof h, msg, len);
    if (sem_post(out_.full) == -1)
      die("sem_post");
  }
  size_t recv(void *buf, size_t cap) override
  {
    take(in_.full);
    SlotHead h;
    std::memcpy(&h, in_.slot, sizeof h);
    if (h.len == 0 || h.len > cap)
      fail(1, "a message of %u bytes on %s: not 1 to %zu", h.len, name_.c_str(), cap);
    std::memcpy(buf, in_.slot + sizeof h, h.len);
    if (sem_post(in_.empty) == -1)
      die("sem_post");
    return h.len;
  }

 private:
  // Semaphores first, then the object, mapped; the descriptor is closed at once.
  Dir open_dir(const std::string &base)
  {
    Dir d;
    d.full = open_sem("/" + base + ".full", 0);
    d.empty = open_sem("/" + base + ".empty", 1);
    int fd = shm_open(("/" + base).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd == -1)
      die("shm_open");
    if (ftruncate(fd, (off_t) (sizeof(SlotHead) + cap_)) == -1)
      die("ftruncate");
    void *p = mmap(nullptr, sizeof(SlotHead) + cap_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
      die("mmap");
    if (close(fd) == -1)
      die("close");
    d.slot = static_cast<char *>(p);
    return d;
  }
  static sem_t *open_sem(const std::string &s, unsigned value)
  {
    sem_t *sem = sem_open(s.c_str(), O_CREAT, 0600, value);
    if (sem == SEM_FAILED)
      die("sem_open");
    return sem;
  }
  // Waits on SEM: sem_trywait, then sem_clockwait on CLOCK_MONOTONIC an hour
  // at a time, again after EINTR or the hour.
  static void take(sem_t *sem)
  {
    if (sem_trywait(sem) == 0)
      return;
    for (;;) {
      timespec t = an_hour_from_now(CLOCK_MONOTONIC);
      if (sem_clockwait(sem, CLOCK_MONOTONIC, &t) == 0)
        return;
      if (errno != EINTR && errno != ETIMEDOUT)
        die("sem_clockwait");
    }
  }
  std::string name_;
  size_t cap_;
  Dir in_, out_;
};

// This process's end of channel NAME of type T.
std::unique_ptr<Channel> open_channel(char t, const std::string &name, Side side, size_t cap)
{
  if (t == 'q')
    return std::make_unique<MqChan>(name, side, cap);
  if (t == 's')
    return std::make_unique<ShmChan>(name, side, cap);
  return std::make_unique<FifoChan>(name, side);
}

// Unlinks every name of channel NAME of type T.
void unlink_channel(char t, const std::string &name)
{
  if (t == 'f')
    FifoChan::remove(name);
  else if (t == 'q')
    MqChan::remove(name);
  else
    ShmChan::remove(name);
}

}  // namespace alt
