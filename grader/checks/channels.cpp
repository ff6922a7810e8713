// channels.cpp: the checks of lab 05-channels (handouts/05-channels.md).
// The grader talks to the student's server as a client, over its own
// implementation of each channel type; runs the student's client and server
// end to end and compares the files they move, bit for bit; and watches with
// inotify which kernel objects a run creates, to know the mechanism asked for
// is the one used.
#include "../core/observe.hpp"
#include "../core/peer.hpp"
#include "../core/registry.hpp"
#include "../core/visible.hpp"
#include "../core/watch.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <climits>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

namespace ipcg {
namespace {
// The longest message a FIFO channel carries: a header and the largest CAP (64 KiB) of data, with room to spare.
constexpr uint32_t max_fifo_message = 1u << 20;
}  // namespace

namespace {
using namespace std::chrono_literals;

constexpr std::string_view step3 = "Step 3: The server loop";
constexpr std::string_view step4 = "Step 4: The client";
constexpr std::string_view step5 = "Step 5: Message-queue channels";
constexpr std::string_view step6 = "Step 6: Shared-memory channels";
constexpr std::string_view step7 = "Step 7: Many channels";
constexpr std::string_view step8 = "Step 8: Clean shutdown and clean-up";
constexpr std::string_view step9 = "Step 9: Errors";

// ---------------------------------------------------------------- protocol

// The messages, as the handout lays them out.
enum : uint32_t { DATA_MSG = 1, FILE_MSG = 2, NEWCHANNEL_MSG = 3, QUIT_MSG = 4 };
struct DataMsg {
  uint32_t type, row, col;
};
struct FileMsg {
  uint32_t type, length;
  uint64_t offset;
};
static_assert(sizeof(DataMsg) == 12 && sizeof(FileMsg) == 16);

// A message's bytes.
template <class T>
std::string bytes_of(const T &m) {
  return std::string(reinterpret_cast<const char *>(&m), sizeof m);
}

// The three channel types, as the command line and the reports name them.
enum class Kind { fifo, mq, shm };
struct KindInfo {
  Kind kind;
  std::string_view id;    // "fifo": check ids
  std::string_view flag;  // "f": -i f
  std::string_view what;  // "FIFO files"
};
constexpr KindInfo kinds[] = {{Kind::fifo, "fifo", "f", "FIFO files"},
                              {Kind::mq, "mq", "q", "POSIX message queues"},
                              {Kind::shm, "shm", "s", "shared memory objects and semaphores"}};

// The largest buffer capacity a channel type allows an unprivileged user.
size_t max_cap(Kind k) { return k == Kind::mq ? 8192 : 65536; }

// ---------------------------------------------------------------- the data

// The table the grader writes for the server, and its values.
struct Table {
  std::vector<std::vector<int64_t>> rows;
  std::string dir;  // DATADIR
};

// Random int64 values (negative ones too) in rows × cols, written as
// DATADIR/table.csv, and a random file DATADIR/NAME of `size` bytes.
Table make_data(Context &cx, size_t rows, size_t cols) {
  Table t;
  std::string csv;
  for (size_t r = 0; r < rows; ++r) {
    t.rows.emplace_back();
    for (size_t c = 0; c < cols; ++c) {
      int64_t v = (static_cast<int64_t>(random_u32()) << 31) ^ random_u32();
      if (random_u32() % 2) v = -v;
      t.rows.back().push_back(v);
      csv += fmt::format("{}{}", c ? "," : "", v);
    }
    csv += "\n";
  }
  std::string path = cx.file("table.csv", csv);
  t.dir = path.substr(0, path.rfind('/'));
  return t;
}

// The value the server must send for (row, col): INT64_MIN outside the table.
int64_t value_at(const Table &t, uint32_t row, uint32_t col) {
  if (row >= t.rows.size() || col >= t.rows[row].size()) return INT64_MIN;
  return t.rows[row][col];
}

// ---------------------------------------------------------------- the grader's channels

// The grader's end of one channel: the client's side, every wait bounded.
class PeerChannel {
 public:
  virtual ~PeerChannel() = default;
  // Send one message; false if there was no room before `until`.
  virtual bool send(std::string_view msg, Deadline until) = 0;
  // Receive one message; nullopt if none came whole before `until` (`why` says more).
  virtual std::optional<std::string> receive(Deadline until, std::string &why) = 0;
};

// Wait until fd is ready for `events`, at most until `until`.
bool ready(int fd, short events, Deadline until) {
  for (;;) {
    auto left = std::chrono::duration_cast<Millis>(until - Clock::now()).count();
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(std::max<long long>(left, 0)));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) throw_errno("poll");
  }
}

// Two FIFO files: a length, then the bytes, each way.
class FifoPeer : public PeerChannel {
 public:
  // Open NAME.s2c for reading, then NAME.c2s for writing once the server reads it.
  static std::unique_ptr<FifoPeer> open(const std::string &base, Deadline until) {
    auto p = std::make_unique<FifoPeer>();
    p->in_ = Fd(::open((base + ".s2c").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!p->in_) return nullptr;
    for (auto pause = 1ms; !p->out_; pause = std::min<Millis>(pause * 2, 20ms)) {
      p->out_ = Fd(::open((base + ".c2s").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
      if (p->out_) break;
      if (errno != ENXIO || Clock::now() >= until) return nullptr;
      std::this_thread::sleep_for(pause);
    }
    return p;
  }
  bool send(std::string_view msg, Deadline until) override {
    uint32_t len = static_cast<uint32_t>(msg.size());
    std::string frame = std::string(reinterpret_cast<char *>(&len), 4) + std::string(msg);
    for (size_t done = 0; done < frame.size();) {
      if (!ready(out_.get(), POLLOUT, until)) return false;
      ssize_t n = ::write(out_.get(), frame.data() + done, frame.size() - done);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
      if (n > 0) done += static_cast<size_t>(n);
    }
    return true;
  }
  std::optional<std::string> receive(Deadline until, std::string &why) override {
    std::string head = read_exact(4, until, why);
    if (head.size() < 4) return std::nullopt;
    uint32_t len;
    memcpy(&len, head.data(), 4);
    if (len > max_fifo_message) {  // never allocate what a broken header announces
      why = fmt::format("a message announced {} bytes, more than any message can hold ({})", len,
                        max_fifo_message);
      return std::nullopt;
    }
    std::string body = read_exact(len, until, why);
    if (body.size() < len) {
      why = fmt::format("a message announced {} bytes, but only {} came{}", len, body.size(),
                        why.empty() ? "" : " (" + why + ")");
      return std::nullopt;
    }
    return body;
  }

 private:
  // Up to n bytes, fewer if the writer closed or `until` came (`why` says which).
  std::string read_exact(size_t n, Deadline until, std::string &why) {
    std::string buf(n, '\0');
    size_t got = 0;
    while (got < n) {
      if (!ready(in_.get(), POLLIN, until)) {
        why = "nothing more came in time";
        break;
      }
      ssize_t k = ::read(in_.get(), buf.data() + got, n - got);
      if (k == 0) {
        why = "the server closed its end";
        break;
      }
      if (k > 0) got += static_cast<size_t>(k);
    }
    buf.resize(got);
    return buf;
  }
  Fd in_, out_;
};

// Two POSIX message queues, one message each way at a time.
class MqPeer : public PeerChannel {
 public:
  MqPeer(const std::string &base)
      : out_(PosixQueue::open(base + ".c2s", false)), in_(PosixQueue::open(base + ".s2c", false)) {}
  bool send(std::string_view msg, Deadline until) override { return out_.send(msg, 0, until); }
  std::optional<std::string> receive(Deadline until, std::string &why) override {
    auto m = in_.receive(until);
    if (!m) why = "no message came in time";
    return m ? std::optional(m->bytes) : std::nullopt;
  }

 private:
  PosixQueue out_, in_;
};

// Two one-slot shared memory objects, each with its empty and full semaphores.
class ShmPeer : public PeerChannel {
 public:
  ShmPeer(const std::string &base, size_t cap)
      : cap_(cap),
        out_obj_(ShmObject::open(base + ".c2s", false)),
        in_obj_(ShmObject::open(base + ".s2c", false)),
        out_(out_obj_),
        in_(in_obj_),
        out_empty_(NamedSemaphore::open(base + ".c2s.empty", false)),
        out_full_(NamedSemaphore::open(base + ".c2s.full", false)),
        in_empty_(NamedSemaphore::open(base + ".s2c.empty", false)),
        in_full_(NamedSemaphore::open(base + ".s2c.full", false)) {}
  bool send(std::string_view msg, Deadline until) override {
    if (out_.size() < 8 + msg.size() || !sem_wait_until(out_empty_.get(), until)) return false;
    uint32_t len = static_cast<uint32_t>(msg.size());
    memcpy(out_.data(), &len, 4);
    memcpy(out_.data() + 8, msg.data(), msg.size());
    check(sem_post(out_full_.get()), "sem_post");
    return true;
  }
  std::optional<std::string> receive(Deadline until, std::string &why) override {
    if (!sem_wait_until(in_full_.get(), until)) {
      why = "nothing was posted in time";
      return std::nullopt;
    }
    uint32_t len;
    memcpy(&len, in_.data(), 4);
    if (len > cap_ || 8 + len > in_.size()) {
      why = fmt::format("the slot says {} bytes, more than it holds", len);
      return std::nullopt;
    }
    std::string msg(in_.data() + 8, len);
    check(sem_post(in_empty_.get()), "sem_post");
    return msg;
  }

 private:
  size_t cap_;
  ShmObject out_obj_, in_obj_;
  SharedMap out_, in_;
  NamedSemaphore out_empty_, out_full_, in_empty_, in_full_;
};

// The names of a channel's objects in their folder ("ctl.c2s", "sem.ctl.c2s.full").
std::vector<std::string> object_names(Kind k, const std::string &channel) {
  std::vector<std::string> names{channel + ".c2s", channel + ".s2c"};
  if (k == Kind::shm)
    for (std::string d : {".c2s", ".s2c"})
      for (std::string s : {".empty", ".full"}) names.push_back("sem." + channel + d + s);
  return names;
}

// Where a channel's objects show, as paths the grader can watch: the FIFO
// files in the work folder, queues in the grader's mqueue mount, shm objects
// and semaphores in /dev/shm. Queues have no path without namespaces: then none.
std::vector<std::string> object_paths(Context &cx, Kind k, const std::string &channel) {
  std::vector<std::string> paths;
  for (const auto &n : object_names(k, channel)) {
    if (k == Kind::fifo) paths.push_back(cx.sandbox().workdir() + "/" + n);
    if (k == Kind::shm) paths.push_back("/dev/shm/" + n);
    if (auto q = cx.sandbox().mqueue_file("/" + n); k == Kind::mq && q) paths.push_back(*q);
  }
  return paths;
}

// Do all the objects of this channel exist now, shared memory objects sized?
// A server may make an object (shm_open) some time before its ftruncate, and in
// any order with the semaphores: a slot mapped at size 0 would be no slot.
bool channel_exists(Context &cx, Kind k, const std::string &channel) {
  if (k == Kind::mq)
    return PosixQueue::exists("/" + channel + ".c2s") && PosixQueue::exists("/" + channel + ".s2c");
  for (const auto &p : object_paths(cx, k, channel)) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) return false;
    if (k == Kind::shm && S_ISREG(st.st_mode) && !p.starts_with("/dev/shm/sem.") && st.st_size == 0)
      return false;
  }
  return true;
}

// The grader's end of the server's control channel, once the server has made it.
std::unique_ptr<PeerChannel> connect(Context &cx, Kind k, const std::string &channel, size_t cap,
                                     Process &server, const std::string &cmd) {
  if (!cx.wait_until([&] { return channel_exists(cx, k, channel); }, &server, cx.within(3s)))
    fail(fmt::format("`{}` makes its control channel {} ({})", cmd, channel, kinds[int(k)].what),
         server.done() ? "it " + server.outcome().describe() + ", stderr " +
                             visible(server.outcome().err, 200)
                       : "after 3 s it has not; it is " + what_it_does(server.pid()),
         "make the channel's objects first thing, with O_CREAT (and ftruncate each shared "
         "memory object to 8 + CAP)");
  switch (k) {
    case Kind::fifo: {
      auto p = FifoPeer::open(cx.sandbox().workdir() + "/" + channel, cx.within(3s));
      if (!p)
        fail(fmt::format("`{}` opens {}.c2s for reading", cmd, channel),
             "it did not within 3 s; it is " + what_it_does(server.pid()),
             "open c2s first, then s2c, on both sides");
      return p;
    }
    case Kind::mq:
      return std::make_unique<MqPeer>("/" + channel);
    case Kind::shm:
      return std::make_unique<ShmPeer>("/" + channel, cap);
  }
  return nullptr;
}

// ---------------------------------------------------------------- checks: the grader as client

// Start the student's server on a fresh table, as the client would.
struct ServerRun {
  Table table;
  std::string channel, cmd;
  size_t cap;
  Process p;
};
ServerRun start_server(Context &cx, Kind k, size_t cap) {
  Table t = make_data(cx, 12, 4);
  std::string channel = cx.name("ctl").substr(1);
  std::vector<std::string> args{
      "-i", std::string(kinds[int(k)].flag), "-n", channel, "-d", t.dir, "-m", std::to_string(cap)};
  std::string cmd = command_line("server", args);
  Process p = cx.start("server", args);
  return ServerRun{std::move(t), channel, cmd, cap, std::move(p)};
}

// Send a request and wait for its reply; fail naming the request when none comes.
std::string ask(Context &cx, PeerChannel &ch, ServerRun &s, const std::string &req,
                const std::string &what) {
  if (!ch.send(req, cx.within(3s)))
    fail("the server takes the request for " + what,
         "the channel stayed full for 3 s; the server is " + what_it_does(s.p.pid()),
         "read the next request as soon as a reply is sent");
  std::string why;
  auto reply = ch.receive(cx.within(3s), why);
  if (!reply)
    fail("a reply to the request for " + what,
         why + "; the server " +
             (s.p.done() ? s.p.outcome().describe() : "is " + what_it_does(s.p.pid())),
         "answer every request on the same channel's s2c direction");
  return *reply;
}

// The value in an 8-byte reply, shown for a report.
std::string shown(const std::string &reply) {
  if (reply.size() != 8) return fmt::format("a reply of {} bytes", reply.size());
  int64_t v;
  memcpy(&v, reply.data(), 8);
  return std::to_string(v);
}

// Steps 3, 5, 6: the grader's data requests get the table's values.
void data_requests(Context &cx, Kind k) {
  ServerRun s = start_server(cx, k, 4096);
  auto ch = connect(cx, k, s.channel, s.cap, s.p, s.cmd);
  const std::pair<uint32_t, uint32_t> asks[] = {{0, 0}, {11, 3}, {5, 2}, {7, 1}, {12, 0}};
  for (auto [row, col] : asks) {
    std::string what = fmt::format("row {} column {}", row, col);
    std::string reply = ask(cx, *ch, s, bytes_of(DataMsg{DATA_MSG, row, col}), what);
    int64_t want = value_at(s.table, row, col);
    if (reply != bytes_of(want))
      fail(fmt::format("the value at {}: {}", what,
                       want == INT64_MIN ? "INT64_MIN (outside the table)" : std::to_string(want)),
           shown(reply),
           "reply with the int64 at (row, col) of table.csv, 8 bytes; INT64_MIN outside it");
  }
  if (!ch->send(bytes_of(uint32_t{QUIT_MSG}), cx.within(3s)))
    fail("the server takes QUIT", "the channel stayed full", "read every request");
  ch.reset();
  expect_exit(cx.finish(s.p), 0, s.cmd, "after QUIT on the control channel, exit 0");
}

// Step 2: a write cut short by SIGSTOP/SIGCONT is finished, not abandoned.
void fifo_short_write(Context &cx) {
  ServerRun s = start_server(cx, Kind::fifo, 65536);
  std::string data = random_bytes(70000);
  cx.file("big", data);
  auto ch = connect(cx, Kind::fifo, s.channel, s.cap, s.p, s.cmd);
  FileMsg m{FILE_MSG, 65536, 0};
  if (!ch->send(bytes_of(m) + "big" + std::string(1, '\0'), cx.within(3s)))
    fail("the server takes a FILE request", "the channel stayed full", "read every request");
  // Any write-family call asleep on the full pipe will do (write, writev, ...), in
  // any thread: the contract asks for a cwrite that loops on short counts, not for
  // write(2) itself, nor for the main thread to serve the control channel.
  auto in_write = [&] {
    auto calls = blocked_syscalls(s.p.pid());
    return std::any_of(calls.begin(), calls.end(), is_write_call);
  };
  if (!cx.wait_until(in_write, &s.p, cx.within(3s)))
    fail("the server, sending 65536 bytes into a 64 KiB pipe nobody reads yet, waits in a "
         "write (write, writev, ...) on the full pipe",
         "it is " + (s.p.done() ? s.p.outcome().describe() : what_it_does(s.p.pid())),
         "reply to a FILE request of 65536 bytes, within CAP 65536, with those 65536 bytes "
         "(after their 4-byte length)");
  check(kill(s.p.pid(), SIGSTOP), "kill");
  cx.wait_until([&] { return process_state(s.p.pid()) == 'T'; }, &s.p, cx.within(1s));
  check(kill(s.p.pid(), SIGCONT), "kill");
  cx.note("stopped and continued the server while it was blocked writing");
  std::string why;
  auto reply = ch->receive(cx.within(3s), why);
  if (!reply || *reply != data.substr(0, 65536))
    fail("one whole message of 65536 bytes, the file's first ones",
         reply ? first_difference(data.substr(0, 65536), *reply) : why,
         "write() to a pipe may write less than asked when a signal stops the writer: loop "
         "until every byte is written");
  ch->send(bytes_of(uint32_t{QUIT_MSG}), cx.within(3s));
  ch.reset();
  expect_exit(cx.finish(s.p), 0, s.cmd, "after QUIT on the control channel, exit 0");
}

// ---------------------------------------------------------------- checks: end to end

// Run the student's client (which starts the student's server) and wait for it.
Outcome run_client(Context &cx, Kind k, std::vector<std::string> extra, const Table &t,
                   std::string &cmd, const std::string &channel) {
  std::vector<std::string> args{"-i", std::string(kinds[int(k)].flag), "-n", channel, "-d", t.dir};
  args.insert(args.end(), extra.begin(), extra.end());
  cmd = command_line("client", args);
  return cx.run("client", args);
}

// What the client left behind when it exited: the server still running.
void expect_no_server_left(Context &cx, const std::string &cmd) {
  auto left = cx.sandbox().student_processes();
  if (!left.empty())
    fail("no process of the run left once `" + cmd + "` has exited",
         fmt::format("pid {} still runs: {}", left.front(), what_it_does(left.front())),
         "send QUIT on the control channel, then waitpid() the server before exiting");
}

// Steps 4-6: a file copied at several capacities arrives bit for bit.
void file_copy(Context &cx, Kind k) {
  Table t = make_data(cx, 4, 2);
  std::string data = random_bytes(300007);
  cx.file("file.bin", data, 0644);
  for (size_t cap : {size_t{4096}, size_t{1000}, max_cap(k)}) {
    std::string out = cx.sandbox().workdir() + "/out." + std::to_string(cap), cmd;
    Outcome o = run_client(cx, k, {"-m", std::to_string(cap), "copy", "file.bin", out}, t, cmd,
                           cx.name("ctl").substr(1));
    expect_exit(o, 0, cmd, "the copy or the shutdown failed");
    cx.sandbox().grader_file(out);
    std::string got = read_file(out);
    if (got != data)
      fail(fmt::format("`{}` writes the 300007 bytes of file.bin to {}", cmd, out),
           fmt::format("{} bytes; {}", got.size(), first_difference(data, got)),
           "ask for chunks of CAP bytes at offsets 0, CAP, 2·CAP, ...; the last one is "
           "shorter; write each at its offset; use the length the channel returns");
    expect_no_server_left(cx, cmd);
  }
}

// Steps 4-6: 300 data requests, 300 exact lines.
void many_requests(Context &cx, Kind k) {
  Table t = make_data(cx, 20, 6);
  std::vector<std::string> extra{"get"};
  std::string want;
  for (int i = 0; i < 300; ++i) {
    uint32_t row = random_u32() % 20, col = random_u32() % 6;
    extra.push_back(std::to_string(row));
    extra.push_back(std::to_string(col));
    want += std::to_string(value_at(t, row, col)) + "\n";
  }
  std::string cmd;
  Outcome o = run_client(cx, k, extra, t, cmd, cx.name("ctl").substr(1));
  expect_exit(o, 0, cmd, "a request or the shutdown failed");
  expect_stdout(o, want, "client ... get (300 pairs)", "print each value as %lld and a newline");
  expect_no_server_left(cx, cmd);
}

// The paths created in the object folders since the log started (or last read).
std::set<std::string> created(CreationLog &log) {
  std::set<std::string> paths;
  for (const auto &c : log.read()) paths.insert(c.dir + "/" + c.name);
  return paths;
}

// Step 7: -c 4 copies over five channels, all of the type asked for.
void channels_copy(Context &cx, Kind k) {
  Table t = make_data(cx, 4, 2);
  std::string data = random_bytes(200000);
  cx.file("file.bin", data, 0644);
  std::string channel = cx.name("ctl").substr(1), cmd;
  std::string out = cx.sandbox().workdir() + "/out";
  CreationLog log(cx.sandbox().object_dirs());
  Outcome o =
      run_client(cx, k, {"-c", "4", "-m", "4096", "copy", "file.bin", out}, t, cmd, channel);
  expect_exit(o, 0, cmd, "the copy or the shutdown failed");
  cx.sandbox().grader_file(out);
  if (std::string got = read_file(out); got != data)
    fail(
        "`" + cmd + "` copies file.bin bit for bit", first_difference(data, got),
        "each thread asks for its own chunks on its own channel and pwrites them at their offsets");
  auto seen = created(log);
  for (std::string ch :
       {channel, channel + ".ch1", channel + ".ch2", channel + ".ch3", channel + ".ch4"})
    for (const auto &p : object_paths(cx, k, ch))
      if (!seen.count(p))
        fail(fmt::format("`{}` makes 5 channels ({} and 4 new ones) of {}", cmd, channel,
                         kinds[int(k)].what),
             fmt::format("{} was never created", p),
             "ask for a NEWCHANNEL on the control channel once per -c, and open the channel it "
             "names");
  expect_no_server_left(cx, cmd);
}

// Step 7: a run with -i T creates objects of type T only.
void mechanism(Context &cx) {
  for (const auto &info : kinds) {
    Table t = make_data(cx, 2, 2);
    std::string channel = cx.name(std::string("m") + std::string(info.id)).substr(1), cmd;
    CreationLog log(cx.sandbox().object_dirs());
    Outcome o = run_client(cx, info.kind, {"get", "1", "1"}, t, cmd, channel);
    expect_exit(o, 0, cmd, "the request or the shutdown failed");
    auto seen = created(log);
    // Everything of the run is named after its channel; in /dev/shm, with
    // unique names, other checks' objects may show too.
    std::set<std::string> ours, want;
    for (const auto &p : seen) {
      std::string name = p.substr(p.rfind('/') + 1);
      if (name.starts_with(channel) || name.starts_with("sem." + channel)) ours.insert(p);
    }
    for (const auto &p : object_paths(cx, info.kind, channel)) want.insert(p);
    bool has_all = std::includes(ours.begin(), ours.end(), want.begin(), want.end());
    bool only_those = std::includes(want.begin(), want.end(), ours.begin(), ours.end());
    if (!has_all || !only_those)
      fail(fmt::format("`{}` uses {} and nothing else", cmd, info.what),
           fmt::format("it created {}", ours.empty() ? std::string("nothing")
                                                     : fmt::format("{}", fmt::join(ours, ", "))),
           "make_channel() must build the implementation that -i names");
  }
}

// Step 8: every run ends: client and server exit 0, nothing keeps running.
void shutdown(Context &cx) {
  for (const auto &info : kinds) {
    Table t = make_data(cx, 3, 3);
    std::string cmd;
    Outcome o = run_client(cx, info.kind, {"get", "2", "2"}, t, cmd,
                           cx.name("q" + std::string(info.id)).substr(1));
    expect_exit(o, 0, cmd, "QUIT the channels, then the control channel, then waitpid the server");
    expect_stdout(o, std::to_string(value_at(t, 2, 2)) + "\n", cmd, "print the value");
    expect_no_server_left(cx, cmd);
  }
}

// Step 8: full runs of every type leave nothing behind (the cleanup check).
void cleanup(Context &cx) {
  for (const auto &info : kinds) {
    Table t = make_data(cx, 3, 3);
    std::string data = random_bytes(50000);
    cx.file("c.bin", data, 0644);
    std::string out = cx.sandbox().workdir() + "/c.out." + std::string(info.id), cmd;
    Outcome o = run_client(cx, info.kind, {"-c", "2", "copy", "c.bin", out}, t, cmd,
                           cx.name("c" + std::string(info.id)).substr(1));
    cx.sandbox().grader_file(out);
    expect_exit(o, 0, cmd, "the copy or the shutdown failed");
  }
}

// Step 9: bad arguments get one line and exit 2; a server that fails is reported.
void bad_args(Context &cx) {
  Table t = make_data(cx, 2, 2);
  expect_bad_calls(
      cx,
      {{"client",
        {"-i", "x", "-d", t.dir, "get", "0", "0"},
        2,
        "client: -i TYPE must be f, q or s\n"},
       {"client",
        {"-c", "0", "-d", t.dir, "get", "0", "0"},
        2,
        "client: -c N must be between 1 and 16\n"},
       {"client",
        {"-i", "q", "-m", "65536", "-d", t.dir, "get", "0", "0"},
        2,
        "client: -m CAP must be at most 8192 with -i q\n"},
       {"client", {"-d", t.dir, "-n", cx.name("bad").substr(1), "get", "0"}, 2, "usage: client "}});
  expect_no_server_left(cx, "client (bad arguments)");
}

void fifo_data(Context &cx) { data_requests(cx, Kind::fifo); }
void mq_data(Context &cx) { data_requests(cx, Kind::mq); }
void shm_data(Context &cx) { data_requests(cx, Kind::shm); }
void fifo_file(Context &cx) { file_copy(cx, Kind::fifo); }
void mq_file(Context &cx) { file_copy(cx, Kind::mq); }
void shm_file(Context &cx) { file_copy(cx, Kind::shm); }
void fifo_many(Context &cx) { many_requests(cx, Kind::fifo); }
void mq_many(Context &cx) { many_requests(cx, Kind::mq); }
void shm_many(Context &cx) { many_requests(cx, Kind::shm); }
void fifo_channels(Context &cx) { channels_copy(cx, Kind::fifo); }
void mq_channels(Context &cx) { channels_copy(cx, Kind::mq); }
void shm_channels(Context &cx) { channels_copy(cx, Kind::shm); }

}  // namespace

Lab channels_lab() {
  return Lab{
      "channels",
      "05-channels",
      "a client and a data server over FIFO, message-queue and shared-memory channels",
      {"server", "client"},
      {
          {"fifo-data", "the grader's data requests over FIFOs get the table's values", 3, step3,
           10s, fifo_data,
           "the grader, as client, starts your `server -i f` and talks to it over the control "
           "channel as the contract says: 5 `DATA` requests (one outside the table), each reply "
           "compared with its own table; `QUIT`; the server exits 0; nothing left.",
           "FIFOs opened in the wrong order (a hang in `openat`); a framing that is not a 4-byte "
           "length; `<=` at the table's edge; the reply of a missing cell not `INT64_MIN`."},
          {"fifo-short-write", "a reply cut short by SIGSTOP/SIGCONT is finished", 2, step3, 10s,
           fifo_short_write,
           "the grader, as client over FIFOs, asks your `server -m 65536` for a 65536-byte chunk "
           "without reading; once the server is blocked writing (in `write`, `writev` or any "
           "other write call, the pipe full), it stops and continues it (`SIGSTOP`, `SIGCONT`): "
           "that write returns short, and the server must write the rest; the grader then reads "
           "one whole, exact message.",
           "`cwrite` that calls `write` once and ignores its count."},
          {"fifo-file", "client copy over FIFOs, 3 capacities: bit for bit", 4, step4, 20s,
           fifo_file,
           "end to end: `client -i f -m CAP -d DIR copy FILE OUT` on a 300007-byte random file, "
           "for CAP 4096, 1000 and 65536 (the largest): OUT bit-exact.",
           "the last chunk dropped or cut to CAP - 1; a short read taken for a whole message (at "
           "65536)."},
          {"fifo-many", "300 requests over FIFOs: 300 exact values", 3, step4, 15s, fifo_many,
           "end to end: `client -i f -d DIR get` with 300 pairs: 300 exact lines.",
           "a value printed with `%d`; a reply read as a `DataMsg`."},
          {"mq-data", "the grader's data requests over queues get the table's values", 3, step5,
           10s, mq_data,
           "the grader, as client, starts your `server -i q` and talks to it over the control "
           "channel as the contract says: 5 `DATA` requests (one outside the table), each reply "
           "compared with its own table; `QUIT`; the server exits 0; nothing left.",
           "queue attributes other than 1 and CAP; `<=` at the table's edge; the reply of a "
           "missing cell not `INT64_MIN`."},
          {"mq-file", "client copy over queues, 3 capacities: bit for bit", 4, step5, 20s, mq_file,
           "end to end: `client -i q -m CAP -d DIR copy FILE OUT` on a 300007-byte random file, "
           "for CAP 4096, 1000 and 8192 (the largest): OUT bit-exact.",
           "the last chunk dropped or cut to CAP - 1; a `cread` that returns the capacity."},
          {"mq-many", "300 requests over queues: 300 exact values", 3, step5, 15s, mq_many,
           "end to end: `client -i q -d DIR get` with 300 pairs: 300 exact lines.",
           "a value printed with `%d`; a reply read as a `DataMsg`; the client's `cread` buffer "
           "not CAP bytes (`EMSGSIZE`)."},
          {"shm-data", "the grader's data requests over shared memory get the table's values", 3,
           step6, 10s, shm_data,
           "the grader, as client, starts your `server -i s` and talks to it over the control "
           "channel as the contract says: 5 `DATA` requests (one outside the table), each reply "
           "compared with its own table; `QUIT`; the server exits 0; nothing left.",
           "`full` starting at 1; `<=` at the table's edge; the reply of a missing cell not "
           "`INT64_MIN`."},
          {"shm-file", "client copy over shared memory, 3 capacities: bit for bit", 4, step6, 20s,
           shm_file,
           "end to end: `client -i s -m CAP -d DIR copy FILE OUT` on a 300007-byte random file, "
           "for CAP 4096, 1000 and 65536 (the largest): OUT bit-exact.",
           "the last chunk dropped or cut to CAP - 1; `post(empty)` before the copy out; a slot of "
           "CAP bytes instead of 8 + CAP."},
          {"shm-many", "300 requests over shared memory: 300 exact values", 3, step6, 15s, shm_many,
           "end to end: `client -i s -d DIR get` with 300 pairs: 300 exact lines.",
           "a value printed with `%d`; a reply read as a `DataMsg`."},
          {"fifo-channels", "-c 4 over FIFOs: five channels, bit for bit", 3, step7, 15s,
           fifo_channels,
           "end to end: `client -i f -c 4 -m 4096 ... copy` of a 200000-byte file: bit-exact, and "
           "the grader saw the FIFO files of 5 channels (NAME and NAME`.ch1` to NAME`.ch4`) "
           "created (inotify on the work folder).",
           "`write` after `lseek` instead of `pwrite`; threads sharing a channel; a reply to "
           "`NEWCHANNEL` before the channel exists; FIFOs opened in the constructor."},
          {"mq-channels", "-c 4 over queues: five channels, bit for bit", 3, step7, 15s,
           mq_channels,
           "end to end: `client -i q -c 4 -m 4096 ... copy` of a 200000-byte file: bit-exact, and "
           "the grader saw the queues of 5 channels (NAME and NAME`.ch1` to NAME`.ch4`) created "
           "(inotify on the `mqueue` mount).",
           "`write` after `lseek` instead of `pwrite`; threads sharing a channel; default queue "
           "attributes (`EMFILE` at `ch4`); a reply to `NEWCHANNEL` before the channel exists."},
          {"shm-channels", "-c 4 over shared memory: five channels, bit for bit", 3, step7, 15s,
           shm_channels,
           "end to end: `client -i s -c 4 -m 4096 ... copy` of a 200000-byte file: bit-exact, and "
           "the grader saw the objects and semaphores of 5 channels (NAME and NAME`.ch1` to "
           "NAME`.ch4`) created (inotify on `/dev/shm`).",
           "`write` after `lseek` instead of `pwrite`; threads sharing a channel; a reply to "
           "`NEWCHANNEL` before the channel exists."},
          {"mechanism", "-i f, q, s: each run creates objects of its type only", 3, step7, 15s,
           mechanism,
           "for each T, a `client ... get 1 1`: the objects created during the run are exactly "
           "those of T (FIFO files; queues; shm objects and semaphores), none of another type.",
           "the type ignored in `make_channel` (always FIFOs); `remove_stale` that *creates* "
           "instead of removing."},
          {"shutdown", "client and server exit 0; nothing keeps running", 2, step8, 15s, shutdown,
           "for each T, a `client ... get 2 2`: it prints the value, exits 0 before the deadline, "
           "and no process of the run is left; a hang is reported with what the client was blocked "
           "in.",
           "no `QUIT` on the new channels, or after the control channel's; a missing `waitpid`; a "
           "server thread that is never joined, or a `join` that waits for a channel nobody will "
           "`QUIT`."},
          {"cleanup", "no object is left after any run", 3, step8, 15s, cleanup,
           "for each T, a `copy -c 2` of a 50000-byte file; and nothing left by any run of any "
           "check: no FIFO files in the work folder, nothing in the `mqueue` mount or `/dev/shm`.",
           "`sem_close` without `sem_unlink` (`shm`); no `remove(name_)` in a destructor; `ENOENT` "
           "from the second side's unlink treated as fatal (the process dies before it removes the "
           "rest); `die()` on a path that should clean up.",
           true},
          {"bad-args", "errors: exact messages and exit codes", 2, step9, 10s, bad_args,
           "`client -i x ...`: exit 2 with its line; `client -c 0 ...`; `client -i q -m 65536 "
           "...`; `client -d DIR get 0` (a ROW without its COL): exit 2 with the usage line; no "
           "server started, nothing left.",
           "an argument checked after the server was started or something created; a message "
           "worded differently; `argv[0]` instead of `client`."},
      }};
}

}  // namespace ipcg
