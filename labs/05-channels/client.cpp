// client.cpp: the client of the data server. Starts the server (the
// program `server` next to its own), then asks it, over the control channel
// NAME, for values of its table (get) or for a file, which it copies in
// chunks over N channels of its own (copy); then tells it to QUIT and
// waits for it to end.
// Usage: client [-i f|q|s] [-n NAME] [-m CAP] [-c N] -d DATADIR COMMAND ARGS...
//   get ROW COL [ROW COL ...]   prints the value at each (ROW, COL)
//   copy FILE OUT               copies DATADIR/FILE to OUT
// See also server.cpp and channel.hpp.

#include <algorithm>
#include <atomic>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include "chanlab.hpp"
#include "channel.hpp"
#include "protocol.hpp"

// What the command line asked for.
struct Options {
  char type = 'f';               // -i: 'f' (FIFOs), 'q' (message queues) or 's' (shared memory)
  const char *name = "ctl";      // -n: the control channel's name
  size_t cap = 4096;             // -m: the longest message, MIN_CAP..MAX_CAP bytes
  size_t channels = 1;           // -c: how many channels copy uses, 1..16
  const char *datadir = nullptr; // -d: the server's folder of table.csv and files
  const char *command = nullptr; // "get" or "copy"
  std::vector<std::pair<uint32_t, uint32_t>> cells; // get: the (ROW, COL) pairs
  const char *file = nullptr;                       // copy: the FILE to ask for
  const char *out = nullptr;                        // copy: the OUT file to write
};

// Reads the options and arguments, or exits 2 with the usage line (or with
// the line of its own that a bad argument gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+i:n:m:c:d:")) != -1) {
    switch (opt) {
    case 'i': o.type = parse_type(optarg); break;
    case 'n': o.name = parse_channel_name(optarg); break;
    case 'm': {
      long cap = parse_long(optarg, LONG_MIN, LONG_MAX);
      if (cap < MIN_CAP || cap > MAX_CAP)
        bad_argument("-m CAP must be between %ld and %ld", MIN_CAP, MAX_CAP);
      o.cap = cap;
      break;
    }
    case 'c': {
      long n = parse_long(optarg, LONG_MIN, LONG_MAX);
      if (n < 1 || n > 16)
        bad_argument("-c N must be between 1 and 16");
      o.channels = n;
      break;
    }
    case 'd': o.datadir = optarg; break;
    default: usage();
    }
  }
  if (o.datadir == nullptr || optind == argc)
    usage();
  o.command = argv[optind];
  int nargs = argc - optind - 1;
  char **args = argv + optind + 1;
  if (strcmp(o.command, "get") == 0 && nargs >= 2 && nargs % 2 == 0) {
    for (int i = 0; i < nargs; i += 2)
      o.cells.emplace_back(parse_long(args[i], 0, UINT32_MAX),
                           parse_long(args[i + 1], 0, UINT32_MAX));
  } else if (strcmp(o.command, "copy") == 0 && nargs == 2) {
    o.file = args[0];
    o.out = args[1];
    if (sizeof(FileMsg) + strlen(o.file) + 1 > o.cap)
      bad_argument("FILE must be at most %zu bytes long with -m %zu", o.cap - sizeof(FileMsg) - 1,
                   o.cap);
  } else {
    usage();
  }
  // Step 9: with -i q, a CAP above MAX_MQ_CAP is a bad argument: "-m CAP must be at most 8192 with -i q"
  return o;
}

// Held while the control channel is being made, so that the watcher
// thread cannot remove its objects halfway (see watch_server()).
std::mutex control_lock;

// Becomes true just before the client sends QUIT on the control channel:
// from then on the server's end is expected, and main() waits for it.
std::atomic<bool> quitting{false};

// Removes what an earlier run may have left of the control channel NAME:
// its FIFO files, queues, objects and semaphores, whatever the type.
void remove_stale(const Options &o)
{
  todo("Step 8: remove whatever an earlier run left of the control channel NAME, whatever its type (see Step 8 and 'Clean-up in destructors')", o);
}

// Returns the path of the program `server` in the folder of this
// program's own executable, which /proc/self/exe links to.
std::string server_path()
{
  todo("Step 4: return the path of the program server in the folder of this client's own executable (see Step 4 and 'Starting the server')");
}

// Starts the server: fork(), and the child execs server_path() with
// -i TYPE -n NAME -d DATADIR -m CAP. Returns the child's pid.
pid_t start_server(const Options &o)
{
  todo("Step 4: start the server as a child process with -i TYPE -n NAME -d DATADIR -m CAP and return its pid (see Step 4 and 'Starting the server')", o);
}

// Prints "client: server exited with STATUS": its exit status, or 128 +
// the signal number if a signal killed it (as the shell says it).
void report_server_end(int status)
{
  fprintf(stderr, "%s: server exited with %d\n", prog_name, status);
}

// The watcher thread: waits (without reaping it) until the server PID ends.
// If it ends before the client has sent QUIT, something is wrong: its end
// would leave the client waiting forever in an open(), mq_receive() or
// sem_wait(). So the watcher removes the control channel's objects, says
// how the server ended and exits 1.
void watch_server(pid_t pid, const Options &o)
{
  todo("Step 9: wait for the server to end without reaping it; if it ends before QUIT, remove the control channel, say how it ended and exit 1 (see Step 9)", pid, o);
}

// Waits for the server PID to end and reaps it. Returns true if it exited
// 0; otherwise says how it ended and returns false.
bool wait_server(pid_t pid)
{
  todo("Step 4: reap the server; true if it exited 0, otherwise say how it ended and return false (see Step 4 and the contract's client, point 5)", pid);
}

// Sends QUIT on the channel CH: the server's side of it ends.
void send_quit(RequestChannel &ch)
{
  todo("Step 4: tell the server's side of CH to end (see Step 4 and the contract's 'Messages')", ch);
}

// Asks for each cell of o.cells on CTL and prints its value; a cell
// outside the table gets "client: no value at ROW COL" on stderr instead.
// Returns true if every cell had a value.
bool get(const Options &o, RequestChannel &ctl)
{
  bool ok = true;
  std::vector<char> reply(o.cap);
  todo("Step 4: ask for the value of each cell of o.cells and print it, or say that there is none (see Step 4 and the contract's client)", o, ctl, ok, reply);
  return ok;
}

// Makes a FILE request for LENGTH bytes of FILE from OFFSET in BUF (at
// least sizeof(FileMsg) + strlen(FILE) + 1 bytes) and returns its length.
size_t file_request(char *buf, const char *file, uint64_t offset, uint32_t length)
{
  FileMsg req = {FILE_MSG, length, offset};
  memcpy(buf, &req, sizeof req);
  memcpy(buf + sizeof req, file, strlen(file) + 1); // the name, NUL included
  return sizeof req + strlen(file) + 1;
}

// Asks the server on CTL for the size of o.file (a FILE request with offset
// 0 and length 0) and stores it in *SIZE. Returns false, having said why on
// stderr, if the server has no such file.
bool ask_size(const Options &o, RequestChannel &ctl, uint64_t *size)
{
  std::vector<char> buf(o.cap);
  todo("Step 4: ask the server for the size of o.file into *SIZE; false if it has no such file (see Step 4 and 'The server's replies')", o, ctl, size, buf);
}

// Asks for a new channel on CTL (NEWCHANNEL) and opens the client side of
// the channel whose name the server replies with.
std::unique_ptr<RequestChannel> new_channel(const Options &o, RequestChannel &ctl)
{
  std::vector<char> name(o.cap);
  todo("Step 4: ask the server for a new channel and return this client's end of it (see Steps 4 and 7)", o, ctl, name);
}

// Writes all LEN bytes of BUF into FD at OFFSET.
void pwrite_all(int fd, const char *buf, size_t len, uint64_t offset)
{
  while (len > 0) {
    ssize_t n = pwrite(fd, buf, len, offset);
    if (n == -1)
      die("pwrite");
    buf += n;
    len -= n;
    offset += n;
  }
}

// Copies chunks FIRST, FIRST + STEP, FIRST + 2 * STEP, ... of o.file (SIZE
// bytes) over the channel CH into FD. Chunk k is the CAP bytes at offset
// k * CAP, the last chunk shorter. Returns false, having said why on
// stderr, if a reply is not the chunk.
bool copy_chunks(const Options &o, RequestChannel &ch, int fd, uint64_t size, uint64_t first,
                 uint64_t step)
{
  std::vector<char> request(o.cap);
  std::vector<char> reply(o.cap);
  todo("Step 4: copy chunks FIRST, FIRST + STEP, ... of o.file over CH into FD, each at its offset, checking every reply (see Step 4 and 'A copy with -c 2, message by message')", o, ch, fd, size, first, step, request, reply);
}

// Copies o.file (SIZE bytes) into FD over CHANNELS: chunk k goes over
// channel k % N, with N > 1 each channel in a thread of its own.
bool transfer(const Options &o, std::vector<std::unique_ptr<RequestChannel>> &channels, int fd,
              uint64_t size)
{
  if (channels.size() == 1)
    return copy_chunks(o, *channels[0], fd, size, 0, 1);
  todo("Step 7: copy over all N channels at once, one thread per channel; true if every one succeeded (see Step 7 and 'Threads: one per channel')", o, channels, fd, size);
}

// Copies o.file from the server into o.out: asks its size on CTL, opens
// o.channels new channels, transfers the chunks over them, then QUITs each.
bool copy(const Options &o, RequestChannel &ctl)
{
  uint64_t size;
  if (!ask_size(o, ctl, &size))
    return false;
  int fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd == -1)
    die("open");
  std::vector<std::unique_ptr<RequestChannel>> channels;
  for (size_t i = 0; i < o.channels; i++)
    channels.push_back(new_channel(o, ctl));
  bool ok = transfer(o, channels, fd, size);
  for (auto &ch : channels)
    send_quit(*ch);
  channels.clear(); // closes and removes every channel's objects
  if (close(fd) == -1)
    die("close");
  return ok;
}

// Parses the command line, starts the server, runs the command over the
// control channel, then ends the server.
int main(int argc, char *argv[])
{
  prog_name = "client";
  prog_usage = "[-i f|q|s] [-n NAME] [-m CAP] [-c N] -d DATADIR get ROW COL [ROW COL ...] | "
               "copy FILE OUT";
  Options o = parse_args(argc, argv);
  // Step 8: call remove_stale(o) here, before the server makes anything
  pid_t pid = start_server(o);
  // Step 9: start a std::thread running watch_server(pid, o) here
  std::unique_ptr<RequestChannel> ctl;
  {
    std::lock_guard<std::mutex> guard(control_lock);
    ctl = make_channel(o.type, o.name, Side::client, o.cap);
  }
  bool ok = strcmp(o.command, "get") == 0 ? get(o, *ctl) : copy(o, *ctl);
  // Step 9: set quitting here, before QUIT
  send_quit(*ctl);
  bool server_ok = wait_server(pid);
  // Step 9: join() the watcher here
  ctl.reset(); // closes and removes the control channel
  return ok && server_ok ? 0 : 1;
}
