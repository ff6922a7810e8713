// process.hpp: one student process: argv and stdin in, capped stdout and
// stderr out, a deadline, whole-tree kill, exit code or signal, CPU time.
#pragma once
#include "clock.hpp"
#include "fd.hpp"
#include "syscalls.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcg {

// The resource limits of a student's process; every one is also its hard
// limit. Generous for the labs, small enough that a fork bomb, a memory hog
// or a disk filler stops at the limit instead of hurting the machine.
struct StudentLimits {
  rlim_t processes = 256;               // RLIMIT_NPROC: processes of the student's uid
  rlim_t address_space = 4ull << 30;    // RLIMIT_AS
  rlim_t data = 1ull << 30;             // RLIMIT_DATA: heap and private mappings
  rlim_t file_size = 256ull << 20;      // RLIMIT_FSIZE: any one file (also ftruncate)
  rlim_t open_files = 1024;             // RLIMIT_NOFILE
  rlim_t cpu_seconds = 120;             // RLIMIT_CPU: a backstop; deadlines come first
};

// What to start and how. The child gets a clean environment (LC_ALL=C, so
// strerror texts are the English ones the handouts quote).
struct Spawn {
  std::string path;               // the program to exec
  std::vector<std::string> argv;  // argv[0] included
  std::string stdin_data;         // written to stdin, which is then closed
  bool keep_stdin_open = false;   // leave stdin open for write_stdin() handshakes
  std::string cwd = "/";          // working directory
  std::optional<uid_t> uid;       // drop to this uid/gid before exec
  std::optional<gid_t> gid;
  size_t output_cap = 64 * 1024;  // bytes kept of stdout and of stderr each
  std::optional<int> cpu;         // pin to this CPU (modulo the CPUs allowed), to spread
                                  // racing processes over every core
  std::optional<StudentLimits> limits;  // resource limits (hard = soft)
  std::vector<std::string> hidden;      // folders it must not read (Landlock: hiding_ruleset)
  std::vector<std::string> granted;     // ... and mqueue mounts it may (the same)
  bool record_syscalls = false;  // record its IPC system calls (syscalls.hpp), where the
                                 // kernel allows it and IPCGRADE_SYSCALLS is not "off"
  SyscallLog::Pred hold;         // with the record: hold the calls it matches from the
                                 // first instruction on (SyscallLog::hold)
};

// Whether other users may not search "/" (a chroot made from a folder of
// mode 0700): then no process of another uid can run anything, and the
// grader, as root, refuses to grade (see grader/main.cpp).
bool closed_root();

// Whether `sig` means the program crashed (SIGSEGV, SIGBUS, SIGFPE, SIGABRT, ...).
bool crash_signal(int sig);

// What became of a process, once it has been reaped.
struct Outcome {
  bool exited = false;       // exited normally (then `code` is valid)
  int code = -1;             // exit status
  int signal = 0;            // terminating signal, 0 if none
  bool timed_out = false;    // the grader killed it at its deadline
  std::string doing;         // when timed out: what it was doing then (observe.hpp)
  bool exec_failed = false;  // could not even start; `err` says why
  std::string out, err;      // captured output, capped
  bool out_truncated = false, err_truncated = false;
  double cpu_ms = 0;   // user + system CPU time
  double wall_ms = 0;  // from start to reaped

  // One phrase: "exited with 0", "killed by SIGSEGV", "timed out after 2.0 s".
  std::string describe() const;
};

// How many processes this process has killed with kill_tree() while they
// still ran (the grader cutting a student short), since it started.
int processes_cut_short();

// "SIGSEGV" for 11; "signal 77" for what has no name.
std::string signal_name(int sig);

// The signals that stop a grading run or a batch: SIGINT, SIGTERM, SIGHUP.
sigset_t stop_signal_set();

// Block the stop signals and return a signalfd (non-blocking) that reports
// them instead, so that a stop is handled where the grader chooses.
Fd stop_signal_fd();

// Whether one of the stop signals is waiting (blocked and pending).
bool stop_pending();

// A running (or finished) child. Move-only; destroying it kills its whole
// process group and reaps it.
class Process {
 public:
  static Process start(const Spawn &spec);
  Process(Process &&) noexcept;
  Process &operator=(Process &&) noexcept;
  Process(const Process &) = delete;
  Process &operator=(const Process &) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  bool done() const { return done_; }
  const Outcome &outcome() const { return out_; }
  // When it was started (Outcome::wall_ms counts from here).
  Clock::time_point started() const { return started_; }
  // The stdout captured so far.
  const std::string &stdout_so_far() const { return out_.out; }
  // The record of its (and its descendants') IPC system calls; null when it
  // was not asked for or seccomp user notification is not available here.
  const SyscallLog *syscalls() const { return syscalls_.get(); }
  SyscallLog *syscalls() { return syscalls_.get(); }

  // Move output from the pipes and reap the process if it ended, waiting at
  // most until `until`. Returns true once the process has been reaped.
  bool pump(Deadline until);
  // Wait for the process to end; at `until` kill its tree and mark it timed out.
  const Outcome &wait(Deadline until);
  // Note what it is doing, kill it and mark it timed out (it ran out of time).
  void kill_at_deadline();
  // Kill the process group and the process (SIGKILL), then reap it.
  void kill_tree();
  // Queue bytes for the child's stdin (when started with keep_stdin_open).
  void write_stdin(std::string_view s);
  // Close the child's stdin once what is queued has been written.
  void close_stdin();
  // Call `f` with the outcome when this Process goes away, however it ended.
  void on_end(std::function<void(const Outcome &)> f) { on_end_ = std::move(f); }

  // Pump several processes at once until all have ended or `until` passes.
  // Returns true when all have ended.
  // With `once`, return after the first round that moved any output.
  static bool pump_all(std::span<Process *> ps, Deadline until, bool once = false);
  // Wait for the next output or the end of the process, at most until `until`.
  void pump_once(Deadline until);

 private:
  Process() = default;
  void read_ready(int which);
  void reap(bool block);
  // A child that never reached execve: killed, and reported as not started.
  void never_started();
  void feed_stdin();
  void close_all();

  pid_t pid_ = -1;
  Fd pidfd_, out_fd_, err_fd_, in_fd_;
  std::string pending_in_;
  bool done_ = false;
  bool keep_in_ = false;
  Clock::time_point started_{};
  size_t cap_ = 0;
  Outcome out_;
  std::function<void(const Outcome &)> on_end_;
  std::shared_ptr<SyscallLog> syscalls_;
};

}  // namespace ipcg
