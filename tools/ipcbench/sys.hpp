// sys.hpp: ipcbench's system layer: checked calls, move-only owners of
// descriptors and mappings, the registry of named kernel objects that a
// signal handler removes, and the pinned helper process each measurement
// forks. See also links.hpp, which builds the IPC channels on top of it.
#pragma once
#include <sys/types.h>
#include <unistd.h>
#include <cerrno>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace ipcbench {

// Throw a std::system_error naming the failed call, with the current errno.
[[noreturn]] inline void throw_errno(const std::string &call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Return v, or throw naming the call if v is -1.
template <class T>
T check(T v, const char *call) {
  if (v == T(-1)) throw_errno(call);
  return v;
}

// A bad command line: one line on stderr and exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A descriptor that is closed when its owner goes away.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd &operator=(Fd &&o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  // Close the descriptor held now (a close error cannot be acted on) and hold fd.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A page-aligned mapping, unmapped when its owner goes away.
class Mapping {
 public:
  // Private anonymous memory: a process's own message buffer.
  static Mapping private_memory(size_t len);
  // MAP_SHARED|MAP_ANONYMOUS memory, shared with the processes forked after it.
  static Mapping shared_memory(size_t len);
  // A POSIX shared memory object /ipcbench.<pid>.<n> of len bytes, mapped
  // MAP_SHARED and unlinked at once: only the mapping keeps it alive.
  static Mapping shm_object(size_t len);

  Mapping() = default;
  Mapping(Mapping &&o) noexcept
      : addr_(std::exchange(o.addr_, nullptr)), len_(std::exchange(o.len_, 0)) {}
  Mapping &operator=(Mapping &&o) noexcept;
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;
  ~Mapping();

  std::byte *data() const { return static_cast<std::byte *>(addr_); }
  size_t size() const { return len_; }

 private:
  Mapping(void *addr, size_t len) : addr_(addr), len_(len) {}
  void *addr_ = nullptr;
  size_t len_ = 0;
};

// The registry of objects with a name or id that outlive their process:
// the SIGINT/SIGTERM handler removes whatever is still listed. Every entry
// is made by the RAII owner that creates the object and dropped when it
// removes it.
namespace registry {
enum class Kind : int { none = 0, file, dir, mq, shm, sysv_msg };
// List an object (a path or name, or a System V id); returns its slot.
int add(Kind kind, const std::string &name, int id = -1);
// The object is gone: forget it.
void drop(int slot);
}  // namespace registry

// A unique name for a kernel object: <prefix>ipcbench.<pid>.<n>.
std::string unique_name(const char *prefix);

// Install the handlers that remove every listed object on SIGINT, SIGTERM,
// SIGHUP, a watchdog timeout (SIGALRM) or the helper's unexpected death
// (SIGCHLD), and then end the process with a one-line message.
void install_cleanup_handlers();

// Name what is being measured now, for the watchdog's message, and arm it
// for `seconds` (0 disarms).
void watchdog(const std::string &what, unsigned seconds);

// Pin the calling process to one CPU; false (and no change) if that fails.
bool pin_to_cpu(int cpu);

// A forked helper process running one function, pinned to a CPU, killed
// (PR_SET_PDEATHSIG) when ipcbench dies. If it dies before join(), the
// SIGCHLD handler stops the whole run with a message. At most 4 at once.
class Helper {
 public:
  Helper(int cpu, std::function<void()> body);
  Helper(const Helper &) = delete;
  Helper &operator=(const Helper &) = delete;
  ~Helper();
  // The helper is about to exit on purpose: stop watching for its death.
  void expect_exit();
  // Wait for the helper; throws if it failed.
  void join();

 private:
  void forget();
  pid_t pid_ = -1;
  int slot_ = -1;  // its place in the signal handlers' list of helpers
};

}  // namespace ipcbench
