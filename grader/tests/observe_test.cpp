// observe_test.cpp: what /proc says about a live child (grader/core/observe.hpp).
// Every verdict waits with a bounded poll for the state it expects: a child
// needs some time to reach its read(2) or its busy loop.
#include "../core/observe.hpp"
#include "../core/process.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>

#include <sys/syscall.h>
#include <atomic>
#include <ctime>
#include <functional>
#include <thread>

using namespace ipcg;
using namespace std::chrono_literals;

namespace {

// `cat` reading from a stdin pipe that stays open until close_stdin().
Process blocked_cat() {
  Spawn s;
  s.path = "/bin/cat";
  s.argv = {"cat"};
  s.keep_stdin_open = true;
  return Process::start(s);
}

// A shell that spins on the CPU until it is killed.
Process busy_loop() {
  Spawn s;
  s.path = "/bin/sh";
  s.argv = {"sh", "-c", "while :; do :; done"};
  return Process::start(s);
}

// This thread's CPU time or this process's (`clock`), in milliseconds.
double cpu_clock_ms(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Spin until this thread has used `ms` more milliseconds of CPU.
void burn(double ms) {
  double end = cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID) + ms;
  while (cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID) < end) {
  }
}

}  // namespace

TEST_CASE("a child blocked in read on a pipe is seen asleep in SYS_read" * doctest::timeout(10)) {
  Process p = blocked_cat();
  pid_t pid = p.pid();
  CHECK(eventually([&] { return blocked_syscall(pid) == SYS_read; }, 5s));
  CHECK(eventually([&] { return all_threads_asleep(pid); }, 5s));
  CHECK(blocked_syscall(pid) == SYS_read);  // and it stays there
  p.close_stdin();
  const Outcome &o = p.wait(Clock::now() + 5s);
  CHECK(o.exited);
  CHECK(o.code == 0);
}

TEST_CASE("what_it_does() names the call a child is blocked in, and a timeout reports it" *
          doctest::timeout(10)) {
  Process p = blocked_cat();
  pid_t pid = p.pid();
  REQUIRE(eventually([&] { return blocked_syscall(pid) == SYS_read; }, 5s));
  CHECK(what_it_does(pid).starts_with("blocked in read"));
  const Outcome &o = p.wait(Clock::now() + 50ms);
  CHECK(o.timed_out);
  CHECK(o.describe().find("blocked in read") != std::string::npos);
  CHECK(what_it_does(pid).empty());
}

TEST_CASE("a busy child is observed running, not asleep" * doctest::timeout(10)) {
  Process p = busy_loop();
  pid_t pid = p.pid();
  CHECK(eventually([&] { return !all_threads_asleep(pid) && blocked_syscall(pid) == -1; }, 5s));
  p.kill_tree();
}

TEST_CASE("a busy child's CPU time grows while it runs" * doctest::timeout(15)) {
  Process p = busy_loop();
  pid_t pid = p.pid();
  double first = cpu_ms_so_far(pid);
  CHECK(eventually([&] { return cpu_ms_so_far(pid) >= first + 50; }, 10s));
  p.kill_tree();
}

TEST_CASE("a sleeping child's CPU time stays tiny" * doctest::timeout(10)) {
  Process p = blocked_cat();
  pid_t pid = p.pid();
  REQUIRE(eventually([&] { return all_threads_asleep(pid); }, 5s));
  CHECK(cpu_ms_so_far(pid) > 0);  // it did run, to reach its read
  CHECK(cpu_ms_so_far(pid) < 30);
  p.close_stdin();
  p.wait(Clock::now() + 5s);
}

TEST_CASE("a reaped child has no blocked system call and is not asleep" * doctest::timeout(10)) {
  Process p = blocked_cat();
  pid_t pid = p.pid();
  p.close_stdin();
  REQUIRE(p.wait(Clock::now() + 5s).exited);
  CHECK_FALSE(blocked_syscall(pid).has_value());
  CHECK_FALSE(all_threads_asleep(pid));
  CHECK(cpu_ms_so_far(pid) == 0);
}

TEST_CASE("cpu_ms_so_far adds up every thread of a process, in milliseconds" *
          doctest::timeout(20)) {
  std::atomic<bool> spun{false}, release{false};
  std::thread helper([&] {
    burn(100);
    spun = true;
    while (!release) std::this_thread::sleep_for(1ms);
  });
  burn(50);
  REQUIRE(eventually([&] { return spun.load(); }, 10s));
  double before = cpu_clock_ms(CLOCK_PROCESS_CPUTIME_ID);
  double seen = cpu_ms_so_far(getpid());
  double after = cpu_clock_ms(CLOCK_PROCESS_CPUTIME_ID);
  release = true;
  helper.join();
  CHECK(seen >= 150);          // both threads' work
  CHECK(seen >= before - 15);  // the kernel's two counts may differ by a tick
  CHECK(seen <= after + 1);
}
