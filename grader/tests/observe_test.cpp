// observe_test.cpp: what /proc says about a live child (grader/core/observe.hpp).
// Every verdict waits with a bounded poll for the state it expects: a child
// needs some time to reach its read(2) or its busy loop.
#include "../core/observe.hpp"
#include "../core/process.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <ctime>
#include <fstream>
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

TEST_CASE("a child asleep in writev on a full pipe is in a write call, and named so" *
          doctest::timeout(10)) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid != -1);
  if (pid == 0) {  // writes more than a pipe holds, with one writev, and nobody reads
    close(fds[0]);
    static char big[1 << 17];
    uint32_t len = sizeof big;
    iovec v[2] = {{&len, sizeof len}, {big, sizeof big}};
    (void)!writev(fds[1], v, 2);
    _exit(0);
  }
  close(fds[1]);
  CHECK(eventually([&] { return blocked_syscall(pid) == SYS_writev; }, 5s));
  CHECK(blocked_syscalls(pid) == std::vector<long>{SYS_writev});
  CHECK(is_write_call(SYS_writev));
  CHECK(is_write_call(SYS_write));
  CHECK(is_write_call(SYS_pwrite64));
  CHECK(is_write_call(SYS_sendmsg));
  CHECK_FALSE(is_write_call(SYS_read));
  CHECK_FALSE(is_write_call(SYS_futex));
  CHECK(what_it_does(pid).starts_with("blocked in writev"));
  close(fds[0]);  // the writer gets SIGPIPE
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
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

namespace {

// A forked child that opens the named semaphore `name` and waits on it.
pid_t child_waiting_on(const std::string &name) {
  pid_t pid = fork();
  if (pid == 0) {
    sem_t *s = sem_open(name.c_str(), 0);
    if (s == SEM_FAILED) _exit(2);
    while (sem_wait(s) != 0) {
    }
    _exit(0);
  }
  return pid;
}

// The "Cpus_allowed_list:" of a process, e.g. "1".
std::string cpus_allowed(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.starts_with("Cpus_allowed_list:"))
      return line.substr(line.find_first_not_of(" \t", 18));
  return "";
}

}  // namespace

TEST_CASE("a process asleep in sem_wait is seen waiting on the semaphore's file" *
          doctest::timeout(10)) {
  std::string name = "/ipcgrade-unit-sem-" + std::to_string(getpid());
  sem_t *s = sem_open(name.c_str(), O_CREAT | O_EXCL, 0600, 0);
  REQUIRE(s != SEM_FAILED);
  pid_t pid = child_waiting_on(name);
  struct stat st {};
  REQUIRE(stat(("/dev/shm/sem." + name.substr(1)).c_str(), &st) == 0);
  CHECK(eventually(
      [&] {
        auto w = futex_wait_of(pid);
        return w && w->inode == st.st_ino && w->offset == 0;
      },
      5s));
  // The path is glibc's temporary name of the file: the child shares the
  // mapping its parent made when it created the semaphore.
  CHECK(what_it_does(pid).find("blocked in futex (a semaphore or lock) on /dev/shm/sem.") == 0);
  sem_post(s);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK_FALSE(futex_wait_of(pid));  // gone: nothing to say
  sem_close(s);
  sem_unlink(name.c_str());
}

TEST_CASE("a blocked signal shows as pending until it is handled" * doctest::timeout(10)) {
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    close(ready[0]);
    close(ready[1]);  // the parent's read returns: SIGUSR1 is blocked now
    pause();
    _exit(0);
  }
  close(ready[1]);
  char c;
  CHECK(read(ready[0], &c, 1) == 0);
  close(ready[0]);
  CHECK_FALSE(signal_pending(pid, SIGUSR1));
  kill(pid, SIGUSR1);
  CHECK(eventually([&] { return signal_pending(pid, SIGUSR1); }, 5s));
  CHECK_FALSE(signal_pending(pid, SIGUSR2));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

TEST_CASE("Spawn::cpu pins the child to one CPU, counting round the CPUs allowed") {
  cpu_set_t allowed;
  REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  if (CPU_COUNT(&allowed) < 2) return;  // nothing to spread over
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  Spawn s;
  s.path = "/bin/cat";
  s.argv = {"cat"};
  s.keep_stdin_open = true;
  s.cpu = static_cast<int>(cpus.size()) + 1;  // wraps round to the second CPU
  Process p = Process::start(s);
  CHECK(eventually([&] { return cpus_allowed(p.pid()) == std::to_string(cpus[1]); }, 5s));
  p.close_stdin();
  p.wait(Clock::now() + 5s);
}
