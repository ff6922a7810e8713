// client [-i f|q|s] [-n NAME] [-m CAP] [-c N] -d DATADIR get ROW COL ... | copy FILE OUT
// The client of lab 05: starts the server, watches it through a pidfd with
// poll, and copies a file with one thread per channel, each taking its
// chunks from the last to the first.
#include "chan.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace alt {
const char *prog = "client";
}
using namespace alt;

namespace {

struct Opts {
  char type = 'f';
  std::string name = "ctl", dir;
  size_t cap = 4096;
  unsigned channels = 1;
  bool copy = false;
  std::vector<std::pair<uint32_t, uint32_t>> cells;
  std::string file, out;
};

Opts o;
pid_t server_pid = -1;
std::atomic<bool> quitting{false};
pthread_mutex_t control_lock = PTHREAD_MUTEX_INITIALIZER;
int stop_fd = -1;   // an eventfd: main tells the watcher to end

// The usage line, exit 2.
[[noreturn]] void usage()
{
  std::fprintf(stderr, "usage: client [-i f|q|s] [-n NAME] [-m CAP] [-c N] -d DATADIR get ROW COL "
                       "[ROW COL ...] | copy FILE OUT\n");
  std::exit(2);
}

// Decimal digits only, at most MAX; false if it does not parse (too large is
// a number all the same: *out gets MAX + 1).
bool number(const char *s, unsigned long long max, unsigned long long *out)
{
  if (!*s)
    return false;
  unsigned long long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v > max ? v : v * 10 + (unsigned) (*s - '0');
  }
  *out = v > max ? max + 1 : v;
  return true;
}

// Parses the command line: every usage error before the lines of their own.
void parse(int argc, char **argv)
{
  const char *t = "f", *n = "ctl", *m = "4096", *c = "1", *d = nullptr;
  int opt;
  opterr = 0;
  while ((opt = getopt(argc, argv, "+:i:n:m:c:d:")) != -1) {
    switch (opt) {
    case 'i': t = optarg; break;
    case 'n': n = optarg; break;
    case 'm': m = optarg; break;
    case 'c': c = optarg; break;
    case 'd': d = optarg; break;
    default: usage();
    }
  }
  unsigned long long cap, count;
  if (!d || !number(m, 1000000, &cap) || !number(c, 1000, &count) || optind >= argc)
    usage();
  std::string cmd = argv[optind];
  int rest = argc - optind - 1;
  if (cmd == "get" && rest >= 2 && rest % 2 == 0) {
    for (int i = optind + 1; i < argc; i += 2) {
      unsigned long long row, col;
      if (!number(argv[i], UINT32_MAX, &row) || !number(argv[i + 1], UINT32_MAX, &col) ||
          row > UINT32_MAX || col > UINT32_MAX)
        usage();
      o.cells.emplace_back((uint32_t) row, (uint32_t) col);
    }
  } else if (cmd == "copy" && rest == 2) {
    o.copy = true;
    o.file = argv[optind + 1];
    o.out = argv[optind + 2];
  } else {
    usage();
  }
  if (std::strlen(t) != 1 || !std::strchr("fqs", t[0]))
    fail(2, "-i TYPE must be f, q or s");
  if (!*n || std::strchr(n, '/'))
    fail(2, "-n NAME must be a name without '/'");
  if (cap < 64 || cap > 65536)
    fail(2, "-m CAP must be between 64 and 65536");
  if (count < 1 || count > 16)
    fail(2, "-c N must be between 1 and 16");
  if (o.copy && sizeof(FileReq) + o.file.size() + 1 > cap)
    fail(2, "FILE must be at most %llu bytes long with -m %llu", cap - 17, cap);
  if (t[0] == 'q' && cap > 8192)
    fail(2, "-m CAP must be at most 8192 with -i q");
  o.type = t[0];
  o.name = n;
  o.dir = d;
  o.cap = (size_t) cap;
  o.channels = (unsigned) count;
}

// Prints the server's end and exits 1.
[[noreturn]] void server_ended(int status)
{
  fail(1, "server exited with %d", status);
}

// The status of a waitid() result: the exit code, or 128 + the signal.
int status_of(const siginfo_t &info)
{
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

// The watcher thread: polls the server's pidfd (and STOP_FD); if the server
// ends before QUIT, removes the control channel and exits 1.
void *watch(void *arg)
{
  int pidfd = (int) (intptr_t) arg;
  for (;;) {
    pollfd pf[2] = {{pidfd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    if (poll(pf, 2, -1) == -1) {
      if (errno == EINTR)
        continue;
      die("poll");
    }
    if (pf[1].revents || quitting)
      return nullptr;
    if (pf[0].revents)
      break;
  }
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  while (waitid(P_PID, (id_t) server_pid, &info, WEXITED | WNOWAIT) == -1) {
    if (errno == EINTR)
      continue;
    if (quitting)
      return nullptr;
    die("waitid");
  }
  if (quitting)
    return nullptr;
  pthread_mutex_lock(&control_lock);   // for good
  unlink_channel(o.type, o.name);
  server_ended(status_of(info));
}

// A FIFO channel of the client saw the server go: the watcher reports it.
void wait_for_watcher()
{
  for (;;)
    pause();
}

// Removes what an earlier run may have left of the control channel.
void remove_stale()
{
  for (char t : {'s', 'q', 'f'})
    unlink_channel(t, o.name);
}

// The file "server" next to this executable.
std::string server_path()
{
  std::vector<char> exe(PATH_MAX + 1);
  ssize_t n = readlink("/proc/self/exe", exe.data(), exe.size());
  if (n == -1)
    die("readlink");
  if ((size_t) n == exe.size()) {
    errno = ENAMETOOLONG;
    die("readlink");
  }
  std::string path(exe.data(), (size_t) n);
  return path.substr(0, path.rfind('/') + 1) + "server";
}

// Forks and execs the server; starts the watcher on its pidfd.
pthread_t start_server()
{
  std::string path = server_path();
  std::string type(1, o.type), cap = std::to_string(o.cap);
  server_pid = fork();
  if (server_pid == -1)
    die("fork");
  if (server_pid == 0) {
    const char *args[] = {"server", "-i", type.c_str(), "-n", o.name.c_str(), "-d",
                          o.dir.c_str(), "-m", cap.c_str(), nullptr};
    execv(path.c_str(), const_cast<char *const *>(args));
    die("execv");
  }
  int pidfd = (int) syscall(SYS_pidfd_open, server_pid, 0);
  if (pidfd == -1)
    die("pidfd_open");
  stop_fd = eventfd(0, EFD_CLOEXEC);
  if (stop_fd == -1)
    die("eventfd");
  pthread_t w;
  int e = pthread_create(&w, nullptr, watch, (void *) (intptr_t) pidfd);
  if (e != 0) {
    errno = e;
    die("pthread_create");
  }
  return w;
}

// get: one DATA request per cell; false if a value was missing.
bool get(Channel &ctl)
{
  bool ok = true;
  std::vector<char> buf(o.cap);
  for (auto [row, col] : o.cells) {
    DataReq d = {DATA, row, col};
    ctl.send(&d, sizeof d);
    size_t n = ctl.recv(buf.data(), buf.size());
    if (n != 8) {
      std::fprintf(stderr, "client: bad reply of %zu bytes to DATA %u %u\n", n, row, col);
      ok = false;
      continue;
    }
    int64_t v;
    std::memcpy(&v, buf.data(), 8);
    if (v == NO_VALUE) {
      std::fprintf(stderr, "client: no value at %u %u\n", row, col);
      ok = false;
      continue;
    }
    std::printf("%lld\n", (long long) v);
  }
  return ok;
}

// A FILE request for LENGTH bytes at OFFSET.
std::vector<char> file_request(uint32_t length, uint64_t offset)
{
  FileReq f = {FILE_REQ, length, offset};
  std::vector<char> req(sizeof f + o.file.size() + 1, '\0');
  std::memcpy(req.data(), &f, sizeof f);
  std::memcpy(req.data() + sizeof f, o.file.c_str(), o.file.size());
  return req;
}

struct Mover {
  Channel *ch;
  int fd;
  uint64_t size;
  unsigned first, step;
  bool ok;
};

// One channel's chunks, first, first + step, ..., taken from the last down.
void *move_chunks(void *arg)
{
  Mover *m = static_cast<Mover *>(arg);
  m->ok = true;
  uint64_t chunks = (m->size + o.cap - 1) / o.cap;
  if (chunks <= m->first)
    return nullptr;
  uint64_t k = m->first + (chunks - 1 - m->first) / m->step * m->step;
  std::vector<char> buf(o.cap);
  for (;;) {
    uint64_t offset = k * o.cap;
    uint32_t length = (uint32_t) std::min<uint64_t>(o.cap, m->size - offset);
    std::vector<char> req = file_request(length, offset);
    m->ch->send(req.data(), req.size());
    size_t n = m->ch->recv(buf.data(), buf.size());
    if (n != length) {
      std::fprintf(stderr, "client: bad reply of %zu bytes to FILE %s for %u bytes at %llu\n", n,
                   o.file.c_str(), length, (unsigned long long) offset);
      m->ok = false;
      return nullptr;
    }
    for (size_t done = 0; done < n;) {
      ssize_t w = pwrite(m->fd, buf.data() + done, n - done, (off_t) (offset + done));
      if (w == -1)
        die("pwrite");
      done += (size_t) w;
    }
    if (k < m->first + m->step)
      return nullptr;
    k -= m->step;
  }
}

// copy: the size, OUT, N new channels, a thread per channel, the QUITs.
bool copy(Channel &ctl)
{
  std::vector<char> buf(o.cap);
  std::vector<char> req = file_request(0, 0);
  ctl.send(req.data(), req.size());
  size_t n = ctl.recv(buf.data(), buf.size());
  if (n != 8) {
    std::fprintf(stderr, "client: bad reply of %zu bytes to FILE %s\n", n, o.file.c_str());
    return false;
  }
  uint64_t size;
  std::memcpy(&size, buf.data(), 8);
  if (size == NO_DATA) {
    std::fprintf(stderr, "client: the server has no file %s\n", o.file.c_str());
    return false;
  }
  int fd = open(o.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1)
    die("open");
  std::vector<std::unique_ptr<Channel>> chans;
  bool ok = true;
  for (unsigned i = 0; i < o.channels; i++) {
    uint32_t t = NEWCHANNEL;
    ctl.send(&t, sizeof t);
    n = ctl.recv(buf.data(), buf.size());
    if (n < 2 || buf[n - 1] != '\0' || std::strlen(buf.data()) != n - 1) {
      std::fprintf(stderr, "client: bad reply of %zu bytes to NEWCHANNEL\n", n);
      ok = false;
      break;
    }
    chans.push_back(open_channel(o.type, buf.data(), Side::client, o.cap));
  }
  if (ok) {
    std::vector<Mover> movers(chans.size());
    std::vector<pthread_t> threads(chans.size());
    for (size_t i = 0; i < chans.size(); i++) {
      movers[i] = {chans[i].get(), fd, size, (unsigned) i, (unsigned) chans.size(), false};
      int e = pthread_create(&threads[i], nullptr, move_chunks, &movers[i]);
      if (e != 0) {
        errno = e;
        die("pthread_create");
      }
    }
    for (size_t i = 0; i < chans.size(); i++) {
      int e = pthread_join(threads[i], nullptr);
      if (e != 0) {
        errno = e;
        die("pthread_join");
      }
      ok = ok && movers[i].ok;
    }
  }
  for (auto &ch : chans) {
    uint32_t t = QUIT;
    ch->send(&t, sizeof t);
    ch.reset();
  }
  if (close(fd) == -1)
    die("close");
  return ok;
}

}  // namespace

// Cleans up, starts the server, runs the command, quits, waits.
int main(int argc, char **argv)
{
  parse(argc, argv);
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)   // a FIFO write to a dead server: EPIPE
    die("signal");
  peer_gone = wait_for_watcher;
  remove_stale();
  pthread_t watcher = start_server();
  pthread_mutex_lock(&control_lock);
  std::unique_ptr<Channel> ctl = open_channel(o.type, o.name, Side::client, o.cap);
  pthread_mutex_unlock(&control_lock);
  bool ok = o.copy ? copy(*ctl) : get(*ctl);
  if (std::fflush(stdout) == EOF)
    die("fflush");
  quitting = true;
  uint32_t t = QUIT;
  ctl->send(&t, sizeof t);
  int status;
  while (waitpid(server_pid, &status, 0) == -1) {
    if (errno != EINTR)
      die("waitpid");
  }
  uint64_t one = 1;
  if (write(stop_fd, &one, sizeof one) == -1)
    die("write");
  int e = pthread_join(watcher, nullptr);
  if (e != 0) {
    errno = e;
    die("pthread_join");
  }
  ctl.reset();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    server_ended(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return ok ? 0 : 1;
}
