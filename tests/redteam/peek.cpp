// redteam: a student's mq_recv.cpp that looks for what a sandbox must not
// show and prints one word per finding, never any secret itself:
//   PEEKED         it ran (so that a clean report is not a report of nothing)
//   LEAKED:WHAT    it reached what no mode may show it (a classmate's sources,
//                  the gradebook, another grader's staging, a host queue)
//   SHARED:WHAT    it reached what only namespaces hide (the network, /run/lock,
//                  unbounded System V memory); allowed in the fallback alone
// @CLASS@, @OUT@, @MARKER@ and @PORT@ are filled in by tests/redteam.py.
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
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

int main() {
  std::printf("PEEKED ");
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
