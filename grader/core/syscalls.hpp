// syscalls.hpp: a record of the IPC system calls a student's processes make,
// as evidence of *how* a program did its work (mapped a file, forked, slept).
//
// How: seccomp user notification. Just before execve the student's process
// installs a BPF filter (SyscallFilter) that sends the calls of interest to a
// listener descriptor, which it passes to the grader over a socket. A thread
// of the grader's check process (the recorder) reads each notification,
// records the call with its arguments and, where it names a file, the file
// (an openat's path, an mmap's or write's descriptor resolved through
// /proc/PID/fd), then lets the call go on unchanged (CONTINUE). The filter
// never denies anything; it only delays each trapped call by one round trip.
// It needs no ptrace rights: only seccomp(2) and Linux 5.5 or later. The
// recorder reads /proc/PID/{mem,fd} with the student's uid as its file-system
// uid, so that works without CAP_SYS_PTRACE too (Docker's default).
//
// Only what can matter traps: openat that writes or creates (not ld.so's
// read-only opens), MAP_SHARED mmaps (not ld.so's private ones), writes on
// descriptors 3 and up, ftruncate, fork/clone, the opening and control calls of
// mq_*, msg*, sem*, shm*, sleeps and signal waits, sched_yield, shared futex
// wakes (a sem_post with sleepers), and exit_group (to learn every process's
// pid); never the calls a process blocks in (receives, semop, futex waits),
// which /proc must see as they are.
#pragma once
#include "fd.hpp"

#include <linux/filter.h>
#include <sys/types.h>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ipcg {

// One trapped call, as it was entered.
struct Syscall {
  pid_t pid = 0;     // as the grader sees pids
  pid_t own_pid = 0; // as the process sees itself (exit_group only; 0 otherwise)
  long nr = -1;      // SYS_mmap, ...
  std::array<uint64_t, 6> args{};
  std::string file;    // openat/mq_open/unlink: the name given; fd calls: what the fd
                       // refers to ("/dev/shm/box", "pipe:[123]")
  std::string detail;  // sleeps: the time asked for ("0.001000 s"); clone3: its flags

  // The call's name: "pwrite64".
  std::string name() const;
  // The call as strace would show it: "pwrite64(3</w/f.dat>, ..., 32, 64)".
  std::string describe() const;
};

// The BPF program that traps the calls above; built once, before any fork.
class SyscallFilter {
 public:
  static const SyscallFilter &standard();
  // In a forked child, after its uid drop and just before execve: set
  // no_new_privs and install the filter. Returns the listener descriptor
  // (close-on-exec), or -1 with errno set. Allocates nothing.
  int install() const noexcept;

 private:
  SyscallFilter();
  std::vector<sock_filter> prog_;
};

// The record of one student process and its descendants. Filled by the
// recorder thread; every call is recorded before it is let through, so once
// a process has ended its calls are all here.
//
// A check may also hold calls: from hold(pred) on, a call for which pred is
// true is recorded and then kept waiting (its process sleeps in seccomp's
// wait, before the call has done anything) until release(). That is how a
// race is forced open at a point the contract names (sem_counter's
// sched_yield between its read and its store; a sem_post's futex wake).
class SyscallLog {
 public:
  using Pred = std::function<bool(const Syscall &)>;
  SyscallLog() = default;
  SyscallLog(const SyscallLog &) = delete;
  SyscallLog &operator=(const SyscallLog &) = delete;
  ~SyscallLog() { stop_holding(); }

  // Keep every later call for which `pred` is true waiting until released.
  void hold(Pred pred);
  // The calls kept waiting now, oldest first.
  std::vector<Syscall> held() const;
  // Let the calls held of process (thread) `pid` go on; false if there were none.
  bool release(pid_t pid);
  // Hold nothing more, and let every held call go on.
  void stop_holding();
  // The recorder: keep call `c` (notification `id` of `listener`) waiting if
  // a hold wants it; true if it was kept (the recorder must not answer it).
  bool keep(const Syscall &c, const std::shared_ptr<Fd> &listener, uint64_t id);

  // Every call recorded so far.
  std::vector<Syscall> calls() const;
  // The calls with one of these numbers.
  std::vector<Syscall> calls(std::initializer_list<long> nrs) const;
  // Append a call (the recorder does).
  void add(Syscall c);
  // Drop the last call (its process was interrupted before it went on, so
  // the kernel will notify it again).
  void drop_last();

 private:
  struct Held {
    Syscall call;
    std::shared_ptr<Fd> listener;
    uint64_t id;
  };
  // Answer a held call: let it go on (the process may be gone: then nothing).
  static void answer(const Held &h);

  mutable std::mutex mu_;
  std::vector<Syscall> calls_;
  Pred pred_;
  std::vector<Held> held_;
};

// Whether this kernel lets an unprivileged process install a filter with a
// listener (probed once, in a throw-away child). False means records are
// never available and checks that need one must not charge the student.
bool syscall_record_supported();

// Whether records are wanted in this run: supported, and not turned off with
// IPCGRADE_SYSCALLS=off (tools/bench measures with and without).
bool syscall_record_enabled();

// Hand `listener` (from SyscallFilter::install in a child) to this process's
// recorder thread, which starts on first use; `fsuid` is the uid whose
// processes it reads /proc of (the student's), if not this process's own.
// Returns the log it fills.
std::shared_ptr<SyscallLog> record_syscalls(Fd listener, std::optional<uid_t> fsuid,
                                            SyscallLog::Pred hold = nullptr);

// Start this process's recorder thread now, where records are enabled. The
// sandbox calls it before unshare(CLONE_NEWPID), after which no thread can be
// made; record_syscalls() starts it otherwise.
void start_syscall_recorder();

// Send a descriptor over a unix socket (SCM_RIGHTS), with one byte; -1 on
// failure. Allocates nothing (usable between fork and exec).
int send_fd(int sock, int fd) noexcept;
// Receive what send_fd sent: the descriptor, or an empty Fd if the peer
// closed the socket or sent none.
Fd receive_fd(int sock);

// The calls on file `path`: a descriptor of it (its /proc/PID/fd target is
// `path`, or `path (deleted)`), or its name given (exactly, or ending in
// "/" + its last component, as a relative open names it).
std::vector<Syscall> calls_on(const std::vector<Syscall> &calls, const std::string &path);
// Whether the call writes through a descriptor (write, pwrite, writev, pwritev).
bool writes_fd(const Syscall &c);
// Whether the call maps a file or anonymous memory shared and writable.
bool maps_shared_writable(const Syscall &c);
// Whether the call creates a process (fork, vfork, clone or clone3 without CLONE_THREAD).
bool makes_process(const Syscall &c);
// Whether the call is a sleep for a time (nanosleep, clock_nanosleep).
bool sleeps(const Syscall &c);
// Whether the call is a futex wake of a process-shared futex (as sem_post
// makes when its semaphore has waiters); the futex's address is args[0].
bool wakes_shared_futex(const Syscall &c);

// "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3</w/f.dat>, 0)" for each, joined
// by "; ", at most `most` of them (then "and N more").
std::string describe_calls(const std::vector<Syscall> &calls, size_t most = 6);

}  // namespace ipcg
