// process.cpp: starting, feeding, draining, timing out and reaping a student process.
#include "process.hpp"

#include "confine.hpp"
#include "observe.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <cstring>

namespace ipcg {

Pipe Pipe::make() {
  int fds[2];
  check(::pipe2(fds, O_CLOEXEC), "pipe2");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

std::string signal_name(int sig) {
  const char *abbrev = sigabbrev_np(sig);
  if (abbrev) return std::string("SIG") + abbrev;
  return fmt::format("signal {}", sig);
}

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  return set;
}

Fd stop_signal_fd() {
  sigset_t set = stop_signal_set();
  check(sigprocmask(SIG_BLOCK, &set, nullptr), "sigprocmask");
  return Fd(check(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd"));
}

bool stop_pending() {
  sigset_t pending, stop = stop_signal_set();
  if (sigpending(&pending) < 0) return false;
  for (int sig : {SIGINT, SIGTERM, SIGHUP})
    if (sigismember(&pending, sig) && sigismember(&stop, sig)) return true;
  return false;
}

std::string Outcome::describe() const {
  if (exec_failed) return "could not be started (" + err + ")";
  if (timed_out)
    return fmt::format("did not finish: killed after {:.1f} s: {}", wall_ms / 1000,
                       doing.empty() ? "no progress" : doing);
  if (crash_signal(signal)) return "crashed with " + signal_name(signal);
  if (signal) return "was killed by " + signal_name(signal);
  return fmt::format("exited with {}", code);
}

bool closed_root() {
  struct stat root {};
  return stat("/", &root) == 0 && !(root.st_mode & S_IXOTH);
}

bool crash_signal(int sig) {
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGTRAP})
    if (sig == s) return true;
  return false;
}

namespace {

// In the child: make stdio the given pipe ends; mark every other descriptor close-on-exec.
void child_stdio(int in, int out, int err) {
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

// In the child: signals as a fresh process expects them, and no core files.
void child_signals() {
  for (int s = 1; s < NSIG; ++s) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  rlimit zero{0, 0};
  setrlimit(RLIMIT_CORE, &zero);
}

// In the child: report why exec (or a step before it) failed, then exit.
// Allocates nothing: after the limits, a sanitized grader cannot map memory.
[[noreturn]] void child_fail(int errpipe, const char *what) {
  const char *why = strerror(errno);
  iovec parts[3]{{const_cast<char *>(what), strlen(what)},
                 {const_cast<char *>(": "), 2},
                 {const_cast<char *>(why), strlen(why)}};
  ssize_t n = writev(errpipe, parts, 3);
  (void)n;
  _exit(127);
}

// In the child: the student's limits (see StudentLimits), each with its hard
// limit lowered to its soft one, so that no program can raise them again.
// Limits not named keep their soft value, which becomes the hard one too.
void child_limits(const StudentLimits &l, int errpipe) {
  auto set = [&](int resource, rlim_t value) {
    rlimit r{};
    if (getrlimit(resource, &r) < 0) child_fail(errpipe, "getrlimit");
    if (value != RLIM_INFINITY && (r.rlim_cur == RLIM_INFINITY || value < r.rlim_cur))
      r.rlim_cur = value;
    r.rlim_max = r.rlim_cur;
    if (setrlimit(resource, &r) < 0) child_fail(errpipe, "setrlimit");
  };
  set(RLIMIT_NPROC, l.processes);
  set(RLIMIT_AS, l.address_space);
  set(RLIMIT_DATA, l.data);
  set(RLIMIT_FSIZE, l.file_size);
  set(RLIMIT_NOFILE, l.open_files);
  set(RLIMIT_CPU, l.cpu_seconds);
  for (int r : {RLIMIT_STACK, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_SIGPENDING, RLIMIT_LOCKS,
                RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_CORE})
    set(r, RLIM_INFINITY);
}

// In the child: run only on the n-th CPU this process may use (counting round).
void pin_to_cpu(int n, int errpipe) {
  cpu_set_t allowed, one;
  if (sched_getaffinity(0, sizeof allowed, &allowed) < 0) child_fail(errpipe, "sched_getaffinity");
  int count = CPU_COUNT(&allowed);
  if (count <= 1) return;
  for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed) || seen++ != n % count) continue;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) < 0) child_fail(errpipe, "sched_setaffinity");
    return;
  }
}

// What execve needs, built before fork: the child allocates nothing after its
// limits (an AddressSanitizer grader's child could not: RLIMIT_AS is below its
// shadow memory).
struct ExecArgs {
  std::vector<std::string> env;
  std::vector<char *> argv, envp;

  // The argument and environment arrays for spec.
  explicit ExecArgs(const Spawn &spec)
      : env{"PATH=/usr/bin:/bin", "LC_ALL=C",
            // Temporary files go to the working folder too: it is the program's own,
            // and the one place that stays readable when grader folders are hidden.
            "HOME=" + spec.cwd, "TMPDIR=" + spec.cwd} {
    for (auto &a : spec.argv) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    for (auto &e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

// In the child: everything between fork and exec.
[[noreturn]] void child_exec(const Spawn &spec, ExecArgs &args, int in, int out, int err,
                             int errpipe, pid_t parent, int recsock, int ruleset) {
  setsid();  // its own session and process group: no terminal of the grader's
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // getppid() is 0 when the parent sits outside our PID namespace.
  if (getppid() != parent && getppid() != 0) _exit(127);
  child_stdio(in, out, err);
  child_signals();
  umask(022);
  if (chdir(spec.cwd.c_str()) < 0) child_fail(errpipe, "chdir");
  if (spec.cpu) pin_to_cpu(*spec.cpu, errpipe);
  if (const char *call = enter_ruleset(ruleset)) child_fail(errpipe, call);
  // No capability survives exec unless granted below: a grader run as a user
  // with ambient capabilities (podman's --cap-add with --user) must not pass
  // them on, or a student's open of a read-only file would succeed.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    child_fail(errpipe, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  if (spec.uid) {
    if (setgroups(0, nullptr) < 0) child_fail(errpipe, "setgroups");
    if (setgid(spec.gid.value_or(*spec.uid)) < 0) child_fail(errpipe, "setgid");
    if (setuid(*spec.uid) < 0) child_fail(errpipe, "setuid");
  }
  // After setuid: RLIMIT_NPROC counts the processes of the uid it limits.
  if (spec.limits) child_limits(*spec.limits, errpipe);
  // No set-user-ID bit or file capability can raise it: in a user namespace
  // (where the grader holds every capability) it keeps none after exec.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail(errpipe, "prctl(PR_SET_NO_NEW_PRIVS)");
  // Last: from here on the calls the filter traps wait for the grader's recorder.
  if (recsock >= 0) {
    int listener = SyscallFilter::standard().install();
    if (listener >= 0) send_fd(recsock, listener), close(listener);
    close(recsock);  // no listener sent: the grader records nothing
  }
  execve(spec.path.c_str(), args.argv.data(), args.envp.data());
  child_fail(errpipe, "execve");
}

// Make fd non-blocking.
void set_nonblocking(int fd) {
  int fl = check(fcntl(fd, F_GETFL), "fcntl");
  check(fcntl(fd, F_SETFL, fl | O_NONBLOCK), "fcntl");
}

// Whether fd turns readable (data, end of file or a hang-up) before `until`.
bool readable_by(int fd, Deadline until) {
  pollfd pfd{fd, POLLIN, 0};
  for (;;) {
    int n = poll(&pfd, 1, ms_left(until));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) throw_errno("poll");
  }
}

// The longest a child may take between fork and execve: microseconds when
// all is well; the bound keeps a grader bug from hanging the check for ever.
constexpr auto exec_bound = std::chrono::seconds(20);

}  // namespace

Process Process::start(const Spawn &spec) {
  Pipe in = Pipe::make(), out = Pipe::make(), err = Pipe::make(), ex = Pipe::make();
  pid_t parent = getpid();
  ExecArgs args(spec);
  Fd ruleset = hiding_ruleset(spec.hidden, spec.granted);
  Fd rec_mine, rec_theirs;  // the socket the child sends its seccomp listener over
  if (spec.record_syscalls && syscall_record_enabled()) {
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
    rec_mine.reset(sv[0]), rec_theirs.reset(sv[1]);
    (void)SyscallFilter::standard();  // built before fork: the child allocates nothing
  }
  Process p;
  p.started_ = Clock::now();
  p.pid_ = check(fork(), "fork");
  if (p.pid_ == 0)
    child_exec(spec, args, in.read.get(), out.write.get(), err.write.get(), ex.write.get(), parent,
               rec_theirs ? rec_theirs.get() : -1, ruleset ? ruleset.get() : -1);
  ruleset.reset();
  Deadline exec_by = p.started_ + exec_bound;
  if (rec_theirs) {
    rec_theirs.reset();
    if (!readable_by(rec_mine.get(), exec_by)) {
      p.never_started();
      return p;
    }
    if (Fd listener = receive_fd(rec_mine.get()))
      p.syscalls_ = record_syscalls(std::move(listener), spec.uid, spec.hold);
  }
  ex.write.reset();
  in.read.reset(), out.write.reset(), err.write.reset();
  p.cap_ = spec.output_cap;
  p.pidfd_ = Fd(open_pidfd(p.pid_));
  if (!readable_by(ex.read.get(), exec_by)) {
    p.never_started();
    return p;
  }
  std::string why(256, '\0');
  ssize_t n = read(ex.read.get(), why.data(), why.size());
  if (n > 0) {
    p.reap(true);
    p.out_.exec_failed = true;
    p.out_.err = why.substr(0, static_cast<size_t>(n));
    return p;
  }
  p.out_fd_ = std::move(out.read);
  p.err_fd_ = std::move(err.read);
  set_nonblocking(p.out_fd_.get());
  set_nonblocking(p.err_fd_.get());
  p.pending_in_ = spec.stdin_data;
  p.keep_in_ = spec.keep_stdin_open;
  p.in_fd_ = std::move(in.write);
  set_nonblocking(p.in_fd_.get());
  if (p.pending_in_.empty() && !spec.keep_stdin_open) p.in_fd_.reset();
  return p;
}

// A child that never reached execve: killed, and reported as not started.
void Process::never_started() {
  kill_tree();
  out_.timed_out = false;
  out_.exec_failed = true;
  out_.err = fmt::format(
      "the grader's child did not reach execve in {} s: a bug in the grader, "
      "please report it",
      exec_bound.count());
}

Process::Process(Process &&o) noexcept { *this = std::move(o); }

Process &Process::operator=(Process &&o) noexcept {
  if (this == &o) return *this;
  if (!done_ && pid_ > 0) kill_tree();
  pid_ = std::exchange(o.pid_, -1);
  pidfd_ = std::move(o.pidfd_);
  out_fd_ = std::move(o.out_fd_);
  err_fd_ = std::move(o.err_fd_);
  in_fd_ = std::move(o.in_fd_);
  pending_in_ = std::move(o.pending_in_);
  done_ = std::exchange(o.done_, true);
  keep_in_ = o.keep_in_;
  started_ = o.started_;
  cap_ = o.cap_;
  out_ = std::move(o.out_);
  on_end_ = std::move(o.on_end_);
  o.on_end_ = nullptr;
  syscalls_ = std::move(o.syscalls_);
  return *this;
}

Process::~Process() {
  bool ended = done_;
  if (!done_ && pid_ > 0) kill_tree();
  if (on_end_ && pid_ > 0 && ended) on_end_(out_);
}

// Move what is readable on stdout (which 1) or stderr (which 2) into the outcome.
void Process::read_ready(int which) {
  Fd &fd = which == 1 ? out_fd_ : err_fd_;
  std::string &dst = which == 1 ? out_.out : out_.err;
  bool &trunc = which == 1 ? out_.out_truncated : out_.err_truncated;
  char buf[65536];
  for (int round = 0; round < 16; ++round) {  // at most 1 MiB a call: deadlines still count
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0 || errno != EAGAIN) fd.reset();
      return;
    }
    size_t room = dst.size() < cap_ ? cap_ - dst.size() : 0;
    size_t keep = std::min(room, static_cast<size_t>(n));
    dst.append(buf, keep);
    if (keep < static_cast<size_t>(n)) trunc = true;
  }
}

// Collect the exit status and CPU time; block only if `block`.
void Process::reap(bool block) {
  int status = 0;
  rusage ru{};
  pid_t r;
  do r = wait4(pid_, &status, block ? 0 : WNOHANG, &ru);
  while (r < 0 && errno == EINTR);
  if (r == 0) return;
  done_ = true;
  out_.wall_ms = seconds_since(started_) * 1000;
  if (r < 0) return;  // already reaped elsewhere: nothing more to learn
  out_.exited = WIFEXITED(status);
  out_.code = out_.exited ? WEXITSTATUS(status) : -1;
  out_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  auto ms = [](timeval t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  out_.cpu_ms = ms(ru.ru_utime) + ms(ru.ru_stime);
}

// After the process ended: take what the pipes still hold, then let them go
// (a daemonised grandchild may keep them open for ever).
void Process::close_all() {
  if (out_fd_) read_ready(1);
  if (err_fd_) read_ready(2);
  out_fd_.reset(), err_fd_.reset(), in_fd_.reset(), pidfd_.reset();
}

bool Process::pump(Deadline until) {
  Process *self = this;
  return pump_all(std::span<Process *>(&self, 1), until);
}

void Process::pump_once(Deadline until) {
  Process *self = this;
  pump_all(std::span<Process *>(&self, 1), until, true);
}

bool Process::pump_all(std::span<Process *> ps, Deadline until, bool once) {
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::pair<Process *, int>> who;
    auto add = [&](Process *p, Fd &fd, short ev, int which) {
      if (fd) fds.push_back({fd.get(), ev, 0}), who.push_back({p, which});
    };
    for (Process *p : ps) {
      if (p->done_) continue;
      add(p, p->out_fd_, POLLIN, 1);
      add(p, p->err_fd_, POLLIN, 2);
      if (!p->pending_in_.empty()) add(p, p->in_fd_, POLLOUT, 0);
      add(p, p->pidfd_, POLLIN, 3);
    }
    if (fds.empty()) return true;
    int n = poll(fds.data(), fds.size(), ms_left(until));
    if (n < 0 && errno != EINTR) throw_errno("poll");
    for (size_t i = 0; n > 0 && i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto [p, which] = who[i];
      if (which == 1 || which == 2) p->read_ready(which);
      if (which == 0) p->feed_stdin();
      if (which == 3) p->reap(false);
      if (p->done_) p->close_all();
    }
    if (once && n > 0) return false;
    if (Clock::now() >= until) {
      for (Process *p : ps)
        if (!p->done_) return false;
      return true;
    }
  }
}

// Write what is queued for the child's stdin, as much as the pipe takes now.
void Process::feed_stdin() {
  ssize_t n = write(in_fd_.get(), pending_in_.data(), pending_in_.size());
  if (n < 0 && errno == EAGAIN) return;
  if (n < 0)
    pending_in_.clear();  // EPIPE: the child closed its stdin
  else
    pending_in_.erase(0, static_cast<size_t>(n));
  if (pending_in_.empty() && !keep_in_) in_fd_.reset();
}

void Process::write_stdin(std::string_view s) {
  if (!in_fd_) return;
  pending_in_ += s;
  feed_stdin();
}

void Process::close_stdin() {
  keep_in_ = false;
  if (pending_in_.empty()) in_fd_.reset();
}

const Outcome &Process::wait(Deadline until) {
  if (!pump(until)) kill_at_deadline();
  return out_;
}

void Process::kill_at_deadline() {
  if (done_) return;
  out_.doing = what_it_does(pid_);
  kill_tree();
  out_.timed_out = true;
}

namespace {
int cut_short = 0;  // see processes_cut_short()
}  // namespace

int processes_cut_short() { return cut_short; }

void Process::kill_tree() {
  if (done_ || pid_ <= 0) return;
  ++cut_short;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  reap(true);
  close_all();
}

}  // namespace ipcg
