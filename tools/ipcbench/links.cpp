// links.cpp: pipe, FIFO, Unix stream socket, POSIX queue, System V queue,
// shm + semaphores (one slot, or a ring of slots), and the two references
// that are links too: the same ring busy-waiting (spin) and a bare futex
// pair. See links.hpp.
#include "links.hpp"

#include "sys.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

namespace ipcbench {

namespace {

// ---- helpers ---------------------------------------------------------------

// A number from a /proc file, or `fallback` if it cannot be read.
long proc_number(const char *path, long fallback) {
  std::ifstream f(path);
  long v = 0;
  return (f >> v) ? v : fallback;
}

// True if this process has CAP_SYS_RESOURCE (bit 24 of CapEff), which lets
// it make POSIX queues of messages above msgsize_max.
bool has_sys_resource() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> 24) & 1;
  return false;
}

// n rounded up to a multiple of `to` (a power of two).
size_t round_up(size_t n, size_t to) { return (n + to - 1) & ~(to - 1); }

// Write all n bytes, however many write() calls it takes.
void write_all(int fd, const std::byte *p, size_t n, const char *call) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w == -1) {
      if (errno == EINTR) continue;
      throw_errno(call);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Read exactly n bytes (a stream may deliver a message in pieces).
void read_all(int fd, std::byte *p, size_t n, const char *call) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r == -1) {
      if (errno == EINTR) continue;
      throw_errno(call);
    }
    if (r == 0) throw std::runtime_error(fmt::format("{}: the other process closed its end", call));
    p += r;
    n -= static_cast<size_t>(r);
  }
}

// sem_wait, retried when a signal handler interrupts it.
void sem_wait_retry(sem_t *s) {
  while (sem_wait(s) == -1)
    if (errno != EINTR) throw_errno("sem_wait");
}

// Tell the CPU we are spinning.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Take the semaphore, first retrying sem_trywait for up to `spin` seconds
// (0: none) in case the other side posts soon, then sleeping in sem_wait.
void sem_take(sem_t *s, double spin) {
  if (spin > 0) {
    double until = now_seconds() + spin;
    for (unsigned i = 1;; ++i) {
      if (sem_trywait(s) == 0) return;
      if (errno != EAGAIN && errno != EINTR) throw_errno("sem_trywait");
      cpu_relax();
      if (i % 64 == 0 && now_seconds() > until) break;
    }
  }
  sem_wait_retry(s);
}

// The signals that would run the cleanup handler, blocked while alive (so
// that an object and its registry entry appear together).
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM}) sigaddset(&set, sig);
    check(sigprocmask(SIG_BLOCK, &set, &old_), "sigprocmask");
  }
  ~SignalsBlocked() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked &) = delete;
  SignalsBlocked &operator=(const SignalsBlocked &) = delete;

 private:
  sigset_t old_;
};

// ---- descriptor links: pipe, FIFO, Unix stream socket ----------------------

// Bytes through a descriptor pair: the sender writes `out`, the receiver reads `in`.
class FdLink : public Link {
 public:
  FdLink(Fd in, Fd out, const char *read_call, const char *write_call)
      : in_(std::move(in)), out_(std::move(out)), read_call_(read_call), write_call_(write_call) {}
  void send(const std::byte *msg, size_t n) override { write_all(out_.get(), msg, n, write_call_); }
  void recv(std::byte *msg, size_t n) override { read_all(in_.get(), msg, n, read_call_); }
  void keep_sender() override { in_.reset(); }
  void keep_receiver() override { out_.reset(); }

 private:
  Fd in_, out_;
  const char *read_call_, *write_call_;
};

// An anonymous pipe.
std::unique_ptr<Link> make_pipe(size_t, const LinkOptions &) {
  int fds[2];
  check(pipe2(fds, O_CLOEXEC), "pipe2");
  return std::make_unique<FdLink>(Fd(fds[0]), Fd(fds[1]), "read (pipe)", "write (pipe)");
}

// A FIFO made in a private folder under $TMPDIR or /tmp, both ends opened,
// then the FIFO and the folder removed at once: the descriptors keep it.
std::unique_ptr<Link> make_fifo(size_t, const LinkOptions &) {
  const char *tmp = getenv("TMPDIR");
  std::string dir = fmt::format("{}/ipcbench.{}.XXXXXX", tmp && *tmp ? tmp : "/tmp", getpid());
  std::string fifo;
  Fd in, out;
  {
    SignalsBlocked quiet;  // the folder and its registry entry appear together
    if (!mkdtemp(dir.data())) throw_errno("mkdtemp " + dir);
    int dir_slot = registry::add(registry::Kind::dir, dir);
    fifo = dir + "/fifo";
    int fifo_slot = registry::add(registry::Kind::file, fifo);
    auto undo = [&] {
      unlink(fifo.c_str());
      rmdir(dir.c_str());
      registry::drop(fifo_slot);
      registry::drop(dir_slot);
    };
    if (mkfifo(fifo.c_str(), 0600) == -1) {
      int e = errno;
      undo();
      errno = e;
      throw_errno("mkfifo " + fifo);
    }
    // The read end first, non-blocking, so that opening the write end finds a reader.
    in.reset(open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (in.get() >= 0) out.reset(open(fifo.c_str(), O_WRONLY | O_CLOEXEC));
    int e = errno;
    undo();
    errno = e;
    if (in.get() < 0 || out.get() < 0) throw_errno("open " + fifo);
  }
  int flags = check(fcntl(in.get(), F_GETFL), "fcntl F_GETFL");
  check(fcntl(in.get(), F_SETFL, flags & ~O_NONBLOCK), "fcntl F_SETFL");
  return std::make_unique<FdLink>(std::move(in), std::move(out), "read (FIFO)", "write (FIFO)");
}

// A Unix domain stream socket pair: one socket sends, the other receives.
std::unique_ptr<Link> make_unix(size_t, const LinkOptions &) {
  int sv[2];
  check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
  return std::make_unique<FdLink>(Fd(sv[1]), Fd(sv[0]), "read (socket)", "write (socket)");
}

// ---- POSIX message queue ---------------------------------------------------

// A POSIX queue of n-byte messages, unlinked as soon as it is open.
class MqLink : public Link {
 public:
  explicit MqLink(size_t n) {
    long depth = std::min(10L, proc_number("/proc/sys/fs/mqueue/msg_max", 10));
    std::string name = unique_name("/");
    mq_attr attr{};
    attr.mq_maxmsg = depth;
    attr.mq_msgsize = static_cast<long>(n);
    int slot = registry::add(registry::Kind::mq, name);  // listed before it exists
    q_ = mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
    int e = errno;
    if (q_ != mqd_t(-1)) check(mq_unlink(name.c_str()), "mq_unlink");
    registry::drop(slot);
    if (q_ == mqd_t(-1)) {
      if (e == EINVAL || e == EMFILE || e == ENOMEM) throw NotAvailable(why(e, n, depth));
      errno = e;
      throw_errno("mq_open " + name);
    }
  }
  ~MqLink() override { mq_close(q_); }
  MqLink(const MqLink &) = delete;
  MqLink &operator=(const MqLink &) = delete;

  void send(const std::byte *msg, size_t n) override {
    while (mq_send(q_, reinterpret_cast<const char *>(msg), n, 0) == -1)
      if (errno != EINTR) throw_errno("mq_send");
  }
  void recv(std::byte *msg, size_t n) override {
    ssize_t r;
    while ((r = mq_receive(q_, reinterpret_cast<char *>(msg), n, nullptr)) == -1)
      if (errno != EINTR) throw_errno("mq_receive");
    if (static_cast<size_t>(r) != n)
      throw std::runtime_error(fmt::format("mq_receive: {} bytes, not {}", r, n));
  }

 private:
  // Why mq_open refused a queue of `depth` messages of n bytes.
  static std::string why(int e, size_t n, long depth) {
    long max = proc_number("/proc/sys/fs/mqueue/msgsize_max", 8192);
    if (e == EINVAL && static_cast<long>(n) > max)
      return fmt::format("{} B > msgsize_max {} (/proc/sys/fs/mqueue/msgsize_max){}", n, max,
                         has_sys_resource() ? "" : " and this process lacks CAP_SYS_RESOURCE");
    if (e == EMFILE) {
      rlimit rl{};
      getrlimit(RLIMIT_MSGQUEUE, &rl);
      return fmt::format("{} x {} B exceeds RLIMIT_MSGQUEUE ({} B)", depth, n, rl.rlim_cur);
    }
    return fmt::format("mq_open: {} (queue of {} x {} B)", std::strerror(e), depth, n);
  }
  mqd_t q_ = mqd_t(-1);
};

std::unique_ptr<Link> make_mq(size_t n, const LinkOptions &) { return std::make_unique<MqLink>(n); }

// ---- System V message queue ------------------------------------------------

// A private System V queue, removed (IPC_RMID) when the link goes away. The
// message is copied into a {mtype, mtext} buffer, as msgsnd requires.
class SysvLink : public Link {
 public:
  SysvLink(size_t n, CopyFn copy) : copy_(copy) {
    long msgmax = proc_number("/proc/sys/kernel/msgmax", 8192);
    long msgmnb = proc_number("/proc/sys/kernel/msgmnb", 16384);
    if (static_cast<long>(n) > msgmax)
      throw NotAvailable(fmt::format("{} B > msgmax {} (/proc/sys/kernel/msgmax)", n, msgmax));
    if (static_cast<long>(n) > msgmnb)
      throw NotAvailable(fmt::format("{} B > msgmnb {} (/proc/sys/kernel/msgmnb)", n, msgmnb));
    buf_ = Mapping::private_memory(round_up(sizeof(long) + n, 4096));
    SignalsBlocked quiet;  // the queue and its registry entry appear together
    id_ = check(msgget(IPC_PRIVATE, IPC_CREAT | 0600), "msgget");
    slot_ = registry::add(registry::Kind::sysv_msg, "", id_);
  }
  ~SysvLink() override {
    msgctl(id_, IPC_RMID, nullptr);  // only the parent destroys links
    registry::drop(slot_);
  }
  SysvLink(const SysvLink &) = delete;
  SysvLink &operator=(const SysvLink &) = delete;

  void send(const std::byte *msg, size_t n) override {
    *reinterpret_cast<long *>(buf_.data()) = 1;  // mtype
    copy_(buf_.data() + sizeof(long), msg, n);
    while (msgsnd(id_, buf_.data(), n, 0) == -1)
      if (errno != EINTR) throw_errno("msgsnd");
  }
  void recv(std::byte *msg, size_t n) override {
    ssize_t r;
    while ((r = msgrcv(id_, buf_.data(), n, 0, 0)) == -1)
      if (errno != EINTR) throw_errno("msgrcv");
    if (static_cast<size_t>(r) != n) throw std::runtime_error(fmt::format("msgrcv: {} bytes, not {}", r, n));
    copy_(msg, buf_.data() + sizeof(long), n);
  }

 private:
  CopyFn copy_;
  Mapping buf_;
  int id_ = -1;
  int slot_ = -1;
};

std::unique_ptr<Link> make_sysv(size_t n, const LinkOptions &o) {
  return std::make_unique<SysvLink>(n, o.copy);
}

// ---- shm + semaphores: one slot, or a ring of slots ------------------------

// The ring's header, in the first page of the shared object. One producer
// and one consumer, so the two counting semaphores are all the locking there
// is: `empty` counts free slots, `full` filled ones, and each side keeps its
// own slot index. No mutex is needed.
struct RingHeader {
  sem_t empty;
  sem_t full;
};

// N slots of n bytes (cache-line aligned; slot 0 page-aligned) after a
// one-page header, in a POSIX shm object (unlinked once mapped).
class ShmRingLink : public Link {
 public:
  ShmRingLink(size_t n, int slots, const LinkOptions &o)
      : slots_(slots), stride_(round_up(std::max<size_t>(n, 1), 64)), copy_(o.copy), spin_(o.sem_spin) {
    shm_ = Mapping::shm_object(4096 + static_cast<size_t>(slots) * stride_);
    h_ = new (shm_.data()) RingHeader;
    check(sem_init(&h_->empty, 1, static_cast<unsigned>(slots)), "sem_init");
    check(sem_init(&h_->full, 1, 0), "sem_init");
  }
  ~ShmRingLink() override {
    sem_destroy(&h_->empty);
    sem_destroy(&h_->full);
  }
  ShmRingLink(const ShmRingLink &) = delete;
  ShmRingLink &operator=(const ShmRingLink &) = delete;

  // Wait for a free slot, copy the message in, announce it.
  void send(const std::byte *msg, size_t n) override {
    sem_take(&h_->empty, spin_);
    copy_(slot(next_++), msg, n);
    check(sem_post(&h_->full), "sem_post");
  }
  // Wait for a filled slot, copy the message out, free the slot.
  void recv(std::byte *msg, size_t n) override {
    sem_take(&h_->full, spin_);
    copy_(msg, slot(next_++), n);
    check(sem_post(&h_->empty), "sem_post");
  }

 private:
  std::byte *slot(uint64_t i) const { return shm_.data() + 4096 + (i % slots_) * stride_; }
  uint64_t slots_;
  size_t stride_;
  CopyFn copy_;
  double spin_;
  Mapping shm_;
  RingHeader *h_ = nullptr;
  uint64_t next_ = 0;  // this side's own index: the sender's or the receiver's
};

std::unique_ptr<Link> make_shm_slot(size_t n, const LinkOptions &o) {
  return std::make_unique<ShmRingLink>(n, 1, o);
}

std::unique_ptr<Link> make_shm_ring(size_t n, const LinkOptions &o) {
  return std::make_unique<ShmRingLink>(n, o.ring_slots, o);
}

// ---- the references: the ring busy-waiting, and a bare futex pair ---------

// Spin until ready() is true; yield now and then, in case both sides share a CPU.
template <class F>
void spin_until(F ready) {
  for (unsigned spins = 1; !ready(); ++spins) {
    cpu_relax();
    if (spins % 65536 == 0) sched_yield();
  }
}

// The spin ring's indices: each written by one side only, on its own cache line.
struct SpinHeader {
  alignas(64) std::atomic<uint64_t> head{0};  // messages produced (the sender writes it)
  alignas(64) std::atomic<uint64_t> tail{0};  // messages consumed (the receiver writes it)
};

// The shm ring with the semaphores replaced by busy-waiting on two counters:
// what moving the bytes costs with no kernel in the path.
class SpinRingLink : public Link {
 public:
  SpinRingLink(size_t n, int slots, CopyFn copy)
      : slots_(slots), stride_(round_up(std::max<size_t>(n, 1), 64)), copy_(copy) {
    shm_ = Mapping::shm_object(4096 + static_cast<size_t>(slots) * stride_);
    h_ = new (shm_.data()) SpinHeader;
  }
  void send(const std::byte *msg, size_t n) override {
    spin_until([&] { return next_ - h_->tail.load(std::memory_order_acquire) < slots_; });
    copy_(slot(next_), msg, n);
    h_->head.store(++next_, std::memory_order_release);
  }
  void recv(std::byte *msg, size_t n) override {
    spin_until([&] { return h_->head.load(std::memory_order_acquire) != next_; });
    copy_(msg, slot(next_), n);
    h_->tail.store(++next_, std::memory_order_release);
  }

 private:
  std::byte *slot(uint64_t i) const { return shm_.data() + 4096 + (i % slots_) * stride_; }
  uint64_t slots_;
  size_t stride_;
  CopyFn copy_;
  Mapping shm_;
  SpinHeader *h_ = nullptr;
  uint64_t next_ = 0;
};

std::unique_ptr<Link> make_spin(size_t n, const LinkOptions &o) {
  if (!o.two_cpus)
    throw NotAvailable("needs 2 CPUs (busy-waiting on one CPU measures the scheduler)");
  return std::make_unique<SpinRingLink>(n, o.ring_slots, o.copy);
}

// FUTEX_WAIT while *word == expected (a shared futex: no FUTEX_PRIVATE_FLAG,
// since the word is in memory two processes map).
void futex_wait(std::atomic<uint32_t> *word, uint32_t expected) {
  if (syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAIT, expected, nullptr, nullptr,
              0) == -1 &&
      errno != EAGAIN && errno != EINTR)
    throw_errno("futex FUTEX_WAIT");
}

// FUTEX_WAKE one waiter of *word.
void futex_wake(std::atomic<uint32_t> *word) {
  check(syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAKE, 1, nullptr, nullptr, 0),
        "futex FUTEX_WAKE");
}

// A bare wake-up: the sender bumps a counter and FUTEX_WAKEs; the receiver
// FUTEX_WAITs until the counter moves. No bytes travel.
class FutexLink : public Link {
 public:
  FutexLink() : shm_(Mapping::shared_memory(4096)) {
    word_ = new (shm_.data()) std::atomic<uint32_t>(0);
  }
  void send(const std::byte *, size_t) override {
    word_->store(++seen_, std::memory_order_release);
    futex_wake(word_);
  }
  void recv(std::byte *, size_t) override {
    uint32_t now;
    while ((now = word_->load(std::memory_order_acquire)) == seen_) futex_wait(word_, now);
    seen_ = now;
  }

 private:
  Mapping shm_;
  std::atomic<uint32_t> *word_ = nullptr;
  uint32_t seen_ = 0;  // the last count this side sent or saw
};

std::unique_ptr<Link> make_futex(size_t, const LinkOptions &) { return std::make_unique<FutexLink>(); }

}  // namespace

const std::vector<Mechanism> &all_mechanisms() {
  static const std::vector<Mechanism> all = {
      {"pipe", "anonymous pipe (pipe2)", false, false, true, true, true, make_pipe},
      {"fifo", "named pipe (mkfifo in a private temp folder)", false, false, true, true, true,
       make_fifo},
      {"unix", "Unix domain stream socket (socketpair)", false, false, true, true, true, make_unix},
      {"posix-mq", "POSIX message queue (mq_send/mq_receive)", false, false, true, true, true,
       make_mq},
      {"sysv-msg", "System V message queue (msgsnd/msgrcv)", false, true, true, true, true,
       make_sysv},
      {"shm-slot", "POSIX shm, one slot, two process-shared semaphores", false, true, true, true,
       true, make_shm_slot},
      {"shm-ring", "POSIX shm, ring of slots, empty/full counting semaphores", false, true, true,
       true, true, make_shm_ring},
      {"spin", "reference: the shm ring busy-waiting instead of semaphores", true, true, true, true,
       true, make_spin},
      {"futex", "reference: bare FUTEX_WAKE/FUTEX_WAIT pair, no data", true, false, true, false,
       false, make_futex},
  };
  return all;
}

const Mechanism *find_mechanism(const std::string &name) {
  for (const auto &m : all_mechanisms())
    if (name == m.name) return &m;
  return nullptr;
}

std::string raise_mqueue_limit() {
  rlimit rl{};
  check(getrlimit(RLIMIT_MSGQUEUE, &rl), "getrlimit RLIMIT_MSGQUEUE");
  rlim_t want = rlim_t{64} << 20;  // ten 1 MiB messages and then some
  if (rl.rlim_cur >= want) return "";
  rlimit raised = rl;
  raised.rlim_cur = raised.rlim_max = std::max(want, rl.rlim_max);
  if (setrlimit(RLIMIT_MSGQUEUE, &raised) == 0)
    return fmt::format("RLIMIT_MSGQUEUE raised from {} to {} bytes for this run (privileged)",
                       rl.rlim_cur, raised.rlim_cur);
  raised = rl;
  raised.rlim_cur = rl.rlim_max;
  if (rl.rlim_cur < rl.rlim_max && setrlimit(RLIMIT_MSGQUEUE, &raised) == 0)
    return fmt::format("RLIMIT_MSGQUEUE raised from {} to its hard limit {} bytes", rl.rlim_cur,
                       rl.rlim_max);
  return "";
}

}  // namespace ipcbench
