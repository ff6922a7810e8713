// server -i f|q|s -n NAME -d DATADIR -m CAP: the data server of lab 05.
// The main thread makes each new channel itself (its objects exist before the
// reply) and hands it to a pthread that serves it.
#include "chan.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace alt {
const char *prog = "server";
}
using namespace alt;

namespace {

struct Opts {
  char type = 0;
  std::string name, dir;
  size_t cap = 0;
};

Opts opts;
std::vector<std::vector<int64_t>> table;

// The usage line, exit 2.
[[noreturn]] void usage()
{
  std::fprintf(stderr, "usage: server -i f|q|s -n NAME -d DATADIR -m CAP\n");
  std::exit(2);
}

// Decimal digits only, saturating; false if it does not parse.
bool digits(const char *s, unsigned long long *out)
{
  if (!*s)
    return false;
  unsigned long long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v > 1000000000000ULL ? v : v * 10 + (unsigned) (*s - '0');
  }
  *out = v;
  return true;
}

// Parses the command line; usage problems first, then the lines of their own.
void parse(int argc, char **argv)
{
  const char *t = nullptr, *n = nullptr, *d = nullptr, *m = nullptr;
  int c;
  opterr = 0;
  while ((c = getopt(argc, argv, "+:i:n:d:m:")) != -1) {
    switch (c) {
    case 'i': t = optarg; break;
    case 'n': n = optarg; break;
    case 'd': d = optarg; break;
    case 'm': m = optarg; break;
    default: usage();
    }
  }
  unsigned long long cap;
  if (optind != argc || !t || !n || !d || !m || !digits(m, &cap))
    usage();
  if (std::strlen(t) != 1 || !std::strchr("fqs", t[0]))
    fail(2, "-i TYPE must be f, q or s");
  if (!*n || std::strchr(n, '/'))
    fail(2, "-n NAME must be a name without '/'");
  if (cap < 64 || cap > 65536)
    fail(2, "-m CAP must be between 64 and 65536");
  if (t[0] == 'q' && cap > 8192)
    fail(2, "-m CAP must be at most 8192 with -i q");
  opts.type = t[0];
  opts.name = n;
  opts.dir = d;
  opts.cap = (size_t) cap;
}

// One value of a row: [-+]digits fitting in int64_t.
bool cell(const std::string &s, int64_t *out)
{
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+'))
    neg = s[i++] == '-';
  if (i == s.size())
    return false;
  unsigned long long mag = 0, limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    unsigned dgt = (unsigned) (s[i] - '0');
    if (mag > (limit - dgt) / 10)
      return false;
    mag = mag * 10 + dgt;
  }
  *out = neg ? (int64_t) (0 - mag) : (int64_t) mag;
  return true;
}

// Reads all of DATADIR/table.csv and parses it into TABLE.
void load_table()
{
  std::string path = opts.dir + "/table.csv";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    die("open");
  std::string text;
  char block[65536];
  for (;;) {
    ssize_t got = read(fd, block, sizeof block);
    if (got == -1)
      die("read");
    if (got == 0)
      break;
    text.append(block, (size_t) got);
  }
  if (close(fd) == -1)
    die("close");
  size_t pos = 0;
  for (unsigned long line = 1; pos < text.size(); line++) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos)
      fail(1, "%s: line %lu has no newline", path.c_str(), line);
    std::string row = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::vector<int64_t> values;
    size_t start = 0;
    for (;;) {
      size_t comma = row.find(',', start);
      int64_t v;
      if (!cell(row.substr(start, comma == std::string::npos ? std::string::npos : comma - start), &v))
        fail(1, "%s: line %lu: not comma-separated numbers", path.c_str(), line);
      values.push_back(v);
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
    if (!table.empty() && values.size() != table[0].size())
      fail(1, "%s: line %lu has %zu values, line 1 %zu", path.c_str(), line, values.size(),
           table[0].size());
    table.push_back(std::move(values));
  }
}

// The exit for a request the contract does not allow.
[[noreturn]] void bad_request(size_t n, const std::string &name)
{
  fail(1, "bad request of %zu bytes on %s", n, name.c_str());
}

// Answers a FILE request for NAME into REPLY; returns the reply's length.
size_t answer_file(const FileReq &req, const char *name, char *reply)
{
  uint64_t none = NO_DATA;
  std::memcpy(reply, &none, 8);
  if (std::strchr(name, '/'))
    return 8;
  int fd = open((opts.dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return 8;
  size_t len = 8;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    uint64_t size = (uint64_t) st.st_size;
    if (req.offset == 0 && req.length == 0) {
      std::memcpy(reply, &size, 8);
    } else if (req.length >= 1 && req.length <= opts.cap && req.offset <= size &&
               req.length <= size - req.offset) {
      size_t got = 0;   // pread until all of it, or NO_DATA
      while (got < req.length) {
        ssize_t n = pread(fd, reply + got, req.length - got, (off_t) (req.offset + got));
        if (n <= 0)
          break;
        got += (size_t) n;
      }
      if (got == req.length)
        len = req.length;
      else
        std::memcpy(reply, &none, 8);
    }
  }
  if (close(fd) == -1)
    die("close");
  return len;
}

struct Served {
  std::unique_ptr<Channel> ch;
  std::string name;
  pthread_t thread;
};

void serve(Channel &ch, const std::string &name, std::vector<Served *> *children);

// A channel thread: serves its channel until QUIT, then destroys it.
void *channel_main(void *arg)
{
  Served *s = static_cast<Served *>(arg);
  serve(*s->ch, s->name, nullptr);
  s->ch.reset();
  return nullptr;
}

// Makes channel NAME.chK here, starts its thread, and only then replies.
void new_channel(Channel &ctl, std::vector<Served *> &children)
{
  Served *s = new Served;
  s->name = opts.name + ".ch" + std::to_string(children.size() + 1);
  s->ch = open_channel(opts.type, s->name, Side::server, opts.cap);
  int e = pthread_create(&s->thread, nullptr, channel_main, s);
  if (e != 0) {
    errno = e;
    die("pthread_create");
  }
  children.push_back(s);
  ctl.send(s->name.c_str(), s->name.size() + 1);
}

// Serves CH until QUIT or end of file; CHILDREN is null on a new channel.
void serve(Channel &ch, const std::string &name, std::vector<Served *> *children)
{
  std::vector<char> req(opts.cap), reply(opts.cap > 8 ? opts.cap : 8);
  for (;;) {
    size_t n = ch.recv(req.data(), req.size());
    if (n == 0)
      return;
    if (n < 4)
      bad_request(n, name);
    uint32_t type;
    std::memcpy(&type, req.data(), 4);
    if (type == QUIT && n == 4)
      return;
    if (type == NEWCHANNEL && n == 4 && children) {
      new_channel(ch, *children);
    } else if (type == DATA && n == sizeof(DataReq)) {
      DataReq d;
      std::memcpy(&d, req.data(), sizeof d);
      int64_t v = NO_VALUE;
      if (d.row < table.size() && d.col < table[d.row].size())
        v = table[d.row][d.col];
      ch.send(&v, sizeof v);
    } else if (type == FILE_REQ && n > sizeof(FileReq) && req[n - 1] == '\0' &&
               std::memchr(req.data() + sizeof(FileReq), '\0', n - sizeof(FileReq) - 1) == nullptr) {
      FileReq f;
      std::memcpy(&f, req.data(), sizeof f);
      ch.send(reply.data(), answer_file(f, req.data() + sizeof(FileReq), reply.data()));
    } else {
      bad_request(n, name);
    }
  }
}

}  // namespace

// Loads the table, serves the control channel, joins, cleans up.
int main(int argc, char **argv)
{
  parse(argc, argv);
  load_table();
  std::vector<Served *> children;
  {
    std::unique_ptr<Channel> ctl = open_channel(opts.type, opts.name, Side::server, opts.cap);
    serve(*ctl, opts.name, &children);
    for (Served *s : children) {
      int e = pthread_join(s->thread, nullptr);
      if (e != 0) {
        errno = e;
        die("pthread_join");
      }
      delete s;
    }
  }
  return 0;
}
