// process_test.cpp: the process harness (grader/core/process.hpp): deadlines,
// whole-tree kills, capped and exact output, stdin, exec failures, exit
// statuses, CPU time and pump_all. Children are /bin/sh and coreutils.
#include "../core/process.hpp"
#include "../core/submission.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <array>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

using namespace ipcg;
using namespace std::chrono_literals;

namespace {

// A Spawn of `/bin/sh -c script`.
Spawn sh(std::string script) {
  Spawn s;
  s.path = "/bin/sh";
  s.argv = {"sh", "-c", std::move(script)};
  return s;
}

// A Spawn of the program at `path` with these arguments (argv[0] is the path).
Spawn program(std::string path, std::vector<std::string> args = {}) {
  Spawn s;
  s.path = path;
  s.argv = {std::move(path)};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  return s;
}

// Pump `p` until `ready` holds or `limit` passes; returns whether it held.
bool pump_until(Process &p, const std::function<bool()> &ready, Millis limit) {
  Deadline end = Clock::now() + limit;
  while (!ready()) {
    if (Clock::now() >= end) return false;
    p.pump(std::min(end, Clock::now() + 5ms));
  }
  return true;
}

// While alive, this process is a child subreaper: orphans of its children's
// trees are reparented to it, so a test can reap and inspect them.
struct Subreaper {
  Subreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1); }
  ~Subreaper() { prctl(PR_SET_CHILD_SUBREAPER, 0); }
  Subreaper(const Subreaper &) = delete;
  Subreaper &operator=(const Subreaper &) = delete;
};

// How many descriptors this process has open.
size_t open_fds() {
  std::filesystem::directory_iterator fds("/proc/self/fd");
  return static_cast<size_t>(std::distance(begin(fds), end(fds)));
}

// "abcdefghi\n" repeated, cut to n bytes (what `yes abcdefghi | head -c n` prints).
std::string yes_bytes(size_t n) {
  std::string s;
  while (s.size() < n) s += "abcdefghi\n";
  return s.substr(0, n);
}

}  // namespace

TEST_CASE("a child that ignores SIGTERM is killed with SIGKILL at its deadline" *
          doctest::timeout(10)) {
  auto t0 = Clock::now();
  Process p = Process::start(sh("trap '' TERM; exec /bin/sleep 30"));
  const Outcome &o = p.wait(t0 + 300ms);
  CHECK(o.timed_out);
  CHECK_FALSE(o.exited);
  CHECK(o.signal == SIGKILL);
  CHECK(o.wall_ms >= 250);
  CHECK(o.wall_ms < 5000);  // far less than the 30 s the child meant to sleep
  CHECK(o.describe().starts_with("did not finish: killed after "));
}

TEST_CASE("a child that floods stdout is still killed at its deadline" * doctest::timeout(10)) {
  Spawn s = program("/usr/bin/yes");
  s.output_cap = 1000;
  Process p = Process::start(s);
  const Outcome &o = p.wait(Clock::now() + 300ms);
  CHECK(o.timed_out);
  CHECK(o.wall_ms < 5000);
  CHECK(o.out.size() == 1000);
  CHECK(o.out_truncated);
}

TEST_CASE("killing the tree also kills a grandchild in the same process group" *
          doctest::timeout(10)) {
  Subreaper reaper;  // the grandchild, orphaned by the kill, becomes ours to reap
  Process p = Process::start(sh("/bin/sleep 30 & echo $!; wait"));
  REQUIRE(pump_until(
      p, [&] { return p.stdout_so_far().find('\n') != std::string::npos; }, 5s));
  pid_t grandchild = std::stoi(p.stdout_so_far());
  REQUIRE(grandchild > 0);
  REQUIRE(kill(grandchild, 0) == 0);
  CHECK(getpgid(grandchild) == p.pid());

  p.kill_tree();
  CHECK(p.done());
  CHECK(p.outcome().signal == SIGKILL);
  int status = 0;
  pid_t r = 0;
  REQUIRE(eventually([&] { return (r = waitpid(grandchild, &status, WNOHANG)) != 0; }, 5s));
  CHECK(r == grandchild);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  errno = 0;
  CHECK(kill(grandchild, 0) == -1);
  CHECK(errno == ESRCH);
}

TEST_CASE("destroying a running Process kills and reaps it" * doctest::timeout(10)) {
  pid_t pid = -1;
  {
    Process p = Process::start(program("/bin/sleep", {"30"}));
    pid = p.pid();
    REQUIRE(kill(pid, 0) == 0);
  }
  errno = 0;
  CHECK(kill(pid, 0) == -1);  // not even a zombie: it was reaped
  CHECK(errno == ESRCH);
}

TEST_CASE("a child that leaves a grandchild holding its stdout is still seen to end" *
          doctest::timeout(10)) {
  Subreaper reaper;  // the grandchild, orphaned when the child exits, becomes ours
  size_t fds_before = open_fds();
  Process p = Process::start(sh("/bin/sleep 30 & echo $!"));
  const Outcome &o = p.wait(Clock::now() + 5s);
  CHECK_FALSE(o.timed_out);
  CHECK(o.exited);
  CHECK(open_fds() == fds_before);  // its pipes were let go when it ended
  pid_t grandchild = std::stoi(o.out);
  REQUIRE(grandchild > 0);
  CHECK(kill(grandchild, SIGKILL) == 0);  // it was still running
  int status = 0;
  CHECK(eventually([&] { return waitpid(grandchild, &status, WNOHANG) == grandchild; }, 5s));
}

TEST_CASE("output beyond the cap is dropped and marked truncated" * doctest::timeout(10)) {
  Spawn s;
  SUBCASE("on stdout") {
    s = sh("/usr/bin/yes abcdefghi | /usr/bin/head -c 5000");
    s.output_cap = 1000;
    Process p = Process::start(s);
    const Outcome &o = p.wait(Clock::now() + 5s);
    REQUIRE(o.exited);
    CHECK(o.out == yes_bytes(1000));
    CHECK(o.out_truncated);
    CHECK(o.err.empty());
    CHECK_FALSE(o.err_truncated);
  }
  SUBCASE("on stderr") {
    s = sh("/usr/bin/yes abcdefghi | /usr/bin/head -c 5000 >&2");
    s.output_cap = 1000;
    Process p = Process::start(s);
    const Outcome &o = p.wait(Clock::now() + 5s);
    REQUIRE(o.exited);
    CHECK(o.err == yes_bytes(1000));
    CHECK(o.err_truncated);
    CHECK(o.out.empty());
    CHECK_FALSE(o.out_truncated);
  }
  SUBCASE("but output of exactly the cap is whole, not truncated") {
    s = sh("/usr/bin/yes abcdefghi | /usr/bin/head -c 1000");
    s.output_cap = 1000;
    Process p = Process::start(s);
    const Outcome &o = p.wait(Clock::now() + 5s);
    REQUIRE(o.exited);
    CHECK(o.out == yes_bytes(1000));
    CHECK_FALSE(o.out_truncated);
  }
}

TEST_CASE("the exact bytes a child writes are captured, NULs included" * doctest::timeout(10)) {
  SUBCASE("on stdout") {
    Process p = Process::start(program("/usr/bin/printf", {"a\\0b"}));
    const Outcome &o = p.wait(Clock::now() + 5s);
    CHECK(o.exited);
    CHECK(o.code == 0);
    CHECK(o.out == std::string("a\0b", 3));
  }
  SUBCASE("on stderr") {
    Process p = Process::start(sh("/usr/bin/printf 'x\\0y\\n' >&2"));
    const Outcome &o = p.wait(Clock::now() + 5s);
    CHECK(o.err == std::string("x\0y\n", 4));
    CHECK(o.out.empty());
  }
}

TEST_CASE("stdin_data is delivered to the child and then closed" * doctest::timeout(10)) {
  Spawn s = program("/bin/cat");
  SUBCASE("a few bytes") { s.stdin_data = std::string("hello\0world\n", 12); }
  SUBCASE("more than a pipe holds, while the output is drained") {
    s.stdin_data = yes_bytes(1 << 20);
    s.output_cap = 2 << 20;
  }
  Process p = Process::start(s);
  const Outcome &o = p.wait(Clock::now() + 5s);
  CHECK_FALSE(o.timed_out);  // cat saw end of file
  CHECK(o.exited);
  CHECK(o.code == 0);
  CHECK(o.out == s.stdin_data);
}

TEST_CASE("a child given no stdin data reads end of file at once" * doctest::timeout(10)) {
  Process p = Process::start(program("/bin/cat"));
  const Outcome &o = p.wait(Clock::now() + 5s);
  CHECK_FALSE(o.timed_out);
  CHECK(o.exited);
  CHECK(o.out.empty());
}

TEST_CASE("keep_stdin_open lets the grader and the child take turns" * doctest::timeout(10)) {
  Spawn s = program("/bin/cat");
  s.keep_stdin_open = true;
  Process p = Process::start(s);
  p.write_stdin("ping\n");
  REQUIRE(pump_until(
      p, [&] { return p.stdout_so_far() == "ping\n"; }, 5s));
  CHECK_FALSE(p.done());  // its stdin is still open, so cat still waits
  p.write_stdin("pong\n");
  p.close_stdin();
  const Outcome &o = p.wait(Clock::now() + 5s);
  CHECK_FALSE(o.timed_out);
  CHECK(o.exited);
  CHECK(o.code == 0);
  CHECK(o.out == "ping\npong\n");
}

TEST_CASE("a program that cannot be started is reported with the reason" * doctest::timeout(10)) {
  Spawn s;
  std::string reason;
  SUBCASE("it does not exist") {
    s = program("/nonexistent/ipcg-no-such-program");
    reason = "execve: No such file or directory";
  }
  SUBCASE("it is not executable") {
    s = program("/etc/passwd");
    reason = "execve: Permission denied";
  }
  SUBCASE("its working directory does not exist") {
    s = program("/bin/true");
    s.cwd = "/nonexistent/ipcg-no-such-dir";
    reason = "chdir: No such file or directory";
  }
  Process p = Process::start(s);
  CHECK(p.done());
  const Outcome &o = p.outcome();
  CHECK(o.exec_failed);
  CHECK(o.err == reason);
  CHECK(o.describe() == "could not be started (" + reason + ")");
}

TEST_CASE("exit codes and terminating signals are reported" * doctest::timeout(10)) {
  SUBCASE("exit 0") {
    Process p = Process::start(sh("exit 0"));
    const Outcome &o = p.wait(Clock::now() + 5s);
    CHECK(o.exited);
    CHECK(o.code == 0);
    CHECK(o.describe() == "exited with 0");
  }
  SUBCASE("exit 3") {
    Process p = Process::start(sh("exit 3"));
    const Outcome &o = p.wait(Clock::now() + 5s);
    CHECK(o.exited);
    CHECK(o.code == 3);
    CHECK(o.signal == 0);
    CHECK_FALSE(o.timed_out);
    CHECK(o.describe() == "exited with 3");
  }
  SUBCASE("SIGSEGV") {
    Process p = Process::start(sh("kill -SEGV $$"));
    const Outcome &o = p.wait(Clock::now() + 5s);
    CHECK_FALSE(o.exited);
    CHECK(o.signal == SIGSEGV);
    CHECK_FALSE(o.timed_out);
    CHECK(o.describe() == "crashed with SIGSEGV");
  }
}

TEST_CASE("the CPU time of a child is measured" * doctest::timeout(20)) {
  SUBCASE("a busy child's grows with its work") {
    // A fixed amount of work (about 150 ms of CPU), however loaded the machine is.
    Process p = Process::start(sh("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"));
    const Outcome &o = p.wait(Clock::now() + 15s);
    REQUIRE(o.exited);
    CHECK(o.cpu_ms >= 30);
    CHECK(o.cpu_ms <= o.wall_ms + 5);
  }
  SUBCASE("a child busy in system calls is charged its system time too") {
    // About 150 ms in the kernel clearing buffers, and little in user space.
    Process p =
        Process::start(program("/bin/dd", {"if=/dev/zero", "of=/dev/null", "bs=1M", "count=8000"}));
    const Outcome &o = p.wait(Clock::now() + 15s);
    REQUIRE(o.exited);
    CHECK(o.cpu_ms >= 40);
  }
  SUBCASE("a sleeping child's stays tiny") {
    Process p = Process::start(program("/bin/sleep", {"0.3"}));
    const Outcome &o = p.wait(Clock::now() + 5s);
    REQUIRE(o.exited);
    CHECK(o.wall_ms >= 250);
    CHECK(o.cpu_ms < 30);
  }
}

TEST_CASE("pump_all waits until every process has ended" * doctest::timeout(10)) {
  Process a = Process::start(program("/bin/sleep", {"0.1"}));
  Process b = Process::start(program("/bin/sleep", {"0.2"}));
  Process c = Process::start(sh("echo hi; echo oops >&2"));
  std::array<Process *, 3> all{&a, &b, &c};
  CHECK(Process::pump_all(all, Clock::now() + 5s));
  for (Process *p : all) {
    CHECK(p->done());
    CHECK(p->outcome().exited);
    CHECK(p->outcome().code == 0);
  }
  CHECK(b.outcome().wall_ms >= 150);
  CHECK(c.outcome().out == "hi\n");
  CHECK(c.outcome().err == "oops\n");
}

TEST_CASE("pump_all returns false at its deadline while a process still runs" *
          doctest::timeout(10)) {
  Process fast = Process::start(sh("echo done"));
  Process slow = Process::start(program("/bin/sleep", {"30"}));
  std::array<Process *, 2> both{&fast, &slow};
  auto t0 = Clock::now();
  CHECK_FALSE(Process::pump_all(both, t0 + 300ms));
  CHECK(seconds_since(t0) < 5);
  CHECK(fast.done());
  CHECK(fast.outcome().out == "done\n");
  CHECK_FALSE(slow.done());
  slow.kill_tree();
  CHECK(slow.done());
  CHECK(slow.outcome().signal == SIGKILL);
}

TEST_CASE("signal_name names signals, and numbers those without a name") {
  CHECK(signal_name(SIGSEGV) == "SIGSEGV");
  CHECK(signal_name(SIGBUS) == "SIGBUS");
  CHECK(signal_name(SIGKILL) == "SIGKILL");
  CHECK(signal_name(SIGTERM) == "SIGTERM");
  CHECK(signal_name(77) == "signal 77");
}
