// mqueue.cpp: the checks of lab 01-mqueue (handouts/01-mqueue.md).
// The grader is the other process: it creates, fills and drains the queues,
// reads their attributes, and watches the student's process sleep or spin.
#include "../core/observe.hpp"
#include "../core/peer.hpp"
#include "../core/registry.hpp"
#include "../core/syscalls.hpp"
#include "../core/visible.hpp"

#include <fmt/format.h>
#include <csignal>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <fstream>
#include <map>
#include <set>

namespace ipcg {
namespace mqueue_checks {
namespace {
using namespace std::chrono_literals;

// Put one message of the grader's in `q`, waiting at most 1 s for room. The
// grader sizes its queues for what it sends, so a queue that stays full holds
// messages a student's program put there.
void give(Context &cx, PosixQueue &q, std::string_view text, unsigned prio) {
  if (!q.send(text, prio, cx.within(1s)))
    fail("room in the queue " + q.name() + " for the grader's message",
         "it stayed full for 1 s: a program put messages of its own into it",
         "a program that sends into a queue it should only receive from");
}

constexpr std::string_view step1 = "Step 1: Create a queue with attributes";
constexpr std::string_view step2 = "Step 2: Send exact bytes";
constexpr std::string_view step3 = "Step 3: Receive, print, and respect priorities";
constexpr std::string_view step4 = "Step 4: Blocking and non-blocking";
constexpr std::string_view step5 = "Step 5: Notification without busy-waiting";
constexpr std::string_view step6 = "Step 6: Many processes, one queue, and voicemail";
constexpr std::string_view step7 = "Step 7: Unlink and the object lifecycle";
constexpr std::string_view step8 = "Step 8: System V message queues";
constexpr std::string_view step9 = "Step 9: Errors and exit codes";

// One record as mq_recv and svmsg_recv print it: "PRIO LEN BYTES\n".
std::string record(long prio, std::string_view bytes) {
  return fmt::format("{} {} ", prio, bytes.size()) + std::string(bytes) + "\n";
}

// The records in a receiver's output; nullopt if it is not a sequence of records.
std::optional<std::vector<std::string>> parse_records(std::string_view out) {
  std::vector<std::string> msgs;
  while (!out.empty()) {
    unsigned long prio = 0, len = 0;
    int used = 0;
    std::string head(out.substr(0, 40));
    if (sscanf(head.c_str(), "%lu %lu %n", &prio, &len, &used) != 2 || used == 0) return {};
    if (out.size() < used + len + 1 || out[used + len] != '\n') return {};
    msgs.emplace_back(out.substr(static_cast<size_t>(used), len));
    out.remove_prefix(used + len + 1);
  }
  return msgs;
}

// A queue the grader makes for a check, owned by the student as if the student made it.
PosixQueue make_queue(Context &cx, std::string_view base, long maxmsg, long msgsize) {
  return PosixQueue::create(cx.name(base), maxmsg, msgsize, cx.sandbox().student_uid(),
                            cx.within(10s));
}

// Why `mq_send NAME MSG` failed, from its stderr: mq_open's EINVAL on the
// grader's existing queue means the name it was given is no valid queue name.
std::string send_failed_cause(const Outcome &o) {
  if (o.err.find(": mq_open: Invalid argument") != std::string::npos)
    return "mq_open rejected the name it was given with EINVAL, yet the queue exists: NAME "
           "(it starts with /) is the first argument, MSG the second";
  return "mq_open or mq_send failed";
}

// Wait until process p blocks inside system call `nr`, or ends, or `until`.
bool wait_blocked_in(Context &cx, Process &p, long nr, Deadline until) {
  return cx.wait_until([&] { return blocked_syscall(p.pid()) == nr; }, &p, until);
}

// Removes, when the check ends, whatever POSIX queue or System V queue a
// program made under a name or key that must stay unused (none, if it is right).
struct RemoveStrays {
  std::string name;
  key_t key;
  // Remove both, ignoring "no such object": that is the right outcome.
  ~RemoveStrays() {
    mq_unlink(name.c_str());
    if (int id = msgget(key, 0); id >= 0) msgctl(id, IPC_RMID, nullptr);
  }
};

// Fail if a queue exists under the POSIX name or System V key that must stay unused.
void expect_no_strays(const RemoveStrays &s, const std::string &cause) {
  if (PosixQueue::exists(s.name))
    fail("no queue named " + s.name, "a program created it", cause);
  if (msgget(s.key, 0) >= 0)
    fail("no System V queue for key " + key_arg(s.key), "a program created one", cause);
}

// A number from a file of /proc/sys, such as /proc/sys/fs/mqueue/msg_default.
long proc_sys_number(const std::string &path) {
  std::ifstream f(path);
  long n = 0;
  if (!(f >> n)) throw std::runtime_error("cannot read a number from " + path);
  return n;
}

// Fail unless a successful run printed nothing at all.
void expect_silent(const Outcome &o, const std::string &cmd) {
  expect_stdout(o, "", cmd, "this program prints nothing on stdout: no progress or debug lines");
  expect_stderr(o, "", cmd, "on success stderr stays empty: no progress or debug lines");
}

// Fail unless the queue exists and holds exactly `n` messages.
// IPC_STAT of the grader's System V queue; fail if a program removed it.
msqid_ds stat_or_fail(const SysvQueue &q) {
  auto ds = q.stat();
  if (!ds)
    fail("the grader's System V queue stays until the grader removes it",
         "IPC_STAT fails: the queue was removed (IPC_RMID) while the grader used it",
         "only svmsg_rm removes a queue: the other programs must not call msgctl(IPC_RMID)");
  return *ds;
}

void expect_queue_holds(PosixQueue &q, long n, const std::string &what, std::string cause) {
  if (!PosixQueue::exists(q.name()))
    fail(fmt::format("the queue {} still exists {}", q.name(), what),
         "its name is gone: something unlinked it", std::move(cause));
  long cur = q.attr().mq_curmsgs;
  if (cur != n)
    fail(fmt::format("the queue {} holds {} message(s) {}", q.name(), n, what),
         fmt::format("it holds {}", cur), std::move(cause));
}

// Step 1: the queue has the attributes and mode the command line asked for.
void create_attributes(Context &cx) {
  std::string name = cx.name("attrs");
  std::vector<std::string> args{"-m", "4", "-s", "128", name, "0640"};
  Outcome o = cx.run("mq_create", args);
  expect_exit(o, 0, command_line("mq_create", args), "mq_open failed or its result was not checked");
  if (!PosixQueue::exists(name))
    fail("a queue named " + name + " exists after mq_create", "there is no such queue",
         "mq_open was not called with O_CREAT, or the queue was unlinked");
  PosixQueue q = PosixQueue::open(name);
  mq_attr a = q.attr();
  if (a.mq_maxmsg != 4 || a.mq_msgsize != 128)
    fail("mq_maxmsg 4 and mq_msgsize 128",
         fmt::format("mq_maxmsg {} and mq_msgsize {}", a.mq_maxmsg, a.mq_msgsize),
         "the mq_attr built from -m and -s was not passed to mq_open (NULL gives the defaults)");
  if (q.mode() != 0640)
    fail("permissions 0640", fmt::format("permissions {:04o}", q.mode()),
         "MODE was not parsed as octal or not passed to mq_open");
  expect_silent(o, command_line("mq_create", args));
}

// Step 1: no -m and -s gives the kernel's defaults, one of them gives 10 or
// 8192 for the other, and MODE defaults to 0600.
void create_defaults(Context &cx) {
  struct Case {
    std::vector<std::string> opts;
    long maxmsg, msgsize;
    std::string cause;
  };
  const std::vector<Case> cases{
      {{},
       proc_sys_number("/proc/sys/fs/mqueue/msg_default"),
       proc_sys_number("/proc/sys/fs/mqueue/msgsize_default"),
       "without -m and -s, mq_open's attr must be NULL: the kernel's defaults"},
      {{"-m", "3"}, 3, 8192, "with -m alone, mq_msgsize defaults to 8192"},
      {{"-s", "100"}, 10, 100, "with -s alone, mq_maxmsg defaults to 10"}};
  int n = 0;
  for (const auto &c : cases) {
    std::vector<std::string> args = c.opts;
    args.push_back(cx.name(fmt::format("defaults{}", ++n)));
    std::string cmd = command_line("mq_create", args);
    Outcome o = cx.run("mq_create", args);
    std::optional<PosixQueue> q;  // the grader's handle: removes the queue at the end
    if (PosixQueue::exists(args.back())) q.emplace(PosixQueue::open(args.back()));
    expect_exit(o, 0, cmd, c.cause + " (attributes of 0 make mq_open fail with EINVAL)");
    if (!q) fail("a queue named " + args.back() + " after `" + cmd + "`", "there is none", c.cause);
    mq_attr a = q->attr();
    if (a.mq_maxmsg != c.maxmsg || a.mq_msgsize != c.msgsize)
      fail(fmt::format("mq_maxmsg {} and mq_msgsize {} after `{}`", c.maxmsg, c.msgsize, cmd),
           fmt::format("mq_maxmsg {} and mq_msgsize {}", a.mq_maxmsg, a.mq_msgsize), c.cause);
    if (q->mode() != 0600)
      fail("permissions 0600 after `" + cmd + "` (no MODE given)",
           fmt::format("permissions {:04o}", q->mode()), "MODE defaults to 0600 when not given");
  }
}

// Step 2: exactly strlen(MSG) bytes arrive, with the priority asked for.
void send_exact_bytes(Context &cx) {
  PosixQueue q = make_queue(cx, "send", 4, 256);
  const std::vector<std::pair<std::string, unsigned>> sends{{"hello, queue " + random_word(6), 0},
                                                            {random_word(6), 7}};
  for (const auto &[text, prio] : sends) {
    std::vector<std::string> args{q.name(), text};
    if (prio) args.push_back(std::to_string(prio));
    std::string cmd = command_line("mq_send", args);
    Outcome o = cx.run("mq_send", args);
    expect_exit(o, 0, cmd, send_failed_cause(o));
    expect_silent(o, cmd);
    auto m = q.receive(cx.within(1s));
    if (!m)
      fail("a message on the queue after `" + cmd + "`", "the queue is empty",
           "mq_send was not called, or on another queue");
    if (m->bytes != text)
      fail(fmt::format("{} ({} bytes)", visible(text), text.size()),
           fmt::format("{} ({} bytes); {}", visible(m->bytes), m->bytes.size(),
                       first_difference(text, m->bytes)),
           m->bytes == text + '\0' ? "strlen(msg) + 1 sends the terminating NUL too"
                                   : "the length passed to mq_send is not strlen(msg)");
    if (m->prio != prio)
      fail(fmt::format("priority {}", prio), fmt::format("priority {}", m->prio),
           "PRIO was not passed to mq_send");
  }
}

// Step 3: records hold the exact bytes received, NULs included, and the queue is drained.
void recv_exact_bytes(Context &cx) {
  PosixQueue q = make_queue(cx, "recv", 4, 256);
  std::string m1 = std::string("ab\0cd-", 6) + random_word(6), m2 = random_word(6);
  give(cx, q, m1, 0);
  give(cx, q, m2, 0);
  std::vector<std::string> args{"-c", "2", q.name()};
  Outcome o = cx.run("mq_recv", args);
  std::string cmd = command_line("mq_recv", args);
  expect_exit(o, 0, cmd, "mq_open or mq_receive failed");
  if (o.out != record(0, m1) + record(0, m2) && q.attr().mq_curmsgs == 2)
    expect_stdout(o, record(0, m1) + record(0, m2), cmd,
                  "both messages are still on the queue: print only what mq_receive took "
                  "from it");
  expect_stdout(o, record(0, m1) + record(0, m2), cmd,
                "print exactly the length mq_receive returned, with fwrite or write: %s "
                "stops at the first NUL");
  if (long cur = q.attr().mq_curmsgs; cur != 0)
    fail("an empty queue after the receiver ran", fmt::format("{} message(s) left", cur),
         "the receiver did not take both messages");
}

// Step 3: the receive buffer is the queue's mq_msgsize, however large.
void recv_buffer_size(Context &cx) {
  PosixQueue q = make_queue(cx, "big", 2, 8192);
  std::string big(8000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  big += random_word(6);
  give(cx, q, big, 0);
  std::vector<std::string> args{q.name()};
  Outcome o = cx.run("mq_recv", args);
  std::string cmd = command_line("mq_recv", args);
  expect_exit(o, 0, cmd,
              "a buffer smaller than mq_msgsize makes mq_receive fail with EMSGSIZE: size it "
              "from mq_getattr");
  expect_stdout(o, record(0, big), cmd, "the message was not printed whole");
}

// Step 3: highest priority first, first-in first-out within one priority.
void priority_order(Context &cx) {
  PosixQueue q = make_queue(cx, "prio", 8, 64);
  const std::vector<std::pair<std::string, unsigned>> load{{"low-" + random_word(6), 1},
                                                           {"high-" + random_word(6), 9},
                                                           {"mid-" + random_word(6), 5},
                                                           {"high2-" + random_word(6), 9},
                                                           {"zero-" + random_word(6), 0}};
  for (const auto &[text, prio] : load) give(cx, q, text, prio);
  std::string expected;
  for (int i : {1, 3, 2, 0, 4}) expected += record(load[i].second, load[i].first);
  std::vector<std::string> args{"-c", "5", q.name()};
  Outcome o = cx.run("mq_recv", args);
  std::string cmd = command_line("mq_recv", args);
  expect_exit(o, 0, cmd, "mq_open or mq_receive failed");
  expect_stdout(o, expected, cmd,
                "print the priority mq_receive stored through its last argument (NULL "
                "discards it)");
}

// Step 3: each record reaches stdout when it is printed, not at exit.
void records_flushed(Context &cx) {
  PosixQueue q = make_queue(cx, "flush", 4, 64);
  std::string first = random_word(6), second = random_word(6);
  give(cx, q, first, 3);
  std::vector<std::string> args{"-c", "2", q.name()};
  std::string cmd = command_line("mq_recv", args);
  Process p = cx.start("mq_recv", args);
  if (!wait_blocked_in(cx, p, SYS_mq_timedreceive, cx.within(3s)))
    fail("`" + cmd + "` waits in mq_receive for its second message",
         p.done() ? "it " + p.outcome().describe() : "it never blocked in mq_receive",
         "COUNT not honoured, or the queue opened with O_NONBLOCK without -n");
  // It wrote the first record before it went to sleep: the record is in the pipe.
  if (!cx.wait_until([&] { return p.stdout_so_far() == record(3, first); }, &p, cx.within(1s)))
    fail(visible(record(3, first)) + " on stdout while it waits for the second message",
         "stdout holds " + visible(p.stdout_so_far()),
         "stdout is a pipe, so printf's output waits in a buffer: fflush(stdout) after every "
         "record");
  give(cx, q, second, 0);
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, "it did not finish after the second message arrived");
  expect_stdout(o, record(3, first) + record(0, second), cmd, "the records are wrong");
}

// Step 4: -n never blocks: exit 3 on an empty or a full queue, and nothing is overwritten.
void nonblocking(Context &cx) {
  PosixQueue q = make_queue(cx, "nb", 2, 64);
  struct Case {
    std::string prog;
    std::vector<std::string> args;
    long nr;
    std::string call;
  };
  std::string extra = random_word(6);
  const std::vector<Case> cases{{"mq_recv", {"-n", q.name()}, SYS_mq_timedreceive, "mq_receive"},
                                {"mq_send", {"-n", q.name(), extra}, SYS_mq_timedsend, "mq_send"}};
  for (const auto &c : cases) {
    if (c.prog == "mq_send") {
      give(cx, q, "one", 0);
      give(cx, q, "two", 0);
    }
    Process p = cx.start(c.prog, c.args);
    std::string cmd = command_line(c.prog, c.args);
    if (wait_blocked_in(cx, p, c.nr, cx.within(3s)))
      fail(fmt::format("`{}` returns at once with exit 3", cmd),
           fmt::format("it blocked inside {}", c.call), "-n must open the queue with O_NONBLOCK");
    const Outcome &o = cx.finish(p);
    expect_exit(o, 3, cmd, "EAGAIN from a non-blocking call must exit 3");
    expect_stderr(o, fmt::format("{}: {}: Resource temporarily unavailable\n", c.prog, c.call), cmd,
                  "report the failed call as PROG: CALL: strerror(errno)");
  }
  auto left = q.drain();
  if (left.size() != 2 || left[0].bytes != "one" || left[1].bytes != "two")
    fail("the full queue still holds \"one\" and \"two\"",
         fmt::format("it holds {} message(s)", left.size()), "a message was overwritten or lost");
  std::string only = random_word(6);
  give(cx, q, only, 0);
  std::vector<std::string> args{"-n", "-c", "3", q.name()};
  std::string cmd = command_line("mq_recv", args);
  Outcome o = cx.run("mq_recv", args);
  expect_exit(o, 3, cmd, "EAGAIN from a non-blocking call must exit 3");
  expect_stdout(o, record(0, only), cmd,
                "the records printed before EAGAIN stay: print each one as it is received");
}

// Step 4: without -n the receiver sleeps inside mq_receive until a message comes.
void blocking_receive(Context &cx) {
  PosixQueue q = make_queue(cx, "block", 4, 64);
  std::vector<std::string> args{q.name()};
  std::string cmd = command_line("mq_recv", args);
  Process p = cx.start("mq_recv", args);
  if (!wait_blocked_in(cx, p, SYS_mq_timedreceive, cx.within(3s))) {
    if (p.done())
      fail("`" + cmd + "` waits inside mq_receive on an empty queue",
           "it " + p.outcome().describe() + " without waiting",
           "without -n the queue must be opened without O_NONBLOCK");
    fail("`" + cmd + "` sleeps inside mq_receive on an empty queue",
         fmt::format("it never blocked in mq_receive: it kept running ({:.0f} ms of CPU)",
                     cpu_ms_so_far(p.pid())),
         "a polling loop around a non-blocking receive burns the CPU: let mq_receive block");
  }
  std::string text = random_word(6);
  give(cx, q, text, 0);
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, "it did not finish after the message arrived");
  expect_stdout(o, record(0, text), cmd, "the message was not printed as a record");
}

// Does the queue's mqueue-fs file show a notification registered by `pid`?
bool notify_registered(const std::string &file, pid_t pid) {
  std::ifstream f(file);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return text.find(fmt::format("NOTIFY_PID:{} ", pid)) != std::string::npos ||
         text.find(fmt::format("NOTIFY_PID:{}\n", pid)) != std::string::npos;
}

// "; in between it slept 57 times (clock_nanosleep(0.001000 s); ...)" from
// the system-call record of `p`, or "" if it has none or never slept.
std::string naps_seen(const Process &p) {
  if (!p.syscalls()) return "";
  std::vector<Syscall> naps;
  for (const auto &c : p.syscalls()->calls())
    if (sleeps(c)) naps.push_back(c);
  if (naps.empty()) return "";
  return fmt::format("; in between it slept {} times ({})", naps.size(), describe_calls(naps, 3));
}

// From the system-call record of `p`, now that all its threads sleep: its
// main thread does not sleep in nanosleep/clock_nanosleep (usleep, sleep,
// a polling loop) but in a wait that the notification ends. Without a record
// nothing is charged: noted only.
void expect_not_sleeping_in_loop(Context &cx, Process &p, const std::string &cmd) {
  if (!p.syscalls()) {
    cx.note("no system-call record here: what `" + cmd + "` waits in is not checked");
    return;
  }
  // Asleep in the call itself, not in the wait for the recorder to record it
  // (blocked_syscall says -1 then): from there on the record holds that call.
  cx.wait_until(
      [&] {
        auto in = blocked_syscall(p.pid());
        return !in || (*in >= 0 && all_threads_asleep(p.pid()));
      },
      &p, cx.within(1s));
  std::vector<Syscall> mine, naps;
  for (const auto &c : p.syscalls()->calls())
    if (c.pid == p.pid()) mine.push_back(c), sleeps(c) ? naps.push_back(c) : void();
  if (mine.empty() || !sleeps(mine.back())) return;
  // A call the filter does not trap (read on a pipe, poll) may have come since:
  // /proc says which, where the grader may read it.
  if (auto now = blocked_syscall(p.pid()); now && *now >= 0) {
    Syscall in;
    in.nr = *now;
    if (!sleeps(in)) return;
  }
  fail("`" + cmd + "` waits for the notification in a call that it ends (sigwaitinfo, "
           "sigsuspend, pause, a semaphore or a join)",
       fmt::format("before any message was sent it slept {} time{} ({}), and sleeps in {} now",
                   naps.size(), naps.size() == 1 ? "" : "s", describe_calls(naps, 3),
                   mine.back().describe()),
       "a loop around usleep/nanosleep that checks a flag is polling: block until the "
       "notification comes instead");
}

// Why mq_notify_recv did not exit 0 once the message was sent, from how it
// ended: killed by SIGUSR1, or still asleep with the queue drained.
std::string notify_exit_cause(const Outcome &o, PosixQueue &q) {
  if (o.signal == SIGUSR1)
    return "SIGUSR1's default action ends the process: with SIGEV_SIGNAL, block SIGUSR1 "
           "(sigprocmask) before mq_notify and wait for it with sigwaitinfo";
  if (o.timed_out && q.attr().mq_curmsgs == 0)
    return "the queue is empty, so it took the message, yet it slept on: drain with "
           "non-blocking receives (the queue opened with O_NONBLOCK) and stop at EAGAIN";
  return "it did not finish after the notification";
}

// Step 5: mq_notify is registered and the process sleeps until the message comes.
void notify(Context &cx) {
  PosixQueue q = make_queue(cx, "notify", 4, 64);
  std::vector<std::string> args{q.name()};
  std::string cmd = command_line("mq_notify_recv", args);
  Process p = cx.start("mq_notify_recv", args);
  if (auto file = cx.sandbox().mqueue_file(q.name())) {
    if (!cx.wait_until([&] { return notify_registered(*file, p.pid()); }, &p, cx.within(3s)))
      fail("`" + cmd + "` registers for notification with mq_notify",
           p.done() ? "it " + p.outcome().describe() + " without registering"
                    : "the queue shows no notification registered by it",
           "call mq_notify on the queue before waiting");
  } else {
    cx.note("no mqueue mount in this sandbox: the registration itself is not observed");
  }
  if (!cx.wait_until([&] { return all_threads_asleep(p.pid()); }, &p, cx.within(3s)))
    fail("`" + cmd + "` sleeps while it waits",
         p.done()
             ? "it " + p.outcome().describe() + " before any message was sent"
             : fmt::format("it kept running on the CPU ({:.0f} ms so far){}",
                           cpu_ms_so_far(p.pid()), naps_seen(p)),
         "wait with sigwaitinfo, sigsuspend or a blocking call, not a loop");
  expect_not_sleeping_in_loop(cx, p, cmd);
  std::string text = random_word(6);
  give(cx, q, text, 0);
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, notify_exit_cause(o, q));
  expect_stdout(o, record(0, text), cmd, "the queued message was not printed as a record");
  double budget = 100 * cx.slow();  // a waiting process uses ~1 ms; --slow for valgrind
  if (o.cpu_ms > budget)
    fail(fmt::format("at most {:.0f} ms of CPU in all", budget),
         fmt::format("{:.0f} ms of CPU", o.cpu_ms), "it spent its waiting time on the CPU");
}

// Step 6: several senders and receivers at once: every message delivered exactly once.
void many_senders_receivers(Context &cx) {
  PosixQueue q = make_queue(cx, "many", 10, 64);
  std::vector<Process> procs;
  std::vector<std::string> rargs{"-c", "4", q.name()};
  for (int i = 0; i < 3; ++i) procs.push_back(cx.start("mq_recv", rargs));
  std::multiset<std::string> sent;
  std::string tag = random_word(6);
  for (int i = 0; i < 12; ++i) {
    std::string m = fmt::format("m{}-{}", i, tag);
    sent.insert(m);
    procs.push_back(cx.start("mq_send", {q.name(), m}));
  }
  // Senders end on their own; then the receivers must end too, unless they are
  // all asleep in mq_receive on an empty queue: a message is then lost for good.
  std::vector<Process *> senders, receivers;
  for (auto &p : procs) (&p < &procs[3] ? receivers : senders).push_back(&p);
  Process::pump_all(senders, cx.end());
  auto stuck = [&] {
    for (Process *r : receivers)
      if (!r->done() && blocked_syscall(r->pid()) != SYS_mq_timedreceive) return false;
    return q.attr().mq_curmsgs == 0;
  };
  while (!Process::pump_all(receivers, cx.within(20ms)) && Clock::now() < cx.end()) {
    if (!stuck()) continue;
    size_t got = 0;
    for (Process *r : receivers)
      got += parse_records(r->stdout_so_far()).value_or(std::vector<std::string>{}).size();
    bool gone = !PosixQueue::exists(q.name());
    fail("the 12 messages, each received exactly once",
         fmt::format("{} received; the receivers sleep on an empty queue{}", got,
                     gone ? " whose name is gone" : ""),
         gone ? "a program unlinked the queue while others still used it"
              : "a sender failed or sent nothing");
  }
  std::multiset<std::string> got;
  for (auto &p : procs) {
    bool receiver = &p < &procs[3];
    const Outcome &o = cx.finish(p);
    std::string what = receiver ? command_line("mq_recv", rargs) : "every mq_send";
    expect_exit(o, 0, what, "a process failed while others used the same queue");
    if (!receiver) continue;
    auto recs = parse_records(o.out);
    if (!recs) fail("records \"PRIO LEN BYTES\\n\"", visible(o.out), "malformed output");
    got.insert(recs->begin(), recs->end());
  }
  if (got != sent)
    fail("the 12 messages, each received exactly once",
         fmt::format("{} received, {} distinct", got.size(),
                     std::set<std::string>(got.begin(), got.end()).size()),
         "a message was lost or received twice");
  expect_queue_holds(q, 0, "after all of them finished",
                     "a receiver must never unlink a queue that others still use");
}

// Step 6: the message waits in the kernel after its sender has exited.
void outlives_sender(Context &cx) {
  PosixQueue q = make_queue(cx, "voicemail", 4, 64);
  std::string text = random_word(6);
  std::vector<std::string> args{q.name(), text};
  expect_exit(cx.run("mq_send", args), 0, command_line("mq_send", args), "mq_send failed");
  expect_queue_holds(q, 1, "after its sender exited",
                     "the sender must leave the queue (and its name) in place");
  std::vector<std::string> rargs{q.name()};
  Outcome o = cx.run("mq_recv", rargs);
  std::string cmd = command_line("mq_recv", rargs);
  expect_exit(o, 0, cmd, "the receiver could not take the waiting message");
  expect_stdout(o, record(0, text), cmd, "the waiting message was not printed");
}

// Step 7: mq_unlink removes the name; descriptors stay usable; a second unlink fails.
void unlink_lifecycle(Context &cx) {
  PosixQueue q = make_queue(cx, "lifecycle", 4, 64);
  give(cx, q, "still here", 0);
  std::vector<std::string> args{q.name()};
  std::string cmd = command_line("mq_unlink", args);
  Outcome first = cx.run("mq_unlink", args);
  expect_exit(first, 0, cmd,
              first.exited && first.code != 0 && !PosixQueue::exists(q.name())
                  ? "the name is gone, so mq_unlink worked, yet it did not exit 0: exit 0 "
                    "when mq_unlink succeeds"
                  : "mq_unlink failed");
  if (PosixQueue::exists(q.name()))
    fail("no queue named " + q.name() + " after `" + cmd + "`", "the name still exists",
         "mq_unlink was not called (mq_close only closes a descriptor)");
  auto m = q.receive(cx.within(1s));
  cx.note(m ? "the grader's open descriptor still reads the unlinked queue: " + visible(m->bytes)
            : "the grader's descriptor found no message after the unlink");
  Outcome o = cx.run("mq_unlink", args);
  expect_exit(o, 1, cmd + " (again)", "the failed mq_unlink must be reported");
  expect_stderr(o, "mq_unlink: mq_unlink: No such file or directory\n", cmd + " (again)",
                "report the failed call as PROG: CALL: strerror(errno)");
}

// Step 8: msgrcv's msgtyp > 0, = 0 and < 0 each select the right message.
void sysv_type_select(Context &cx) {
  SysvQueue q = SysvQueue::create(cx.key(1), cx.sandbox().student_uid());
  std::string t = random_word(6);
  const std::vector<std::pair<long, std::string>> load{
      {3, "c-" + t}, {1, "a1-" + t}, {2, "b-" + t}, {1, "a2-" + t}, {5, "e-" + t}};
  for (const auto &[type, text] : load) q.send(type, text);
  struct Step {
    std::vector<std::string> args;
    std::string expected, cause;
  };
  std::string k = key_arg(q.key());
  const std::vector<Step> steps{
      {{k, "2"}, record(2, load[2].second), "msgtyp > 0 takes the first message of that type"},
      {{k, "0"}, record(3, load[0].second), "msgtyp 0 takes the first message in the queue"},
      {{k, "-2"},
       record(1, load[1].second),
       "msgtyp < 0 takes the first message of the lowest type <= |msgtyp|"},
      {{"-c", "2", k, "-5"},
       record(1, load[3].second) + record(5, load[4].second),
       "msgtyp < 0 takes the lowest type first"}};
  for (const auto &s : steps) {
    Outcome o = cx.run("svmsg_recv", s.args);
    std::string cmd = command_line("svmsg_recv", s.args);
    expect_exit(o, 0, cmd, "msgget or msgrcv failed");
    expect_stdout(o, s.expected, cmd, s.cause + ": pass TYPE to msgrcv unchanged");
  }
}

// Step 8: IPC_STAT shows the sends and the receive, by the student's own pids.
void sysv_ipc_stat(Context &cx) {
  SysvQueue q = SysvQueue::create(cx.key(2), cx.sandbox().student_uid());
  std::string k = key_arg(q.key()), t1 = "first-" + random_word(6), t2 = "second-" + random_word(6);
  pid_t sender = 0;
  for (const auto &t : {t1, t2}) {
    std::vector<std::string> args{k, "4", t};
    Process p = cx.start("svmsg_send", args);
    sender = p.pid();
    expect_exit(cx.finish(p), 0, command_line("svmsg_send", args), "msgget or msgsnd failed");
  }
  msqid_ds ds = stat_or_fail(q);
  if (ds.msg_qnum != 2 || ds.__msg_cbytes != t1.size() + t2.size())
    fail(fmt::format("msg_qnum 2 and {} bytes of text queued", t1.size() + t2.size()),
         fmt::format("msg_qnum {} and {} bytes", ds.msg_qnum, ds.__msg_cbytes),
         "msgsnd's size counts only the text: strlen(msg), without the mtype or a NUL");
  if (ds.msg_lspid != sender)
    fail(fmt::format("msg_lspid = {} (the last svmsg_send)", sender),
         fmt::format("msg_lspid = {}", ds.msg_lspid), "the message was not sent by svmsg_send");
  std::vector<std::string> rargs{k, "0"};
  Process r = cx.start("svmsg_recv", rargs);
  const Outcome &o = cx.finish(r);
  expect_exit(o, 0, command_line("svmsg_recv", rargs), "msgrcv failed");
  ds = stat_or_fail(q);
  if (ds.msg_qnum != 1 || ds.msg_lrpid != r.pid())
    fail(fmt::format("msg_qnum 1 and msg_lrpid = {} (svmsg_recv)", r.pid()),
         fmt::format("msg_qnum {} and msg_lrpid = {}", ds.msg_qnum, ds.msg_lrpid),
         "svmsg_recv did not take exactly one message with msgrcv");
  expect_stdout(o, record(4, t1), command_line("svmsg_recv", rargs), "the record is wrong");
}

// Step 8: svmsg_rm removes the queue with IPC_RMID.
void sysv_rmid(Context &cx) {
  SysvQueue q = SysvQueue::create(cx.key(3), cx.sandbox().student_uid());
  q.send(1, "x");
  std::vector<std::string> args{key_arg(q.key())};
  std::string cmd = command_line("svmsg_rm", args);
  Outcome o = cx.run("svmsg_rm", args);
  expect_exit(o, 0, cmd,
              o.exited && o.code == 2
                  ? "the command line is well formed (KEY " + args[0] +
                        " is valid: KEY is parsed with strtol base 0), yet it exited 2 as for a "
                        "usage error"
                  : "msgget or msgctl failed");
  if (auto ds = q.stat())
    fail("the queue is gone after `" + cmd + "`",
         fmt::format("IPC_STAT still works: it holds {} message(s)", ds->msg_qnum),
         "msgctl(id, IPC_RMID, NULL) was not called");
}

// Step 8: -n never blocks on a System V queue: exit 3 when it is empty or full.
void sysv_nonblocking(Context &cx) {
  SysvQueue q = SysvQueue::create(cx.key(4), cx.sandbox().student_uid());
  std::string k = key_arg(q.key());
  struct Case {
    std::string prog;
    std::vector<std::string> args;
    long nr;
    std::string err;
  };
  const std::vector<Case> cases{
      {"svmsg_recv", {"-n", k, "0"}, SYS_msgrcv, "svmsg_recv: msgrcv: No message of desired type\n"},
      {"svmsg_send",
       {"-n", k, "1", random_word(6)},
       SYS_msgsnd,
       "svmsg_send: msgsnd: Resource temporarily unavailable\n"}};
  for (const auto &c : cases) {
    if (c.prog == "svmsg_send") {  // full: room for 16 bytes, and 16 queued
      msqid_ds ds = stat_or_fail(q);
      ds.msg_qbytes = 16;
      check(msgctl(q.id(), IPC_SET, &ds), "msgctl(IPC_SET) of the grader's queue");
      q.send(1, "full-" + random_word(11));
    }
    Process p = cx.start(c.prog, c.args);
    std::string cmd = command_line(c.prog, c.args);
    if (wait_blocked_in(cx, p, c.nr, cx.within(3s)))
      fail(fmt::format("`{}` returns at once with exit 3", cmd),
           fmt::format("it blocked inside {}", c.prog == "svmsg_send" ? "msgsnd" : "msgrcv"),
           "-n must pass IPC_NOWAIT to msgrcv and msgsnd");
    const Outcome &o = cx.finish(p);
    expect_exit(o, 3, cmd,
                "with IPC_NOWAIT, msgrcv fails with ENOMSG and msgsnd with EAGAIN: both exit 3");
    expect_stderr(o, c.err, cmd, "report the failed call as PROG: CALL: strerror(errno)");
  }
  if (msqid_ds ds = stat_or_fail(q); ds.msg_qnum != 1)
    fail("the full queue still holds its one message", fmt::format("it holds {}", ds.msg_qnum),
         "a message was added or taken");
}

// Step 8: svmsg_create makes the queue with MODE (0600 by default) and prints
// its identifier; without -x it opens an existing one, with -x it refuses it.
void sysv_create(Context &cx) {
  std::vector<SysvQueue> made;  // the grader's handles: the queues go at the end
  // Run svmsg_create; it must exit 0 and print the id of KEY's queue, MODE `mode`.
  auto create = [&](const std::vector<std::string> &args, key_t key, int mode, std::string cause) {
    std::string cmd = command_line("svmsg_create", args);
    Outcome o = cx.run("svmsg_create", args);
    int id = msgget(key, 0);
    const SysvQueue *q = nullptr;
    for (const auto &m : made)
      if (m.id() == id) q = &m;
    if (id >= 0 && !q) q = &made.emplace_back(SysvQueue::open(key));
    expect_exit(o, 0, cmd, cause);
    if (!q)
      fail("a System V queue for key " + key_arg(key) + " after `" + cmd + "`",
           "msgget(KEY, 0) finds none", "msgget must be called with IPC_CREAT on KEY");
    expect_stdout(o, fmt::format("{}\n", id), cmd,
                  "print the identifier msgget returned, in decimal, then a newline");
    if (int m = stat_or_fail(*q).msg_perm.mode & 0777; m != mode)
      fail(fmt::format("permissions {:04o} after `{}`", mode, cmd), fmt::format("{:04o}", m),
           "MODE (octal, 0600 by default) must be or'ed into msgget's flags");
  };
  std::string k = key_arg(cx.key(5));
  create({k, "0640"}, cx.key(5), 0640, "msgget(KEY, IPC_CREAT | MODE) failed");
  create({k, "0640"}, cx.key(5), 0640,
         "without -x an existing queue is opened and its id printed: no IPC_EXCL");
  expect_bad_calls(cx, {{"svmsg_create", {"-x", k}, 1, "svmsg_create: msgget: File exists\n"}});
  create({key_arg(cx.key(6))}, cx.key(6), 0600, "msgget(KEY, IPC_CREAT | 0600) failed");
}

// Step 9: failures are reported in the contract's words and exit codes, and create nothing.
void bad_input(Context &cx) {
  std::string missing = cx.name("missing");
  PosixQueue q = make_queue(cx, "small", 2, 16);
  expect_bad_calls(
      cx, {{"mq_send", {missing, "x"}, 1, "mq_send: mq_open: No such file or directory\n"},
           {"mq_recv", {"-n", missing}, 1, "mq_recv: mq_open: No such file or directory\n"},
           {"mq_create", {"-x", q.name()}, 1, "mq_create: mq_open: File exists\n"},
           {"mq_send", {q.name(), std::string(17, 'z')}, 1, "mq_send: mq_send: Message too long\n"},
           {"mq_recv", {}, 2, "usage: mq_recv"}});
  if (PosixQueue::exists(missing))
    fail("no queue named " + missing, "a program created it",
         "only mq_create may pass O_CREAT to mq_open");
}

// Step 9: the System V programs report a missing queue, and create none.
void sysv_bad_input(Context &cx) {
  RemoveStrays strays{cx.name("unused"), cx.key(7)};
  std::string k = key_arg(strays.key);
  expect_bad_calls(
      cx, {{"svmsg_send", {k, "1", "x"}, 1, "svmsg_send: msgget: No such file or directory\n"},
           {"svmsg_recv", {"-n", k, "0"}, 1, "svmsg_recv: msgget: No such file or directory\n"},
           {"svmsg_rm", {k}, 1, "svmsg_rm: msgget: No such file or directory\n"}});
  expect_no_strays(strays, "only svmsg_create may pass IPC_CREAT to msgget: the others use 0");
}

// Step 9: every program answers a bad command line with exit 2 and its exact
// usage line, and creates nothing.
void usage_errors(Context &cx) {
  RemoveStrays strays{cx.name("unused"), cx.key(8)};
  const std::string &n = strays.name, k = key_arg(strays.key);
  const std::map<std::string, std::string> line{
      {"mq_create", "usage: mq_create [-x] [-m MAXMSG] [-s MSGSIZE] NAME [MODE]\n"},
      {"mq_send", "usage: mq_send [-n] NAME MSG [PRIO]\n"},
      {"mq_recv", "usage: mq_recv [-n] [-c COUNT] NAME\n"},
      {"mq_notify_recv", "usage: mq_notify_recv NAME\n"},
      {"mq_unlink", "usage: mq_unlink NAME\n"},
      {"svmsg_create", "usage: svmsg_create [-x] KEY [MODE]\n"},
      {"svmsg_send", "usage: svmsg_send [-n] KEY TYPE MSG\n"},
      {"svmsg_recv", "usage: svmsg_recv [-n] [-c COUNT] KEY TYPE\n"},
      {"svmsg_rm", "usage: svmsg_rm KEY\n"}};
  const std::vector<std::pair<std::string, std::vector<std::string>>> calls{
      {"mq_create", {"-z", n}},          {"mq_create", {"-m", "4x", n}},
      {"mq_send", {n}},                  {"mq_send", {n, "x", "7z"}},
      {"mq_recv", {"-c", "0", n}},       {"mq_recv", {"-c", "2x", n}},
      {"mq_notify_recv", {}},            {"mq_unlink", {n, "extra"}},
      {"svmsg_create", {k, "0689"}},     {"svmsg_send", {k, "0", "x"}},
      {"svmsg_send", {k, "1", std::string(8193, 'm')}},
      {"svmsg_recv", {k}},               {"svmsg_rm", {}}};
  std::vector<BadCall> bad;
  for (const auto &[prog, args] : calls) bad.push_back({prog, args, 2, line.at(prog)});
  // First a good command line: the usage lines alone come with the skeleton.
  std::string control = cx.name("control");
  Outcome o = cx.run("mq_create", {control});
  if (PosixQueue::exists(control)) PosixQueue::open(control);  // removed at once
  expect_exit(o, 0, command_line("mq_create", {control}), "mq_create is not implemented yet");
  expect_bad_calls(cx, bad);
  expect_no_strays(strays, "a usage error must stop the program before any call");
}

}  // namespace
}  // namespace mqueue_checks

Lab mqueue_lab() {
  using namespace mqueue_checks;
  return Lab{
      "mqueue",
      "01-mqueue",
      "POSIX and System V message queues",
      {"mq_create", "mq_send", "mq_recv", "mq_notify_recv", "mq_unlink", "svmsg_create",
       "svmsg_send", "svmsg_recv", "svmsg_rm"},
      {
          {"create-attributes", "mq_create sets maxmsg, msgsize and mode", 3, step1, 5s,
           create_attributes,
           "runs `mq_create -m 4 -s 128 NAME 0640`; opens NAME itself; `mq_getattr`: maxmsg 4, "
           "msgsize 128, curmsgs 0; `fstat` mode 0640.",
           "`attr` not passed (or `NULL` passed) to `mq_open`; MODE parsed as decimal or not "
           "passed."},
          {"create-defaults", "mq_create's default attributes and mode", 2, step1, 5s,
           create_defaults,
           "runs `mq_create NAME`, `mq_create -m 3 NAME2` and `mq_create -s 100 NAME3`; "
           "`mq_getattr`: the kernel's defaults (`/proc/sys/fs/mqueue/msg_default` and "
           "`msgsize_default`), then maxmsg 3 with msgsize 8192, then maxmsg 10 with msgsize 100; "
           "mode 0600 each time (students run with umask 022).",
           "an `mq_attr` passed even without `-m`/`-s`; the attribute not given left 0 "
           "(`EINVAL`) instead of 10 or 8192; a default MODE other than 0600."},
          {"send-exact-bytes", "mq_send sends strlen(MSG) bytes at PRIO", 3, step2, 5s,
           send_exact_bytes,
           "grader creates NAME (msgsize 256); runs `mq_send NAME <text>` and `mq_send NAME "
           "<text2> 7`; receives them itself: exact bytes and lengths, priorities 0 and 7.",
           "`strlen(msg) + 1` (a trailing NUL); PRIO not passed to `mq_send`."},
          {"recv-exact-bytes", "mq_recv prints exactly the bytes received", 3, step3, 5s,
           recv_exact_bytes,
           "grader preloads NAME (msgsize 256) with a message containing a NUL byte and a short "
           "one; runs `mq_recv -c 2 NAME`; stdout must be exactly the two records; queue must be "
           "empty afterwards (`mq_getattr`).",
           "`printf(\"%s\")` instead of `fwrite` of `len` bytes; wrong record format; COUNT "
           "ignored."},
          {"recv-buffer-size", "mq_recv sizes its buffer from mq_msgsize", 2, step3, 5s,
           recv_buffer_size,
           "queue with msgsize 8192 and an 8000-byte message; `mq_recv NAME` must print it (a "
           "fixed smaller buffer fails with `EMSGSIZE`).",
           "a fixed `char buf[...]` instead of a buffer of `mq_msgsize` bytes from `mq_getattr`."},
          {"priority-order", "receiver drains by priority, FIFO within one", 4, step3, 5s,
           priority_order,
           "grader preloads mixed priorities (FIFO within equal priorities); `mq_recv -c 5 NAME` "
           "must print them highest priority first, FIFO within a priority, with the right PRIO "
           "field.",
           "`NULL` as `mq_receive`'s last argument, so PRIO is printed as 0 or garbage."},
          {"records-flushed", "each record is flushed as it is printed", 2, step3, 5s,
           records_flushed,
           "one message queued; `mq_recv -c 2 NAME` must print its record and then sleep in "
           "`mq_receive` with the record already on stdout (a pipe); the grader then sends the "
           "second.",
           "no `fflush(stdout)` after each record: on a pipe stdout is fully buffered."},
          {"nonblocking", "-n gives exit 3 instead of blocking", 3, step4, 8s, nonblocking,
           "`mq_recv -n NAME` on an empty queue exits 3 at once (never blocks in `mq_receive`); "
           "`mq_send -n NAME x` on a full queue exits 3 and overwrites nothing.",
           "`-n` not turned into `O_NONBLOCK`; `EAGAIN` reported with exit 1 (`die` instead of "
           "`die_or_would_block`)."},
          {"blocking-receive", "mq_recv sleeps in mq_receive until a message", 3, step4, 5s,
           blocking_receive,
           "`mq_recv NAME` on an empty queue must block inside `mq_receive` (seen in "
           "`/proc/PID/syscall`); the grader then sends; it prints the record and exits 0.",
           "`O_NONBLOCK` used without `-n`; a polling loop instead of a blocking call."},
          {"notify", "mq_notify_recv waits asleep for the notification", 4, step5, 5s, notify,
           "`mq_notify_recv NAME`: registration seen in the queue's mqueue-fs file (`NOTIFY_PID`), "
           "process asleep (not on the CPU) and, in the system-call record, not asleep in "
           "`nanosleep`/`clock_nanosleep`; then the grader sends; it prints the record, exits 0, "
           "low CPU time.",
           "waiting in a loop (also one around `usleep`); `SIGUSR1` not blocked before `mq_notify` (killed by the signal); "
           "the queue opened or closed a second time (drops the registration)."},
          {"many-senders-receivers", "12 senders, 3 receivers: each message once", 4, step6, 10s,
           many_senders_receivers,
           "3 concurrent `mq_recv -c 4 NAME` and 12 concurrent `mq_send`s; every message delivered "
           "exactly once; the queue still exists and is empty at the end.",
           "a receiver that unlinks the queue; `O_CREAT` in the sender or receiver; malformed "
           "records."},
          {"outlives-sender", "a message waits after its sender exits", 2, step6, 5s,
           outlives_sender,
           "`mq_send` exits; the grader sees the message still queued; then `mq_recv NAME` prints "
           "it.",
           "the sender unlinks or drains the queue on exit."},
          {"unlink-lifecycle", "mq_unlink removes the name; nothing is left", 3, step7, 5s,
           unlink_lifecycle,
           "`mq_unlink NAME` removes the name (grader's `mq_open` gets `ENOENT`) while the "
           "grader's open descriptor still works; plus: no object left behind by any program of "
           "the lab during the run.",
           "`mq_close` instead of `mq_unlink`; `O_CREAT`/`IPC_CREAT` outside the create programs "
           "leaves stray queues.",
           true},
          {"sysv-type-select", "msgrcv selects by type: > 0, 0 and < 0", 4, step8, 5s,
           sysv_type_select,
           "grader's System V queue holds types 3,1,2,1,5; `svmsg_recv KEY 2`, `svmsg_recv KEY 0`, "
           "`svmsg_recv KEY -2` each print the right message.",
           "TYPE changed (made positive, or fixed) before `msgrcv`; the requested type printed "
           "instead of the received `mtype`."},
          {"sysv-ipc-stat", "IPC_STAT shows the student's sends and receive", 3, step8, 5s,
           sysv_ipc_stat,
           "two `svmsg_send KEY 4 TEXT` runs; grader's `IPC_STAT`: `msg_qnum` 2, `msg_cbytes` = "
           "total text length, `msg_lspid` = the last sender's pid; after `svmsg_recv KEY 0`, "
           "`msg_lrpid` = the receiver's pid and `msg_qnum` 1.",
           "`msgsnd` size counts the `mtype` or a NUL (`sizeof m`, `len + 1`); the receiver takes "
           "more than one message."},
          {"sysv-nonblocking", "System V -n gives exit 3 instead of blocking", 2, step8, 8s,
           sysv_nonblocking,
           "`svmsg_recv -n KEY 0` on an empty queue and `svmsg_send -n KEY 1 x` on a full one "
           "(`msg_qbytes` 16, 16 bytes queued) exit 3 at once (never block in `msgrcv`/`msgsnd`) "
           "with `svmsg_recv: msgrcv: No message of desired type` and `svmsg_send: msgsnd: "
           "Resource temporarily unavailable`; the full queue keeps its one message.",
           "`-n` not turned into `IPC_NOWAIT`; only `EAGAIN` treated as would-block (msgrcv "
           "fails with `ENOMSG`), so exit 1."},
          {"sysv-create", "svmsg_create makes the queue and prints its id", 2, step8, 5s,
           sysv_create,
           "`svmsg_create KEY 0640` twice (the second opens it): each prints the id `msgget(KEY, "
           "0)` gives, then a newline; `IPC_STAT` mode 0640; `svmsg_create -x KEY` exits 1 with "
           "`svmsg_create: msgget: File exists`; `svmsg_create KEY2` makes mode 0600.",
           "the id not printed, or printed without its newline; `IPC_EXCL` without `-x` (or "
           "never); MODE not or'ed into `msgget`'s flags."},
          {"sysv-rmid", "svmsg_rm removes the queue with IPC_RMID", 2, step8, 5s, sysv_rmid,
           "`svmsg_rm KEY` removes the grader's queue (`IPC_STAT` then fails with `EINVAL`).",
           "`msgctl(IPC_RMID)` not called, or called on the wrong id (`msgget` with `IPC_CREAT`, "
           "making a new queue)."},
          {"bad-input", "errors: exact messages and exit codes", 3, step9, 8s, bad_input,
           "`mq_send /missing x` exits 1 with `mq_send: mq_open: No such file or directory`; "
           "`mq_create -x NAME` on an existing queue exits 1 with `mq_create: mq_open: File "
           "exists`; `mq_send NAME <too long>` exits 1 with `mq_send: mq_send: Message too long`; "
           "`mq_recv` with no name exits 2 with a `usage: mq_recv` line; no queue is created by "
           "any of them.",
           "unchecked calls; `exit(0)` after a failure; `argv[0]` or `perror` wording instead of "
           "`PROG: CALL: STRERROR`; `O_CREAT` in the sender or receiver; a too long message cut "
           "to `mq_msgsize` instead of reported."},
          {"sysv-bad-input", "System V errors: a missing queue", 2, step9, 8s, sysv_bad_input,
           "`svmsg_send KEY 1 x`, `svmsg_recv -n KEY 0` and `svmsg_rm KEY` on a key without a "
           "queue each exit 1 with `PROG: msgget: No such file or directory`; no queue is "
           "created for KEY.",
           "`IPC_CREAT` in `msgget` outside `svmsg_create`, which makes a new queue instead of "
           "reporting the missing one."},
          {"usage-errors", "bad command lines: exit 2 and the exact usage line", 2, step9, 10s,
           usage_errors,
           "after one good `mq_create NAME`: an unknown option, a missing or extra argument, a "
           "number that does not parse whole "
           "(`4x`, `7z`, `2x`, octal `0689`), `-c 0`, TYPE 0 and an 8193-byte MSG, for each "
           "program; each must exit 2 with exactly its contract's usage line; nothing is "
           "created.",
           "`atoi` instead of `strtol` with a check of the end; extra arguments ignored; a usage "
           "line worded differently, printed with `argv[0]`, on stdout or with exit 1."},
      }};
}

}  // namespace ipcg
