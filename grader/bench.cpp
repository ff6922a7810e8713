// ipcgrade-bench: the grader's overhead per student process, measured.
//
// usage: ipcgrade-bench [ROUNDS]
//
// Three figures, each the median of ROUNDS runs (default 200), in ms:
//   bare     fork, then fork+exec+wait /bin/true from the forked child (the floor)
//   spawn    Process::start + wait of /bin/true inside an existing sandbox
//   record   the same with its system calls recorded (Spawn::record_syscalls,
//            core/syscalls.hpp): what the record adds is record - spawn
//   full     a check's whole life around one process: fork the check process,
//            enter a fresh sandbox (namespaces, mounts, PID-namespace init), spawn
//            /bin/true as the student, wait, kill the sandbox, sweep it, exit
#include "core/process.hpp"
#include "core/sandbox.hpp"
#include "core/syscalls.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <vector>

using namespace ipcg;

namespace {

// Median of a set of samples, in milliseconds.
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Time one call of fn in milliseconds.
template <class F>
double time_ms(F fn) {
  auto t = Clock::now();
  fn();
  return seconds_since(t) * 1000;
}

// Fork a child that runs fn and exits with its result; wait for it.
template <class F>
void in_child(F fn) {
  pid_t pid = check(fork(), "fork");
  if (pid == 0) _exit(fn());
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("child failed");
}

// /bin/true through the grader's harness, as `uid` when given.
int spawn_true(std::optional<uid_t> uid, const std::string &cwd, bool record = false) {
  Spawn s;
  s.record_syscalls = record;
  s.path = "/bin/true";
  s.argv = {"true"};
  s.cwd = cwd;
  s.uid = uid;
  Process p = Process::start(s);
  const Outcome &o = p.wait(Clock::now() + std::chrono::seconds(10));
  return o.exited && o.code == 0 ? 0 : 1;
}

// The floor: a plain fork+execv+waitpid of /bin/true.
int bare_true() {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/true", "true", nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char **argv) {
  int rounds = argc > 1 ? std::max(1, atoi(argv[1])) : 200;
  Isolation iso = probe_isolation();
  std::optional<uid_t> uid =
      iso == Isolation::root_namespaces ? std::optional<uid_t>(3999999) : std::nullopt;
  std::vector<double> bare, spawn, full;
  for (int i = 0; i < rounds; ++i)
    bare.push_back(time_ms([] { in_child([] { return bare_true(); }); }));
  in_child([&] {
    Sandbox sb(iso, uid, "bench");
    std::vector<double> v;
    for (int i = 0; i < rounds; ++i)
      v.push_back(time_ms([&] { spawn_true(sb.student_uid(), sb.workdir()); }));
    fmt::print("spawn {:.3f}\n", median(v));
    std::vector<double> r;
    for (int i = 0; i < rounds; ++i)
      r.push_back(time_ms([&] { spawn_true(sb.student_uid(), sb.workdir(), true); }));
    fmt::print("record {:.3f}\nrecorded {}\n", median(r), syscall_record_enabled() ? "yes" : "no");
    std::fflush(stdout);
    return 0;
  });
  for (int i = 0; i < rounds; ++i)
    full.push_back(time_ms([&] {
      in_child([&] {
        Sandbox sb(iso, uid, fmt::format("bench{}", i));
        int r = spawn_true(sb.student_uid(), sb.workdir());
        sb.end_processes();
        sb.sweep();
        return r;
      });
    }));
  fmt::print("bare {:.3f}\nfull {:.3f}\nisolation {}\nrounds {}\n", median(bare), median(full),
             describe(iso), rounds);
  return 0;
}
