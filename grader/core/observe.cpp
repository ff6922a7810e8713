// observe.cpp: parsing /proc/PID/{syscall,task/*/stat,task/*/schedstat}.
#include "observe.hpp"

#include "access.hpp"
#include "clock.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace ipcg {
namespace fs = std::filesystem;

// The kernel refused the grader /proc/PID/<file>. Where the grader's missing
// CAP_SYS_PTRACE is why (acting as the owner did not help), say so: throw
// Unobservable. A process that is gone or exiting, or made itself not
// dumpable (its /proc files then belong to root), is not: return.
static void refused(pid_t pid, const std::string &file, const std::string &what) {
  if (has_capability(CAP_SYS_PTRACE)) return;
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  struct stat st {};
  auto owner = process_owner(pid);
  if (!owner || stat(path.c_str(), &st) != 0 || st.st_uid != owner->first) return;
  char state = process_state(pid);
  if (state == 'Z' || state == 'X' || state == '?') return;
  throw Unobservable{what + " (" + path + ")", "CAP_SYS_PTRACE"};
}

// Run `attempt` (it returns the errno of its reading, 0 when it worked) as
// the process's reader (see reader_of), and again for up to a second while
// the kernel refuses: a process is refused for a moment while it execs (it
// is not dumpable until exec has set up its new image). Returns the last errno.
static int as_reader(pid_t pid, const std::function<int()> &attempt) {
  Deadline until = Clock::now() + std::chrono::seconds(1);
  for (Millis pause{1};; pause = std::min(pause * 2, Millis(20))) {
    int err = 0;
    {
      auto as = reader_of(pid);
      err = attempt();
    }
    if ((err != EACCES && err != EPERM) || Clock::now() >= until) return err;
    char state = process_state(pid);  // one that is exiting stays refused: gone
    if (state == 'Z' || state == 'X' || state == '?') return err;
    std::this_thread::sleep_for(pause);
  }
}

// The whole text of /proc/PID/<file>, read as someone the kernel lets read
// it (see reader_of); nullopt if the process is gone. `what` names it for
// refused().
static std::optional<std::string> proc_text(pid_t pid, const std::string &file,
                                            const std::string &what) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  std::string text;
  int err = as_reader(pid, [&] {
    text.clear();
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[8192];
    int e = 0;
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        e = errno;
        break;
      }
      text.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return e;
  });
  if (err == EACCES || err == EPERM) refused(pid, file, what);
  if (err != 0) return std::nullopt;
  return text;
}

// /proc/PID/syscall, the system call the process is blocked in and its arguments.
static std::optional<std::string> syscall_text(pid_t pid) {
  return proc_text(pid, "syscall", "the system call pid " + std::to_string(pid) + " is blocked in");
}

std::optional<long> blocked_syscall(pid_t pid) {
  auto text = syscall_text(pid);
  if (!text) return std::nullopt;
  std::istringstream f(*text);
  std::string first;
  if (!(f >> first)) return std::nullopt;
  if (first == "running") return -1;
  // Waiting for the system-call recorder (syscalls.hpp) to let the call go
  // on is not blocking in it: the call has not started yet.
  // Nor is being woken from that wait and not yet on a CPU (state R).
  // (wchan as the process's owner: without CAP_SYS_PTRACE root reads "0".)
  std::istringstream w(proc_text(pid, "wchan", "where pid " + std::to_string(pid) + " sleeps")
                           .value_or(""));
  std::string wchan;
  if (w >> wchan && wchan.starts_with("seccomp_")) return -1;
  if (process_state(pid) == 'R') return -1;
  try {
    return std::stol(first);
  } catch (const std::exception &) {
    return -1;
  }
}

static char task_state(const fs::path &stat);

std::vector<long> blocked_syscalls(pid_t pid) {
  std::vector<long> calls;
  auto as = reader_of(pid);  // another uid's /proc files, without CAP_SYS_PTRACE
  std::error_code ec;
  fs::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return calls;
  for (const auto &task : it) {
    std::ifstream f(task.path() / "syscall");
    std::string first;
    if (!(f >> first)) continue;  // the thread has just ended
    // As blocked_syscall(): a thread waiting for the system-call recorder, or
    // woken and not yet on a CPU, is not blocked in its call.
    std::ifstream w(task.path() / "wchan");
    std::string wchan;
    if ((w >> wchan && wchan.starts_with("seccomp_")) || task_state(task.path() / "stat") == 'R') {
      calls.push_back(-1);
      continue;
    }
    try {
      calls.push_back(first == "running" ? -1 : std::stol(first));
    } catch (const std::exception &) {
      calls.push_back(-1);
    }
  }
  return calls;
}

bool is_write_call(long nr) {
  static const long writes[] = {SYS_write,   SYS_writev, SYS_pwrite64, SYS_pwritev,
                                SYS_pwritev2, SYS_sendto, SYS_sendmsg,  SYS_sendmmsg,
                                SYS_sendfile, SYS_splice, SYS_vmsplice};
  for (long w : writes)
    if (w == nr) return true;
  return false;
}

// The name of a system call a student's process may block in, or its number.
static std::string syscall_name(long nr) {
  static const std::pair<long, const char *> names[] = {{SYS_read, "read"},
                                                        {SYS_write, "write"},
                                                        {SYS_readv, "readv"},
                                                        {SYS_writev, "writev"},
                                                        {SYS_pread64, "pread64"},
                                                        {SYS_pwrite64, "pwrite64"},
                                                        {SYS_preadv, "preadv"},
                                                        {SYS_pwritev, "pwritev"},
                                                        {SYS_preadv2, "preadv2"},
                                                        {SYS_pwritev2, "pwritev2"},
                                                        {SYS_sendto, "sendto"},
                                                        {SYS_sendmsg, "sendmsg"},
                                                        {SYS_sendmmsg, "sendmmsg"},
                                                        {SYS_recvfrom, "recvfrom"},
                                                        {SYS_recvmsg, "recvmsg"},
                                                        {SYS_sendfile, "sendfile"},
                                                        {SYS_splice, "splice"},
                                                        {SYS_vmsplice, "vmsplice"},
                                                        {SYS_futex, "futex (a semaphore or lock)"},
                                                        {SYS_mq_timedreceive, "mq_timedreceive"},
                                                        {SYS_mq_timedsend, "mq_timedsend"},
                                                        {SYS_msgrcv, "msgrcv"},
                                                        {SYS_msgsnd, "msgsnd"},
                                                        {SYS_semop, "semop"},
                                                        {SYS_semtimedop, "semtimedop"},
                                                        {SYS_pause, "pause"},
                                                        {SYS_rt_sigsuspend, "sigsuspend"},
                                                        {SYS_rt_sigtimedwait, "sigtimedwait"},
                                                        {SYS_nanosleep, "nanosleep"},
                                                        {SYS_clock_nanosleep, "clock_nanosleep"},
                                                        {SYS_wait4, "wait4"},
                                                        {SYS_waitid, "waitid"},
                                                        {SYS_epoll_wait, "epoll_wait"},
                                                        {SYS_epoll_pwait, "epoll_pwait"},
                                                        {SYS_poll, "poll"},
                                                        {SYS_ppoll, "ppoll"},
                                                        {SYS_select, "select"},
                                                        {SYS_pselect6, "pselect6"},
                                                        {SYS_openat, "openat"}};
  for (auto [n, name] : names)
    if (n == nr) return name;
  return "system call " + std::to_string(nr);
}

// The first argument of the system call the process is blocked in.
static std::optional<unsigned long> syscall_arg1(pid_t pid) {
  auto text = syscall_text(pid);
  if (!text) return std::nullopt;
  std::istringstream f(*text);
  std::string nr, arg1;
  if (!(f >> nr >> arg1) || nr == "running") return std::nullopt;
  try {
    return std::stoul(arg1, nullptr, 16);
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

std::optional<FutexWait> futex_wait_of(pid_t pid) {
  if (blocked_syscall(pid) != SYS_futex) return std::nullopt;
  auto addr = syscall_arg1(pid);
  if (!addr) return std::nullopt;
  return mapped_at(pid, *addr);
}

FutexWait mapped_at(pid_t pid, unsigned long addr) {
  for (const auto &m : mappings_of(pid))
    if (addr >= m.start && addr < m.end) return FutexWait{m.path, addr - m.start + m.offset, m.inode};
  return FutexWait{"", addr};
}

// "on /dev/shm/sem.ring-empty" or "on /dev/shm/ring, offset 48" for a futex wait.
static std::string futex_target(pid_t pid) {
  auto w = futex_wait_of(pid);
  if (!w || w->path.empty() || w->path.starts_with("[")) return "";
  if (w->offset == 0) return " on " + w->path;
  return " on " + w->path + ", offset " + std::to_string(w->offset);
}

// what_it_does() itself, which may find /proc refused (Unobservable).
static std::string doing(pid_t pid);

std::string what_it_does(pid_t pid) {
  // Only ever part of a verdict: a refusal is said, never a reason not to charge.
  try {
    return doing(pid);
  } catch (const Unobservable &u) {
    return "not visible to the grader (missing " + u.missing + ")";
  }
}

static std::string doing(pid_t pid) {
  char state = process_state(pid);
  if (state == 'T') return "stopped (SIGSTOP or another stop signal)";
  if (state == 't') return "stopped by a debugger";
  auto nr = blocked_syscall(pid);
  if (!nr) return "";
  if (*nr < 0) return "running on a CPU";
  std::istringstream f(proc_text(pid, "wchan", "where pid " + std::to_string(pid) + " sleeps")
                           .value_or(""));
  std::string wchan;
  f >> wchan;
  std::string s = "blocked in " + syscall_name(*nr);
  if (*nr == SYS_futex) s += futex_target(pid);
  if (!wchan.empty() && wchan != "0") s += " (wchan " + wchan + ")";
  return s;
}

bool signal_pending(pid_t pid, int sig) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  unsigned long long bit = 1ULL << (sig - 1);
  for (std::string line; std::getline(f, line);) {
    if (!line.starts_with("SigPnd:") && !line.starts_with("ShdPnd:")) continue;
    if (std::stoull(line.substr(7), nullptr, 16) & bit) return true;
  }
  return false;
}

// The state letter of one task, from its stat line (after the ")" of comm).
static char task_state(const fs::path &stat) {
  std::ifstream f(stat);
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return '?';
  return line[close + 2];
}

char process_state(pid_t pid) { return task_state("/proc/" + std::to_string(pid) + "/stat"); }

bool all_threads_asleep(pid_t pid) {
  auto as = reader_of(pid);  // wchan of another uid, without CAP_SYS_PTRACE
  std::error_code ec;
  fs::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return false;
  bool any = false;
  for (const auto &task : it) {
    char s = task_state(task.path() / "stat");
    if (s != 'S' && s != 'D') return false;
    // Waiting for the system-call recorder (syscalls.hpp) to let a call go
    // on is the grader's doing, not the program's sleep.
    std::ifstream w(task.path() / "wchan");
    std::string wchan;
    if (w >> wchan && wchan.starts_with("seccomp_")) return false;
    any = true;
  }
  return any;
}

double cpu_ms_so_far(pid_t pid) {
  std::error_code ec;
  double ns = 0;
  fs::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return 0;
  for (const auto &task : it) {
    std::ifstream f(task.path() / "schedstat");
    double run = 0;
    if (f >> run) ns += run;
  }
  return ns / 1e6;
}

std::vector<Mapping> mappings_of(pid_t pid) {
  std::istringstream f(
      proc_text(pid, "maps", "the mappings of pid " + std::to_string(pid)).value_or(""));
  std::vector<Mapping> maps;
  for (std::string line; std::getline(f, line);) {
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode;
    std::getline(in >> std::ws, path);
    auto dash = range.find('-');
    maps.push_back({std::stoul(range, nullptr, 16), perms, path,
                    std::stoul(range.substr(dash + 1), nullptr, 16),
                    std::stoul(offset, nullptr, 16), std::stoul(inode)});
  }
  return maps;
}

std::string read_memory(pid_t pid, unsigned long at, size_t n) {
  std::string path = "/proc/" + std::to_string(pid) + "/mem";
  std::string buf(n, '\0');
  ssize_t got = -1;
  int err = as_reader(pid, [&] {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    got = pread(fd, buf.data(), n, static_cast<off_t>(at));
    close(fd);
    return 0;
  });
  if (err == EACCES || err == EPERM)
    refused(pid, "mem", "the memory of pid " + std::to_string(pid));
  buf.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return buf;
}

std::vector<std::string> open_files_of(pid_t pid) {
  std::vector<std::string> files;
  int err = as_reader(pid, [&] {
    files.clear();
    std::error_code ec, list;
    for (const auto &e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", list)) {
      auto target = fs::read_symlink(e.path(), ec);
      if (!ec) files.push_back(target.string());
      if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted) list = ec;
    }
    return list.value();
  });
  if (err == EACCES || err == EPERM)
    refused(pid, "fd", "the descriptors of pid " + std::to_string(pid));
  return files;
}

std::optional<pid_t> own_pid_of(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream in(line.substr(6));
    pid_t last = 0;
    for (pid_t p; in >> p;) last = p;
    return last;
  }
  return std::nullopt;
}

}  // namespace ipcg
