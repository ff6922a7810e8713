// check.hpp: what a check is (one row of a lab's table plus one function),
// and the Context a check function works through: names in its sandbox, the
// student's programs, bounded waits, and failures that explain themselves.
#pragma once
#include "clock.hpp"
#include "process.hpp"
#include "sandbox.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcg {

class Context;
using CheckFn = void (*)(Context &);

// One row of a lab's check table.
struct Check {
  std::string_view id;     // "priority-order": the selector is lab/id
  std::string_view title;  // one line for the report
  int points;
  std::string_view section;  // the handout heading to read when it fails; "Step N: ..."
                             // makes it a check of walkthrough step N (--step N)
  Millis deadline;           // for the whole check, before --slow
  CheckFn fn;
  std::string_view does;         // what the grader does and observes (Markdown)
  std::string_view usual_cause;  // the mistake that most often loses it (Markdown)
  bool cleanup = false;  // the lab's cleanup check: also loses its points for
                         // objects left behind by any check of the lab
};

// One promise of a lab's Contract section, and the checks that fail when a
// program breaks it. tests/contract.py proves the map: every quote stands in
// the handout, every word of the Contract section is quoted, and a buggy
// variant whose "# breaks:" line names the clause loses one of the checks.
struct Clause {
  std::string_view id;     // "mq_create/excl": the program (or "all"), then a name
  std::string_view quote;  // words of the handout's Contract section, verbatim
  std::vector<std::string_view> checks;  // ids of the lab's checks that enforce it
};

// A lab's Contract section as data: its clauses, and the passages that
// promise nothing (explanations, examples of what a clause already says).
struct Contract {
  std::vector<Clause> clauses;
  std::vector<std::string_view> prose;
};

// A lab: its id, folder name, programs, check table and contract.
struct Lab {
  std::string_view id;   // "mqueue"
  std::string_view dir;  // "01-mqueue" (labs/, solutions/, handouts/)
  std::string_view title;
  std::vector<std::string_view> programs;  // every binary the lab builds
  std::vector<Check> checks;
  Contract contract = {};  // grader/checks/<id>_contract.cpp
};

// A check found the student's code wrong: what was expected, what was seen,
// and the likely cause. Thrown by fail(), caught by the runner.
struct Failure {
  std::string expected, observed, cause;
};
[[noreturn]] void fail(std::string expected, std::string observed, std::string cause);

// Random test data, fresh in every run, so that no program can print the
// expected text without having received it: a lowercase word of n letters,
// n bytes (NULs included), a 32-bit number.
std::string random_word(size_t n);
std::string random_bytes(size_t n);
uint32_t random_u32();

// A System V key as the labs' programs take it: "0x49500001".
std::string key_arg(key_t k);

// How a student program is shown in reports: "mq_send /q 'hello, queue' 7".
std::string command_line(std::string_view prog, const std::vector<std::string> &args);

class Context {
 public:
  Context(Sandbox &sb, std::string bindir, double slow, Deadline end)
      : sb_(sb), bindir_(std::move(bindir)), slow_(slow), end_(end) {}

  // A POSIX object name and a System V key, private to this check.
  std::string name(std::string_view base) { return sb_.name(base); }
  key_t key(unsigned n) { return sb_.key(n); }
  Sandbox &sandbox() { return sb_; }
  // The check's own deadline, and a nearer one: now + d (times --slow), at most the check's.
  Deadline end() const { return end_; }
  // The --slow factor, for budgets that are not deadlines (CPU time).
  double slow() const { return slow_; }
  Deadline within(Millis d) const;

  // Start one of the lab's programs as the student, in the sandbox; with
  // `cpu`, pinned to that CPU (modulo the CPUs there are: see Spawn::cpu).
  Process start(std::string_view prog, const std::vector<std::string> &args,
                std::string stdin_data = "", std::optional<int> cpu = std::nullopt);
  // The staged file of one of the lab's programs (to copy it beside a stand-in).
  std::string program_file(std::string_view prog) const { return bindir_ + "/" + std::string(prog); }
  // Start the executable at `path` (a copy of program `prog`) as the student,
  // with `path` as its argv[0].
  Process start_file(const std::string &path, std::string_view prog,
                     const std::vector<std::string> &args);
  // Start it with stdin kept open for handshakes (Process::write_stdin).
  Process start_interactive(std::string_view prog, const std::vector<std::string> &args,
                            std::optional<int> cpu = std::nullopt);
  // Start it with stdin kept open, holding the calls `hold` matches from its
  // first instruction on (SyscallLog::hold; where there is no record, nothing
  // is held: check p.syscalls()).
  Process start_holding(std::string_view prog, const std::vector<std::string> &args,
                        SyscallLog::Pred hold);
  // Wait until the process has printed `text` (a handshake line such as
  // "ready\n"); false if it ended or the check's deadline came first.
  bool wait_for_output(Process &p, std::string_view text);
  // Wait for the handshake line `word` (see wait_for_output); fail, naming the
  // handshake, if it never comes. The cause comes from the evidence: `why`
  // (when given and not "") for a program that ended, else what it did.
  void expect_handshake(Process &p, const std::string &cmd, std::string_view word,
                        const std::function<std::string(const Outcome &)> &why = nullptr);
  // Make a file in the student's work folder, owned by the student (or by
  // the grader when `student_owns` is false); returns its path.
  std::string file(std::string_view name, std::string_view bytes, mode_t mode = 0644,
                   bool student_owns = true);
  // Start it and wait for it to end (killed at the check's deadline).
  Outcome run(std::string_view prog, const std::vector<std::string> &args,
              std::string stdin_data = "");
  // Wait for the process to end, then log how it ended.
  const Outcome &finish(Process &p);
  // Poll `ready` (every millisecond or so, backing off to 10 ms) until it
  // holds or `until` passes; pumps `p`'s output meanwhile and gives up early
  // if `p` ends. Returns whether `ready` held.
  bool wait_until(const std::function<bool()> &ready, Process *p, Deadline until);

  // A line for the verbose report.
  void note(std::string line) { log_.push_back(std::move(line)); }
  const std::vector<std::string> &log() const { return log_; }
  // Whether a program it ran was still the skeleton (todo(): exit 70).
  bool not_started() const { return not_started_; }
  // The last program that exited non-zero or was killed, with what it wrote
  // to stderr (empty when none did, or it wrote nothing).
  const std::pair<std::string, std::string> &failed_stderr() const { return failed_stderr_; }
  // Every command line it started, with the process's pid.
  const std::vector<std::pair<pid_t, std::string>> &commands() const { return cmds_; }

 private:
  // Pump `p` until it has printed `text`, has ended or the deadline came; whether it printed it.
  bool await_output(Process &p, std::string_view text);
  void log_outcome(const std::string &cmd, const Outcome &o);
  void remember(const std::string &cmd, const Outcome &o);
  Process spawn(std::string path, std::string_view prog, const std::vector<std::string> &args,
                std::string stdin_data, bool keep_stdin_open, std::optional<int> cpu,
                SyscallLog::Pred hold = nullptr);

  Sandbox &sb_;
  std::string bindir_;
  double slow_;
  Deadline end_;
  std::vector<std::string> log_;
  std::vector<std::pair<pid_t, std::string>> cmds_;
  bool not_started_ = false;
  std::pair<std::string, std::string> failed_stderr_;
};

// A check tried to start a program of its lab that did not build: the check
// is skipped (Status::not_built), and only the checks that run it are.
struct NotBuilt {
  std::string program;
};

// Is the process asleep waiting for input (in whichever call it reads or polls with)?
bool waits_for_input(pid_t pid);

// The program's exit code must be `code`; otherwise fail naming the command.
void expect_exit(const Outcome &o, int code, const std::string &cmd, std::string cause);
// stdout must be exactly `expected`; otherwise fail with both shown visibly.
void expect_stdout(const Outcome &o, std::string_view expected, const std::string &cmd,
                   std::string cause);
// stderr must be exactly `expected` (usually one line).
void expect_stderr(const Outcome &o, std::string_view expected, const std::string &cmd,
                   std::string cause);

// A call that must fail, and how: its exit code and its stderr. An `err`
// ending in a newline must match exactly; one without (a usage line's
// start, "usage: mq_recv") must begin stderr.
struct BadCall {
  std::string prog;
  std::vector<std::string> args;
  int code;
  std::string err;
  std::string why = {};  // what the call tests, the cause when it exits otherwise
  std::string hint = {};  // what the contract asks here, the cause of a hang, crash or other line
};
// Run each call in turn; fail at the first that crashes, exits otherwise,
// or writes another stderr.
void expect_bad_calls(Context &cx, const std::vector<BadCall> &calls);

}  // namespace ipcg
