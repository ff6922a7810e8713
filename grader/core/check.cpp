// check.cpp: the Context's student processes, waits and expectations.
#include "check.hpp"

#include "observe.hpp"
#include "visible.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <random>
#include <thread>

namespace ipcg {

void fail(std::string expected, std::string observed, std::string cause) {
  throw Failure{std::move(expected), std::move(observed), std::move(cause)};
}

// The generator behind the random_* helpers.
static std::mt19937 &rng() {
  static std::mt19937 r{std::random_device{}()};
  return r;
}

std::string random_word(size_t n) {
  std::string w;
  for (size_t i = 0; i < n; ++i) w += static_cast<char>('a' + rng()() % 26);
  return w;
}

std::string random_bytes(size_t n) {
  std::string b(n, '\0');
  for (auto &c : b) c = static_cast<char>(rng()() & 0xff);
  return b;
}

uint32_t random_u32() { return static_cast<uint32_t>(rng()()); }

std::string key_arg(key_t k) { return fmt::format("{:#x}", static_cast<unsigned>(k)); }

// An argument as a shell would need it quoted.
static std::string shell_word(const std::string &a) {
  bool plain = !a.empty() && a.find_first_not_of(
                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                 "OPQRSTUVWXYZ0123456789/._-+=:,") == std::string::npos;
  if (plain) return a;
  std::string q = "'";
  for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string command_line(std::string_view prog, const std::vector<std::string> &args) {
  std::string s(prog);
  for (const auto &a : args) {
    s += ' ';
    s += a.size() > 60 ? fmt::format("<{} bytes>", a.size()) : shell_word(a);
  }
  return s;
}

Deadline Context::within(Millis d) const {
  auto scaled = std::chrono::duration_cast<Clock::duration>(d * slow_);
  return std::min(Clock::now() + scaled, end_);
}

Process Context::start(std::string_view prog, const std::vector<std::string> &args,
                       std::string stdin_data, std::optional<int> cpu) {
  return spawn(program_file(prog), prog, args, std::move(stdin_data), false, cpu);
}

Process Context::start_file(const std::string &path, std::string_view prog,
                            const std::vector<std::string> &args) {
  return spawn(path, prog, args, "", false, std::nullopt);
}

Process Context::start_interactive(std::string_view prog, const std::vector<std::string> &args,
                                   std::optional<int> cpu) {
  return spawn(program_file(prog), prog, args, "", true, cpu);
}

Process Context::start_holding(std::string_view prog, const std::vector<std::string> &args,
                               SyscallLog::Pred hold) {
  return spawn(program_file(prog), prog, args, "", true, std::nullopt, std::move(hold));
}

// Start a program of the lab as the student, logging its command line.
Process Context::spawn(std::string path, std::string_view prog, const std::vector<std::string> &args,
                       std::string stdin_data, bool keep_stdin_open, std::optional<int> cpu,
                       SyscallLog::Pred hold) {
  Spawn s;
  s.hold = std::move(hold);
  s.keep_stdin_open = keep_stdin_open;
  s.cpu = cpu;
  if (access(path.c_str(), F_OK) != 0) throw NotBuilt{std::string(prog)};
  // argv[0] is the full path, as a shell gives it to a program run by its path:
  // the contract's messages name the program's fixed name, never argv[0].
  s.argv.push_back(path);
  s.path = std::move(path);
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.stdin_data = std::move(stdin_data);
  s.cwd = sb_.workdir();
  s.uid = sb_.student_uid();
  s.limits = StudentLimits{};
  s.record_syscalls = true;
  if (!s.uid) s.limits->processes = RLIM_INFINITY;  // the user's own uid: keep its limit
  // Confined only where queues stay reachable: Landlock also judges mq_open.
  if (std::string mq = sb_.mqueue_root(); !mq.empty()) {
    s.hidden = sb_.hidden();
    s.granted = {mq};
  }
  Process p = Process::start(s);
  std::string cmd = command_line(prog, args);
  p.on_end([this, cmd](const Outcome &o) { remember(cmd, o); });
  note(fmt::format("started: {} (pid {})", cmd, p.pid()));
  cmds_.push_back({p.pid(), cmd});
  return p;
}

Outcome Context::run(std::string_view prog, const std::vector<std::string> &args,
                     std::string stdin_data) {
  Process p = start(prog, args, std::move(stdin_data));
  return finish(p);
}

const Outcome &Context::finish(Process &p) {
  const Outcome &o = p.wait(end_);
  std::string cmd = "pid " + std::to_string(p.pid());
  for (auto &[pid, c] : cmds_)
    if (pid == p.pid()) cmd = c;
  log_outcome(cmd, o);
  return o;
}

// Remember, for the report, a program that was still the skeleton's todo()
// and the stderr of one that failed on its own (not one the grader ended).
void Context::remember(const std::string &cmd, const Outcome &o) {
  if (o.exited && o.code == 70 && o.err.find("not implemented") != std::string::npos)
    not_started_ = true;
  else if (((o.exited && o.code != 0) || crash_signal(o.signal) || o.timed_out) &&
           !o.exec_failed && !o.err.empty())
    failed_stderr_ = {cmd, o.err};
}

// Record how a command ended, with its output made visible.
void Context::log_outcome(const std::string &cmd, const Outcome &o) {
  note(fmt::format("{}: {}, {:.1f} ms CPU", cmd, o.describe(), o.cpu_ms));
  const char *cut = " [truncated: the rest was not kept]";
  if (!o.out.empty()) note("  stdout: " + visible(o.out) + (o.out_truncated ? cut : ""));
  if (!o.err.empty()) note("  stderr: " + visible(o.err) + (o.err_truncated ? cut : ""));
}

bool Context::await_output(Process &p, std::string_view text) {
  auto seen = [&] { return p.stdout_so_far().find(text) != std::string::npos; };
  while (!seen() && !p.done() && Clock::now() < end_) p.pump_once(end_);
  return seen();
}

bool Context::wait_for_output(Process &p, std::string_view text) {
  bool ok = await_output(p, text);
  if (!ok && !p.done()) p.kill_at_deadline();
  note(fmt::format("pid {} {} {}", p.pid(), ok ? "printed" : "never printed", visible(text)));
  return ok;
}

// A cause that names the skeleton when the program still is one.
static std::string cause_or_todo(const Outcome &o, std::string cause) {
  if (o.exited && o.code == 70 && o.err.find("not implemented") != std::string::npos)
    return "the program is not written yet: " + o.err.substr(0, o.err.find('\n'));
  if (o.timed_out) return "it never finished: it waited for something that never came; " + cause;
  return cause;
}

bool waits_for_input(pid_t pid) {
  std::optional<long> nr = blocked_syscall(pid);
  if (!nr) return false;
  for (long call : {SYS_read, SYS_readv, SYS_pread64, SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6,
                    SYS_epoll_wait, SYS_epoll_pwait})
    if (*nr == call) return true;
  return false;
}

// Why a program never printed handshake `word`, from how it ended: still
// asleep waiting for input (the line left in stdio's buffer), or failed with
// a message on stderr.
static std::string handshake_cause(const Outcome &o, std::string_view word, bool asleep) {
  if (asleep)
    return fmt::format(
        "it is alive, asleep waiting for input, yet `{}` never reached the grader: stdout is a "
        "pipe, so a line printed with printf stays in stdio's buffer; fflush(stdout) right "
        "after printing it",
        word);
  if (o.exited && o.code != 0 && !o.err.empty())
    return cause_or_todo(o, "it failed before the handshake: its stderr says " +
                                visible(o.err.substr(0, o.err.find('\n')), 120));
  return cause_or_todo(o, "the handshake is missing, or the program failed before it");
}

void Context::expect_handshake(Process &p, const std::string &cmd, std::string_view word,
                               const std::function<std::string(const Outcome &)> &why) {
  std::string line = fmt::format("{}\n", word);
  bool asleep = !await_output(p, line) && !p.done() && waits_for_input(p.pid());
  if (wait_for_output(p, line)) return;
  const Outcome &o = finish(p);
  std::string cause = asleep || !why ? "" : why(o);
  fail(fmt::format("`{}` prints \"{}\" and waits for a line on stdin", cmd, word),
       fmt::format("it {} having printed {}", o.describe(), visible(o.out)),
       cause.empty() ? handshake_cause(o, word, asleep) : cause);
}

std::string Context::file(std::string_view name, std::string_view bytes, mode_t mode,
                          bool student_owns) {
  std::string path = sb_.workdir() + "/" + std::string(name);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) throw_errno("open " + path);
  if (::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
    throw_errno("write " + path);
  check(fchmod(fd.get(), mode), "fchmod");
  if (student_owns && sb_.student_uid())
    check(fchown(fd.get(), *sb_.student_uid(), *sb_.student_uid()), "fchown");
  sb_.grader_file(path);
  return path;
}

bool Context::wait_until(const std::function<bool()> &ready, Process *p, Deadline until) {
  auto pause = std::chrono::microseconds(500);
  for (;;) {
    if (ready()) return true;
    if (Clock::now() >= until) return false;
    if (p) {
      if (p->pump(std::min(until, Clock::now() + pause))) return ready();
    } else {
      std::this_thread::sleep_for(std::min<Clock::duration>(pause, until - Clock::now()));
    }
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
}

void expect_exit(const Outcome &o, int code, const std::string &cmd, std::string cause) {
  if (o.exited && o.code == code) return;
  std::string seen = o.describe();
  bool todo = o.exited && o.code == 70 && o.err.find("not implemented") != std::string::npos;
  if (todo)
    seen += " (the skeleton's \"not implemented yet\")";
  else if (!o.err.empty() && !o.exec_failed)
    seen += ", stderr " + visible(o.err, 200);
  fail(fmt::format("`{}` exits with {}", cmd, code), "it " + seen,
       cause_or_todo(o, std::move(cause)));
}

void expect_stdout(const Outcome &o, std::string_view expected, const std::string &cmd,
                   std::string cause) {
  if (o.out == expected) return;
  fail(fmt::format("`{}` prints {}", cmd, visible(expected)),
       fmt::format("it printed {}{}; {}", visible(o.out),
                   o.out_truncated ? " and more (output cut at the grader's cap)" : "",
                   first_difference(expected, o.out)),
       cause_or_todo(o, std::move(cause)));
}

void expect_stderr(const Outcome &o, std::string_view expected, const std::string &cmd,
                   std::string cause) {
  if (o.err == expected) return;
  fail(fmt::format("`{}` writes {} to stderr", cmd, visible(expected)),
       fmt::format("it wrote {}", visible(o.err)), cause_or_todo(o, std::move(cause)));
}

// Why a bad call did not exit as the contract says, from how it did end.
static std::string bad_call_cause(const BadCall &c, const Outcome &o) {
  std::string want = c.err.ends_with('\n') ? "`" + c.err.substr(0, c.err.size() - 1) + "`"
                                           : "the usage line";
  if (!c.why.empty()) return fmt::format("{}: exit {} with {}", c.why, c.code, want);
  if (c.code == 2) return "a bad or missing argument is a usage error: exit 2 with " + want;
  if (o.exited && o.code == 2)
    return "the command line is well formed, so this is no usage error: the contract makes "
           "it " + want + ", exit 1";
  if (o.exited && o.code == 0)
    return "it went on as if nothing were wrong: the contract makes this case " + want +
           ", exit 1; look for it before using the data";
  return "check every call's result: the contract makes this case " + want + ", exit 1";
}

// Whether `text` is what the call must write to stderr: exactly, or (a
// usage line's start) at its beginning.
static bool is_contract_line(const BadCall &c, const std::string &text) {
  return c.err.ends_with('\n') ? text == c.err : text.starts_with(c.err);
}

// "PROG: CALL: " of a line `PROG: CALL: STRERROR\n`, its STRERROR in `error`;
// "" for a line of another form.
static std::string call_prefix(const std::string &line, std::string *error) {
  size_t call = line.find(": "), err = call == std::string::npos ? call : line.find(": ", call + 2);
  if (err == std::string::npos || !line.ends_with('\n')) return "";
  *error = line.substr(err + 2, line.size() - err - 3);
  return line.substr(0, err + 2);
}

// "CALL" of a prefix "PROG: CALL: " (call_prefix's result).
static std::string call_name(const std::string &prefix) {
  size_t at = prefix.find(": ") + 2;
  return prefix.substr(at, prefix.size() - at - 2);
}

// What sets a bad call's stderr apart from the contract's line, when it can be
// named: a usage line not word for word, the program's name missing, or
// another call's error (or another line) where the contract has its own; "".
static std::string stderr_difference(const BadCall &c, const Outcome &o) {
  std::string want_error, got_error, want = call_prefix(c.err, &want_error),
                                     got = call_prefix(o.err, &got_error);
  std::string prog = c.prog + ": ";
  if (c.err.starts_with("usage: ") && o.err.starts_with("usage: "))
    return ": the usage line is the contract's, word for word";
  if (!o.err.empty() && !o.err.starts_with(prog) && c.err == prog + o.err)
    return ": each line starts with the program's name, `" + prog + "`";
  if (!want.empty() && want == got && want_error != got_error)
    return fmt::format(": {} must fail with `{}`, not `{}`", call_name(want), want_error, got_error);
  if (!want.empty() && want != got)
    return fmt::format(": here {} itself fails, with `{}`: report that failure at once",
                       call_name(want), want_error);
  if (want.empty() && !got.empty() && c.code == 1)
    return fmt::format(": the contract gives this case its own line, written before the "
                       "program goes on to {}",
                       call_name(got));
  return "";
}

// Why a bad call's stderr is not the contract's, from what it wrote: the line
// on stdout instead, argv[0] (`argv0`, a path) where the fixed name belongs,
// or the call named failing with another error (then what the call tests).
static std::string bad_stderr_cause(const BadCall &c, const Outcome &o, const std::string &argv0) {
  if (o.err.empty() && is_contract_line(c, o.out))
    return "the line went to stdout: errors and usage lines go to stderr (fprintf(stderr, ...))";
  std::string want_error, got_error, call = call_prefix(c.err, &want_error);
  if (!c.why.empty() && !call.empty() && call == call_prefix(o.err, &got_error))
    return fmt::format("{} failed with `{}`, not `{}`: {}", call_name(call), got_error,
                       want_error, c.why);
  std::string named = o.err;
  for (size_t at = named.find(argv0); at != std::string::npos;
       at = named.find(argv0, at + c.prog.size()))
    named.replace(at, argv0.size(), c.prog);
  if (named != o.err && is_contract_line(c, named))
    return "PROG in a message is the program's fixed name `" + c.prog +
           "`, not argv[0] (a path when it is run by one)";
  // What differs, when it can be named; then what the contract asks of this call.
  std::string differs = stderr_difference(c, o);
  std::string why = "report errors exactly as the contract says" + differs;
  if (!c.hint.empty()) why += (differs.empty() ? ": " : "; ") + c.hint;
  return why;
}

void expect_bad_calls(Context &cx, const std::vector<BadCall> &calls) {
  for (const auto &c : calls) {
    Outcome o = cx.run(c.prog, c.args);
    std::string cmd = command_line(c.prog, c.args);
    if (o.signal)
      fail("`" + cmd + "` reports the error", "it " + o.describe(),
           c.hint.empty() ? "check every argument and every call's result before using it"
                          : c.hint);
    expect_exit(o, c.code, cmd, bad_call_cause(c, o));
    if (!is_contract_line(c, o.err))
      fail(fmt::format("`{}` writes {}{} to stderr", cmd, visible(c.err),
                       c.err.ends_with('\n') ? "" : " and the rest of the line"),
           "it wrote " + visible(o.err) +
               (o.err.empty() && !o.out.empty() ? " (on stdout: " + visible(o.out) + ")" : ""),
           bad_stderr_cause(c, o, cx.program_file(c.prog)));
  }
}

}  // namespace ipcg
