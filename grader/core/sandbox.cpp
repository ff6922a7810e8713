// sandbox.cpp: namespaces, private mounts, the PID namespace's init, and the
// sweep that finds and removes every IPC object a check left.
#include "sandbox.hpp"

#include "fd.hpp"
#include "process.hpp"
#include "syscalls.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace ipcg {
namespace fs = std::filesystem;

std::string_view describe(Isolation iso) {
  switch (iso) {
    case Isolation::root_namespaces:
      return "private namespaces, students as an unprivileged uid";
    case Isolation::user_namespaces:
      return "private namespaces in a user namespace";
    case Isolation::unique_names:
      return "unique object names (no namespaces available)";
  }
  return "?";
}

namespace {

// Write `text` to the file at `path` (for /proc/self/{uid,gid}_map and setgroups).
void write_file(const std::string &path, const std::string &text) {
  Fd fd(check(open(path.c_str(), O_WRONLY | O_CLOEXEC), ("open " + path).c_str()));
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("write " + path);
}

// Mount a fresh tmpfs at `dir` with the given mode.
void mount_tmpfs(const char *dir, const char *mode) {
  std::string opts = fmt::format("mode={},size=256m", mode);
  check(mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()),
        (std::string("mount tmpfs on ") + dir).c_str());
}

// The init of a PID namespace: reap whatever is orphaned into it, until killed.
// It dies with the check process (PR_SET_PDEATHSIG), taking the namespace
// along; `alive` is the read end of a pipe whose write end only the check
// process holds, so a hang-up there means it died before the prctl.
[[noreturn]] void init_loop(int alive) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  pollfd p{alive, POLLIN, 0};
  if (poll(&p, 1, 0) != 0) _exit(0);
  close_range(0, ~0U, 0);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  for (;;) {
    siginfo_t info;
    sigwaitinfo(&all, &info);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
}

// Every entry name in a directory ("" entries and dot entries skipped).
std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> r;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(dir, ec)) r.push_back(e.path().filename());
  return r;
}

// Rows of /proc/sysvipc/<kind> as (key, id) pairs.
std::vector<std::pair<key_t, int>> sysv_rows(const char *kind) {
  std::ifstream f(std::string("/proc/sysvipc/") + kind);
  std::string line;
  std::getline(f, line);  // the header
  std::vector<std::pair<key_t, int>> rows;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    long long key = 0;
    int id = 0;
    if (in >> key >> id) rows.push_back({static_cast<key_t>(key), id});
  }
  return rows;
}

std::string key_text(key_t k) { return fmt::format("key {:#x}", static_cast<unsigned>(k)); }

}  // namespace

// Wait (5 s at most) for a probe child; true if it exited 0. One that hangs
// (a kernel that blocks on a mount, say) is killed and counts as a failure.
static bool probe_succeeded(pid_t pid) {
  Fd pidfd(open_pidfd(pid));
  pollfd p{pidfd.get(), POLLIN, 0};
  int ready = poll(&p, 1, 5000);
  if (ready <= 0) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ready > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Isolation probe_isolation() {
  for (Isolation iso : {Isolation::root_namespaces, Isolation::user_namespaces}) {
    if (iso == Isolation::root_namespaces && geteuid() != 0) continue;
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      int code = 0;
      try {
        Sandbox probe(iso, std::nullopt, "probe");
      } catch (...) {
        code = 1;
      }
      _exit(code);
    }
    if (probe_succeeded(pid)) return iso;
  }
  return Isolation::unique_names;
}

Sandbox::Sandbox(Isolation iso, std::optional<uid_t> student_uid, std::string tag,
                 std::vector<std::string> hidden)
    : iso_(iso),
      uid_(geteuid() == 0 && iso != Isolation::user_namespaces ? student_uid : std::nullopt),
      tag_(std::move(tag)),
      hidden_(std::move(hidden)) {
  umask(0);
  if (iso_ == Isolation::unique_names) {
    check(prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl(PR_SET_CHILD_SUBREAPER)");
    workdir_ = (fs::temp_directory_path() / ("ipcgrade-" + tag_)).string();
    fs::create_directories(workdir_);
    if (uid_) check(chown(workdir_.c_str(), *uid_, *uid_), "chown work folder");
    // Where it is allowed; otherwise the inherited /proc is ours anyway. In a
    // mount namespace of its own, an mqueue mount on /dev/mqueue shows the
    // host's queues to this process alone, so the student's can be found.
    // (in the work folder, which goes with the check; the student cannot enter it).
    if (own_proc_view() && uid_) {
      std::string dir = workdir_ + "/.grader-mqueue";
      check(mkdir(dir.c_str(), 0700), "mkdir .grader-mqueue");
      grader_file(dir);
      if (mount("mqueue", dir.c_str(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0)
        host_mqueue_ = dir;
    }
    if (host_mqueue_.empty() && uid_ && fs::exists("/dev/mqueue/."))  // a container mounts it
      host_mqueue_ = "/dev/mqueue";
    return;
  }
  enter_namespaces();
  mount_private_dirs();
  start_init();
}

// Unshare IPC, mount and PID namespaces (and a user namespace when not root).
void Sandbox::enter_namespaces() {
  int flags = CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWPID;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (iso_ == Isolation::user_namespaces) flags |= CLONE_NEWUSER;
  // The system-call recorder's thread (syscalls.hpp) must start between the
  // two: no thread may exist at CLONE_NEWUSER, and none can be made after
  // CLONE_NEWPID.
  check(unshare(flags & ~CLONE_NEWPID), "unshare");
  start_syscall_recorder();
  check(unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)");
  if (iso_ == Isolation::user_namespaces) {
    write_file("/proc/self/setgroups", "deny");
    write_file("/proc/self/uid_map", fmt::format("{} {} 1", uid, uid));
    write_file("/proc/self/gid_map", fmt::format("{} {} 1", gid, gid));
  }
}

// Stop mount events from leaking out of this mount namespace: make every mount
// private. Inside a chroot "/" may be no mount point; then each mount that is
// still shared is made private on its own, and one that cannot be is an error.
static void make_mounts_private() {
  if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0) return;
  if (errno != EINVAL) throw_errno("mount --make-rprivate /");
  auto shared = [] {
    std::vector<std::string> points;
    std::ifstream f("/proc/self/mountinfo");
    for (std::string line; std::getline(f, line);) {
      std::istringstream in(line);
      std::string id, parent, dev, root, point, opts, tag;
      in >> id >> parent >> dev >> root >> point >> opts;
      while (in >> tag && tag != "-")
        if (tag.rfind("shared:", 0) == 0) points.push_back(point);
    }
    return points;
  };
  for (const auto &point : shared()) mount("none", point.c_str(), nullptr, MS_PRIVATE, nullptr);
  if (auto left = shared(); !left.empty())
    throw std::runtime_error("cannot make the mount at " + left.front() + " private");
}

bool own_proc_view() {
  if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0) return false;
  try {
    make_mounts_private();
  } catch (const std::exception &) {
    return false;
  }
  mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  return true;
}

// A private /tmp and /dev/shm, the student's work folder, and an mqueue mount.
void Sandbox::mount_private_dirs() {
  make_mounts_private();
  // A /proc of the grader's own PID namespace, so that /proc/PID means the pid
  // fork() returned even where the inherited /proc belongs to another one (a
  // chroot or container that kept the host's). Not allowed in a user namespace,
  // where the inherited one is used.
  if (iso_ == Isolation::root_namespaces)
    check(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr), "mount proc");
  mount_tmpfs("/tmp", "1777");
  mount_tmpfs("/dev/shm", "1777");
  // As root the grader's staging is in /run, so /var/tmp can be private too.
  if (iso_ == Isolation::root_namespaces && fs::is_directory("/var/tmp"))
    mount_tmpfs("/var/tmp", "1777");
  check(mkdir("/tmp/.grader", 0700), "mkdir /tmp/.grader");
  mqueue_dir_ = "/tmp/.grader/mqueue";
  check(mkdir(mqueue_dir_.c_str(), 0700), "mkdir mqueue");
  check(mount("mqueue", mqueue_dir_.c_str(), "mqueue", 0, nullptr), "mount mqueue");
  workdir_ = "/tmp/work";
  check(mkdir(workdir_.c_str(), 0755), "mkdir /tmp/work");
  if (uid_) check(chown(workdir_.c_str(), *uid_, *uid_), "chown /tmp/work");
  // The grader's own folders become empty, read-only ones (those under /tmp
  // are gone already with the host's /tmp).
  for (const auto &h : hidden_) {
    struct stat st {};
    if (stat(h.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    check(mount("tmpfs", h.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0755"),
          ("mount tmpfs over " + h).c_str());
  }
}

// Fork the PID namespace's init; every student process starts after it.
void Sandbox::start_init() {
  Pipe alive = Pipe::make();
  init_ = check(fork(), "fork");
  if (init_ == 0) init_loop(alive.read.get());
  alive_ = std::move(alive.write);
}

Sandbox::~Sandbox() {
  try {
    end_processes();
  } catch (...) {
  }
  if (iso_ == Isolation::unique_names) {
    if (host_mqueue_.starts_with(workdir_)) umount2(host_mqueue_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(workdir_, ec);
  }
}

bool Sandbox::student_needs_search() const { return uid_ && closed_root(); }

std::string Sandbox::name(std::string_view base) {
  std::string n = iso_ == Isolation::unique_names ? fmt::format("/ipcg.{}.{}", tag_, base)
                                                  : fmt::format("/{}", base);
  names_.push_back(n);
  return n;
}

key_t Sandbox::key(unsigned n) {
  key_t base = 0x49500000;  // "IP"
  if (iso_ == Isolation::unique_names)
    base = static_cast<key_t>(0x20000000 + (std::hash<std::string>{}(tag_)&0x0fffff00));
  key_t k = base + static_cast<key_t>(n);
  keys_.push_back(k);
  return k;
}

std::vector<std::string> Sandbox::object_dirs() const {
  std::vector<std::string> dirs{workdir_, "/dev/shm"};
  if (std::string mq = mqueue_root(); !mq.empty()) dirs.push_back(mq);
  return dirs;
}

std::vector<pid_t> Sandbox::student_processes() const {
  std::vector<pid_t> pids;
  if (!uid_) return pids;
  for (const auto &e : entries("/proc")) {
    if (e.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st {};
    if (stat(("/proc/" + e).c_str(), &st) == 0 && st.st_uid == *uid_)
      pids.push_back(static_cast<pid_t>(std::stol(e)));
  }
  return pids;
}

std::optional<std::string> Sandbox::mqueue_file(std::string_view name) const {
  std::string mq = mqueue_root();  // without namespaces, the host's queues (as root)
  if (mq.empty() || name.empty()) return std::nullopt;
  return mq + "/" + std::string(name.substr(1));
}

// Kill the processes of the unique-names sandbox: orphans were reparented to us.
static void kill_reparented_children() {
  pid_t self = getpid();
  for (const auto &e : entries("/proc")) {
    pid_t pid = std::atoi(e.c_str());
    if (pid <= 0) continue;
    std::ifstream f("/proc/" + e + "/stat");
    std::string line;
    std::getline(f, line);
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == self) kill(pid, SIGKILL);
  }
}

// Without namespaces, as root: kill every process of the student's uid, as
// that uid (kill(-1) reaches exactly its own processes), wherever they are.
void Sandbox::kill_student_uid() {
  pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    if (setgid(*uid_) < 0 || setuid(*uid_) < 0) _exit(1);
    for (int round = 0; round < 10000 && kill(-1, SIGKILL) == 0; ++round) sched_yield();
    _exit(0);
  }
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void Sandbox::end_processes() {
  if (init_ > 0) kill(init_, SIGKILL);
  if (iso_ == Isolation::unique_names && uid_) kill_student_uid();
  if (iso_ == Isolation::unique_names) kill_reparented_children();
  // Reap everything: the init, and students it killed whose parent we are.
  while (true) {
    pid_t r = waitpid(-1, nullptr, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (iso_ == Isolation::unique_names) kill_reparented_children();
  }
  init_ = -1;
}

std::vector<Leftover> Sandbox::sweep() {
  auto found = iso_ == Isolation::unique_names ? sweep_names() : sweep_namespace();
  if (iso_ == Isolation::unique_names && uid_) {
    auto owned = sweep_student_owned();
    found.insert(found.end(), owned.begin(), owned.end());
  }
  auto files = sweep_files();
  found.insert(found.end(), files.begin(), files.end());
  return found;
}

// Files in the work folder that the grader did not make: temp files a program left.
std::vector<Leftover> Sandbox::sweep_files() {
  std::vector<Leftover> found;
  for (const auto &e : entries(workdir_)) {
    std::string path = workdir_ + "/" + e;
    if (std::find(files_.begin(), files_.end(), path) != files_.end()) continue;
    found.push_back({"file", path});
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  return found;
}

// Everything in the namespace is the check's: list it all and remove it all.
std::vector<Leftover> Sandbox::sweep_namespace() {
  std::vector<Leftover> found;
  for (const auto &e : entries(mqueue_dir_)) {
    found.push_back({"POSIX message queue", "/" + e});
    mq_unlink(("/" + e).c_str());
  }
  for (const auto &e : entries("/dev/shm")) {
    bool sem = e.rfind("sem.", 0) == 0;
    found.push_back({sem ? "POSIX named semaphore" : "POSIX shared memory object",
                     "/" + (sem ? e.substr(4) : e)});
    unlink(("/dev/shm/" + e).c_str());
  }
  for (auto [k, id] : sysv_rows("msg")) {
    found.push_back({"System V message queue", key_text(k)});
    msgctl(id, IPC_RMID, nullptr);
  }
  for (auto [k, id] : sysv_rows("shm")) {
    found.push_back({"System V shared memory segment", key_text(k)});
    shmctl(id, IPC_RMID, nullptr);
  }
  for (auto [k, id] : sysv_rows("sem")) {
    found.push_back({"System V semaphore set", key_text(k)});
    semctl(id, 0, IPC_RMID);
  }
  return found;
}

// The rows of /proc/sysvipc/<kind> whose owner or creator is `uid`, as (key, id).
static std::vector<std::pair<key_t, int>> sysv_rows_of(const char *kind, uid_t uid) {
  std::ifstream f(std::string("/proc/sysvipc/") + kind);
  std::string line;
  std::getline(f, line);
  std::istringstream head(line);
  std::vector<std::string> cols;
  for (std::string c; head >> c;) cols.push_back(c);
  auto at = [&](std::string_view name) {
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  size_t uid_col = at("uid"), cuid_col = at("cuid");
  std::vector<std::pair<key_t, int>> rows;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::vector<long long> v;
    for (long long x; in >> x;) v.push_back(x);
    if (v.size() <= std::max(uid_col, cuid_col)) continue;
    if (v[uid_col] == uid || v[cuid_col] == uid)
      rows.push_back({static_cast<key_t>(v[0]), static_cast<int>(v[1])});
  }
  return rows;
}

// Without namespaces, as root: whatever the student's uid owns is the
// check's (the uid is this check's alone), whatever its name: POSIX queues
// (when a mount shows them), /dev/shm objects and System V objects.
std::vector<Leftover> Sandbox::sweep_student_owned() {
  std::vector<Leftover> found;
  auto owned = [&](const std::string &path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 && st.st_uid == *uid_;
  };
  if (!host_mqueue_.empty())
    for (const auto &e : entries(host_mqueue_))
      if (owned(host_mqueue_ + "/" + e) && mq_unlink(("/" + e).c_str()) == 0)
        found.push_back({"POSIX message queue", "/" + e});
  for (const auto &e : entries("/dev/shm")) {
    if (!owned("/dev/shm/" + e) || unlink(("/dev/shm/" + e).c_str()) != 0) continue;
    bool sem = e.starts_with("sem.");
    found.push_back({sem ? "POSIX named semaphore" : "POSIX shared memory object",
                     "/" + (sem ? e.substr(4) : e)});
  }
  for (const char *dir : {"/tmp", "/var/tmp"})
    for (const auto &e : entries(dir)) {
      std::string path = std::string(dir) + "/" + e;
      std::error_code ec;
      if (path != workdir_ && owned(path) && fs::remove_all(path, ec) > 0)
        found.push_back({"file", path});
    }
  for (auto [k, id] : sysv_rows_of("msg", *uid_))
    if (msgctl(id, IPC_RMID, nullptr) == 0) found.push_back({"System V message queue", key_text(k)});
  for (auto [k, id] : sysv_rows_of("shm", *uid_))
    if (shmctl(id, IPC_RMID, nullptr) == 0)
      found.push_back({"System V shared memory segment", key_text(k)});
  for (auto [k, id] : sysv_rows_of("sem", *uid_))
    if (semctl(id, 0, IPC_RMID) == 0) found.push_back({"System V semaphore set", key_text(k)});
  return found;
}

// Without a namespace only what the check named can be the check's.
std::vector<Leftover> Sandbox::sweep_names() {
  std::vector<Leftover> found;
  for (const auto &n : names_) {
    mqd_t q = mq_open(n.c_str(), O_RDONLY);
    if (q != (mqd_t)-1 || errno == EACCES) {
      if (q != (mqd_t)-1) mq_close(q);
      found.push_back({"POSIX message queue", n});
      mq_unlink(n.c_str());
    }
    // Objects and semaphores named after it too ("/ipcg.TAG.ring-empty"): the
    // unique prefix is the check's alone.
    std::string base = n.substr(1);
    for (const auto &e : entries("/dev/shm")) {
      bool sem = e.starts_with("sem." + base);
      if (!sem && !e.starts_with(base)) continue;
      if (unlink(("/dev/shm/" + e).c_str()) != 0) continue;
      found.push_back({sem ? "POSIX named semaphore" : "POSIX shared memory object",
                       "/" + (sem ? e.substr(4) : e)});
    }
  }
  for (key_t k : keys_) {
    if (int id = msgget(k, 0); id >= 0 && msgctl(id, IPC_RMID, nullptr) == 0)
      found.push_back({"System V message queue", key_text(k)});
    if (int id = shmget(k, 0, 0); id >= 0 && shmctl(id, IPC_RMID, nullptr) == 0)
      found.push_back({"System V shared memory segment", key_text(k)});
    if (int id = semget(k, 0, 0); id >= 0 && semctl(id, 0, IPC_RMID) == 0)
      found.push_back({"System V semaphore set", key_text(k)});
  }
  return found;
}

}  // namespace ipcg
