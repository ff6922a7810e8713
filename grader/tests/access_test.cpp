// access_test.cpp: root without CAP_SYS_PTRACE and CAP_IPC_OWNER (a Docker
// container's defaults) still observes a student's process and System V
// objects, by acting as their owner (grader/core/access.hpp). Each test
// drops the capabilities in a forked child, which reports by its exit code.
#include "../core/access.hpp"
#include "../core/observe.hpp"
#include "../core/peer.hpp"
#include "../core/process.hpp"
#include "test_uids.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <thread>

using namespace ipcg;
using namespace std::chrono_literals;

namespace {

// The student uid: claimed, so no grader beside the tests uses it.
uid_t student() { return test_uid(32); }

// In a child: lose `caps` from every set, as a container that never granted them.
bool drop(std::initializer_list<int> caps) {
  __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &head, data) < 0) return false;
  for (int cap : caps) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) return false;
    data[cap / 32].permitted &= ~(1u << (cap % 32));
    data[cap / 32].effective &= ~(1u << (cap % 32));
    data[cap / 32].inheritable &= ~(1u << (cap % 32));
  }
  return syscall(SYS_capset, &head, data) == 0;
}

// Run `body` in a child without CAP_SYS_PTRACE, CAP_IPC_OWNER and
// CAP_SYS_ADMIN; its exit code (0: every fact held; N: fact N did not).
int without_capabilities(const std::function<int()> &body) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!drop({CAP_SYS_PTRACE, CAP_IPC_OWNER, CAP_SYS_ADMIN})) _exit(100);
    int code = 99;
    try {
      code = body();
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Whether this test can run: root that may switch uids.
// Root that may switch uids; the student's uid is then claimed here, in the
// test's own process, before any child of it uses student().
bool root_with_setuid() {
  if (geteuid() != 0 || !has_capability(CAP_SETUID)) return false;
  student();
  return true;
}

}  // namespace

TEST_CASE("without CAP_SYS_PTRACE, root still reads /proc of a student's process" *
          doctest::timeout(20)) {
  if (!root_with_setuid()) return;
  int code = without_capabilities([] {
    if (has_capability(CAP_SYS_PTRACE)) return 1;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    Spawn s;
    s.path = "/bin/cat";
    s.argv = {"cat"};
    s.keep_stdin_open = true;
    s.uid = student();
    Process p = Process::start(s);
    if (!eventually([&] { return blocked_syscall(p.pid()) == SYS_read; }, 10s)) return 2;
    if (!what_it_does(p.pid()).starts_with("blocked in read")) return 3;
    if (mappings_of(p.pid()).empty()) return 4;
    if (open_files_of(p.pid()).size() < 3) return 5;
    int sig = 0;
    prctl(PR_GET_PDEATHSIG, &sig);
    if (sig != SIGKILL) return 6;  // the switch of ids gave it back
    if (syscall(SYS_setfsuid, -1) != 0) return 7;
    return 0;
  });
  CHECK(code == 0);
}

TEST_CASE("without CAP_IPC_OWNER and CAP_SYS_ADMIN, root still reads and removes a student's "
          "semaphore set" * doctest::timeout(20)) {
  if (!root_with_setuid()) return;
  key_t key = static_cast<key_t>(0x5ec00000 + getpid() % 0xffff);
  pid_t maker = fork();
  if (maker == 0) {
    if (setgid(student()) < 0 || setuid(student()) < 0) _exit(1);
    int id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
    _exit(id >= 0 && semctl(id, 0, SETVAL, 5) == 0 ? 0 : 2);
  }
  int status = 0;
  waitpid(maker, &status, 0);
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  int code = without_capabilities([key] {
    if (has_capability(CAP_IPC_OWNER)) return 1;
    if (SysvSem::value(key) != 5) return 2;
    SysvSem::remove(key);
    if (semget(key, 0, 0) >= 0) return 3;
    if (geteuid() != 0 || getegid() != 0) return 4;
    return 0;
  });
  CHECK(code == 0);
  if (int id = semget(key, 0, 0); id >= 0) semctl(id, 0, IPC_RMID);
}

TEST_CASE("ActAs changes the calling thread's ids only, and gives them back" *
          doctest::timeout(10)) {
  if (!root_with_setuid()) return;
  std::atomic<long> inside{-1};
  std::atomic<bool> seen{false};
  long main_thread = -1;
  std::thread t([&] {
    ActAs as(student(), student(), ActAs::Scope::files);
    inside = syscall(SYS_setfsuid, -1);
    while (!seen) std::this_thread::yield();
  });
  REQUIRE(eventually([&] { return inside != -1; }, 5s));
  main_thread = syscall(SYS_setfsuid, -1);
  seen = true;
  t.join();
  CHECK(inside == static_cast<long>(student()));
  CHECK(main_thread == 0);
  CHECK(syscall(SYS_setfsuid, -1) == 0);
}
