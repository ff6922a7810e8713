// redteam: a student's mq_recv.cpp that looks for what a sandbox must not
// show and prints one word per finding, never any secret itself:
//   PEEKED         it ran (so that a clean report is not a report of nothing)
//   LEAKED:WHAT    it reached what no mode may show it (a classmate's sources,
//                  the gradebook, another grader's staging, a host queue, a
//                  program another grader runs, another grader's build folder)
//   FOUND:WHAT     it saw what it then tried (a program another grader runs, a
//                  build folder): without namespaces it must, or nothing was tried
//   SHARED:WHAT    it reached what only namespaces hide (the network, /run/lock,
//                  unbounded System V memory); allowed in the fallback alone
// @CLASS@, @OUT@, @MARKER@, @PORT@, @BGTMP@ (the $TMPDIR of the graders
// tests/redteam.py runs beside the batch, whose pids are in @BGTMP@/graders)
// and @WAIT@ (seconds to look for them) are filled in by tests/redteam.py.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <thread>
#include <fstream>
#include <sstream>
#include <string>

// Print a finding.
static void say(const char *kind, const char *what) { std::printf("%s:%s ", kind, what); }

// Whether `path` opens for reading.
static bool readable(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return false;
  char c;
  bool got = read(fd, &c, 1) >= 0;
  close(fd);
  return got;
}

// Whether a grader's staging folder (/run/ipcgrade.*/<32 hex digits>/, this
// kit's layout) can be listed: then another grader's programs are in reach.
// (A staging folder of an older grader, without the random folder, is not
// this grader's to hide: it says nothing.)
static bool staging_listed() {
  DIR *run = opendir("/run");
  if (!run) return false;
  bool listed = false;
  while (dirent *e = readdir(run)) {
    if (std::strncmp(e->d_name, "ipcgrade.", 9) != 0) continue;
    DIR *d = opendir(("/run/" + std::string(e->d_name)).c_str());
    if (!d) continue;
    while (dirent *f = readdir(d))
      if (std::strlen(f->d_name) == 32 && std::strspn(f->d_name, "0123456789abcdef") == 32)
        listed = true;
    closedir(d);
  }
  closedir(run);
  return listed;
}

// Whether a host queue's message (the test's) can be taken, through any
// mqueue mount this process sees or by name.
static bool host_queue() {
  std::ifstream f("/proc/self/mountinfo");
  for (std::string line; std::getline(f, line);) {
    if (line.find(" - mqueue ") == std::string::npos) continue;
    std::istringstream in(line);
    std::string a, b, c, root, point;
    in >> a >> b >> c >> root >> point;
    int fd = open((point + "/redteam.@MARKER@").c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) continue;
    char buf[8192];
    bool got = mq_receive(fd, buf, sizeof buf, nullptr) > 0;
    close(fd);
    if (got) return true;
  }
  mqd_t q = mq_open("/redteam.@MARKER@", O_RDONLY | O_NONBLOCK);
  if (q == (mqd_t)-1) return false;
  char buf[8192];
  bool got = mq_receive(q, buf, sizeof buf, nullptr) > 0;
  mq_close(q);
  return got;
}

// Whether the host's TCP listener or abstract socket answers.
static bool network() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(@PORT@);
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool tcp = connect(s, reinterpret_cast<sockaddr *>(&in), sizeof in) == 0;
  close(s);
  s = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::string name = "redteam.@MARKER@";
  std::memcpy(un.sun_path + 1, name.data(), name.size());
  bool abstract = connect(s, reinterpret_cast<sockaddr *>(&un),
                          static_cast<socklen_t>(sizeof(sa_family_t) + 1 + name.size())) == 0;
  close(s);
  return tcp || abstract;
}

// Whether three 512 MiB System V segments can be made (and left, detached).
static bool hoard() {
  int made = 0;
  for (int i = 0; i < 3; ++i)
    made += shmget(IPC_PRIVATE, 512ul << 20, IPC_CREAT | 0600) >= 0;
  return made == 3;
}

// The student uids of the other graders (3000000 + 64 x pid + slot).
static std::set<uid_t> classmate_uids() {
  std::set<uid_t> uids;
  std::ifstream f("@BGTMP@/graders");
  for (unsigned long pid; f >> pid;)
    for (uid_t slot = 0; slot < 64; ++slot) uids.insert(3000000u + 64u * pid + slot);
  return uids;
}

// The real uid of process `pid` (-1 when unknown).
static long uid_of(const std::string &pid) {
  std::ifstream f("/proc/" + pid + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("Uid:", 0) == 0) return std::stol(line.substr(4));
  return -1;
}

// The program a process runs, as its argv[0] says (anyone may read it) or
// its exe link (only its owner); "" when neither names a path.
static std::string program_of(const std::string &pid) {
  char exe[4096];
  ssize_t n = readlink(("/proc/" + pid + "/exe").c_str(), exe, sizeof exe - 1);
  if (n > 0) return std::string(exe, static_cast<size_t>(n));
  std::ifstream f("/proc/" + pid + "/cmdline");
  std::string argv0;
  std::getline(f, argv0, '\0');
  return argv0.rfind('/', 0) == 0 ? argv0 : "";
}

// Whether `path` runs: exec'd in a child (its output thrown away), which is
// killed as soon as the exec has succeeded.
static bool runs(const std::string &path) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return false;
  pid_t child = fork();
  if (child == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    execl(path.c_str(), path.c_str(), static_cast<char *>(nullptr));
    char c = 1;
    (void)!write(p[1], &c, 1);
    _exit(127);
  }
  close(p[1]);
  char c;
  bool ran = child > 0 && read(p[0], &c, 1) == 0;  // closed by a successful exec
  close(p[0]);
  if (child > 0) kill(child, SIGKILL), waitpid(child, nullptr, 0);
  return ran;
}

// One look for a program another grader runs (a process of one of its
// student uids, from its staging or work folder): seen, and read or run?
static void hunt_programs(const std::set<uid_t> &uids, const std::string &own, bool &seen,
                          bool &reached) {
  DIR *proc = opendir("/proc");
  if (!proc) return;
  while (dirent *e = readdir(proc)) {
    std::string pid = e->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    long uid = uid_of(pid);
    if (uid < 0 || uid == static_cast<long>(getuid()) || !uids.count(static_cast<uid_t>(uid)))
      continue;
    std::string path = program_of(pid);
    if (path.find("/ipcgrade") == std::string::npos) continue;
    if (path.substr(0, path.rfind('/')) == own) continue;
    seen = true;
    if (readable(path) || runs(path)) reached = true;
  }
  closedir(proc);
}

// One look for another grader's build folders (ipcgrade-build.*,
// ipcgrade-unit.* in its $TMPDIR): seen, and listed?
static void hunt_builds(bool &seen, bool &reached) {
  DIR *tmp = opendir("@BGTMP@");
  if (!tmp) return;
  while (dirent *e = readdir(tmp)) {
    std::string name = e->d_name;
    if (name.rfind("ipcgrade-build.", 0) != 0 && name.rfind("ipcgrade-unit.", 0) != 0) continue;
    seen = true;
    DIR *d = opendir(("@BGTMP@/" + name).c_str());
    if (!d) continue;
    while (dirent *f = readdir(d))
      if (std::strcmp(f->d_name, ".") != 0 && std::strcmp(f->d_name, "..") != 0) reached = true;
    closedir(d);
  }
  closedir(tmp);
}

// Look for @WAIT@ s (or until both are seen) for the other graders' programs
// and build folders, and try each.
static void other_graders(const std::string &own) {
  bool program_seen = false, program_reached = false, build_seen = false, build_reached = false;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(@WAIT@);
  while (std::chrono::steady_clock::now() < end && !(program_seen && build_seen)) {
    hunt_programs(classmate_uids(), own, program_seen, program_reached);
    hunt_builds(build_seen, build_reached);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (program_seen) say("FOUND", "classmate-program");
  if (program_reached) say("LEAKED", "classmate-program");
  if (build_seen) say("FOUND", "build-folder");
  if (build_reached) say("LEAKED", "build-folder");
}

int main(int, char **argv) {
  std::printf("PEEKED ");
  std::string self = argv[0];
  other_graders(self.substr(0, self.rfind('/')));
  if (readable("@CLASS@/honest/labs/01-mqueue/mq_recv.cpp")) say("LEAKED", "classmate");
  if (readable("@OUT@/gradebook.csv")) say("LEAKED", "gradebook");
  if (staging_listed()) say("LEAKED", "staging");
  if (host_queue()) say("LEAKED", "host-queue");
  if (network()) say("SHARED", "network");
  int lock = open("/run/lock/redteam.@MARKER@", O_WRONLY | O_CREAT, 0644);
  if (lock >= 0) say("SHARED", "run-lock"), close(lock), unlink("/run/lock/redteam.@MARKER@");
  if (hoard()) say("SHARED", "sysv-memory");
  std::printf("\n");
  return 0;
}
