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
#include <fmt/ranges.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace ipcg {
namespace channels_checks {
namespace {
// The longest message a FIFO channel carries: a header and the largest CAP (64 KiB) of data, with room to spare.
constexpr uint32_t max_fifo_message = 1u << 20;
}  // namespace
}  // namespace channels_checks

namespace channels_checks {
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

// Up to n bytes from fd, fewer if the `peer` ("server", "client") closed its
// end or `until` came (`why` says which).
std::string read_exact(int fd, size_t n, Deadline until, std::string &why, std::string_view peer) {
  std::string buf(n, '\0');
  size_t got = 0;
  while (got < n) {
    if (!ready(fd, POLLIN, until)) {
      why = "nothing more came in time";
      break;
    }
    ssize_t k = ::read(fd, buf.data() + got, n - got);
    if (k == 0) {
      why = fmt::format("the {} closed its end", peer);
      break;
    }
    if (k > 0) got += static_cast<size_t>(k);
  }
  buf.resize(got);
  return buf;
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
    std::string head = read_exact(in_.get(), 4, until, why, "server");
    if (head.size() < 4) return std::nullopt;
    uint32_t len;
    memcpy(&len, head.data(), 4);
    if (len > max_fifo_message) {  // never allocate what a broken header announces
      why = fmt::format("a message announced {} bytes, more than any message can hold ({})", len,
                        max_fifo_message);
      return std::nullopt;
    }
    std::string body = read_exact(in_.get(), len, until, why, "server");
    if (body.size() < len) {
      why = fmt::format("a message announced {} bytes, but only {} came{}", len, body.size(),
                        why.empty() ? "" : " (" + why + ")");
      return std::nullopt;
    }
    return body;
  }

 private:
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

// Why an end-to-end client run at capacity `cap` did not exit as it should,
// from how it ended: blocked opening a FIFO, a queue refused with EINVAL, a
// reply of exactly CAP bytes, or exit 1 without a word; else `cause`.
std::string client_run_cause(const Outcome &o, size_t cap, std::string cause) {
  if (o.timed_out && o.doing.find("openat") != std::string::npos &&
      o.doing.find("wait_for_partner") != std::string::npos)
    return "it waits in open() of a FIFO for a partner that waits in open() of the other one: "
           "open c2s first, then s2c, on both sides";
  if (o.err.find("mq_open: Invalid argument") != std::string::npos)
    return "mq_open failed with EINVAL: make each queue with mq_maxmsg 1 and mq_msgsize CAP, "
           "within what an unprivileged user may ask (msg_max 10, msgsize_max 8192)";
  if (o.err.find(fmt::format("bad reply of {} bytes", cap)) != std::string::npos)
    return fmt::format("a reply was taken for {0} bytes, the capacity: cread returns the length "
                       "of the message that came (what mq_receive returns, the slot's len), "
                       "not the size of the buffer",
                       cap);
  if (o.exited && o.code == 1 && o.err.empty())
    return "it exited 1 without a word on stderr: a run that succeeds exits 0 (main returns 0, "
           "not true), one that fails says why";
  return cause;
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
    expect_exit(o, 0, cmd, client_run_cause(o, cap, "the copy or the shutdown failed"));
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
  expect_exit(o, 0, cmd, client_run_cause(o, 4096, "a request or the shutdown failed"));
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
  expect_exit(o, 0, cmd, client_run_cause(o, 4096, "the copy or the shutdown failed"));
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
    expect_exit(o, 0, cmd, client_run_cause(o, 4096, "the request or the shutdown failed"));
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
           has_all ? "it made what -i names and objects of other types too: clearing stale names "
                     "(remove_channel) only unlinks them, it never creates"
                   : "make_channel() must build the implementation that -i names");
  }
}

// Step 8: every run ends: client and server exit 0, nothing keeps running.
void shutdown(Context &cx) {
  for (const auto &info : kinds) {
    Table t = make_data(cx, 3, 3);
    std::string cmd;
    Outcome o = run_client(cx, info.kind, {"get", "2", "2"}, t, cmd,
                           cx.name("q" + std::string(info.id)).substr(1));
    expect_exit(o, 0, cmd,
                client_run_cause(o, 4096,
                                 "QUIT the channels, then the control channel, then waitpid the "
                                 "server"));
    expect_stdout(o, std::to_string(value_at(t, 2, 2)) + "\n", cmd, "print the value");
    expect_no_server_left(cx, cmd);
  }
}

std::vector<std::string> names_left(Context &cx, std::optional<Kind> k, const std::string &channel);
void unlink_all(Context &cx, const std::string &channel);

// The server, with the grader as client, answers one DATA request (so both
// sides have opened everything), takes QUIT and exits 0: none of its control
// channel's names may be left (the grader removes none of them).
void expect_server_removes(Context &cx, Kind k) {
  ServerRun s = start_server(cx, k, 4096);
  try {
    auto ch = connect(cx, k, s.channel, s.cap, s.p, s.cmd);
    ask(cx, *ch, s, bytes_of(DataMsg{DATA_MSG, 0, 0}), "row 0 column 0");  // both ends open
    if (!ch->send(bytes_of(uint32_t{QUIT_MSG}), cx.within(3s)))
      fail("the server takes QUIT", "the channel stayed full", "read every request");
  } catch (const Failure &) {
    // A channel the grader cannot talk over is for T-data and server-protocol
    // to charge: stop this server and remove what it made, uncharged.
    { Process stopped = std::move(s.p); }
    unlink_all(cx, s.channel);
    cx.note("`" + s.cmd + "`: no conversation over its control channel; its names not checked");
    return;
  }
  expect_exit(cx.finish(s.p), 0, s.cmd, "after QUIT on the control channel, exit 0");
  auto left = names_left(cx, k, s.channel);
  if (left.empty()) return;
  bool sems = std::all_of(left.begin(), left.end(), [](auto &n) { return n.starts_with("sem."); });
  fail("once `" + s.cmd + "` has taken QUIT and exited, no name of channel " + s.channel +
           " is left (the grader as client removes none)",
       fmt::format("left: {}", fmt::join(left, ", ")),
       sems ? "the server's side unlinks each semaphore it made too: sem_unlink in the "
              "destructor (sem_close only closes it)"
       : left.size() == object_names(k, s.channel).size()
           ? "after QUIT the server removed none of its control channel's names: destroy the "
             "channel (its destructor unlinks them) before exiting; exit() runs no destructor"
           : "the server destroys its side of the control channel at the end: unlink every name "
             "it made");
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
    expect_exit(o, 0, cmd, client_run_cause(o, 4096, "the copy or the shutdown failed"));
  }
  for (const auto &info : kinds) expect_server_removes(cx, info.kind);
}

// A folder in the work folder holding table.csv with these bytes; its path.
std::string table_dir(Context &cx, const std::string &dir, const std::string &csv) {
  std::string path = cx.sandbox().workdir() + "/" + dir;
  if (mkdir(path.c_str(), 0755) == -1) throw_errno("mkdir " + path);
  if (auto uid = cx.sandbox().student_uid()) check(chown(path.c_str(), *uid, *uid), "chown");
  cx.sandbox().grader_file(path);
  cx.file(dir + "/table.csv", csv);
  return path;
}

// Step 9: bad arguments get one line and exit 2, before anything is made or
// started; a missing or malformed table is exit 1 with its line, before the
// server opens anything.
void bad_args(Context &cx) {
  Table t = make_data(cx, 2, 2);
  std::string n = cx.name("bad").substr(1), no_table = t.dir + "/none";
  std::string d1 = table_dir(cx, "t1", "1,2\n3,4"), d2 = table_dir(cx, "t2", "1,2\n3,x4\n"),
              d3 = table_dir(cx, "t3", "1,2\n3,4,5\n");
  std::string srv_usage = "usage: server -i f|q|s -n NAME -d DATADIR -m CAP\n";
  std::string cli_usage = "usage: client [-i f|q|s] [-n NAME] [-m CAP] [-c N] -d DATADIR get ROW COL "
                          "[ROW COL ...] | copy FILE OUT\n";
  std::vector<BadCall> calls{
      {"client",
       {"-i", "x", "-d", t.dir, "get", "0", "0"},
       2,
       "client: -i TYPE must be f, q or s\n"},
      {"client", {"-c", "0", "-d", t.dir, "get", "0", "0"}, 2, "client: -c N must be between 1 and 16\n"},
      {"client", {"-c", "17", "-d", t.dir, "get", "0", "0"}, 2, "client: -c N must be between 1 and 16\n"},
      {"client",
       {"-i", "q", "-m", "8193", "-d", t.dir, "get", "0", "0"},
       2,
       "client: -m CAP must be at most 8192 with -i q\n"},
      {"client", {"-m", "63", "-d", t.dir, "get", "0", "0"}, 2, "client: -m CAP must be between 64 and 65536\n"},
      {"client", {"-m", "65537", "-d", t.dir, "get", "0", "0"}, 2, "client: -m CAP must be between 64 and 65536\n"},
      {"client", {"-n", "a/b", "-d", t.dir, "get", "0", "0"}, 2, "client: -n NAME must be a name without '/'\n"},
      {"client", {"-n", "", "-d", t.dir, "get", "0", "0"}, 2, "client: -n NAME must be a name without '/'\n"},
      {"client",
       {"-m", "64", "-n", n, "-d", t.dir, "copy", std::string(48, 'f'), "out"},
       2,
       "client: FILE must be at most 47 bytes long with -m 64\n",
       "",
       "a FILE request (16 bytes, the name and its NUL) must fit in CAP: check it before the "
       "server starts, exit 2 with `client: FILE must be at most 47 bytes long with -m 64`"},
      {"client", {"-d", t.dir, "-n", n, "get", "0"}, 2, cli_usage},
      {"client", {"-n", n, "get", "0", "0"}, 2, cli_usage},
      {"client", {"-d", t.dir, "-n", n, "get", "4294967296", "0"}, 2, cli_usage},
      {"client", {"-d", t.dir, "-n", n, "get", "1x", "0"}, 2, cli_usage},
      {"client", {"-d", t.dir, "-n", n, "put", "1", "0"}, 2, cli_usage},
      {"server", {"-i", "f", "-n", n, "-d", t.dir}, 2, srv_usage, "",
       "the server's four options are all required, -m CAP too: without one, exit 2 with "
       "the usage line `usage: server -i f|q|s -n NAME -d DATADIR -m CAP`"},
      {"server", {"-i", "f", "-n", n, "-d", t.dir, "-m", "4096x"}, 2, srv_usage},
      {"server", {"-i", "x", "-n", n, "-d", t.dir, "-m", "4096"}, 2, "server: -i TYPE must be f, q or s\n"},
      {"server", {"-i", "f", "-n", "a/b", "-d", t.dir, "-m", "4096"}, 2, "server: -n NAME must be a name without '/'\n"},
      {"server", {"-i", "f", "-n", n, "-d", t.dir, "-m", "63"}, 2, "server: -m CAP must be between 64 and 65536\n", "",
       "a CAP outside 64 to 65536 is a usage error, before anything is made: exit 2 with "
       "`server: -m CAP must be between 64 and 65536`"},
      {"server", {"-i", "q", "-n", n, "-d", t.dir, "-m", "8193"}, 2, "server: -m CAP must be at most 8192 with -i q\n"},
      {"server", {"-i", "q", "-n", n, "-d", no_table, "-m", "4096"}, 1, "server: open: No such file or directory\n", "",
       "a failed call is reported by the call's name, not the file's: `server: open: STRERROR`"},
      {"server", {"-i", "s", "-n", n, "-d", d1, "-m", "4096"}, 1, "server: " + d1 + "/table.csv: line 2 has no newline\n", "",
       "a last line without its newline is a data error, before anything is made: exit 1 "
       "with `server: DATADIR/table.csv: line N has no newline`"},
      {"server", {"-i", "f", "-n", n, "-d", d2, "-m", "4096"}, 1, "server: " + d2 + "/table.csv: line 2: not comma-separated numbers\n"},
      {"server", {"-i", "q", "-n", n, "-d", d3, "-m", "4096"}, 1, "server: " + d3 + "/table.csv: line 2 has 3 values, line 1 2\n", "",
       "a row of another length: `line N has X values, line 1 Y`, line N's own count first"},
  };
  expect_bad_calls(cx, calls);
  expect_no_server_left(cx, "client (bad arguments)");
  if (auto left = names_left(cx, std::nullopt, n); !left.empty())
    fail("no object made by a call with bad arguments or a bad table",
         fmt::format("left: {}", fmt::join(left, ", ")),
         "check the arguments, then load the table, before anything is made or started");
}

// ---------------------------------------------------------------- checks: the grader as server

// The grader's server end of one channel, made as the contract says (O_CREAT,
// no O_EXCL, whichever side comes first). Replies may go in pieces.
class ServerEnd {
 public:
  virtual ~ServerEnd() = default;
  // The next request; nullopt if none came whole before `until` (`why` says more).
  virtual std::optional<std::string> receive(Deadline until, std::string &why) = 0;
  // Send a reply; false if there was no room before `until`.
  virtual bool send(std::string_view msg, Deadline until) = 0;
};

// Called between the pieces of a FIFO reply: waits until the client has
// taken what was written and sleeps, waiting for the rest.
using Pause = std::function<void(int fd)>;

// Give a file or object the grader made to the student, so the client may
// open and unlink it (as root; otherwise both are the same user).
void give_to_student(Context &cx, const std::string &path) {
  if (auto uid = cx.sandbox().student_uid())
    check(chown(path.c_str(), *uid, *uid), ("chown " + path).c_str());
}

// FIFO files: c2s opened for reading at once (no writer needed), s2c read-write
// so that the client's open for reading never waits for the grader.
class FifoServer : public ServerEnd {
 public:
  FifoServer(Context &cx, const std::string &base, Pause pause) : pause_(std::move(pause)) {
    for (const char *d : {".c2s", ".s2c"}) {
      std::string path = base + d;
      if (mkfifo(path.c_str(), 0666) == -1 && errno != EEXIST) throw_errno("mkfifo " + path);
      give_to_student(cx, path);
    }
    in_ = Fd(::open((base + ".c2s").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!in_) throw_errno("open " + base + ".c2s");
    out_ = Fd(::open((base + ".s2c").c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!out_) throw_errno("open " + base + ".s2c");
  }
  std::optional<std::string> receive(Deadline until, std::string &why) override {
    std::string head = read_exact(in_.get(), 4, until, why, "client");
    if (head.size() < 4) return std::nullopt;
    uint32_t len;
    memcpy(&len, head.data(), 4);
    if (len > max_fifo_message) {
      why = fmt::format("a request announced {} bytes", len);
      return std::nullopt;
    }
    std::string body = read_exact(in_.get(), len, until, why, "client");
    if (body.size() < len) {
      why = fmt::format("a request announced {} bytes, but only {} came ({})", len, body.size(), why);
      return std::nullopt;
    }
    return body;
  }
  // The frame in three writes: 2 bytes of the length; its other 2 and half the
  // data; the rest; with a pause after each of the first two.
  bool send(std::string_view msg, Deadline until) override {
    uint32_t len = static_cast<uint32_t>(msg.size());
    std::string frame = std::string(reinterpret_cast<char *>(&len), 4) + std::string(msg);
    size_t cuts[] = {2, 4 + msg.size() / 2, frame.size()};
    size_t done = 0;
    for (size_t cut : cuts) {
      if (cut <= done) continue;
      if (!write_all(frame.substr(done, cut - done), until)) return false;
      done = cut;
      if (done < frame.size()) pause_(out_.get());
    }
    return true;
  }

 private:
  // Write all of `bytes`, waiting for room until `until`.
  bool write_all(std::string_view bytes, Deadline until) {
    for (size_t done = 0; done < bytes.size();) {
      if (!ready(out_.get(), POLLOUT, until)) return false;
      ssize_t n = ::write(out_.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno != EAGAIN && errno != EINTR) throw_errno("write");
      if (n > 0) done += static_cast<size_t>(n);
    }
    return true;
  }
  Pause pause_;
  Fd in_, out_;
};

// Open queue NAME with O_CREAT (mq_maxmsg 1, mq_msgsize CAP), given to the student.
PosixQueue server_queue(Context &cx, const std::string &name, size_t cap) {
  mq_attr a{};
  a.mq_maxmsg = 1;
  a.mq_msgsize = static_cast<long>(cap);
  mqd_t q = mq_open(name.c_str(), O_RDWR | O_CREAT, 0666, &a);
  if (q == (mqd_t)-1) throw_errno("mq_open " + name);
  if (auto uid = cx.sandbox().student_uid()) check(fchown(q, *uid, *uid), "fchown");
  mq_close(q);
  return PosixQueue::open(name, false);
}

// Two POSIX message queues, opened with O_CREAT.
class MqServer : public ServerEnd {
 public:
  MqServer(Context &cx, const std::string &base, size_t cap)
      : in_(server_queue(cx, base + ".c2s", cap)), out_(server_queue(cx, base + ".s2c", cap)) {}
  std::optional<std::string> receive(Deadline until, std::string &why) override {
    auto m = in_.receive(until);
    if (!m) why = "no request came in time";
    if (m && m->prio != 0)
      fail("every request sent with priority 0 (one mq_send)",
           fmt::format("a request of {} bytes with priority {}", m->bytes.size(), m->prio),
           "mq_send(q, msg, len, 0)");
    return m ? std::optional(m->bytes) : std::nullopt;
  }
  bool send(std::string_view msg, Deadline until) override { return out_.send(msg, 0, until); }

 private:
  PosixQueue in_, out_;
};

// Open shared memory object NAME with O_CREAT, sized 8 + CAP if it is new.
ShmObject server_object(Context &cx, const std::string &name, size_t cap) {
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw_errno("shm_open " + name);
  Fd owner(fd);
  if (auto uid = cx.sandbox().student_uid()) check(fchown(fd, *uid, *uid), "fchown");
  check(fchmod(fd, 0666), "fchmod");
  struct stat st {};
  check(fstat(fd, &st), "fstat");
  if (st.st_size == 0) check(ftruncate(fd, static_cast<off_t>(8 + cap)), "ftruncate");
  return ShmObject::open(name, false);
}

// Open semaphore NAME with O_CREAT and this initial value.
NamedSemaphore server_semaphore(Context &cx, const std::string &name, unsigned value) {
  sem_t *s = sem_open(name.c_str(), O_CREAT, 0666, value);
  if (s == SEM_FAILED) throw_errno("sem_open " + name);
  give_to_student(cx, NamedSemaphore::file_of(name));
  chmod(NamedSemaphore::file_of(name).c_str(), 0666);
  sem_close(s);
  return NamedSemaphore::open(name, false);
}

// Two one-slot objects and their semaphores, made with O_CREAT; every access
// first checks that the object still has 8 + CAP bytes (a client's slot of
// CAP bytes shows here, whatever the page size hides).
class ShmServer : public ServerEnd {
 public:
  ShmServer(Context &cx, const std::string &base, size_t cap)
      : cap_(cap),
        in_obj_(server_object(cx, base + ".c2s", cap)),
        out_obj_(server_object(cx, base + ".s2c", cap)),
        in_(in_obj_),
        out_(out_obj_),
        in_empty_(server_semaphore(cx, base + ".c2s.empty", 1)),
        in_full_(server_semaphore(cx, base + ".c2s.full", 0)),
        out_empty_(server_semaphore(cx, base + ".s2c.empty", 1)),
        out_full_(server_semaphore(cx, base + ".s2c.full", 0)) {}
  std::optional<std::string> receive(Deadline until, std::string &why) override {
    if (!sem_wait_until(in_full_.get(), until)) {
      why = "nothing was posted in time";
      return std::nullopt;
    }
    expect_size(in_obj_);
    uint32_t len;
    memcpy(&len, in_.data(), 4);
    if (len < 1 || len > cap_) {
      why = fmt::format("the slot says {} bytes, not 1 to {}", len, cap_);
      return std::nullopt;
    }
    std::string msg(in_.data() + 8, len);
    check(sem_post(in_empty_.get()), "sem_post");
    return msg;
  }
  // The reply in the slot; the rest of the slot filled with 0xA5, not zeros.
  bool send(std::string_view msg, Deadline until) override {
    if (!sem_wait_until(out_empty_.get(), until)) return false;
    expect_size(out_obj_);
    uint32_t head[2] = {static_cast<uint32_t>(msg.size()), 0};
    memcpy(out_.data(), head, 8);
    memcpy(out_.data() + 8, msg.data(), msg.size());
    memset(out_.data() + 8 + msg.size(), 0xA5, cap_ - msg.size());
    check(sem_post(out_full_.get()), "sem_post");
    return true;
  }

 private:
  // Fail unless the object (and the grader's map of it) has exactly 8 + CAP bytes.
  void expect_size(const ShmObject &o) {
    const SharedMap &m = &o == &in_obj_ ? in_ : out_;
    if (o.size() != 8 + cap_ || m.size() != 8 + cap_)
      fail(fmt::format("shared memory object {} of 8 + {} = {} bytes (struct Slot)", o.name(), cap_,
                       8 + cap_),
           fmt::format("{} bytes, after the client opened it", o.size()),
           "ftruncate the object to 8 + CAP: the 8 bytes of len and pad, then CAP of data");
  }
  size_t cap_;
  ShmObject in_obj_, out_obj_;
  SharedMap in_, out_;  // mapped at once: the client unlinks the names when it is done
  NamedSemaphore in_empty_, in_full_, out_empty_, out_full_;
};

// The grader's stand-in for `server`: a script beside a copy of the
// student's client, so the client starts it; it writes its arguments to the
// FIFO `hello` and exits with the status the grader writes to the FIFO `status`.
struct StandIn {
  std::string dir, client;  // the folder, and the client's copy in it
  Fd hello, status;         // the grader's ends
};
StandIn make_stand_in(Context &cx) {
  StandIn s;
  s.dir = cx.sandbox().workdir();
  umask(0);  // the grader's objects 0666 at once: the client may open them first
  for (const char *f : {"/hello", "/status"}) {
    std::string path = s.dir + f;
    if (mkfifo(path.c_str(), 0600) == -1) throw_errno("mkfifo " + path);
    give_to_student(cx, path);
    cx.sandbox().grader_file(path);
  }
  s.hello = Fd(::open((s.dir + "/hello").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  s.status = Fd(::open((s.dir + "/status").c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!s.hello || !s.status) throw_errno("open hello/status");
  cx.file("server",
          fmt::format("#!/bin/sh\n# the grader's stand-in for the server\necho \"$*\" > {0}/hello\n"
                      "read code < {0}/status\nexit \"$code\"\n",
                      s.dir),
          0755);
  s.client = cx.file("client", read_file(cx.program_file("client")), 0755);
  return s;
}

// The children of a process (every thread's), as /proc lists them.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> kids;
  std::error_code ec;
  for (const auto &t : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    std::ifstream f(t.path() / "children");
    for (pid_t k; f >> k;) kids.push_back(k);
  }
  return kids;
}

// Release every name NAME's objects may have, of every type (the grader's own
// clean-up; ENOENT is fine).
void unlink_all(Context &cx, const std::string &channel) {
  for (const auto &n : object_names(Kind::shm, channel)) {
    unlink((cx.sandbox().workdir() + "/" + n).c_str());
    if (!n.starts_with("sem.")) {
      mq_unlink(("/" + n).c_str());
      shm_unlink(("/" + n).c_str());
    } else {
      sem_unlink(("/" + n.substr(4)).c_str());
    }
  }
}

// The names of channel NAME (of type k, or of every type) that exist now.
std::vector<std::string> names_left(Context &cx, std::optional<Kind> k, const std::string &channel) {
  std::vector<std::string> left;
  for (const auto &info : kinds) {
    if (k && info.kind != *k) continue;
    for (const auto &n : object_names(info.kind, channel)) {
      bool sem = n.starts_with("sem.");
      bool there = info.kind == Kind::fifo ? access((cx.sandbox().workdir() + "/" + n).c_str(), F_OK) == 0
                   : info.kind == Kind::mq ? PosixQueue::exists("/" + n)
                   : sem                  ? NamedSemaphore::exists("/" + n.substr(4))
                                          : ShmObject::exists("/" + n);
      if (there) left.push_back(fmt::format("{} ({})", n, info.id));
    }
  }
  return left;
}

// One run of the student's client against the grader as its server.
struct FakeRun {
  FakeRun(Context &c, StandIn &si, Kind k, std::string ch, size_t cp)
      : cx(c), stand_in(si), kind(k), channel(std::move(ch)), cap(cp) {}
  Context &cx;
  StandIn &stand_in;
  Kind kind;
  std::string channel, cmd;
  size_t cap;
  std::optional<Process> client;
  std::map<std::string, std::unique_ptr<ServerEnd>> ends;  // by channel name
  std::vector<PosixQueue> stale_queues;                   // what plant_stale() made
  std::vector<ShmObject> stale_objects;
  std::vector<NamedSemaphore> stale_semaphores;
  std::vector<std::pair<std::string, struct stat>> stale_files;  // their files, as planted
  // The grader's clean-up: its ends closed, every name of the run's channels unlinked.
  ~FakeRun() {
    ends.clear();
    unlink_all(cx, channel);
    for (int k = 1; k <= 16; ++k) unlink_all(cx, fmt::format("{}.ch{}", channel, k));
  }
};

// What each run of the stand-in plants beforehand: the control channel's
// names, of every type, as another run might have left them, with other
// attributes (a queue of 3 messages of 64 bytes holding one; an object of 5
// bytes; a full slot's semaphores) and a regular file for NAME.c2s.
void plant_stale(FakeRun &r) {
  Context &cx = r.cx;
  const std::string &channel = r.channel;
  std::string base = cx.sandbox().workdir() + "/" + channel;
  Fd f(::open((base + ".c2s").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!f) throw_errno("open " + base + ".c2s");
  give_to_student(cx, base + ".c2s");
  if (mkfifo((base + ".s2c").c_str(), 0644) == -1) throw_errno("mkfifo " + base + ".s2c");
  give_to_student(cx, base + ".s2c");
  auto uid = cx.sandbox().student_uid();
  r.stale_queues.push_back(PosixQueue::create("/" + channel + ".c2s", 3, 64, uid, cx.within(10s)));
  if (!r.stale_queues.back().send("stale", 0, cx.within(1s)))  // a new queue of 3 has room
    throw std::runtime_error("the grader's new queue /" + channel + ".c2s stayed full");
  r.stale_queues.push_back(PosixQueue::create("/" + channel + ".s2c", 2, 128, uid, cx.within(10s)));
  r.stale_objects.push_back(ShmObject::create("/" + channel + ".c2s", "stale", uid));
  r.stale_objects.push_back(ShmObject::create("/" + channel + ".s2c", std::string(16, '\xff'), uid));
  for (std::string d : {".c2s", ".s2c"}) {
    r.stale_semaphores.push_back(NamedSemaphore::create("/" + channel + d + ".empty", 0, uid));
    r.stale_semaphores.push_back(NamedSemaphore::create("/" + channel + d + ".full", 1, uid));
  }
  for (const auto &info : kinds)
    for (const auto &n : object_names(info.kind, channel)) {
      std::string path = info.kind == Kind::fifo ? base.substr(0, base.rfind('/') + 1) + n
                                                 : "/dev/shm/" + n;
      struct stat st {};
      if (info.kind != Kind::mq && stat(path.c_str(), &st) == 0)
        r.stale_files.emplace_back(path, st);
    }
}

// The planted objects still there (the client may have made new ones of the
// same names already): files of the same inode, type, mode and size (a disk
// may give a new file the inode of one just removed); queues of their attributes.
std::vector<std::string> stale_left(FakeRun &r) {
  std::vector<std::string> left;
  for (const auto &[path, was] : r.stale_files) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && st.st_ino == was.st_ino && st.st_mode == was.st_mode &&
        st.st_size == was.st_size)
      left.push_back(path);
  }
  for (std::string d : {".c2s", ".s2c"}) {
    std::string q = "/" + r.channel + d;
    mqd_t m = mq_open(q.c_str(), O_RDONLY);
    if (m == (mqd_t)-1) continue;
    mq_attr a{};
    if (mq_getattr(m, &a) == 0 && a.mq_maxmsg != 1) left.push_back("queue " + q);
    mq_close(m);
  }
  return left;
}

// Wait until the client has read every byte of the pipe `fd` and all its
// threads sleep (in read, poll, whatever call it waits in); then go on, also
// when a client that never sleeps (a busy loop) does not get there in 2 s.
Pause pause_for(Context &cx, FakeRun &r) {
  return [&cx, &r](int fd) {
    auto drained = [&] {
      int n = 0;
      return ioctl(fd, FIONREAD, &n) == 0 && n == 0 && all_threads_asleep(r.client->pid());
    };
    cx.wait_until(drained, &*r.client, cx.within(2s));
  };
}

// Make the server end of channel `name` of the run's type.
ServerEnd &open_end(FakeRun &r, const std::string &name) {
  std::unique_ptr<ServerEnd> e;
  switch (r.kind) {
    case Kind::fifo:
      e = std::make_unique<FifoServer>(r.cx, r.cx.sandbox().workdir() + "/" + name,
                                       pause_for(r.cx, r));
      break;
    case Kind::mq:
      e = std::make_unique<MqServer>(r.cx, "/" + name, r.cap);
      break;
    case Kind::shm:
      e = std::make_unique<ShmServer>(r.cx, "/" + name, r.cap);
      break;
  }
  return *(r.ends[name] = std::move(e));
}

// Whether a client that ended could not make a FIFO file: in a work folder
// where it may make anything, it sought the file somewhere else.
bool fifo_misplaced(Process &client) {
  return client.done() && client.outcome().err.find("mkfifo: Permission denied") != std::string::npos;
}
const char *const fifo_place_cause =
    "it could not make a FIFO file, though the working folder is its own: a channel's FIFO "
    "files are NAME.c2s and NAME.s2c in the working folder (no '/' in front)";

// Why the client did not start the stand-in.
std::string starts_server_cause(Process &client) {
  if (fifo_misplaced(client)) return fifo_place_cause;
  return "fork, then exec the file `server` in the folder of readlink(\"/proc/self/exe\")";
}

// Why the stand-in's argument line `got` is not `want`: the same words in
// another order, or another value (a default other than the contract's).
std::string server_args_cause(const std::string &got, const std::string &want) {
  auto words = [](const std::string &line) {
    std::istringstream in(line);
    std::multiset<std::string> w{std::istream_iterator<std::string>(in), {}};
    return w;
  };
  if (words(got) == words(want)) return "exec server with -i TYPE -n NAME -d DATADIR -m CAP";
  return "exec server with -i TYPE -n NAME -d DATADIR -m CAP, the client's own values; for an "
         "option not given, its default: -i f, -n ctl, -m 4096";
}

// Start `client -i T -n NAME -m CAP -d DIR ARGS...` beside the stand-in, with
// stale objects planted; wait for the stand-in's hello (its arguments must be
// the contract's) and check that the client removed the stale objects before
// it started the server; then make the control channel's server end.
// With `defaults`, the client runs without -i, -n and -m (FIFOs, ctl, 4096),
// nothing is planted and the grader makes no channel.
void start_fake(FakeRun &r, const Table &t, std::vector<std::string> extra, bool defaults = false) {
  Context &cx = r.cx;
  if (!defaults) plant_stale(r);
  std::vector<std::string> args{"-i", std::string(kinds[int(r.kind)].flag), "-n", r.channel,
                                "-m", std::to_string(r.cap), "-d", t.dir};
  if (defaults) args = {"-d", t.dir};
  args.insert(args.end(), extra.begin(), extra.end());
  r.cmd = command_line("client", args);
  r.client.emplace(cx.start_file(r.stand_in.client, "client", args));
  std::string line;
  auto hello = [&] {
    char buf[512];
    ssize_t n = ::read(r.stand_in.hello.get(), buf, sizeof buf);
    if (n > 0) line.append(buf, static_cast<size_t>(n));
    return line.find('\n') != std::string::npos;
  };
  if (!cx.wait_until(hello, &*r.client, cx.within(3s)))
    fail("`" + r.cmd + "` starts the program `server` beside its own executable",
         r.client->done() ? "it " + r.client->outcome().describe() + " first, stderr " +
                                visible(r.client->outcome().err, 200)
                          : "after 3 s it has not; it is " + what_it_does(r.client->pid()),
         starts_server_cause(*r.client));
  std::string want = fmt::format("-i {} -n {} -d {} -m {}\n", kinds[int(r.kind)].flag, r.channel,
                                 t.dir, r.cap);
  if (line != want)
    fail("the server started with the arguments `" + want.substr(0, want.size() - 1) + "`",
         "`" + visible(line, 300) + "`", server_args_cause(line, want));
  if (defaults) return;
  if (auto left = stale_left(r); !left.empty())
    fail("`" + r.cmd + "` removes what an earlier run left of channel " + r.channel +
             ", of every type, before it starts the server",
         fmt::format("still there when the server started: {}", fmt::join(left, ", ")),
         "remove_channel() the control channel for 'f', 'q' and 's' first (ENOENT ignored)");
  open_end(r, r.channel);
}

// Why no request `what` came on channel `name` (the receiver said `why`),
// from the evidence: a shm slot's len out of range, a FIFO client that read a
// length the grader never sent, a QUIT that a live client does not send.
std::string missing_request_cause(FakeRun &r, const std::string &name, const std::string &what,
                                  const std::string &why) {
  const Outcome *o = r.client->done() ? &r.client->outcome() : nullptr;
  if (fifo_misplaced(*r.client)) return fifo_place_cause;
  if (why.starts_with("the slot says"))
    return "store the message's length in the slot's len, then its bytes, then post full";
  if (r.kind == Kind::fifo && o && o->err.find("a message of ") != std::string::npos)
    return "a FIFO reply may come in pieces (the grader writes each in three parts): read() "
           "returns what is there, so loop until all 4 bytes of the length, then the whole "
           "message, have come";
  if (what == "QUIT" && !o && name != r.channel)
    return "when a new channel's chunks are done, send QUIT on it, then destroy it";
  return "send each request as the contract's table says, on the channel it names";
}

// Receive the next request on channel `name`; fail, naming `what`, if none comes.
std::string receive_request(FakeRun &r, const std::string &name, const std::string &what) {
  std::string why;
  auto got = r.ends.at(name)->receive(r.cx.within(3s), why);
  // A client neither asleep nor ended (running on a loaded machine, or a
  // zombie not yet reaped) gets 3 s more to end or block, so that the report
  // says what it came to.
  if (!got && !r.client->done())
    r.cx.wait_until([&] { return all_threads_asleep(r.client->pid()); }, &*r.client,
                    r.cx.within(3s));
  if (!got)
    fail("`" + r.cmd + "` sends " + what + " on channel " + name,
         why + "; the client " +
             (r.client->done() ? r.client->outcome().describe() + ", stderr " +
                                     visible(r.client->outcome().err, 200)
                               : "is " + what_it_does(r.client->pid())),
         missing_request_cause(r, name, what, why));
  return *got;
}

// Receive one request on channel `name`: it must be `want`, byte for byte.
void expect_request(FakeRun &r, const std::string &name, const std::string &want,
                    const std::string &what) {
  auto got = std::optional<std::string>(receive_request(r, name, what));
  // Over FIFOs, 4 bytes of 0 then the request's start: an 8-byte length read as 4.
  bool long_length = r.kind == Kind::fifo && got->size() == want.size() && want.size() > 4 &&
                     got->starts_with(std::string(4, '\0')) &&
                     got->substr(4) == want.substr(0, want.size() - 4);
  if (*got != want)
    fail("`" + r.cmd + "` sends " + what + " on " + name + ": `" + visible(want, 120) + "` (" +
             std::to_string(want.size()) + " bytes)",
         "`" + visible(*got, 120) + "` (" + std::to_string(got->size()) + " bytes)",
         long_length ? "the length before a FIFO message is a uint32_t, 4 bytes: its other 4 "
                       "bytes were read as the message's start"
                     : "a request is its struct, then for FILE the name and its NUL: exactly "
                       "that many bytes");
}

// Receive one request on channel `name`: one of `wants` (an empty one is
// taken already), in whatever order the client asks; returns its index.
size_t expect_one_of(FakeRun &r, const std::string &name, const std::vector<std::string> &wants,
                     const std::string &what) {
  std::string got = receive_request(r, name, what);
  for (size_t i = 0; i < wants.size(); ++i)
    if (!wants[i].empty() && got == wants[i]) return i;
  fail("`" + r.cmd + "` sends " + what + " on " + name, "`" + visible(got, 120) + "` (" +
           std::to_string(got.size()) + " bytes)",
       "a request is its struct, then for FILE the name and its NUL: exactly that many bytes; "
       "each chunk once, on channel k % N");
}

// Reply on channel `name`.
void reply(FakeRun &r, const std::string &name, const std::string &bytes) {
  if (!r.ends.at(name)->send(bytes, r.cx.within(3s)))
    fail("`" + r.cmd + "` takes the reply on " + name + ".s2c",
         "it stayed full for 3 s; the client is " + what_it_does(r.client->pid()),
         "read the reply to every request");
}

// Tell the stand-in to exit with `code`; then wait for the client to end.
const Outcome &end_fake(FakeRun &r, int code) {
  std::string line = std::to_string(code) + "\n";
  check(static_cast<int>(::write(r.stand_in.status.get(), line.data(), line.size())), "write");
  return r.cx.finish(*r.client);
}

// After the client: none of channel NAME's names (of the run's type) is left.
void expect_removed(FakeRun &r, const std::string &name, const std::string &why) {
  if (auto left = names_left(r.cx, r.kind, name); !left.empty())
    fail("once `" + r.cmd + "` has exited, no name of channel " + name + " is left",
         fmt::format("left: {}", fmt::join(left, ", ")), why);
}

// A FILE request's bytes.
std::string file_request(const std::string &file, uint64_t offset, uint32_t length) {
  return bytes_of(FileMsg{FILE_MSG, length, offset}) + file + std::string(1, '\0');
}

// The grader as server: `get` with replies split across writes (FIFO), one
// cell missing; exact requests, output, exit 1 and the control channel gone.
void server_get(Context &cx) {
  StandIn si = make_stand_in(cx);
  for (const auto &info : kinds) {
    Table t = make_data(cx, 1, 1);  // the stand-in's table is the grader's own
    FakeRun r(cx, si, info.kind, cx.name("g" + std::string(info.id)).substr(1), 100);
    std::vector<std::tuple<uint32_t, uint32_t, int64_t>> cells;
    std::vector<std::string> extra{"get"};
    for (int i = 0; i < 4; ++i) {
      uint32_t row = random_u32(), col = random_u32() % 1000;
      int64_t v = i == 2 ? INT64_MIN : (static_cast<int64_t>(random_u32()) << 32) - random_u32();
      cells.emplace_back(row, col, v);
      extra.push_back(std::to_string(row));
      extra.push_back(std::to_string(col));
    }
    start_fake(r, t, extra);
    std::string out, err;
    for (auto [row, col, v] : cells) {
      expect_request(r, r.channel, bytes_of(DataMsg{DATA_MSG, row, col}),
                     fmt::format("DATA {} {}", row, col));
      reply(r, r.channel, bytes_of(v));
      if (v == INT64_MIN) err += fmt::format("client: no value at {} {}\n", row, col);
      else out += fmt::format("{}\n", v);
    }
    expect_request(r, r.channel, bytes_of(uint32_t{QUIT_MSG}), "QUIT");
    const Outcome &o = end_fake(r, 0);
    expect_stdout(o, out, r.cmd, "print each value as %lld and a newline, read whole replies");
    expect_stderr(o, err, r.cmd, "a reply of NO_VALUE: `client: no value at ROW COL`, then go on");
    expect_exit(o, 1, r.cmd, "exit 1 at the end when a value was missing");
    expect_removed(r, r.channel, "destroy the control channel at the end: unlink every name");
  }
}

// The grader as server has no such file (NO_DATA): the client says so, makes
// no OUT, still QUITs, and exits 1.
void copy_no_data(Context &cx, StandIn &si) {
  Table t = make_data(cx, 1, 1);
  std::string file = "n" + random_word(6), out = cx.sandbox().workdir() + "/none.out";
  FakeRun r(cx, si, Kind::fifo, cx.name("cn").substr(1), 100);
  start_fake(r, t, {"copy", file, out});
  expect_request(r, r.channel, file_request(file, 0, 0), "FILE " + file + " 0 0 (its size)");
  reply(r, r.channel, bytes_of(UINT64_MAX));
  expect_request(r, r.channel, bytes_of(uint32_t{QUIT_MSG}), "QUIT");
  const Outcome &o = end_fake(r, 0);
  std::string cmd = r.cmd + " (the server replies NO_DATA)";
  expect_stderr(o, "client: the server has no file " + file + "\n", cmd,
                "a size of NO_DATA: `client: the server has no file FILE`");
  expect_exit(o, 1, cmd, "exit 1 at the end when the server has no such file");
  if (access(out.c_str(), F_OK) == 0) {
    cx.sandbox().grader_file(out);
    fail("`" + cmd + "` makes no OUT", "it made " + out, "ask for the size before opening OUT");
  }
}

// After an error that ends the copy: the client's next request on the control
// channel, if any, must be QUIT; a client that exits at once (its end of the
// FIFO closed) is fine too. Returns once it has sent QUIT or closed its end.
// `check` says what the client should have checked to see the error.
void expect_quit_or_exit(FakeRun &r, const std::string &after, const std::string &check) {
  std::string why;
  auto got = r.ends.at(r.channel)->receive(r.cx.within(3s), why);
  if (!got || *got == bytes_of(uint32_t{QUIT_MSG})) return;
  uint32_t type = 0;
  if (got->size() >= 4) memcpy(&type, got->data(), 4);
  std::string went_on = type == NEWCHANNEL_MSG ? " (NEWCHANNEL: the copy went on)"
                        : type == FILE_MSG     ? " (FILE: the copy went on)"
                                               : "";
  fail("`" + r.cmd + "`, " + after + ", sends QUIT next or exits",
       "it sent `" + visible(*got, 120) + "` (" + std::to_string(got->size()) + " bytes)" + went_on,
       check + "; a failed copy ends: QUIT on the control channel, or exit 1 at once");
}

// A client copy of a new FILE ("TAG" and a random word) to OUT, the grader as
// server answering its size request with `size_reply`, after which the client
// must send QUIT or exit (`after` says why, `check` what shows the error).
// How it ended, FILE, and the command.
struct FailedCopy {
  Outcome o;
  std::string file, cmd;
};
FailedCopy failing_copy(Context &cx, StandIn &si, const std::string &tag, const std::string &out,
                        const std::string &size_reply, const std::string &after,
                        const std::string &check) {
  Table t = make_data(cx, 1, 1);
  std::string file = tag + random_word(6);
  FakeRun r(cx, si, Kind::fifo, cx.name("c" + tag).substr(1), 100);
  start_fake(r, t, {"copy", file, out});
  expect_request(r, r.channel, file_request(file, 0, 0), "FILE " + file + " 0 0 (its size)");
  reply(r, r.channel, size_reply);
  expect_quit_or_exit(r, after, check);
  return {end_fake(r, 0), file, r.cmd};
}

// The grader as server replies to the size request with 4 bytes: the client
// says `client: bad reply of 4 bytes to FILE FILE` and exits 1.
void copy_bad_reply(Context &cx, StandIn &si) {
  std::string out = cx.sandbox().workdir() + "/bad.out";
  auto [o, file, run] = failing_copy(cx, si, "b", out, bytes_of(uint32_t{5}),
                                     "given a reply of 4 bytes to its size request",
                                     "check each reply's length before using it (a size is 8 "
                                     "bytes)");
  std::string cmd = run + " (the size's reply is 4 bytes)";
  expect_stderr(o, "client: bad reply of 4 bytes to FILE " + file + "\n", cmd,
                "a reply of the wrong length: `client: bad reply of N bytes to FILE FILE`");
  expect_exit(o, 1, cmd, "a reply of the wrong length: exit 1");
  if (access(out.c_str(), F_OK) == 0) cx.sandbox().grader_file(out);
}

// OUT in a folder that does not exist: the client's open of OUT fails, and it
// exits 1 with `client: open: No such file or directory` (or `openat`).
void copy_out_fails(Context &cx, StandIn &si) {
  std::string out = cx.sandbox().workdir() + "/no-such-dir/out";
  auto [o, file, run] =
      failing_copy(cx, si, "o", out, bytes_of(uint64_t{150}), "unable to open OUT",
                   "check the result of the open() of OUT");
  std::string cmd = run + " (OUT's folder does not exist)";
  std::string err = "client: open: No such file or directory\n";
  if (o.err == "client: openat: No such file or directory\n") err = o.err;  // the call's own name
  expect_stderr(o, err, cmd, "check every system call: `client: CALL: STRERROR`, exit 1");
  expect_exit(o, 1, cmd, "a system call failed: exit 1");
}

// The grader as server: copies of files whose sizes straddle every boundary
// of CAP 100 (0, CAP - 1, CAP, CAP + 1, 8 + CAP, 3 CAP + 5), over -c 1 and
// -c 2; exact FILE and NEWCHANNEL requests, each chunk on channel k % N.
void server_copy(Context &cx) {
  StandIn si = make_stand_in(cx);
  const size_t cap = 100;
  int run = 0;
  for (const auto &info : kinds)
    for (size_t size : {size_t{0}, cap - 1, cap, cap + 1, 8 + cap, 3 * cap + 5}) {
      size_t n = size == 3 * cap + 5 || size == 0 ? 2 : 1;
      Table t = make_data(cx, 1, 1);
      std::string data = random_bytes(size), file = "f" + random_word(6);
      // OUT exists, longer than the copy and full of garbage: O_TRUNC must empty it.
      std::string out = cx.file(fmt::format("out{}", run++), random_bytes(size + 50));
      FakeRun r(cx, si, info.kind, cx.name("c" + std::string(info.id)).substr(1), cap);
      start_fake(r, t, {"-c", std::to_string(n), "copy", file, out});
      expect_request(r, r.channel, file_request(file, 0, 0), "FILE " + file + " 0 0 (its size)");
      reply(r, r.channel, bytes_of(uint64_t{size}));
      std::vector<std::string> names;
      for (size_t k = 1; k <= n; ++k) {
        expect_request(r, r.channel, bytes_of(uint32_t{NEWCHANNEL_MSG}), "NEWCHANNEL");
        names.push_back(fmt::format("{}.ch{}", r.channel, k));
        open_end(r, names.back());
        reply(r, r.channel, names.back() + std::string(1, '\0'));
      }
      for (size_t i = 0; i < n; ++i) {  // a channel's chunks in any order: the contract fixes none
        std::vector<size_t> ks;
        std::vector<std::string> wants;
        for (size_t k = i; k * cap < size; k += n) {
          ks.push_back(k);
          wants.push_back(file_request(file, k * cap, std::min(cap, size - k * cap)));
        }
        std::string what = fmt::format("the FILE {} request of chunk{} {} of a {}-byte file, "
                                       "each once (chunk k: min(CAP, size - k·CAP) bytes at k·CAP)",
                                       file, ks.size() == 1 ? "" : "s", fmt::join(ks, ", "), size);
        for (size_t left = ks.size(); left > 0; --left) {
          size_t at = expect_one_of(r, names[i], wants, what);
          size_t k = ks[at];
          wants[at].clear();
          reply(r, names[i], data.substr(k * cap, std::min(cap, size - k * cap)));
        }
      }
      for (const auto &name : names) expect_request(r, name, bytes_of(uint32_t{QUIT_MSG}), "QUIT");
      expect_request(r, r.channel, bytes_of(uint32_t{QUIT_MSG}), "QUIT");
      const Outcome &o = end_fake(r, 0);
      expect_exit(o, 0, r.cmd, "the copy or the shutdown failed");
      expect_stderr(o, "", r.cmd, "print nothing on stderr when all goes well");
      if (std::string got = read_file(out); got != data)
        fail(fmt::format("`{}` writes the {} bytes it was sent to OUT", r.cmd, size),
             fmt::format("{} bytes; {}", got.size(), first_difference(data, got)),
             got.size() > data.size() && got.starts_with(data)
                 ? "OUT held older, longer bytes before the copy: open it with O_TRUNC, so that "
                   "nothing of them stays past the copy's end"
                 : "write each reply, of the length cread returned, at its offset");
      for (const auto &name : names)
        expect_removed(r, name, "destroy each new channel after its QUIT");
      expect_removed(r, r.channel, "destroy the control channel at the end");
    }
  copy_no_data(cx, si);
  copy_bad_reply(cx, si);
  copy_out_fails(cx, si);
}

// Whether stderr `err` is the client's line `want` ("client: ...") with
// another name in front of its ": " (argv[0], a path, in place of `client`).
bool named_itself(const std::string &err, const std::string &want) {
  std::string rest = want.substr(want.find(": "));
  return err != want && err.ends_with(rest) && err.size() > rest.size() &&
         err.find('\n') == err.size() - 1;
}
const char *const fixed_name_cause =
    "PROG in a message is the program's fixed name `client`, not argv[0] (a path when it is "
    "run by one)";

// The grader as server ends badly: exits 3 while a request waits for its
// reply, is killed by SIGKILL (status 137), or exits 5 after QUIT. The client
// must say so, exit 1 and remove the control channel, wherever it waits.
void server_dies(Context &cx) {
  StandIn si = make_stand_in(cx);
  enum How { exits, killed, after_quit };
  for (const auto &info : kinds)
    for (How how : {exits, killed, after_quit}) {
      Table t = make_data(cx, 1, 1);
      FakeRun r(cx, si, info.kind, cx.name("d" + std::string(info.id)).substr(1), 100);
      uint32_t row = random_u32() % 100, col = random_u32() % 100;
      int64_t v = random_u32();
      start_fake(r, t, {"get", std::to_string(row), std::to_string(col)});
      expect_request(r, r.channel, bytes_of(DataMsg{DATA_MSG, row, col}),
                     fmt::format("DATA {} {}", row, col));
      int status = how == exits ? 3 : how == killed ? 128 + SIGKILL : 5;
      const Outcome *o = nullptr;
      if (how == after_quit) {
        reply(r, r.channel, bytes_of(v));
        expect_request(r, r.channel, bytes_of(uint32_t{QUIT_MSG}), "QUIT");
        o = &end_fake(r, 5);
      } else if (how == exits) {
        o = &end_fake(r, 3);
      } else {
        auto kids = children_of(r.client->pid());
        if (kids.size() != 1)
          fail("`" + r.cmd + "` has one child, the server", fmt::format("{} children", kids.size()),
               "fork once, for the server");
        check(kill(kids.front(), SIGKILL), "kill");
        o = &r.cx.finish(*r.client);
      }
      std::string when = how == after_quit ? "after QUIT" : "while the client waits for a reply";
      cx.note(fmt::format("the server {} with status {} {}", how == killed ? "was killed" : "exited",
                          status, when));
      std::string line = fmt::format("client: server exited with {}\n", status);
      std::string cause = how == killed ? "a server killed by a signal: 128 + its number"
                          : how == after_quit
                              ? "after QUIT, waitpid() the server and report any status but 0: "
                                "`client: server exited with N`, exit 1"
                              : "watch the server (waitid in a thread) from its start";
      expect_stderr(*o, line, r.cmd + " (the server ended with status " + std::to_string(status) +
                                 " " + when + ")",
                    named_itself(o->err, line) ? fixed_name_cause : cause);
      expect_exit(*o, 1, r.cmd, "a server that ended badly: exit 1");
      if (how != after_quit)
        expect_removed(r, r.channel, "when the server ends first, remove the control channel");
    }
  // The defaults (-i f -n ctl -m 4096), and a server that exits 3 while the
  // client waits to open the control channel that it never makes.
  Table t = make_data(cx, 1, 1);
  FakeRun r(cx, si, Kind::fifo, "ctl", 4096);
  start_fake(r, t, {"get", "1", "1"}, true);
  const Outcome &o = end_fake(r, 3);
  expect_stderr(o, "client: server exited with 3\n",
                r.cmd + " (the server exited with 3 before it made the channel)",
                "the watcher reports the server's end wherever main() waits, even in open()");
  expect_exit(o, 1, r.cmd, "a server that ended badly: exit 1");
  expect_removed(r, "ctl", "when the server ends first, remove the control channel");
}

// ---------------------------------------------------------------- checks: the rest of the server's protocol

// Every object of channel NAME (type k) has mode 0600.
void expect_modes(Context &cx, Kind k, const std::string &channel, const std::string &cmd) {
  for (const auto &n : object_names(k, channel)) {
    mode_t mode = 0;
    std::string path = k == Kind::fifo ? cx.sandbox().workdir() + "/" + n : "/dev/shm/" + n;
    if (k == Kind::mq) {
      mode = PosixQueue::open("/" + n, false).mode();
    } else {
      struct stat st {};
      if (stat(path.c_str(), &st) == -1) throw_errno("stat " + path);
      mode = st.st_mode;
    }
    if ((mode & 07777) != 0600)
      fail(fmt::format("`{}` creates {} with mode 0600", cmd, n),
           fmt::format("mode {:04o}", mode & 07777),
           "create every FIFO file, queue, object and semaphore with mode 0600");
  }
}

// Ask a FILE request whose reply must be `want` (8 bytes of NO_DATA, a size, or
// data); `cause` is the contract's rule for this request.
void expect_file_reply(Context &cx, PeerChannel &ch, ServerRun &s, const std::string &name,
                       uint64_t offset, uint32_t length, const std::string &want,
                       const std::string &shown_want, const std::string &cause) {
  std::string what = fmt::format("FILE `{}` for {} bytes at {}", visible(name, 60), length, offset);
  std::string got = ask(cx, ch, s, file_request(name, offset, length), what);
  if (got != want)
    fail(fmt::format("the reply to {}: {}", what, shown_want),
         fmt::format("{} bytes: `{}`", got.size(), visible(got, 60)),
         cause);
}

// The grader as client, beyond DATA: each object mode 0600; FILE's size, a
// range, and the NO_DATA cases; NEWCHANNEL's reply exactly NAME.ch1 and its
// NUL, sent once the new channel's objects exist, and the new channel served
// and ended by QUIT; then over FIFOs the end of file ends the server as QUIT
// does (queues, shm: QUIT); exit 0, nothing on stdout or stderr.
void server_protocol(Context &cx) {
  std::string data = random_bytes(5000);
  cx.file("d.bin", data, 0644);
  for (const auto &info : kinds) {
    ServerRun s = start_server(cx, info.kind, 4096);
    auto ch = connect(cx, info.kind, s.channel, s.cap, s.p, s.cmd);
    expect_modes(cx, info.kind, s.channel, s.cmd);
    std::string none = bytes_of(UINT64_MAX);
    expect_file_reply(cx, *ch, s, "d.bin", 0, 0, bytes_of(uint64_t{5000}), "its size, 5000",
                      "offset 0 and length 0 ask for the size: reply it as a uint64_t, 8 bytes");
    expect_file_reply(cx, *ch, s, "d.bin", 904, 4096, data.substr(904, 4096), "those 4096 bytes",
                      "a range that ends exactly at the end of the file is inside it "
                      "(offset + length <= size): reply its bytes");
    expect_file_reply(cx, *ch, s, "d.bin", 4001, 1000, none, "NO_DATA (past the end)",
                      "reply NO_DATA (UINT64_MAX) to a range past the end (offset + length > size)");
    expect_file_reply(cx, *ch, s, "d.bin", 0, 4097, none, "NO_DATA (more than CAP)",
                      "reply NO_DATA (UINT64_MAX) to a length above CAP");
    expect_file_reply(cx, *ch, s, "./d.bin", 0, 0, none, "NO_DATA (a '/' in the name)",
                      "reply NO_DATA (UINT64_MAX) to a name with '/': serve the files of DATADIR only");
    expect_file_reply(cx, *ch, s, "missing", 0, 0, none, "NO_DATA (no such file)",
                      "reply NO_DATA (UINT64_MAX) to a file that does not exist");
    std::string want = s.channel + ".ch1" + std::string(1, '\0');
    std::string got = ask(cx, *ch, s, bytes_of(uint32_t{NEWCHANNEL_MSG}), "NEWCHANNEL");
    if (got != want)
      fail("the reply to NEWCHANNEL: `" + visible(want) + "`, the name and its NUL",
           fmt::format("{} bytes: `{}`", got.size(), visible(got, 100)),
           "reply NAME.chK with its NUL (strlen + 1 bytes)");
    if (auto left = names_left(cx, info.kind, s.channel + ".ch1");
        left.size() != object_names(info.kind, s.channel).size())
      fail("every object of " + s.channel + ".ch1 made before the reply to NEWCHANNEL",
           "at the reply, only " + std::to_string(left.size()) + " of them existed",
           "make the new channel's server side first, then reply");
    auto ch1 = connect(cx, info.kind, s.channel + ".ch1", s.cap, s.p, s.cmd);
    expect_modes(cx, info.kind, s.channel + ".ch1", s.cmd);
    std::string v = ask(cx, *ch1, s, bytes_of(DataMsg{DATA_MSG, 3, 1}), "row 3 column 1 on ch1");
    if (v != bytes_of(value_at(s.table, 3, 1)))
      fail("the value at row 3 column 1, asked on " + s.channel + ".ch1", shown(v),
           "serve each new channel in its own thread, with the same table");
    if (!ch1->send(bytes_of(uint32_t{QUIT_MSG}), cx.within(3s)))
      fail("the server takes QUIT on ch1", "the channel stayed full", "read every request");
    ch1.reset();
    if (info.kind != Kind::fifo && !ch->send(bytes_of(uint32_t{QUIT_MSG}), cx.within(3s)))
      fail("the server takes QUIT", "the channel stayed full", "read every request");
    ch.reset();  // over FIFOs: the end of file, as QUIT
    std::string how = info.kind == Kind::fifo ? " (the client's end closed without QUIT)" : "";
    const Outcome &o = cx.finish(s.p);
    expect_exit(o, 0, s.cmd + how, "after QUIT (or, over FIFOs, end of file) on the control "
                                   "channel: join the threads, destroy the channel, exit 0");
    expect_stdout(o, "", s.cmd, "the server prints nothing on stdout");
    expect_stderr(o, "", s.cmd, "nothing on stderr when all goes well");
  }
}

// Bad requests end the server: exit 1, `server: bad request of N bytes on NAME`.
void bad_request(Context &cx) {
  struct Bad {
    Kind kind;
    std::string bytes, what;
    bool on_new_channel;
    std::string line = "";  // stderr, if not `server: bad request of N bytes on NAME`
  };
  const Bad bads[] = {
      {Kind::fifo, bytes_of(DataMsg{DATA_MSG, 1, 1}) + "x", "a DATA request of 13 bytes", false},
      {Kind::mq, "\x01\x00", "a request of 2 bytes", false},
      {Kind::shm, bytes_of(FileMsg{FILE_MSG, 1, 0}) + "abc", "a FILE request without its NUL",
       false},
      {Kind::mq, bytes_of(uint32_t{9}), "a request of the unknown type 9", false},
      {Kind::fifo, bytes_of(uint32_t{NEWCHANNEL_MSG}), "NEWCHANNEL on a new channel", true},
      {Kind::fifo, "", "a FIFO message of length 0", false, "a message of 0 bytes on {}: not 1 to 4096"},
      {Kind::fifo, std::string(4097, 'x'), "a FIFO message of 4097 bytes, CAP 4096", false,
       "a message of 4097 bytes on {}: not 1 to 4096"},
      {Kind::shm, "", "a slot of len 0", false, "a message of 0 bytes on {}: not 1 to 4096"},
  };
  for (const auto &b : bads) {
    ServerRun s = start_server(cx, b.kind, 4096);
    auto ch = connect(cx, b.kind, s.channel, s.cap, s.p, s.cmd);
    std::string on = s.channel;
    std::unique_ptr<PeerChannel> ch1;
    if (b.on_new_channel) {
      ask(cx, *ch, s, bytes_of(uint32_t{NEWCHANNEL_MSG}), "NEWCHANNEL");
      on = s.channel + ".ch1";
      ch1 = connect(cx, b.kind, on, s.cap, s.p, s.cmd);
    }
    if (!(ch1 ? *ch1 : *ch).send(b.bytes, cx.within(3s)))
      fail("the server takes " + b.what, "the channel stayed full", "read every request");
    const Outcome &o = cx.finish(s.p);
    std::string cmd = s.cmd + " (sent " + b.what + ")";
    std::string line = b.line.empty() ? fmt::format("bad request of {} bytes on {}", b.bytes.size(), on)
                                      : fmt::format(fmt::runtime(b.line), on);
    expect_stderr(o, "server: " + line + "\n", cmd,
                  b.line.empty() ? "check each request's exact length for its type, and the channel"
                                 : "check the length of each message cread gets: 1 to CAP");
    expect_exit(o, 1, cmd, b.line.empty() ? "a bad request: exit 1" : "a data error: exit 1");
    ch1.reset();
    ch.reset();
    unlink_all(cx, s.channel);  // the server died with its channels: not its leftovers
    unlink_all(cx, s.channel + ".ch1");
  }
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
}  // namespace channels_checks

Lab channels_lab() {
  using namespace channels_checks;
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
           "length; `<=` at the table's edge; the reply of a missing cell not `INT64_MIN`; a "
           "header before the value."},
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
          {"client-get-server", "the client's get, against the grader as server", 2, step4, 15s,
           server_get,
           "the grader plays the server: your client runs beside a stand-in `server` (a script "
           "that reports its arguments and exits as told) while the grader serves the control "
           "channel itself, for each T. Before each run it leaves stale objects of every type "
           "named NAME behind (a regular file `NAME.c2s`, queues of other attributes holding a "
           "message, objects of other sizes, semaphores of a full slot): they must be gone when "
           "the server starts. `get` of 4 cells, one `NO_VALUE`: each `DATA` request exactly 12 "
           "bytes; FIFO replies in three writes (2 bytes of the length; the rest of it and half the "
           "value; the rest), the grader waiting between them until the client has read all and "
           "sleeps; shm replies with the rest of the slot not zero. Exact stdout and stderr, exit 1, "
           "the control channel's names gone.",
           "a `cread` that takes one `read` for the whole length or message; no clean-up of the "
           "stale control channel (or of one type only); a slot of `CAP` bytes instead of 8 + "
           "CAP; a missing value not reported, or exit 0; a FIFO length sent as 8 bytes, not a "
           "`uint32_t`; a slot whose `len` is never stored; the server started with its options "
           "in another order."},
          {"client-copy-server", "the client's copy of boundary sizes, against the grader as server",
           2, step4, 30s, server_copy,
           "the grader plays the server (see `client-get-server`), for each T with `-m 100`: "
           "copies of files of 0, 99, 100, 101, 108 and 305 bytes (`-c 2` for 0 and 305): the "
           "size request, each `NEWCHANNEL`, and each chunk k's `FILE` request (offset k·CAP, "
           "`min(CAP, size - k·CAP)` bytes, on new channel `k % N`) exactly as the contract "
           "says, the file name with its NUL; then `QUIT` on each new channel and the control "
           "channel; OUT bit-exact, exit 0, every channel's names gone. Then over FIFOs: a size "
           "of `NO_DATA` (`client: the server has no file FILE`, no OUT, exit 1); a size reply "
           "of 4 bytes (`client: bad reply of 4 bytes to FILE FILE`, exit 1); an OUT in a folder "
           "that does not exist (`client: open: No such file or directory`, exit 1); after each "
           "the client sends `QUIT` or exits.",
           "the chunk count rounded down, or a chunk asked for with CAP - 1 or CAP bytes when "
           "fewer are left; an empty chunk asked for at the end; a request without the name's NUL; "
           "chunk k on another channel than k % N; a new channel not destroyed; a reply's length "
           "not checked; a failed `open` of OUT not checked, or reported with OUT's name."},
          {"server-ends-badly", "the client reports a server that ends badly", 2, step9, 20s,
           server_dies,
           "the grader plays the server (see `client-get-server`), for each T: it takes a `DATA` "
           "request, then instead of replying makes the stand-in exit 3, or kills it with SIGKILL; "
           "or it replies and takes `QUIT`, then the stand-in exits 5. The client must print "
           "`client: server exited with 3` (137, 5) and exit 1, and when the server ended first "
           "remove the control channel's names, though the grader still holds the channel open.",
           "no watcher thread (the client waits forever for a reply that cannot come); a status "
           "printed as the raw `waitpid` value or without 128 + the signal; the control channel "
           "not removed by the watcher; the exit status of the server ignored after `QUIT`."},
          {"server-protocol", "the server's NEWCHANNEL, FILE cases, modes and end of file", 2,
           step7, 15s, server_protocol,
           "the grader as client, for each T: every object of the control channel and of a new "
           "one has mode 0600; `FILE` for the size, for 4096 bytes at 904, and `NO_DATA` for a "
           "range past the end, a length above CAP, `./d.bin` and a missing file; `NEWCHANNEL`'s "
           "reply exactly `NAME.ch1` and its NUL, every object of the new channel made by then, "
           "and a `DATA` request served on it, then its `QUIT`; over FIFOs the control channel "
           "is then closed without `QUIT` (end of file), over queues and shm it gets `QUIT`: "
           "exit 0, nothing on stdout or stderr.",
           "the NEWCHANNEL reply without its NUL; the reply sent before the thread made the "
           "channel; a mode other than 0600; a range check with `<` for `<=` or none; a name with "
           "'/' served; end of file taken for an error."},
          {"bad-request", "a bad request: exit 1 with its exact line", 1, step9, 15s, bad_request,
           "the grader as client sends one bad request per run: a `DATA` of 13 bytes (FIFO), 2 "
           "bytes (queue), a `FILE` without its NUL (shm), an unknown type (queue), a "
           "`NEWCHANNEL` on a new channel (FIFO): the server exits 1 with `server: bad request "
           "of N bytes on NAME`; then a FIFO message of length 0 and one of 4097 bytes, and a "
           "shm slot of len 0, at CAP 4096: exit 1 with `server: a message of N bytes on NAME: "
           "not 1 to 4096`.",
           "lengths checked with `>=` instead of `==`; a FILE name's NUL not checked; "
           "NEWCHANNEL accepted on a new channel; the control channel's name in the message of a "
           "new one; a message length of 0 let through by `cread`."},
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
           "`QUIT`; `main` returning `true` (1) for success."},
          {"cleanup", "no object is left after any run", 3, step8, 15s, cleanup,
           "for each T, a `copy -c 2` of a 50000-byte file; for each T, the server alone, with "
           "the grader as its client: one `DATA` request answered, then `QUIT`, and every name "
           "of the control channel must be gone once it exits; and nothing left by any run of "
           "any check: no FIFO files in the work folder, nothing in the `mqueue` mount or "
           "`/dev/shm`.",
           "`sem_close` without `sem_unlink` (`shm`); no `remove(name_)` in a destructor; `ENOENT` "
           "from the second side's unlink treated as fatal (the process dies before it removes the "
           "rest); `die()` on a path that should clean up; a server that `exit`s at `QUIT` without "
           "destroying its control channel.",
           true},
          {"bad-args", "errors: exact messages and exit codes", 2, step9, 10s, bad_args,
           "24 bad calls, each with its exit code and exact stderr: the client's `-i x`, `-c` 0 "
           "and 17, `-i q -m 8193`, `-m` 63 and 65537, `-n a/b` and `-n ''`, a FILE of 48 bytes "
           "with `-m 64`; the usage line for `get 0`, no `-d`, `get 4294967296 0`, `get 1x 0`, "
           "`put`; the server's usage line (no `-m`; `-m 4096x`), its `-i x`, `-n a/b`, `-m 63`, "
           "`-i q -m 8193`; no table (exit 1, `server: open: ...`); a last line without newline, a "
           "value that is not a number, a row of 3 values after one of 2 (exit 1, each line): no "
           "server left running and no object made.",
           "an argument checked after the server was started or something created; a message "
           "worded differently; `argv[0]` instead of `client`."},
      }};
}

}  // namespace ipcg
