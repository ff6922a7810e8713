// syscalls_test.cpp: the system-call record (grader/core/syscalls.hpp): what
// is trapped and what is not, the files resolved, how calls read in a report,
// and that it works for a process of another uid. The children are python3
// one-liners (they make the calls the labs are about) and /bin/sh.
#include "../core/process.hpp"
#include "../core/syscalls.hpp"
#include "test_uids.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <filesystem>
#include <string>

using namespace ipcg;
using namespace std::chrono_literals;

namespace {

// A recorded `python3 -c code` in folder `cwd`, run to its end.
Process run_python(const std::string &code, const std::string &cwd,
                   std::optional<uid_t> uid = std::nullopt) {
  Spawn s;
  s.path = "/usr/bin/python3";
  s.argv = {"python3", "-c", code};
  s.cwd = cwd;
  s.uid = uid;
  s.record_syscalls = true;
  Process p = Process::start(s);
  const Outcome &o = p.wait(Clock::now() + 20s);
  INFO("stderr: " << o.err);
  CHECK(o.exited);
  CHECK(o.code == 0);
  return p;
}

// A fresh folder every uid may write in.
std::string scratch(const char *name) {
  std::string dir = std::filesystem::temp_directory_path() / (name + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  chmod(dir.c_str(), 0777);
  return dir;
}

// Every recorded call as text, one a line.
std::string all_calls(const Process &p) {
  std::string s;
  for (const auto &c : p.syscalls()->calls()) s += c.describe() + "\n";
  return s;
}

// A program that maps a file, pwrites it, forks, sleeps and exits.
const char *lab_like =
    "import mmap, os, time\n"
    "fd = os.open('f.dat', os.O_RDWR | os.O_CREAT, 0o644)\n"
    "os.ftruncate(fd, 4096)\n"
    "m = mmap.mmap(fd, 4096)\n"
    "os.pwrite(fd, b'x' * 32, 64)\n"
    "pid = os.fork()\n"
    "if pid == 0: os._exit(0)\n"
    "os.waitpid(pid, 0)\n"
    "time.sleep(0.001)\n";

}  // namespace

TEST_CASE("the kernel here supports seccomp user notification with CONTINUE") {
  // Linux 5.5 and later; the kit's CI machines all are. Where this fails,
  // checks that need a record must say they could not tell.
  CHECK(syscall_record_supported());
}

TEST_CASE("a recorded process's open, map, pwrite, fork and sleep are recorded with their files") {
  if (!syscall_record_supported()) return;
  std::string dir = scratch("ipcg-sys");
  Process p = run_python(lab_like, dir);
  REQUIRE(p.syscalls() != nullptr);
  std::string seen = all_calls(p);
  INFO(seen);
  std::string f = dir + "/f.dat";
  CHECK(seen.find("openat(\"f.dat\", O_RDWR|O_CREAT)") != std::string::npos);
  CHECK(seen.find("<" + f + ">, 4096)") != std::string::npos);  // ftruncate
  CHECK(seen.find(", 4096, PROT_READ|PROT_WRITE, MAP_SHARED, ") != std::string::npos);
  CHECK(seen.find("pwrite(") != std::string::npos);
  CHECK(seen.find("<" + f + ">, ..., 32, 64)") != std::string::npos);
  CHECK(p.syscalls()->calls({SYS_clone, SYS_clone3}).size() >= 1);
  CHECK(seen.find("clock_nanosleep(TIMER_ABSTIME, ") != std::string::npos);  // Python's sleep
  // Two processes exited, each seen with its own pid.
  auto exits = p.syscalls()->calls({SYS_exit_group});
  REQUIRE(exits.size() == 2);
  CHECK(exits[0].pid != exits[1].pid);
  CHECK(exits[0].own_pid > 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the dynamic loader's read-only opens and private mappings are not trapped") {
  if (!syscall_record_supported()) return;
  Spawn s;
  s.path = "/bin/sh";
  s.argv = {"sh", "-c", "exit 0"};
  s.record_syscalls = true;
  Process p = Process::start(s);
  p.wait(Clock::now() + 10s);
  REQUIRE(p.syscalls() != nullptr);
  auto calls = p.syscalls()->calls();
  INFO(describe_calls(calls, 50));
  REQUIRE(calls.size() == 1);  // exit_group, nothing else
  CHECK(calls[0].nr == SYS_exit_group);
}

TEST_CASE("a process not asked to be recorded has no record") {
  Spawn s;
  s.path = "/bin/true";
  s.argv = {"true"};
  Process p = Process::start(s);
  p.wait(Clock::now() + 10s);
  CHECK(p.syscalls() == nullptr);
}

TEST_CASE("a process of another uid is recorded with its files resolved (as root)") {
  if (!syscall_record_supported() || geteuid() != 0) return;
  std::string dir = scratch("ipcg-sysuid");
  Process p = run_python(lab_like, dir, test_uid(40));
  REQUIRE(p.syscalls() != nullptr);
  std::string seen = all_calls(p);
  INFO(seen);
  CHECK(seen.find("openat(\"f.dat\", O_RDWR|O_CREAT)") != std::string::npos);
  CHECK(seen.find("<" + dir + "/f.dat>, ..., 32, 64)") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("many trapped calls in a row all get through, in order") {
  if (!syscall_record_supported()) return;
  std::string dir = scratch("ipcg-sysmany");
  Process p = run_python(
      "import os\nfd = os.open('g', os.O_WRONLY | os.O_CREAT, 0o600)\n"
      "for i in range(500): os.write(fd, b'%d' % i)\n",
      dir);
  auto writes = p.syscalls()->calls({SYS_write});
  REQUIRE(writes.size() == 500);
  CHECK(writes[0].args[2] == 1);
  CHECK(writes[499].args[2] == 3);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a call reads in a report as strace would show it") {
  Syscall c;
  c.nr = SYS_pwrite64;
  c.args = {3, 0x1000, 32, 64, 0, 0};
  c.file = "/w/f.dat";
  CHECK(c.describe() == "pwrite(3</w/f.dat>, ..., 32, 64)");
  c.nr = SYS_mmap;
  c.args = {0, 4096, 3, 0x21, static_cast<uint64_t>(-1), 0};
  c.file = "";
  CHECK(c.describe() == "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)");
  CHECK(describe_calls({c, c, c}, 2) ==
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0); "
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0); and 1 more");
}

TEST_CASE("a held call keeps its process asleep before the call until it is released") {
  if (!syscall_record_supported()) return;
  std::string dir = scratch("ipcg-hold");
  Spawn s;
  s.path = "/usr/bin/python3";
  // Yields, then writes a file: the file must not exist while the yield is held.
  s.argv = {"python3", "-c", "import os\nos.sched_yield()\nopen('after', 'w').close()\n"};
  s.cwd = dir;
  s.record_syscalls = true;
  Process p = Process::start(s);
  REQUIRE(p.syscalls() != nullptr);
  p.syscalls()->hold([](const Syscall &c) { return c.nr == SYS_sched_yield; });
  auto until = Clock::now() + 20s;
  while (p.syscalls()->held().empty() && !p.pump(Clock::now() + 10ms) && Clock::now() < until) {
  }
  REQUIRE(p.syscalls()->held().size() == 1);
  CHECK(p.syscalls()->held().front().pid == p.pid());
  CHECK(p.syscalls()->held().front().describe() == "sched_yield()");
  CHECK_FALSE(p.pump(Clock::now() + 100ms));  // still held: it has not ended
  CHECK_FALSE(std::filesystem::exists(dir + "/after"));
  CHECK(p.syscalls()->release(p.pid()));
  CHECK_FALSE(p.syscalls()->release(p.pid()));  // nothing held any more
  const Outcome &o = p.wait(Clock::now() + 20s);
  CHECK(o.exited);
  CHECK(o.code == 0);
  CHECK(std::filesystem::exists(dir + "/after"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a process-shared futex wake is recorded, a private one is not") {
  if (!syscall_record_supported()) return;
  std::string dir = scratch("ipcg-wake");
  // FUTEX_WAKE (1) on a shared word, then FUTEX_WAKE_PRIVATE (129): both wake nobody.
  std::string code = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                     "w = ctypes.c_int(0)\n"
                     "assert libc.syscall(" + std::to_string(SYS_futex) +
                     ", ctypes.byref(w), 1, 1, 0, 0, 0) == 0\n"
                     "assert libc.syscall(" + std::to_string(SYS_futex) +
                     ", ctypes.byref(w), 129, 1, 0, 0, 0) == 0\n";
  Process p = run_python(code, dir);
  REQUIRE(p.syscalls() != nullptr);
  auto wakes = p.syscalls()->calls({SYS_futex});
  REQUIRE(wakes.size() == 1);
  CHECK(wakes_shared_futex(wakes.front()));
  std::filesystem::remove_all(dir);
}
