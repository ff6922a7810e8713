// server.cpp: the data server. Loads the table DATADIR/table.csv, then
// answers requests (see protocol.hpp) on the control channel NAME, and on
// every channel that a NEWCHANNEL request asks for, each served by a thread
// of its own, until QUIT on the control channel.
// Usage: server -i f|q|s -n NAME -d DATADIR -m CAP
// See also client.cpp, which starts it, and channel.hpp.

#include <fcntl.h>
#include <future>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "chanlab.hpp"
#include "channel.hpp"
#include "protocol.hpp"

// What the command line asked for.
struct Options {
  char type = 0;                 // -i: 'f' (FIFOs), 'q' (message queues) or 's' (shared memory)
  const char *name = nullptr;    // -n: the control channel's name, e.g. "ctl"
  const char *datadir = nullptr; // -d: the folder of table.csv and of the files
  size_t cap = 0;                // -m: the longest message, MIN_CAP..MAX_CAP bytes
};

// The table: rows of int64_t values, all of the same length.
using Table = std::vector<std::vector<int64_t>>;

// What every channel's thread needs to answer requests; it does not
// change once the server runs.
struct Server {
  Options o;   // the command line
  Table table; // DATADIR/table.csv
};

// Reads the options, or exits 2 with the usage line (or with the line of
// its own that a bad argument gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  long cap = 0;
  while ((opt = getopt(argc, argv, "+i:n:d:m:")) != -1) {
    switch (opt) {
    case 'i': o.type = parse_type(optarg); break;
    case 'n': o.name = parse_channel_name(optarg); break;
    case 'd': o.datadir = optarg; break;
    case 'm':
      cap = parse_long(optarg, LONG_MIN, LONG_MAX);
      if (cap < MIN_CAP || cap > MAX_CAP)
        bad_argument("-m CAP must be between %ld and %ld", MIN_CAP, MAX_CAP);
      break;
    default: usage();
    }
  }
  if (argc != optind || o.type == 0 || o.name == nullptr || o.datadir == nullptr || cap == 0)
    usage();
  // BEGIN SOLUTION
  if (o.type == 'q' && cap > MAX_MQ_CAP)
    bad_argument("-m CAP must be at most %ld with -i q", MAX_MQ_CAP);
  // END SOLUTION: // Step 9: with -i q, a CAP above MAX_MQ_CAP is a bad argument: "-m CAP must be at most 8192 with -i q"
  o.cap = cap;
  return o;
}

// Returns all the bytes of the file PATH.
std::string read_file(const std::string &path)
{
  int fd = open(path.c_str(), O_RDONLY);
  if (fd == -1)
    die("open");
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    text.append(buf, n);
  if (n == -1)
    die("read");
  if (close(fd) == -1)
    die("close");
  return text;
}

// Loads DATADIR/table.csv: '\n'-terminated rows of comma-separated decimal
// int64_t values, all rows with the same number of values.
Table load_table(const char *datadir)
{
  std::string path = std::string(datadir) + "/table.csv";
  std::string text = read_file(path);
  Table table;
  size_t at = 0; // where the next line starts in TEXT
  for (long line = 1; at < text.size(); line++) {
    size_t eol = text.find('\n', at);
    if (eol == std::string::npos)
      die_data("%s: line %ld has no newline", path.c_str(), line);
    std::string fields = text.substr(at, eol - at);
    std::vector<int64_t> row;
    for (const char *p = fields.c_str();; p++) {
      char *end;
      errno = 0;
      long long value = strtoll(p, &end, 10);
      if (end == p || isspace((unsigned char) *p) || errno != 0 || (*end != ',' && *end != '\0'))
        die_data("%s: line %ld: not comma-separated numbers", path.c_str(), line);
      row.push_back(value);
      if (*end == '\0')
        break;
      p = end; // at the ',', which the loop steps over
    }
    if (!table.empty() && row.size() != table[0].size())
      die_data("%s: line %ld has %zu values, line 1 %zu", path.c_str(), line, row.size(),
               table[0].size());
    table.push_back(row);
    at = eol + 1;
  }
  return table;
}

// Exits 1 with "server: bad request of N bytes on NAME": a request of an
// unknown type, or of the wrong length for its type.
[[noreturn]] void bad_request(size_t n, const std::string &name)
{
  die_data("bad request of %zu bytes on %s", n, name.c_str());
}

// Answers the DATA request REQ on CH: the value at (row, col) of the table,
// or NO_VALUE if the table has no such cell.
void answer_data(const Server &s, RequestChannel &ch, const DataMsg &req)
{
  // BEGIN SOLUTION
  int64_t value = NO_VALUE;
  if (req.row < s.table.size() && req.col < s.table[req.row].size())
    value = s.table[req.row][req.col];
  ch.cwrite(&value, sizeof value);
  // END SOLUTION: todo("Step 3: reply to the DATA request REQ with its cell's value, or NO_VALUE (see Step 3 and 'The server's replies')", s, ch, req);
}

// Answers the FILE request REQ for the file NAME into REPLY (CAP bytes):
// returns the length of the reply. The file's size (offset 0, length 0),
// or LENGTH bytes from OFFSET; NO_DATA if the name holds a '/', the file
// is not a regular file that can be read, or the range is not all inside it.
size_t answer_file(const Server &s, const FileMsg &req, const char *name, char *reply)
{
  uint64_t no_data = NO_DATA;
  memcpy(reply, &no_data, sizeof no_data); // the reply unless all goes well
  if (strchr(name, '/') != nullptr)
    return sizeof no_data;
  // BEGIN SOLUTION
  std::string path = std::string(s.o.datadir) + "/" + name;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd == -1)
    return sizeof no_data; // no such file, or not ours to read: NO_DATA
  size_t len = sizeof no_data;
  struct stat sb;
  if (fstat(fd, &sb) == -1)
    die("fstat");
  uint64_t size = sb.st_size;
  if (!S_ISREG(sb.st_mode)) {
    // not a file: NO_DATA
  } else if (req.offset == 0 && req.length == 0) {
    memcpy(reply, &size, sizeof size);
  } else if (req.length >= 1 && req.length <= s.o.cap && req.offset <= size &&
             req.length <= size - req.offset) {
    ssize_t n = pread(fd, reply, req.length, req.offset);
    if (n == req.length)
      len = n;
    else
      memcpy(reply, &no_data, sizeof no_data); // the file shrank, or cannot be read
  }
  if (close(fd) == -1)
    die("close");
  return len;
  // END SOLUTION: todo("Step 3: put the answer to the FILE request REQ for NAME into REPLY and return its length (see Step 3 and 'The server's replies')", s, req, name, reply);
}

void serve(Server &s, RequestChannel &ch, const std::string &name, bool control);

// A channel thread: creates the server side of the channel NAME, says so
// through MADE, then serves it until QUIT. Destroying the channel at the end
// removes its objects.
void channel_thread(Server &s, std::string name, std::promise<void> made)
{
  // BEGIN SOLUTION
  std::unique_ptr<RequestChannel> ch = make_channel(s.o.type, name, Side::server, s.o.cap);
  made.set_value(); // the channel's objects exist: the client may open them
  serve(s, *ch, name, false);
  // END SOLUTION: todo("Step 4: make and serve the new channel NAME, saying through MADE once it exists (see Step 7 and 'Threads: one per channel')", s, name, made);
}

// Answers a NEWCHANNEL request on the control channel CTL: starts a thread
// (kept in THREADS) that creates the channel NAME.chK (NAME the control
// channel's, K = THREADS.size() + 1: "ctl.ch1", "ctl.ch2", ...) and serves
// it; once its objects exist, replies with its name, NUL included.
void answer_newchannel(Server &s, RequestChannel &ctl, std::vector<std::thread> &threads)
{
  // BEGIN SOLUTION
  std::string name = std::string(s.o.name) + ".ch" + std::to_string(threads.size() + 1);
  std::promise<void> made;
  std::future<void> ready = made.get_future();
  threads.emplace_back(channel_thread, std::ref(s), name, std::move(made));
  ready.wait(); // reply only once the channel's objects exist
  ctl.cwrite(name.c_str(), name.size() + 1);
  // END SOLUTION: todo("Step 4: start a thread that makes and serves the next new channel, and reply with its name once it exists (see Step 7 and 'The server's replies')", s, ctl, threads);
}

// Serves the channel CH, named NAME, until QUIT or until the client has
// gone; only the CONTROL channel may ask for new channels, whose threads
// are joined at its end.
void serve(Server &s, RequestChannel &ch, const std::string &name, bool control)
{
  std::vector<char> request(s.o.cap);
  std::vector<char> reply(s.o.cap);
  std::vector<std::thread> threads; // the channels that this one asked for
  for (;;) {
    size_t n = ch.cread(request.data(), request.size());
    if (n == 0)
      break; // the client has gone (a FIFO's end of file): as good as QUIT
    if (n < sizeof(TypeMsg))
      bad_request(n, name);
    TypeMsg head;
    memcpy(&head, request.data(), sizeof head);
    // BEGIN SOLUTION
    if (head.type == QUIT_MSG && n == sizeof(TypeMsg))
      break;
    if (head.type == DATA_MSG && n == sizeof(DataMsg)) {
      DataMsg req;
      memcpy(&req, request.data(), sizeof req);
      answer_data(s, ch, req);
    } else if (head.type == FILE_MSG && n > sizeof(FileMsg) && request[n - 1] == '\0' &&
               strlen(request.data() + sizeof(FileMsg)) == n - sizeof(FileMsg) - 1) {
      FileMsg req;
      memcpy(&req, request.data(), sizeof req);
      ch.cwrite(reply.data(), answer_file(s, req, request.data() + sizeof(FileMsg), reply.data()));
    } else if (head.type == NEWCHANNEL_MSG && n == sizeof(TypeMsg) && control) {
      answer_newchannel(s, ch, threads);
    } else {
      bad_request(n, name);
    }
    // END SOLUTION: todo("Step 3: answer or reject the request by its type and its length; Step 7: NEWCHANNEL on the control channel only (see Step 3 and the contract's 'Messages')", ch, head, threads, control, reply);
  }
  // BEGIN SOLUTION
  for (std::thread &t : threads)
    t.join(); // the client has sent QUIT on each channel before
  // END SOLUTION: // Step 4: join() every thread of THREADS
}

// Parses the command line, loads the table, then serves the control
// channel until QUIT.
int main(int argc, char *argv[])
{
  prog_name = "server";
  prog_usage = "-i f|q|s -n NAME -d DATADIR -m CAP";
  Server s;
  s.o = parse_args(argc, argv);
  s.table = load_table(s.o.datadir);
  std::unique_ptr<RequestChannel> ctl = make_channel(s.o.type, s.o.name, Side::server, s.o.cap);
  serve(s, *ctl, s.o.name, true);
  ctl.reset(); // closes and removes the control channel
  return 0;
}
