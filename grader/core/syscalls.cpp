// syscalls.cpp: the seccomp filter, the recorder thread, and how a recorded
// call reads in a report.
#include "syscalls.hpp"

#include "access.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <map>
#include <thread>

namespace ipcg {

namespace {

#if defined(__x86_64__)
constexpr uint32_t filter_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t filter_arch = AUDIT_ARCH_AARCH64;
#else
#error "syscalls.cpp: add this architecture's AUDIT_ARCH"
#endif

// The calls trapped whatever their arguments, with how many arguments a report shows.
// Not the calls a process blocks in (mq_timedreceive, msgrcv, semop, futex...):
// a process waiting for the recorder there would look asleep in them to /proc,
// and a polling loop around a non-blocking receive would pass for a blocking one.
struct Known {
  long nr;
  const char *name;
  int shown;
};
constexpr Known plain_calls[] = {
#ifdef SYS_fork
    {SYS_fork, "fork", 0},
    {SYS_vfork, "vfork", 0},
#endif
    {SYS_clone, "clone", 1},
    {SYS_clone3, "clone3", 0},
    {SYS_mq_open, "mq_open", 3},
    {SYS_mq_unlink, "mq_unlink", 1},
    {SYS_mq_notify, "mq_notify", 2},
    {SYS_mq_getsetattr, "mq_getsetattr", 3},
    {SYS_msgget, "msgget", 2},
    {SYS_msgctl, "msgctl", 2},
    {SYS_semget, "semget", 3},
    {SYS_semctl, "semctl", 3},
    {SYS_shmget, "shmget", 3},
    {SYS_shmat, "shmat", 3},
    {SYS_shmdt, "shmdt", 1},
    {SYS_shmctl, "shmctl", 2},
    {SYS_unlinkat, "unlinkat", 3},
#ifdef SYS_unlink
    {SYS_unlink, "unlink", 1},
    {SYS_pause, "pause", 0},
#endif
    {SYS_rt_sigtimedwait, "rt_sigtimedwait", 3},
    {SYS_rt_sigsuspend, "rt_sigsuspend", 1},
    {SYS_nanosleep, "nanosleep", 1},
    {SYS_clock_nanosleep, "clock_nanosleep", 3},
    {SYS_exit_group, "exit_group", 1},
    {SYS_sched_yield, "sched_yield", 0},
};
// The calls trapped only with some arguments (see SyscallFilter()).
constexpr Known cond_calls[] = {
    {SYS_openat, "openat", 3},
#ifdef SYS_open
    {SYS_open, "open", 2},
    {SYS_creat, "creat", 2},
#endif
    {SYS_mmap, "mmap", 6},
    {SYS_write, "write", 3},
    {SYS_pwrite64, "pwrite64", 4},
    {SYS_writev, "writev", 3},
    {SYS_pwritev, "pwritev", 4},
    {SYS_pwritev2, "pwritev2", 4},
    {SYS_ftruncate, "ftruncate", 2},
    {SYS_futex, "futex", 3},
};

// The table entry of call nr, if it is one the filter traps.
const Known *known(long nr) {
  for (const auto &k : plain_calls)
    if (k.nr == nr) return &k;
  for (const auto &k : cond_calls)
    if (k.nr == nr) return &k;
  return nullptr;
}

constexpr uint32_t ret_notify = SECCOMP_RET_USER_NOTIF, ret_allow = SECCOMP_RET_ALLOW;

// Where argument i's low 32 bits lie in struct seccomp_data (little endian).
constexpr uint32_t arg_low(int i) {
  return static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * i);
}

// The instructions: trap `nr` when the low 32 bits of its argument `arg`
// pass `test` against k (BPF_JSET: some bit of k set; BPF_JGE: at least k;
// BPF_JEQ: equal to k); let it go otherwise.
void trap_if(std::vector<sock_filter> &p, long nr, int arg, uint16_t test, uint32_t k) {
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 4));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg_low(arg)));
  p.push_back(BPF_JUMP(static_cast<uint16_t>(BPF_JMP | test | BPF_K), k, 0, 1));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, ret_notify));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, ret_allow));
}

// Read up to n bytes of process pid's memory at `at`, with the recorder's fsuid.
std::string peek(pid_t pid, uint64_t at, size_t n) {
  if (!at) return "";
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", pid);
  Fd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  std::string buf(n, '\0');
  // Stop at the page's end first: the next page may not be mapped.
  size_t first = std::min<size_t>(n, 4096 - at % 4096);
  ssize_t got = pread(fd.get(), buf.data(), first, static_cast<off_t>(at));
  if (got == static_cast<ssize_t>(first) && first < n && buf.find('\0') >= first) {
    ssize_t more = pread(fd.get(), buf.data() + first, n - first, static_cast<off_t>(at + first));
    if (more > 0) got += more;
  }
  buf.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return buf;
}

// A NUL-terminated string in process pid's memory (at most 256 bytes).
std::string peek_string(pid_t pid, uint64_t at) {
  std::string s = peek(pid, at, 256);
  return s.substr(0, s.find('\0'));
}

// What descriptor fd of process pid refers to ("" if it cannot be read).
std::string fd_target(pid_t pid, uint64_t fd) {
  char path[64], target[512];
  snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, static_cast<int>(fd));
  ssize_t n = readlink(path, target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
}

// The pid as process pid sees itself (the last NSpid of its status), 0 if unknown.
pid_t own_pid(pid_t pid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  Fd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char *line = strstr(buf, "\nNSpid:");
  if (!line) return 0;
  pid_t last = 0;
  for (const char *p = line + 7; *p && *p != '\n';) {
    char *end = nullptr;
    long v = strtol(p, &end, 10);
    if (end == p) break;
    last = static_cast<pid_t>(v);
    p = end;
  }
  return last;
}

// A timespec in the process's memory as "0.001000 s".
std::string peek_timespec(pid_t pid, uint64_t at) {
  std::string raw = peek(pid, at, sizeof(timespec));
  if (raw.size() != sizeof(timespec)) return "";
  timespec t{};
  memcpy(&t, raw.data(), sizeof t);
  return fmt::format("{}.{:06} s", t.tv_sec, t.tv_nsec / 1000);
}

// What a call's arguments point at, read while the process waits in it.
void resolve(Syscall &c) {
  auto a = c.args;
  switch (c.nr) {
    case SYS_openat: c.file = peek_string(c.pid, a[1]); break;
#ifdef SYS_open
    case SYS_open:
    case SYS_creat:
    case SYS_unlink:
#endif
    case SYS_mq_open:
    case SYS_mq_unlink: c.file = peek_string(c.pid, a[0]); break;
    case SYS_unlinkat: c.file = peek_string(c.pid, a[1]); break;
    case SYS_mmap:
      if (!(a[3] & MAP_ANONYMOUS)) c.file = fd_target(c.pid, a[4]);
      break;
    case SYS_write:
    case SYS_pwrite64:
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
    case SYS_ftruncate:
    case SYS_mq_timedsend:
    case SYS_mq_timedreceive:
    case SYS_mq_notify: c.file = fd_target(c.pid, a[0]); break;
    case SYS_nanosleep: c.detail = peek_timespec(c.pid, a[0]); break;
    case SYS_clock_nanosleep:
      c.detail = (a[1] & TIMER_ABSTIME ? "TIMER_ABSTIME, " : "") + peek_timespec(c.pid, a[2]);
      break;
    case SYS_clone3: {
      std::string raw = peek(c.pid, a[0], 8);
      uint64_t flags = 0;
      if (raw.size() == 8) memcpy(&flags, raw.data(), 8);
      c.detail = fmt::format("{:#x}", flags);
      break;
    }
    case SYS_exit_group: c.own_pid = own_pid(c.pid); break;
    default: break;
  }
}

// One listener and the log it fills.
struct Listener {
  std::shared_ptr<Fd> fd;
  std::shared_ptr<SyscallLog> log;
  std::optional<uid_t> fsuid;
};

// The recorder: one thread per process, serving every listener through epoll.
class Recorder {
 public:
  // This process's recorder, started on first use (a forked check process
  // starts its own: threads do not survive fork).
  static Recorder &get() {
    static Recorder *r = nullptr;
    static pid_t owner = 0;
    static std::mutex start;
    std::lock_guard lock(start);
    if (!r || owner != getpid()) {
      r = new Recorder();  // never freed: its thread runs until the process ends
      owner = getpid();
    }
    return *r;
  }

  // Serve `fd`, recording into `log`.
  void add(Fd fd, std::shared_ptr<SyscallLog> log, std::optional<uid_t> fsuid) {
    std::lock_guard lock(mu_);
    int n = fd.get();
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = n;
    check(epoll_ctl(ep_.get(), EPOLL_CTL_ADD, n, &ev), "epoll_ctl(seccomp listener)");
    listeners_[n] = Listener{std::make_shared<Fd>(std::move(fd)), std::move(log), fsuid};
  }

 private:
  Recorder() : ep_(check(epoll_create1(EPOLL_CLOEXEC), "epoll_create1")) {
    std::thread([this] { loop(); }).detach();
  }

  // Wait for notifications and answer each; forget listeners whose processes are gone.
  void loop() {
    for (;;) {
      epoll_event evs[16];
      int n = epoll_wait(ep_.get(), evs, 16, -1);
      for (int i = 0; i < n; ++i) {
        if (evs[i].events & EPOLLIN) serve(evs[i].data.fd);
        else if (evs[i].events & (EPOLLHUP | EPOLLERR)) forget(evs[i].data.fd);
      }
    }
  }

  // Stop serving listener fd (every process that used it has ended).
  void forget(int fd) {
    std::lock_guard lock(mu_);
    epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
    listeners_.erase(fd);
  }

  // Read one notification from listener fd, record it, let the call go on.
  void serve(int fd) {
    std::shared_ptr<SyscallLog> log;
    std::shared_ptr<Fd> listener;
    std::optional<uid_t> fsuid;
    {
      std::lock_guard lock(mu_);
      auto it = listeners_.find(fd);
      if (it == listeners_.end()) return;
      log = it->second.log;
      listener = it->second.fd;
      fsuid = it->second.fsuid;
    }
    seccomp_notif req{};
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      if (errno != EINTR && errno != ENOENT) forget(fd);
      return;
    }
    Syscall c;
    c.pid = static_cast<pid_t>(req.pid);
    c.nr = req.data.nr;
    for (int i = 0; i < 6; ++i) c.args[static_cast<size_t>(i)] = req.data.args[i];
    {
      // As the process's owner: root without CAP_SYS_PTRACE may not read
      // another uid's /proc/PID/mem.
      std::optional<ActAs> owner;
      if (fsuid) owner.emplace(*fsuid, *fsuid, ActAs::Scope::files);
      resolve(c);
    }
    // The pid may have been reused if the call was cut short meanwhile: keep
    // the call only if it is still the one waiting.
    bool valid = ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0;
    if (valid) log->add(c);
    if (valid && log->keep(c, listener, req.id)) return;  // answered by release()
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && valid) log->drop_last();
  }

  Fd ep_;
  std::mutex mu_;
  std::map<int, Listener> listeners_;
};

// The calls' numbers to names, and the flags of mmap, for describe().
std::string prot_text(uint64_t prot) {
  if (prot == PROT_NONE) return "PROT_NONE";
  std::string s;
  for (auto [bit, name] : {std::pair{PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"},
                           {PROT_EXEC, "PROT_EXEC"}})
    if (prot & static_cast<uint64_t>(bit)) s += (s.empty() ? "" : "|") + std::string(name);
  return s;
}

// mmap's flags as text: "MAP_SHARED|MAP_ANONYMOUS".
std::string map_flags_text(uint64_t flags) {
  std::string s = (flags & 3) == MAP_SHARED_VALIDATE ? "MAP_SHARED_VALIDATE"
                  : (flags & MAP_SHARED)             ? "MAP_SHARED"
                                                     : "MAP_PRIVATE";
  for (auto [bit, name] : {std::pair{MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {MAP_FIXED, "MAP_FIXED"},
                           {MAP_POPULATE, "MAP_POPULATE"}})
    if (flags & static_cast<uint64_t>(bit)) s += "|" + std::string(name);
  return s;
}

// open's flags as text: "O_RDWR|O_CREAT".
std::string open_flags_text(uint64_t flags) {
  std::string s = (flags & O_ACCMODE) == O_RDWR ? "O_RDWR"
                  : (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
                                                    : "O_RDONLY";
  for (auto [bit, name] : {std::pair{O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"}, {O_TRUNC, "O_TRUNC"},
                           {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"}})
    if (flags & static_cast<uint64_t>(bit)) s += "|" + std::string(name);
  return s;
}

}  // namespace

std::string Syscall::name() const {
  const Known *k = known(nr);
  return k ? k->name : fmt::format("syscall {}", nr);
}

std::string Syscall::describe() const {
  auto fd = [&](uint64_t n) {
    return file.empty() ? std::to_string(static_cast<int>(n))
                        : fmt::format("{}<{}>", static_cast<int>(n), file);
  };
  auto quoted = [&] { return "\"" + file + "\""; };
  const auto &a = args;
  switch (nr) {
    case SYS_openat: return fmt::format("openat({}, {})", quoted(), open_flags_text(a[2]));
#ifdef SYS_open
    case SYS_open: return fmt::format("open({}, {})", quoted(), open_flags_text(a[1]));
    case SYS_unlink: return fmt::format("unlink({})", quoted());
#endif
    case SYS_unlinkat: return fmt::format("unlinkat({})", quoted());
    case SYS_mq_open: return fmt::format("mq_open({}, {})", quoted(), open_flags_text(a[1]));
    case SYS_mq_unlink: return fmt::format("mq_unlink({})", quoted());
    case SYS_mmap:
      return fmt::format("mmap({}, {}, {}, {}, {}, {})", a[0] ? fmt::format("{:#x}", a[0]) : "NULL",
                         a[1], prot_text(a[2]), map_flags_text(a[3]),
                         (a[3] & MAP_ANONYMOUS) ? "-1" : fd(a[4]), a[5]);
    case SYS_write: return fmt::format("write({}, ..., {})", fd(a[0]), a[2]);
    case SYS_pwrite64: return fmt::format("pwrite({}, ..., {}, {})", fd(a[0]), a[2], a[3]);
    case SYS_writev: return fmt::format("writev({}, ..., {})", fd(a[0]), a[2]);
    case SYS_pwritev:
    case SYS_pwritev2: return fmt::format("{}({}, ..., {}, {})", name(), fd(a[0]), a[2], a[3]);
    case SYS_ftruncate: return fmt::format("ftruncate({}, {})", fd(a[0]), a[1]);
    case SYS_mq_timedsend:
    case SYS_mq_timedreceive:
      return fmt::format("{}({}, ..., {}, ...)", name(), fd(a[0]), a[2]);
    case SYS_mq_notify: return fmt::format("mq_notify({}, {})", fd(a[0]), a[1] ? "..." : "NULL");
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
      return fmt::format("{}({})", name(), detail.empty() ? "..." : detail);
    case SYS_clone3: return fmt::format("clone3({{flags={}}})", detail);
    case SYS_clone: return fmt::format("clone({:#x})", a[0]);
    case SYS_exit_group: return fmt::format("exit_group({})", static_cast<int>(a[0]));
    default: break;
  }
  const Known *k = known(nr);
  std::string s = name() + "(";
  for (int i = 0; k && i < k->shown; ++i)
    s += (i ? ", " : "") + fmt::format("{:#x}", a[static_cast<size_t>(i)]);
  return s + ")";
}

SyscallFilter::SyscallFilter() {
  auto &p = prog_;
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, filter_arch, 1, 0));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, ret_allow));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (const auto &k : plain_calls) {
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(k.nr), 0, 1));
    p.push_back(BPF_STMT(BPF_RET | BPF_K, ret_notify));
  }
  // Opens that may write or create (not ld.so's read-only ones); mmap only
  // MAP_SHARED (not ld.so's or malloc's private ones); writes beyond stdio.
  uint32_t writing = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC;
  trap_if(p, SYS_openat, 2, BPF_JSET, writing);
#ifdef SYS_open
  trap_if(p, SYS_open, 1, BPF_JSET, writing);
  trap_if(p, SYS_creat, 1, BPF_JSET, ~0u);
#endif
  trap_if(p, SYS_mmap, 3, BPF_JSET, MAP_SHARED);
  for (long nr : {SYS_write, SYS_pwrite64, SYS_writev, SYS_pwritev, SYS_pwritev2, SYS_ftruncate})
    trap_if(p, nr, 0, BPF_JGE, 3);  // descriptors 3 and up
  // A process-shared futex wake (a sem_post with waiters), never a wait: a
  // waiter must look asleep in futex to /proc.
  trap_if(p, SYS_futex, 1, BPF_JEQ, FUTEX_WAKE);
  p.push_back(BPF_STMT(BPF_RET | BPF_K, ret_allow));
}

const SyscallFilter &SyscallFilter::standard() {
  static const SyscallFilter f;
  return f;
}

int SyscallFilter::install() const noexcept {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
  sock_fprog prog{static_cast<unsigned short>(prog_.size()),
                  const_cast<sock_filter *>(prog_.data())};
  // Once the recorder has read a call, a signal must not interrupt the wait
  // for its answer (the call would fail with EINTR where it never can, as
  // openat on tmpfs): Linux 5.19's WAIT_KILLABLE_RECV; without it, as before.
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
  if (fd < 0 && errno == EINVAL)
    fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  return static_cast<int>(fd);
}

std::vector<Syscall> SyscallLog::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::vector<Syscall> SyscallLog::calls(std::initializer_list<long> nrs) const {
  std::lock_guard lock(mu_);
  std::vector<Syscall> some;
  for (const auto &c : calls_)
    for (long nr : nrs)
      if (c.nr == nr) some.push_back(c);
  return some;
}

void SyscallLog::add(Syscall c) {
  std::lock_guard lock(mu_);
  calls_.push_back(std::move(c));
}

void SyscallLog::hold(Pred pred) {
  std::lock_guard lock(mu_);
  pred_ = std::move(pred);
}

std::vector<Syscall> SyscallLog::held() const {
  std::lock_guard lock(mu_);
  std::vector<Syscall> v;
  for (const auto &h : held_) v.push_back(h.call);
  return v;
}

void SyscallLog::answer(const Held &h) {
  seccomp_notif_resp resp{};
  resp.id = h.id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  ioctl(h.listener->get(), SECCOMP_IOCTL_NOTIF_SEND, &resp);  // ENOENT: it was killed
}

bool SyscallLog::release(pid_t pid) {
  std::vector<Held> go;
  {
    std::lock_guard lock(mu_);
    auto keep = std::stable_partition(held_.begin(), held_.end(),
                                      [&](const Held &h) { return h.call.pid != pid; });
    go.assign(std::make_move_iterator(keep), std::make_move_iterator(held_.end()));
    held_.erase(keep, held_.end());
  }
  for (const auto &h : go) answer(h);
  return !go.empty();
}

void SyscallLog::stop_holding() {
  std::vector<Held> go;
  {
    std::lock_guard lock(mu_);
    pred_ = nullptr;
    go.swap(held_);
  }
  for (const auto &h : go) answer(h);
}

bool SyscallLog::keep(const Syscall &c, const std::shared_ptr<Fd> &listener, uint64_t id) {
  std::lock_guard lock(mu_);
  if (!pred_ || !pred_(c)) return false;
  held_.push_back(Held{c, listener, id});
  return true;
}

void SyscallLog::drop_last() {
  std::lock_guard lock(mu_);
  if (!calls_.empty()) calls_.pop_back();
}

int send_fd(int sock, int fd) noexcept {
  char byte = 'f';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))]{};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = space;
  msg.msg_controllen = sizeof space;
  cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

Fd receive_fd(int sock) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))]{};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = space;
  msg.msg_controllen = sizeof space;
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return Fd();
  for (cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    int fd = -1;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return Fd(fd);
  }
  return Fd();
}

std::shared_ptr<SyscallLog> record_syscalls(Fd listener, std::optional<uid_t> fsuid,
                                            SyscallLog::Pred hold) {
  auto log = std::make_shared<SyscallLog>();
  if (hold) log->hold(std::move(hold));  // before its first call can reach the recorder
  if (fsuid && geteuid() != 0) fsuid.reset();  // only root needs, and may, change it
  Recorder::get().add(std::move(listener), log, fsuid);
  return log;
}

namespace {

// In a throw-away child: install the filter, hand over the listener, make
// one trapped call (which the parent must let through) and exit 0.
[[noreturn]] void probe_child(int sock) {
  int fd = SyscallFilter::standard().install();
  if (fd < 0 || send_fd(sock, fd) < 0) _exit(1);
  close(fd);
  timespec zero{0, 0};
  _exit(nanosleep(&zero, nullptr) == 0 ? 0 : 1);
}

// Whether a filter with a listener works here, CONTINUE included (Linux 5.5).
bool probe() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return false;
  Fd mine(sv[0]), theirs(sv[1]);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) probe_child(theirs.get());
  theirs.reset();
  Fd listener = receive_fd(mine.get());
  bool ok = false;
  pollfd p{listener.get(), POLLIN, 0};
  if (listener && poll(&p, 1, 5000) == 1 && (p.revents & POLLIN)) {
    seccomp_notif req{};
    if (ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
      seccomp_notif_resp resp{};
      resp.id = req.id;
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      ok = ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
    }
  }
  if (!ok) kill(pid, SIGKILL);
  // Its exit_group traps too: with the listener closed, trapped calls fail
  // with ENOSYS, and _exit falls back to exit, which is not trapped.
  listener.reset();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

void start_syscall_recorder() {
  if (syscall_record_enabled()) Recorder::get();
}

bool syscall_record_supported() {
  static const bool ok = probe();
  return ok;
}

bool syscall_record_enabled() {
  const char *env = getenv("IPCGRADE_SYSCALLS");
  if (env && std::string_view(env) == "off") return false;
  return syscall_record_supported();
}

std::vector<Syscall> calls_on(const std::vector<Syscall> &calls, const std::string &path) {
  std::string last = "/" + path.substr(path.rfind('/') + 1);
  std::vector<Syscall> on;
  for (const auto &c : calls)
    if (c.file == path || c.file == path + " (deleted)" ||
        (!c.file.empty() && c.file[0] != '/' && ("/" + c.file).ends_with(last)))
      on.push_back(c);
  return on;
}

bool writes_fd(const Syscall &c) {
  for (long nr : {SYS_write, SYS_pwrite64, SYS_writev, SYS_pwritev, SYS_pwritev2})
    if (c.nr == nr) return true;
  return false;
}

bool maps_shared_writable(const Syscall &c) {
  return c.nr == SYS_mmap && (c.args[3] & MAP_SHARED) && (c.args[2] & PROT_WRITE);
}

bool makes_process(const Syscall &c) {
#ifdef SYS_fork
  if (c.nr == SYS_fork || c.nr == SYS_vfork) return true;
#endif
  if (c.nr == SYS_clone) return !(c.args[0] & CLONE_THREAD);
  if (c.nr == SYS_clone3) return !(strtoull(c.detail.c_str(), nullptr, 16) & CLONE_THREAD);
  return false;
}

bool sleeps(const Syscall &c) { return c.nr == SYS_nanosleep || c.nr == SYS_clock_nanosleep; }

bool wakes_shared_futex(const Syscall &c) {
  return c.nr == SYS_futex && static_cast<uint32_t>(c.args[1]) == FUTEX_WAKE;
}

std::string describe_calls(const std::vector<Syscall> &calls, size_t most) {
  std::string s;
  for (size_t i = 0; i < calls.size() && i < most; ++i) s += (i ? "; " : "") + calls[i].describe();
  if (calls.size() > most) s += fmt::format("; and {} more", calls.size() - most);
  return s;
}

}  // namespace ipcg
