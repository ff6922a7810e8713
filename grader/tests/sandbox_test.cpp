// sandbox_test.cpp: the sandbox (grader/core/sandbox.hpp): sweeping IPC
// objects, ending escaped processes, and unique names. A Sandbox changes the
// process that makes it (namespaces, umask, subreaper), so each test makes
// its sandbox in a forked child. The child makes no assertions: it exits 0, or
// 1 after sending the parent a sentence saying what went wrong, and the parent
// checks that.
#include "../core/sandbox.hpp"
#include "test_uids.hpp"
#include "../core/process.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

using namespace ipcg;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A test body run in a forked child, in a process group of its own. The body
// returns "" when all went well, else what went wrong.
class Child {
 public:
  using Body = std::function<std::string(Child &)>;

  explicit Child(const Body &body) : up_(Pipe::make()), down_(Pipe::make()), why_(Pipe::make()) {
    pid_ = check(fork(), "fork");
    if (pid_ == 0) run(body);
    setpgid(pid_, pid_);  // also from here, so that kill(-pid) cannot miss
    up_.write.reset(), down_.read.reset(), why_.write.reset();
    pidfd_ = Fd(open_pidfd(pid_));
  }
  Child(const Child &) = delete;
  Child &operator=(const Child &) = delete;
  ~Child() {
    if (pid_ > 0) finish(0ms);
  }

  // In the child: tell the parent to look now, then wait until it says go on.
  bool ready_then_wait(Millis limit) {
    if (write(up_.write.get(), "r", 1) != 1) return false;
    return byte_within(down_.read.get(), limit);
  }
  // In the parent: wait until the child is ready to be looked at.
  bool await_ready(Millis limit) { return byte_within(up_.read.get(), limit); }
  // In the parent: let the child go on.
  void go() { (void)!write(down_.write.get(), "g", 1); }

  // In the parent: wait for the child to end, killing it at `limit`; returns
  // "" if it exited 0, else what went wrong.
  std::string finish(Millis limit) {
    pollfd p{pidfd_.get(), POLLIN, 0};
    bool ended = poll(&p, 1, static_cast<int>(limit.count())) == 1;
    if (!ended) kill(-pid_, SIGKILL);  // the child and all it forked
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    std::string why(4096, '\0');
    fcntl(why_.read.get(), F_SETFL, O_NONBLOCK);
    ssize_t n = read(why_.read.get(), why.data(), why.size());
    why.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (!ended) return "the child did not finish within its time: " + why;
    if (WIFSIGNALED(status)) return "the child was killed by " + signal_name(WTERMSIG(status));
    if (WEXITSTATUS(status) != 0) return why.empty() ? "the child exited with an error" : why;
    return "";
  }

 private:
  [[noreturn]] void run(const Body &body) {
    setpgid(0, 0);
    up_.read.reset(), down_.write.reset(), why_.read.reset();
    std::string why;
    try {
      why = body(*this);
    } catch (const std::exception &e) {
      why = std::string("threw: ") + e.what();
    } catch (...) {
      why = "threw something";
    }
    (void)!write(why_.write.get(), why.data(), why.size());
    _exit(why.empty() ? 0 : 1);
  }

  // Read one byte from fd within `limit`; false on timeout or end of file.
  static bool byte_within(int fd, Millis limit) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(limit.count())) != 1) return false;
    char c;
    return read(fd, &c, 1) == 1;
  }

  Pipe up_, down_, why_;  // child to parent, parent to child, the child's verdict
  pid_t pid_ = -1;
  Fd pidfd_;
};

// "" when this process may make root_namespaces sandboxes, else why not.
// Asked once, in a child, so that a probe that hangs cannot hang the tests.
const std::string &why_no_root_namespaces() {
  static const std::string why = [] {
    if (geteuid() != 0) return std::string("the tests do not run as root");
    return Child([](Child &) {
             Isolation iso = probe_isolation();
             return iso == Isolation::root_namespaces
                        ? std::string()
                        : "probe_isolation() gives " + std::string(describe(iso));
           })
        .finish(20s);
  }();
  return why;
}

// Whether a namespace test can run here; says why when it cannot. A probe
// that did not finish is a failure, not a reason to skip.
bool namespaces_or_skip() {
  const std::string &why = why_no_root_namespaces();
  if (why.empty()) return true;
  if (why.starts_with("the child"))
    FAIL_CHECK("probing for namespaces failed: " << why);
  else
    MESSAGE("skipped: namespace sandboxes need root and namespaces: " << why);
  return false;
}

// The whole content of a file ("" if it cannot be read).
std::string read_text(const std::string &path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The target of a /proc/.../ns/... link ("" if it cannot be read).
std::string ns_of(const std::string &link) {
  std::error_code ec;
  return fs::read_symlink(link, ec).string();
}

// The pids (as this process sees them) of every process in PID namespace `ns`.
std::vector<pid_t> pids_in(const std::string &ns) {
  std::vector<pid_t> r;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator("/proc", ec)) {
    pid_t pid = std::atoi(e.path().filename().c_str());
    if (pid > 0 && ns_of(e.path() / "ns" / "pid") == ns) r.push_back(pid);
  }
  return r;
}

// The pid this process sees for the process whose pid in its own (innermost)
// PID namespace `ns` is `inner`; -1 if there is none.
pid_t outer_pid(const std::string &ns, pid_t inner) {
  for (pid_t pid : pids_in(ns)) {
    std::istringstream status(read_text(fmt::format("/proc/{}/status", pid)));
    for (std::string line; std::getline(status, line);) {
      if (!line.starts_with("NSpid:")) continue;
      if (line.substr(line.find_last_of(" \t") + 1) == std::to_string(inner)) return pid;
    }
  }
  return -1;
}

// The state letter of a process ('R', 'S', 'Z', ...), or 0 if it is gone.
char state_of(pid_t pid) {
  std::string stat = read_text(fmt::format("/proc/{}/stat", pid));
  auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? 0 : stat[close + 2];
}

// Whether process `pid` ignores signal `sig` (the SigIgn mask of its status).
bool ignores(pid_t pid, int sig) {
  std::istringstream status(read_text(fmt::format("/proc/{}/status", pid)));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("SigIgn:"))
      return (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1;
  return false;
}

// Leftovers as sorted "kind name" lines, for comparing.
std::vector<std::string> sorted(const std::vector<Leftover> &found) {
  std::vector<std::string> r;
  for (const auto &l : found) r.push_back(l.describe());
  std::sort(r.begin(), r.end());
  return r;
}
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// "a; b; c"
std::string join(const std::vector<std::string> &v) {
  std::string s;
  for (const auto &x : v) s += (s.empty() ? "" : "; ") + x;
  return s.empty() ? "nothing" : s;
}

// Make a POSIX queue, a POSIX shared memory object and a System V message
// queue; "" or what failed.
std::string make_objects(const std::string &queue, const std::string &shm, key_t key) {
  mqd_t q = mq_open(queue.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, nullptr);
  if (q == static_cast<mqd_t>(-1)) return "mq_open " + queue + ": " + strerror(errno);
  mq_close(q);
  int fd = shm_open(shm.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return "shm_open " + shm + ": " + strerror(errno);
  close(fd);
  if (msgget(key, IPC_CREAT | IPC_EXCL | 0600) < 0)
    return fmt::format("msgget {:#x}: {}", key, strerror(errno));
  return "";
}

// What of make_objects()'s three is still there ("" if none).
std::string still_there(const std::string &queue, const std::string &shm, key_t key) {
  std::vector<std::string> there;
  mqd_t q = mq_open(queue.c_str(), O_RDONLY);
  if (q != static_cast<mqd_t>(-1)) mq_close(q), there.push_back("the queue " + queue);
  if (access(("/dev/shm" + shm).c_str(), F_OK) == 0) there.push_back("the shm object " + shm);
  if (msgget(key, 0) >= 0) there.push_back(fmt::format("the System V queue {:#x}", key));
  return there.empty() ? "" : join(there);
}

// Remove make_objects()'s three, whichever are there.
void remove_objects(const std::string &queue, const std::string &shm, key_t key) {
  mq_unlink(queue.c_str());
  shm_unlink(shm.c_str());
  if (int id = msgget(key, 0); id >= 0) msgctl(id, IPC_RMID, nullptr);
}

// In a child: start a double-forked setsid daemon, deaf to SIGTERM, SIGHUP
// and SIGINT, in a sandbox of `iso`; then check end_processes() leaves
// nothing of it.
std::string daemon_is_ended(Isolation iso) {
  Sandbox sb(iso, std::nullopt, fmt::format("unit-daemon-{}", getpid()));
  std::string ns = ns_of("/proc/self/ns/pid_for_children");
  std::string pidfile = sb.workdir() + "/daemon.pid";
  Spawn s;
  s.path = "/bin/sh";
  s.argv = {"sh", "-c",
            "( /usr/bin/setsid /bin/sh -c 'trap \"\" TERM HUP INT; echo $$ >" + pidfile +
                "; exec /bin/sleep 1000' </dev/null >/dev/null 2>&1 & )"};
  Process starter = Process::start(s);
  const Outcome &o = starter.wait(Clock::now() + 5s);
  if (!o.exited || o.code != 0) return "the daemon's starter " + o.describe();
  std::string text;
  if (!eventually([&] { return (text = read_text(pidfile)).ends_with("\n"); }, 5s))
    return "the daemon never wrote its pid to " + pidfile;
  pid_t daemon = outer_pid(ns, std::stoi(text));
  if (daemon <= 0) return "no process in the sandbox has pid " + text;
  if (getsid(daemon) != daemon) return "the daemon did not make its own session";
  char state = state_of(daemon);
  if (state == 0 || state == 'Z') return "the daemon is not running before end_processes()";
  if (!ignores(daemon, SIGTERM)) return "the daemon does not ignore SIGTERM";

  sb.end_processes();
  if (kill(daemon, 0) == 0 || errno != ESRCH) {
    std::string why = fmt::format("the daemon (pid {}, state {}) outlived end_processes()", daemon,
                                  state_of(daemon));
    kill(daemon, SIGKILL);  // leave no process behind, even on failure
    return why;
  }
  if (auto left = pids_in(ns); iso != Isolation::unique_names && !left.empty())
    return fmt::format("{} process(es) still in the sandbox's PID namespace", left.size());
  return "";
}

}  // namespace

TEST_CASE("sweep() finds and removes the IPC objects made in a namespace sandbox" *
          doctest::timeout(30)) {
  if (!namespaces_or_skip()) return;
  std::string qbase = fmt::format("ipcg-unit-queue-{}", getpid());
  std::string mbase = fmt::format("ipcg-unit-shm-{}", getpid());
  Child child([&](Child &me) -> std::string {
    Sandbox sb(Isolation::root_namespaces, std::nullopt, "unit-sweep");
    std::string q = sb.name(qbase), m = sb.name(mbase);
    key_t k = sb.key(1);
    if (q != "/" + qbase) return "name(\"" + qbase + "\") is " + q;
    if (k != 0x49500001) return fmt::format("key(1) is {:#x}", k);
    if (auto why = make_objects(q, m, k); !why.empty()) return why;
    if (!me.ready_then_wait(10s)) return "the parent never said go on";

    auto found = sorted(sb.sweep());
    auto want = sorted({"POSIX message queue " + q, "POSIX shared memory object " + m,
                        "System V message queue key 0x49500001"});
    if (found != want) return "sweep() found " + join(found) + "; expected " + join(want);
    if (auto left = still_there(q, m, k); !left.empty()) return left + " after sweep()";
    if (auto again = sorted(sb.sweep()); !again.empty())
      return "a second sweep() found " + join(again);
    return "";
  });
  REQUIRE(child.await_ready(10s));
  // The host sees none of the sandbox's objects.
  errno = 0;
  CHECK(mq_open(("/" + qbase).c_str(), O_RDONLY) == static_cast<mqd_t>(-1));
  CHECK(errno == ENOENT);
  CHECK_FALSE(fs::exists("/dev/shm/" + mbase));
  CHECK(msgget(0x49500001, 0) == -1);
  child.go();
  CHECK(child.finish(20s) == "");
}

TEST_CASE("end_processes() kills a double-forked setsid daemon in a namespace sandbox" *
          doctest::timeout(30)) {
  if (!namespaces_or_skip()) return;
  Child child([](Child &) { return daemon_is_ended(Isolation::root_namespaces); });
  CHECK(child.finish(20s) == "");
}

TEST_CASE("end_processes() kills a double-forked setsid daemon in a unique-names sandbox" *
          doctest::timeout(30)) {
  Child child([](Child &) { return daemon_is_ended(Isolation::unique_names); });
  CHECK(child.finish(20s) == "");
}

TEST_CASE("a unique-names sandbox tags its names and keys and sweeps only those" *
          doctest::timeout(30)) {
  std::string other = fmt::format("/ipcg-unit-other-{}", getpid());
  Child child([&](Child &) -> std::string {
    std::string tag = fmt::format("unit{}", getpid());
    Sandbox sb(Isolation::unique_names, std::nullopt, tag);
    Sandbox neighbour(Isolation::unique_names, std::nullopt, tag + "n");
    std::string q = sb.name("q"), m = sb.name("m");
    key_t k = sb.key(1);
    auto verdict = [&]() -> std::string {
      if (!q.starts_with("/") || q.find(tag) == std::string::npos)
        return "name(\"q\") is " + q + ", which lacks the tag " + tag;
      if (q == m) return "name(\"q\") and name(\"m\") are both " + q;
      if (neighbour.name("q") == q) return "two tags give the same name " + q;
      if (neighbour.key(1) == k || sb.key(2) == k) return "two keys are the same";
      if (sb.workdir().find(tag) == std::string::npos || !fs::is_directory(sb.workdir()))
        return "the workdir " + sb.workdir() + " is not the sandbox's own folder";
      if (auto why = make_objects(q, m, k); !why.empty()) return why;
      mqd_t o = mq_open(other.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, nullptr);
      if (o == static_cast<mqd_t>(-1)) return "mq_open " + other + ": " + strerror(errno);
      mq_close(o);

      auto found = sorted(sb.sweep());
      bool other_kept = mq_unlink(other.c_str()) == 0;
      auto want = sorted({"POSIX message queue " + q, "POSIX shared memory object " + m,
                          fmt::format("System V message queue key {:#x}", k)});
      if (found != want) return "sweep() found " + join(found) + "; expected " + join(want);
      if (!other_kept) return "sweep() removed " + other + ", which the sandbox did not name";
      if (auto left = still_there(q, m, k); !left.empty()) return left + " after sweep()";
      if (!neighbour.sweep().empty()) return "the neighbour sandbox found objects";
      return "";
    };
    std::string why = verdict();
    remove_objects(q, m, k);  // these are the host's: leave none behind, even on failure
    mq_unlink(other.c_str());
    return why;
  });
  CHECK(child.finish(20s) == "");
  errno = 0;
  CHECK(mq_open(other.c_str(), O_RDONLY) == static_cast<mqd_t>(-1));
  CHECK(errno == ENOENT);
}

// A uid that no process of the machine uses, for the tests that run one as it.
// A uid no process runs as: one of the tests' claimed block (test_uids.hpp).
static uid_t unused_uid() { return test_uid(0); }

// Fork a process that drops to `uid` and sleeps until killed; its pid.
static pid_t sleeper_as(uid_t uid) {
  pid_t pid = check(fork(), "fork");
  if (pid == 0) {
    if (setgid(uid) < 0 || setuid(uid) < 0) _exit(1);
    for (;;) pause();
  }
  return pid;
}

TEST_CASE("uid_has_live_process() sees a running process of the uid, but no zombie" *
          doctest::timeout(30)) {
  if (geteuid() != 0) return;  // only root runs a process as another uid
  uid_t uid = unused_uid();
  CHECK_FALSE(uid_has_live_process(uid));
  pid_t pid = sleeper_as(uid);
  CHECK(eventually([&] { return uid_has_live_process(uid); }, 5s));
  kill(pid, SIGKILL);
  CHECK(eventually([&] { return state_of(pid) == 'Z'; }, 5s));
  CHECK_FALSE(uid_has_live_process(uid));  // a zombie, not yet reaped, is not live
  waitpid(pid, nullptr, 0);
}

TEST_CASE("end_processes() without namespaces kills the student uid's processes outside "
          "the sandbox, in a few rounds" * doctest::timeout(30)) {
  if (geteuid() != 0) return;
  uid_t uid = unused_uid();
  pid_t outside = sleeper_as(uid);  // not a descendant of the sandbox's process
  REQUIRE(eventually([&] { return uid_has_live_process(uid); }, 5s));
  Child child([&](Child &) -> std::string {
    Sandbox sb(Isolation::unique_names, uid, fmt::format("unit-uid-{}", getpid()));
    auto started = Clock::now();
    sb.end_processes();
    // It stops once nothing of the uid is left, not after a fixed 10000 rounds
    // of kill(-1), which succeeds whenever any other process exists.
    if (Clock::now() - started > 5s) return "end_processes() took more than 5 s";
    return "";
  });
  CHECK(child.finish(20s) == "");
  int status = 0;
  bool reaped = eventually([&] { return waitpid(outside, &status, WNOHANG) == outside; }, 5s);
  if (!reaped) kill(outside, SIGKILL), waitpid(outside, &status, 0);
  CHECK(reaped);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
}

TEST_CASE("a unique-names sandbox removes what its uid owned before the check, as stale, "
          "and sweep() does not report it" * doctest::timeout(30)) {
  if (geteuid() != 0) return;  // only root gives an object to another uid
  uid_t uid = unused_uid();
  std::string shm = fmt::format("/ipcg-unit-stale-{}", getpid());
  int fd = check(shm_open(shm.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600), "shm_open");
  check(fchown(fd, uid, uid), "fchown");
  close(fd);
  int id = check(shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), "shmget");
  shmid_ds ds{};
  check(shmctl(id, IPC_STAT, &ds), "shmctl IPC_STAT");
  ds.shm_perm.uid = uid;
  check(shmctl(id, IPC_SET, &ds), "shmctl IPC_SET");
  Child child([&](Child &) -> std::string {
    Sandbox sb(Isolation::unique_names, uid, fmt::format("unit-stale-{}", getpid()));
    auto stale = sorted(sb.stale());
    auto want = sorted({"POSIX shared memory object " + shm,
                        "System V shared memory segment key 0x0"});
    if (stale != want) return "stale() is " + join(stale) + "; expected " + join(want);
    if (auto found = sb.sweep(); !found.empty())
      return "sweep() found " + join(sorted(found)) + " again";
    return "";
  });
  CHECK(child.finish(20s) == "");
  bool shm_gone = shm_unlink(shm.c_str()) != 0;
  bool seg_gone = shmctl(id, IPC_RMID, nullptr) != 0;
  CHECK(shm_gone);
  CHECK(seg_gone);
}
