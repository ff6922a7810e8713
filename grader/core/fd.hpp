// fd.hpp: move-only owners of file descriptors, and the error type every
// system call failure in the grader becomes.
#pragma once
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace ipcg {

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

// A pidfd for process `pid` (glibc 2.36's <sys/pidfd.h> lacks extern "C",
// so the system call is made directly). Throws on failure.
inline int open_pidfd(pid_t pid) {
  return static_cast<int>(check(syscall(SYS_pidfd_open, pid, 0), "pidfd_open"));
}

// A file descriptor that is closed when its owner goes away.
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
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  // Close the descriptor held now (errors are ignored: nothing can be done) and hold fd.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A pipe as two owned ends, both close-on-exec.
struct Pipe {
  Fd read, write;
  static Pipe make();
};

}  // namespace ipcg
