// sys.cpp: checked calls, owners, the cleanup registry and its signal
// handlers, and the helper process. See sys.hpp.
#include "sys.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <atomic>
#include <cstring>

namespace ipcbench {

// ---- mappings --------------------------------------------------------------

// Map len bytes of anonymous memory with the given MAP_ flags.
static void *map_anonymous(size_t len, int flags) {
  void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("mmap");
  return p;
}

Mapping Mapping::private_memory(size_t len) {
  Mapping m(map_anonymous(len, MAP_PRIVATE), len);
  std::memset(m.data(), 0, len);  // fault every page in now, not while timing
  return m;
}

Mapping Mapping::shared_memory(size_t len) {
  Mapping m(map_anonymous(len, MAP_SHARED), len);
  std::memset(m.data(), 0, len);
  return m;
}

Mapping Mapping::shm_object(size_t len) {
  std::string name = unique_name("/");
  int slot = registry::add(registry::Kind::shm, name);  // listed before it exists
  Fd fd(shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600));
  if (fd.get() < 0) {
    registry::drop(slot);
    throw_errno("shm_open " + name);
  }
  if (ftruncate(fd.get(), static_cast<off_t>(len)) == -1) {
    int e = errno;
    shm_unlink(name.c_str());
    registry::drop(slot);
    errno = e;
    throw_errno("ftruncate " + name);
  }
  void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  int map_errno = errno;
  check(shm_unlink(name.c_str()), "shm_unlink");  // from here on only the mapping holds it
  registry::drop(slot);
  if (p == MAP_FAILED) {
    errno = map_errno;
    throw_errno("mmap " + name);
  }
  Mapping m(p, len);
  std::memset(m.data(), 0, len);
  return m;
}

Mapping &Mapping::operator=(Mapping &&o) noexcept {
  if (this != &o) {
    if (addr_) munmap(addr_, len_);
    addr_ = std::exchange(o.addr_, nullptr);
    len_ = std::exchange(o.len_, 0);
  }
  return *this;
}

Mapping::~Mapping() {
  if (addr_) munmap(addr_, len_);  // cannot fail on a mapping we made
}

// ---- the registry ----------------------------------------------------------

namespace {

// One listed object. `kind` is written last when listing and first when
// dropping, so a signal handler never sees a half-written entry.
struct Entry {
  volatile sig_atomic_t kind = 0;
  char name[128] = {};
  int id = -1;
};

Entry g_entries[32];
pid_t g_main_pid = 0;  // only this process cleans up

// The helper processes alive now (-1: a free place), and whether each one's
// death would be an error (it is working, not told to exit).
volatile pid_t g_helpers[4] = {-1, -1, -1, -1};
volatile sig_atomic_t g_watched[4] = {0, 0, 0, 0};
char g_what[160] = "setting up";             // what is being measured now
unsigned g_watchdog_seconds = 0;

// Remove one listed object (async-signal-safe system calls only).
void remove_entry(Entry &e) {
  switch (static_cast<registry::Kind>(e.kind)) {
    case registry::Kind::file: unlink(e.name); break;
    case registry::Kind::dir: rmdir(e.name); break;
    case registry::Kind::mq: mq_unlink(e.name); break;
    case registry::Kind::shm: shm_unlink(e.name); break;
    case registry::Kind::sysv_msg: msgctl(e.id, IPC_RMID, nullptr); break;
    case registry::Kind::none: break;
  }
  e.kind = 0;
}

// Kill the helpers and remove every listed object, newest first (a FIFO
// before the folder that holds it).
void remove_everything() {
  for (size_t i = 0; i < std::size(g_helpers); ++i) {
    g_watched[i] = 0;
    if (g_helpers[i] > 0) kill(g_helpers[i], SIGKILL);
  }
  for (int i = static_cast<int>(std::size(g_entries)) - 1; i >= 0; --i)
    if (g_entries[i].kind != 0) remove_entry(g_entries[i]);
}

// Append s to the message being built in buf (async-signal-safe).
void append(char *buf, size_t cap, const char *s) {
  size_t n = std::strlen(buf);
  while (*s && n + 1 < cap) buf[n++] = *s++;
  buf[n] = '\0';
}

// Append a non-negative number in decimal (async-signal-safe).
void append_number(char *buf, size_t cap, long v) {
  char digits[24];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + v % 10);
  while ((v /= 10) > 0 && n < 23);
  char out[24];
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
  append(buf, cap, out);
}

// Clean up, print msg, and end the process with `code`.
[[noreturn]] void die_cleanly(const char *msg, int code) {
  remove_everything();
  ssize_t ignored = write(STDERR_FILENO, msg, std::strlen(msg));
  (void)ignored;
  _exit(code);
}

// SIGINT, SIGTERM, SIGHUP: the user stopped the run.
void on_interrupt(int sig) {
  if (getpid() != g_main_pid) _exit(128 + sig);
  char msg[200] = "\nipcbench: interrupted during ";
  append(msg, sizeof msg, g_what);
  append(msg, sizeof msg, "; the helper is killed and every object ipcbench made is removed\n");
  die_cleanly(msg, 128 + sig);
}

// SIGALRM: the watchdog fired; a measurement made no progress.
void on_alarm(int) {
  if (getpid() != g_main_pid) _exit(1);
  char msg[300] = "ipcbench: ";
  append(msg, sizeof msg, g_what);
  append(msg, sizeof msg, " made no progress for ");
  append_number(msg, sizeof msg, g_watchdog_seconds);
  append(msg, sizeof msg, " s; stopped, and removed every object ipcbench made\n");
  die_cleanly(msg, 1);
}

// SIGCHLD: if a helper died while it should be working, stop the run (its
// peer would otherwise wait forever). WNOWAIT leaves it for join().
void on_child(int) {
  int saved = errno;
  if (getpid() == g_main_pid)
    for (size_t i = 0; i < std::size(g_helpers); ++i) {
      pid_t pid = g_helpers[i];
      siginfo_t si{};
      if (!g_watched[i] || pid <= 0 ||
          waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid != pid)
        continue;
      char msg[300] = "ipcbench: the helper process died during ";
      append(msg, sizeof msg, g_what);
      append(msg, sizeof msg, si.si_code == CLD_EXITED ? " (exit code " : " (signal ");
      append_number(msg, sizeof msg, si.si_status);
      append(msg, sizeof msg, "); stopped, and removed every object ipcbench made\n");
      die_cleanly(msg, 1);
    }
  errno = saved;
}

// Install one handler with SA_RESTART (calls that are never restarted,
// such as sem_wait and msgrcv, are retried on EINTR by their callers).
void handle(int sig, void (*fn)(int)) {
  struct sigaction sa {};
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  check(sigaction(sig, &sa, nullptr), "sigaction");
}

std::atomic<unsigned> g_name_counter{0};

}  // namespace

int registry::add(Kind kind, const std::string &name, int id) {
  for (size_t i = 0; i < std::size(g_entries); ++i) {
    Entry &e = g_entries[i];
    if (e.kind != 0) continue;
    std::snprintf(e.name, sizeof e.name, "%s", name.c_str());
    e.id = id;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    e.kind = static_cast<int>(kind);
    return static_cast<int>(i);
  }
  throw std::runtime_error("internal error: more than 32 objects alive at once");
}

void registry::drop(int slot) {
  if (slot >= 0) g_entries[slot].kind = 0;
}

std::string unique_name(const char *prefix) {
  return fmt::format("{}ipcbench.{}.{}", prefix, getpid(), g_name_counter++);
}

void install_cleanup_handlers() {
  g_main_pid = getpid();
  handle(SIGINT, on_interrupt);
  handle(SIGTERM, on_interrupt);
  handle(SIGHUP, on_interrupt);
  handle(SIGALRM, on_alarm);
  handle(SIGCHLD, on_child);
}

void watchdog(const std::string &what, unsigned seconds) {
  std::snprintf(g_what, sizeof g_what, "%s", what.c_str());
  g_watchdog_seconds = seconds;
  alarm(seconds);
}

bool pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

// ---- the helper process ----------------------------------------------------

Helper::Helper(int cpu, std::function<void()> body) {
  for (size_t i = 0; i < std::size(g_helpers) && slot_ < 0; ++i)
    if (g_helpers[i] <= 0) slot_ = static_cast<int>(i);
  if (slot_ < 0) throw std::logic_error("more than 4 helper processes at once");
  pid_t parent = getpid();
  pid_ = check(fork(), "fork");
  if (pid_ == 0) {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGCHLD}) signal(sig, SIG_DFL);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent) _exit(1);
    if (cpu >= 0) pin_to_cpu(cpu);
    try {
      body();
    } catch (const std::exception &e) {
      fmt::print(stderr, "ipcbench: helper process: {}\n", e.what());
      _exit(1);
    }
    _exit(0);
  }
  g_helpers[slot_] = pid_;
  g_watched[slot_] = 1;
}

void Helper::expect_exit() { g_watched[slot_] = 0; }

// Forget the helper (it has been waited for).
void Helper::forget() {
  g_watched[slot_] = 0;
  g_helpers[slot_] = -1;
  pid_ = -1;
}

void Helper::join() {
  g_watched[slot_] = 0;
  int status = 0;
  while (waitpid(pid_, &status, 0) == -1)
    if (errno != EINTR) throw_errno("waitpid");
  forget();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  throw std::runtime_error(
      WIFSIGNALED(status) ? fmt::format("the helper process was killed by signal {}", WTERMSIG(status))
                          : fmt::format("the helper process failed (exit code {})", WEXITSTATUS(status)));
}

Helper::~Helper() {
  if (pid_ <= 0) return;
  g_watched[slot_] = 0;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) == -1 && errno == EINTR) {
  }
  forget();
}

}  // namespace ipcbench
