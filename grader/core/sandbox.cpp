// sandbox.cpp: namespaces, private mounts, the PID namespace's init, and the
// sweep that finds and removes every IPC object a check left.
#include "sandbox.hpp"

#include "access.hpp"
#include "fd.hpp"
#include "process.hpp"
#include "syscalls.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

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


// ---- What a sandbox shares with the host: nothing it need not (issue 16) ----

// The System V and POSIX-queue bounds of a sandbox's IPC namespace: what the
// labs' contracts use (a few objects, segments of at most a few KiB, one
// semaphore per set), with room for a student's mistakes, and far below
// what would hurt the machine (three 512 MiB segments no process owns).
const std::pair<const char *, const char *> ipc_bounds[] = {
    {"/proc/sys/kernel/shmmax", "67108864"},  // 64 MiB a segment
    {"/proc/sys/kernel/shmall", "16384"},     // 64 MiB of segments in all (pages)
    {"/proc/sys/kernel/shmmni", "64"},        // segments
    {"/proc/sys/kernel/msgmni", "64"},        // message queues
    {"/proc/sys/kernel/msgmnb", "65536"},     // bytes a queue holds
    {"/proc/sys/kernel/msgmax", "8192"},      // bytes a message holds
    {"/proc/sys/kernel/sem", "250 4096 64 64"},  // SEMMSL SEMMNS SEMOPM SEMMNI
    {"/proc/sys/fs/mqueue/queues_max", "64"},    // POSIX queues
};

// Bound the new IPC namespace's objects (see ipc_bounds); the bounds that
// cannot be set (an older kernel in a user namespace), as "shmmax, ...".
std::string bound_ipc_namespace() {
  std::string failed;
  for (auto [file, value] : ipc_bounds) {
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, value, strlen(value)) == static_cast<ssize_t>(strlen(value));
    if (fd >= 0) close(fd);
    if (!ok) failed += (failed.empty() ? "" : ", ") + fs::path(file).filename().string();
  }
  return failed;
}

// Bring the loopback interface of a new network namespace up (its only one).
void loopback_up() {
  Fd sock(check(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket"));
  ifreq ifr{};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  check(ioctl(sock.get(), SIOCGIFFLAGS, &ifr), "ioctl SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  check(ioctl(sock.get(), SIOCSIFFLAGS, &ifr), "ioctl SIOCSIFFLAGS lo");
}

// One mount of /proc/self/mountinfo: where, its filesystem type, read-only.
struct MountPoint {
  std::string point, type;
  bool read_only = false;
};

// The mounts this process sees, from /proc/self/mountinfo (octal escapes undone).
std::vector<MountPoint> mount_points() {
  auto unescape = [](const std::string &s) {
    std::string r;
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\\' && i + 3 < s.size()) {
        r += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        r += s[i];
      }
    return r;
  };
  std::vector<MountPoint> found;
  std::ifstream f("/proc/self/mountinfo");
  for (std::string line; std::getline(f, line);) {
    std::istringstream in(line);
    std::string id, parent, dev, root, point, opts, tag, type;
    in >> id >> parent >> dev >> root >> point >> opts;
    while (in >> tag && tag != "-") {
    }
    in >> type;
    bool ro = ("," + opts + ",").find(",ro,") != std::string::npos;
    found.push_back({unescape(point), type, ro});
  }
  return found;
}

// Cover every mount that would let a student reach the host or another
// student: an mqueue mount (the host's queues: /dev/mqueue) gets an empty
// read-only tmpfs over it, and a writable mount whose top is world-writable
// (/run/lock, any other sticky folder) a fresh private tmpfs. Found from
// /proc/self/mountinfo, whatever the host mounts.
void cover_shared_mounts() {
  for (const auto &m : mount_points()) {
    struct stat st {};
    if (m.point == "/" || stat(m.point.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (m.type == "mqueue") {
      check(mount("tmpfs", m.point.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY,
                  "size=4k,mode=0755"),
            ("mount tmpfs over " + m.point).c_str());
    } else if (!m.read_only && (st.st_mode & S_IWOTH) && m.type != "proc" && m.type != "sysfs") {
      std::string opts = fmt::format("mode={:o},size=16m", st.st_mode & 07777);
      check(mount("tmpfs", m.point.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()),
            ("mount tmpfs over " + m.point).c_str());
    }
  }
}

// Replace /run (every grader's staging folder, /run/lock, daemons' sockets)
// with an empty tmpfs holding only this grader's staging folder, bound back
// at its own path. Nothing when the staging folder is not in /run.
void private_run(const std::string &staging) {
  if (staging.empty() || !staging.starts_with("/run/") || !fs::is_directory("/run")) return;
  Fd keep(check(open(staging.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC), "open staging"));
  check(mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m"),
        "mount tmpfs on /run");
  fs::create_directories(staging);
  std::string from = fmt::format("/proc/self/fd/{}", keep.get());
  check(mount(from.c_str(), staging.c_str(), nullptr, MS_BIND | MS_REC, nullptr),
        ("bind staging " + staging).c_str());
  check(mount(nullptr, staging.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID,
              nullptr),
        "remount staging read-only");
}

// ---- end of what a sandbox shares ----

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

// The work folder of the check tagged `tag`, without namespaces.
static std::string work_folder(const std::string &tag) {
  return (fs::temp_directory_path() / ("ipcgrade-" + tag)).string();
}

Sandbox::Sandbox(Isolation iso, std::optional<uid_t> student_uid, std::string tag,
                 std::vector<std::string> hidden, std::string staging)
    : iso_(iso),
      uid_(geteuid() == 0 ? student_uid : std::nullopt),
      tag_(std::move(tag)),
      hidden_(std::move(hidden)),
      staging_(std::move(staging)) {
  umask(0);
  if (iso_ == Isolation::unique_names) {
    check(prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl(PR_SET_CHILD_SUBREAPER)");
    workdir_ = work_folder(tag_);
    fs::create_directories(workdir_);
    // The student's alone: another grader's students see its path in command
    // lines (a copy of a program run from it, as channels' client).
    if (uid_) {
      check(chown(workdir_.c_str(), *uid_, *uid_), ("chown " + workdir_).c_str());
      check(chmod(workdir_.c_str(), 0700), ("chmod " + workdir_).c_str());
    }
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
    // The uid is this check's alone only from now on: a grader killed before
    // its sweep may have left objects owned by it (its pid, and so its uids,
    // are reused); they are not this check's to be charged for.
    if (uid_) stale_ = sweep_student_owned();
    return;
  }
  enter_namespaces();
  mount_private_dirs();
  start_init();
}

// As root in a user namespace: unshare `flags`, and have a child that stays
// outside map root and the student's uid and gid each to itself (mapping
// more than one's own id takes CAP_SETUID and CAP_SETGID outside), so that
// students run as their own unprivileged uid there too, never as root.
static void unshare_mapping_student(int flags, uid_t student) {
  Pipe go = Pipe::make();
  pid_t self = getpid();
  pid_t helper = check(fork(), "fork");
  if (helper == 0) {
    char c;
    go.write.reset();
    if (read(go.read.get(), &c, 1) != 1) _exit(1);
    try {
      std::string map = fmt::format("0 0 1\n{0} {0} 1\n", student);
      write_file(fmt::format("/proc/{}/uid_map", self), map);
      write_file(fmt::format("/proc/{}/gid_map", self), map);
    } catch (const std::exception &) {
      _exit(1);
    }
    _exit(0);
  }
  go.read.reset();
  int err = unshare(flags) == 0 ? 0 : errno;
  ssize_t n = err == 0 ? write(go.write.get(), "m", 1) : 0;
  go.write.reset();
  int status = 0;
  while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (err != 0) throw std::system_error(err, std::generic_category(), "unshare");
  if (n != 1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(fmt::format(
        "cannot map the student's uid {} into the user namespace (write uid_map)", student));
}

// Unshare IPC, mount, PID and network namespaces (and a user namespace when
// not root); bound the IPC namespace and bring its loopback up.
void Sandbox::enter_namespaces() {
  int flags = CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (iso_ == Isolation::user_namespaces) flags |= CLONE_NEWUSER;
  // The system-call recorder's thread (syscalls.hpp) must start between the
  // two: no thread may exist at CLONE_NEWUSER, and none can be made after
  // CLONE_NEWPID.
  if (iso_ == Isolation::user_namespaces && uid_) {
    unshare_mapping_student(flags & ~CLONE_NEWPID, *uid_);
  } else {
    check(unshare(flags & ~CLONE_NEWPID), "unshare");
    if (iso_ == Isolation::user_namespaces) {
      write_file("/proc/self/setgroups", "deny");
      write_file("/proc/self/uid_map", fmt::format("{} {} 1", uid, uid));
      write_file("/proc/self/gid_map", fmt::format("{} {} 1", gid, gid));
    }
  }
  start_syscall_recorder();
  check(unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)");
  loopback_up();
  unbounded_ = bound_ipc_namespace();
  if (!unbounded_.empty() && iso_ == Isolation::root_namespaces)
    throw std::runtime_error("cannot bound the IPC namespace: " + unbounded_);
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

bool foreign_proc() {
  char link[32] = {};
  if (readlink("/proc/self", link, sizeof link - 1) < 0) return true;
  return std::atol(link) != getpid();
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
  cover_shared_mounts();
  if (iso_ == Isolation::root_namespaces) private_run(staging_);
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

std::string Sandbox::name(std::string_view base) {
  std::string n = iso_ == Isolation::unique_names ? fmt::format("/ipcg.{}.{}", tag_, base)
                                                  : fmt::format("/{}", base);
  names_.push_back(n);
  return n;
}

// The first key of the check: "IP" in a namespace, one of the tag's own otherwise.
key_t Sandbox::key_base() const {
  if (iso_ != Isolation::unique_names) return 0x49500000;
  return static_cast<key_t>(0x20000000 + (std::hash<std::string>{}(tag_)&0x0fffff00));
}

key_t Sandbox::key(unsigned n) {
  key_t k = key_base() + static_cast<key_t>(n);
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

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> found;
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
    if (ppid == parent) found.push_back(pid);
  }
  return found;
}

// Kill the processes of the unique-names sandbox: orphans were reparented to us.
static void kill_reparented_children() {
  for (pid_t pid : children_of(getpid())) kill(pid, SIGKILL);
}

// IPC_RMID of System V object `id` of kind "msg", "sem" or "shm", as its
// owner where the grader lacks CAP_SYS_ADMIN; true if it was removed.
static bool remove_sysv(const char *kind, int id) {
  auto as = owner_of_sysv(kind, id, CAP_SYS_ADMIN);
  std::string_view k = kind;
  if (k == "msg") return msgctl(id, IPC_RMID, nullptr) == 0;
  if (k == "shm") return shmctl(id, IPC_RMID, nullptr) == 0;
  return semctl(id, 0, IPC_RMID) == 0;
}

// Plain system calls only: kill_student_uid() calls it in a fork.
bool uid_has_live_process(uid_t uid) {
  int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  char names[8192];
  const pid_t self = getpid();
  bool found = false;
  ssize_t n;
  while (!found && (n = getdents64(dir, names, sizeof names)) > 0) {
    for (ssize_t at = 0; at < n && !found;) {
      const auto *d = reinterpret_cast<const struct dirent64 *>(names + at);
      at += d->d_reclen;
      char *end = nullptr;
      long pid = std::strtol(d->d_name, &end, 10);
      if (*end != '\0' || pid <= 0 || pid == self) continue;
      char path[64], text[4096];
      std::snprintf(path, sizeof path, "/proc/%ld/status", pid);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;  // gone already
      ssize_t len = read(fd, text, sizeof text - 1);
      close(fd);
      if (len <= 0) continue;
      text[len] = '\0';
      const char *state = std::strstr(text, "\nState:\t");
      const char *uids = std::strstr(text, "\nUid:\t");
      unsigned long real = 0, eff = 0, saved = 0;
      if (!state || !uids || std::sscanf(uids, "\nUid:\t%lu\t%lu\t%lu", &real, &eff, &saved) != 3)
        continue;
      char s = state[8];
      found = s != 'Z' && s != 'X' && (real == uid || saved == uid);
    }
  }
  close(dir);
  return found;
}

// Without namespaces, as root: kill every process of the student's uid, as
// that uid (kill(-1) reaches exactly its own processes), wherever they are,
// again until none is left alive (a fork loop may make more between kills);
// it waits for the killer, and end_processes() reaps the orphans. kill(-1)'s own result
// cannot say that: it succeeds whenever the system has any process but init
// and the caller, ours or not, and for zombies.
void Sandbox::kill_student_uid() {
  pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    pid_t parent = getppid();
    if (setgid(*uid_) < 0 || setuid(*uid_) < 0) _exit(1);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // after setuid, which clears it
    if (getppid() != parent) _exit(1);
    for (int round = 0; round < 10000; ++round) {
      kill(-1, SIGKILL);
      if (!uid_has_live_process(*uid_)) break;
      sched_yield();
    }
    _exit(0);
  }
  // Waited for here: end_processes() kills this process's children next, and
  // would kill the killer before its first kill(-1) if it had not yet run.
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
    if (remove_sysv("msg", id)) found.push_back({"System V message queue", key_text(k)});
  for (auto [k, id] : sysv_rows_of("shm", *uid_))
    if (remove_sysv("shm", id)) found.push_back({"System V shared memory segment", key_text(k)});
  for (auto [k, id] : sysv_rows_of("sem", *uid_))
    if (remove_sysv("sem", id)) found.push_back({"System V semaphore set", key_text(k)});
  return found;
}

// Remove the shared memory objects and named semaphores of /dev/shm whose
// names start with `prefix`; add them to `found`.
static void sweep_shm_named(const std::string &prefix, std::vector<Leftover> &found) {
  for (const auto &e : entries("/dev/shm")) {
    bool sem = e.starts_with("sem." + prefix);
    if (!sem && !e.starts_with(prefix)) continue;
    if (unlink(("/dev/shm/" + e).c_str()) != 0) continue;
    found.push_back({sem ? "POSIX named semaphore" : "POSIX shared memory object",
                     "/" + (sem ? e.substr(4) : e)});
  }
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
    sweep_shm_named(n.substr(1), found);
  }
  for (key_t k : keys_) {
    if (int id = msgget(k, 0); id >= 0 && remove_sysv("msg", id))
      found.push_back({"System V message queue", key_text(k)});
    if (int id = shmget(k, 0, 0); id >= 0 && remove_sysv("shm", id))
      found.push_back({"System V shared memory segment", key_text(k)});
    if (int id = semget(k, 0, 0); id >= 0 && remove_sysv("sem", id))
      found.push_back({"System V semaphore set", key_text(k)});
  }
  return found;
}

// Everything named with the tag ("/ipcg.TAG.*") and every System V object
// keyed in its range: the check's, whatever base names it chose. POSIX queues
// only when a mount shows them.
std::vector<Leftover> Sandbox::sweep_tagged() {
  std::vector<Leftover> found;
  std::string prefix = "ipcg." + tag_ + ".";
  if (!host_mqueue_.empty())
    for (const auto &e : entries(host_mqueue_))
      if (e.starts_with(prefix) && mq_unlink(("/" + e).c_str()) == 0)
        found.push_back({"POSIX message queue", "/" + e});
  sweep_shm_named(prefix, found);
  auto ours = [&](key_t k) { return k >= key_base() && k < key_base() + 0x100; };
  for (auto [kind, what] : {std::pair{"msg", "System V message queue"},
                            {"shm", "System V shared memory segment"},
                            {"sem", "System V semaphore set"}})
    for (auto [k, id] : sysv_rows(kind))
      if (ours(k) && remove_sysv(kind, id)) found.push_back({what, key_text(k)});
  return found;
}

Sandbox::Sandbox(Remains, std::optional<uid_t> student_uid, std::string tag)
    : iso_(Isolation::unique_names),
      uid_(geteuid() == 0 ? student_uid : std::nullopt),
      tag_(std::move(tag)),
      workdir_(work_folder(tag_)) {}

std::vector<Leftover> Sandbox::clean_up_killed(std::optional<uid_t> student_uid,
                                               std::string tag) {
  Sandbox sb(Remains{}, student_uid, std::move(tag));
  // The host's queues, through a mount this process alone sees.
  std::string mnt;
  if (own_proc_view()) {
    mnt = (fs::temp_directory_path() / "ipcgrade-mq.XXXXXX").string();
    if (!mkdtemp(mnt.data())) throw_errno("mkdtemp " + mnt);
    if (mount("mqueue", mnt.c_str(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0)
      sb.host_mqueue_ = mnt;
  }
  if (sb.host_mqueue_.empty() && fs::exists("/dev/mqueue/.")) sb.host_mqueue_ = "/dev/mqueue";
  if (sb.uid_) sb.kill_student_uid();
  while (waitpid(-1, nullptr, __WALL) > 0 || errno == EINTR) {
  }
  auto found = sb.sweep_tagged();
  if (sb.uid_) {
    auto owned = sb.sweep_student_owned();
    found.insert(found.end(), owned.begin(), owned.end());
  }
  std::error_code ec;
  fs::remove_all(sb.workdir_, ec);
  sb.uid_.reset();  // its processes are gone: the destructor need not kill again
  if (!mnt.empty()) {
    umount2(mnt.c_str(), MNT_DETACH);
    rmdir(mnt.c_str());
  }
  return found;
}

}  // namespace ipcg
