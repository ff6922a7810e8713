// batch.cpp: `ipcgrade batch`: one grader process per student (`ipcgrade
// --sources SUB --build-cache OUT/cache --json ...`), at most --jobs at once,
// watched through pidfds and a signalfd in one poll loop; a gradebook
// rewritten after every student; resuming from the reports already written.
#include "batch.hpp"

#include "core/clock.hpp"
#include "core/fd.hpp"
#include "core/process.hpp"
#include "core/registry.hpp"
#include "core/sandbox.hpp"
#include "core/submission.hpp"
#include "core/visible.hpp"
#include "report/report.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace ipcg {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int exit_all_graded = 0, exit_some_failed = 1, exit_interrupted = 130;

// One lab's column in the gradebook: its id and the points of its selected checks.
struct Column {
  std::string lab;
  int max = 0;
};

// What the batch grades: the selected checks ("lab/check") and the gradebook's columns.
struct Selection {
  std::vector<std::string> checks;
  std::vector<Column> columns;
};

enum class State { pending, running, graded, resumed, not_submission, failed };

// One student: their folder, and what grading them came to.
struct Student {
  std::string name;
  fs::path dir;
  std::string file;  // their reports' name in OUT/reports (see report_stem)
  State state = State::pending;
  std::map<std::string, int> scores;  // lab id -> points
  std::vector<std::string> notes;
};

// What a grader's Gradescope report says: complete (each lab's points and
// notes), the grader's failure (why), or nothing usable.
struct Reading {
  enum Kind { complete, grader_failed, unusable } kind = unusable;
  std::map<std::string, int> scores;
  std::vector<std::string> notes;
  std::string why;
};

// The checks and columns the selectors name (UsageError for an unknown one).
Selection select(const std::vector<std::string> &selectors) {
  Selection s;
  for (auto [lab, check] : select_checks(selectors)) {
    s.checks.push_back(fmt::format("{}/{}", lab->id, check->id));
    if (s.columns.empty() || s.columns.back().lab != lab->id)
      s.columns.push_back({std::string(lab->id), 0});
    s.columns.back().max += check->points;
  }
  return s;
}

// A duration as people read it: "45s", "2m13s", "1h02m".
std::string human(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

// The first line of `text`, at most `cap` bytes.
std::string first_line(std::string_view text, size_t cap = 300) {
  std::string line(text.substr(0, text.find('\n')));
  if (line.size() > cap) line = line.substr(0, cap) + "...";
  return line;
}

// The text after "observed: " in a Gradescope test's output, up to the next field.
std::string observed_of(const std::string &output) {
  auto at = output.find("observed: ");
  if (at == std::string::npos) return "";
  std::string rest = output.substr(at + 10);
  for (const char *next : {"\ncause: ", "\nread: "})
    if (auto end = rest.find(next); end != std::string::npos) rest.resize(end);
  return rest;
}

// The reason inside grader_failure_message()'s words.
std::string failure_reason(const std::string &message) {
  std::string why = message;
  std::string head = grader_failure_message("\x01");
  std::string before = head.substr(0, head.find('\x01')),
              after = head.substr(head.find('\x01') + 1);
  if (why.starts_with(before) && why.ends_with(after))
    why = why.substr(before.size(), why.size() - before.size() - after.size());
  return first_line(why);
}

// Read the Gradescope report `file` as a grading of the selected checks.
Reading read_report(const fs::path &file, const Selection &sel) {
  Reading r;
  json doc;
  try {
    std::ifstream f(file);
    if (!f) return r;
    doc = json::parse(f);
  } catch (const std::exception &) {
    return r;
  }
  if (!doc.is_object() || !doc.contains("tests") || !doc["tests"].is_array()) return r;
  if (doc.value("extra_data", json::object()).value("grader_failed", false)) {
    r.kind = Reading::grader_failed;
    r.why = failure_reason(doc.value("output", std::string("no reason given")));
    return r;
  }
  std::map<std::string, std::pair<int, std::string>> tests;  // "lab/check" -> score, output
  try {
    for (const auto &t : doc["tests"]) {
      std::string name = t.at("name");
      tests[name.substr(0, name.find(':'))] = {t.at("score").get<int>(), t.value("output", "")};
    }
  } catch (const std::exception &) {
    return r;
  }
  std::vector<std::string> errors;
  for (const auto &check : sel.checks) {
    auto it = tests.find(check);
    if (it == tests.end()) return r;  // graded with other selectors: not this batch's grading
    std::string lab = check.substr(0, check.find('/'));
    auto &[score, output] = it->second;
    r.scores[lab] += score;
    std::string note = fmt::format("{}: did not build: {}", lab, first_line(observed_of(output)));
    if (output.starts_with("did not build:") &&
        std::find(r.notes.begin(), r.notes.end(), note) == r.notes.end())
      r.notes.push_back(note);
    if (output.starts_with("error:"))
      errors.push_back(fmt::format("{} ({})", check, first_line(observed_of(output), 120)));
  }
  if (!errors.empty()) {
    r.kind = Reading::grader_failed;
    r.why = fmt::format("the grader failed on {}", fmt::join(errors, "; "));
    return r;
  }
  r.kind = Reading::complete;
  return r;
}

// A student's name as a report line shows it: as it is when it needs no
// escape, else through visible() (quoted, control bytes escaped).
std::string shown(const std::string &name) {
  std::string v = visible(name, 300);
  return v == "\"" + name + "\"" ? name : v;
}

// The name of a student's report files: the folder name when it is short and
// plain (letters, digits, . _ -, not starting with a dot), else a plain
// prefix of it, '~' and a digest of the whole name ('~' is not plain, so
// the two kinds never meet). A name the filesystem cannot hold with
// ".json.part" around it, or that a terminal would read as escapes, so
// never stops the batch.
std::string report_stem(const std::string &name) {
  auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; };
  if (name.size() <= 120 && !name.starts_with(".") && std::all_of(name.begin(), name.end(), plain))
    return name;
  std::string prefix;
  for (char c : name.substr(0, 60)) prefix += plain(c) ? c : '_';
  if (prefix.starts_with(".")) prefix[0] = '_';
  return prefix + "~" + sha256_hex(name).substr(0, 16);
}

// The report files of `name` in OUT/reports: final, or the grader's work in progress.
fs::path report_file(const fs::path &reports, const std::string &name, const char *ext,
                     bool part = false) {
  return reports / (part ? fmt::format(".{}.{}.part", name, ext) : fmt::format("{}.{}", name, ext));
}

// Make sure SUBMISSIONS_DIR is a folder of student folders; their names, sorted.
std::vector<std::string> student_names(const fs::path &dir, const fs::path &out) {
  std::error_code ec;
  if (!fs::exists(dir, ec))
    throw UsageError(
        fmt::format("{}: no such folder (give the folder that holds one folder "
                    "per student)",
                    dir.string()));
  if (!fs::is_directory(dir, ec))
    throw UsageError(
        fmt::format("{}: not a folder (give the folder that holds one folder per "
                    "student)",
                    dir.string()));
  if (fs::is_directory(dir / "labs", ec))
    throw UsageError(
        fmt::format("{}: this is one submission (it has labs/): give the folder "
                    "that holds one folder per student, or grade it with "
                    "ipcgrade --sources {}",
                    dir.string(), dir.string()));
  std::vector<std::string> names;
  for (const auto &e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename();
    // A link is listed (and refused as a submission), never followed.
    if (name.starts_with(".") || !(e.is_symlink(ec) || e.is_directory(ec))) continue;
    if (fs::equivalent(e.path(), out, ec)) continue;  // the batch's own output folder
    names.push_back(name);
  }
  if (names.empty())
    throw UsageError(
        fmt::format("{}: no student folders in it (it should hold one folder "
                    "per student, each with that student's labs/)",
                    dir.string()));
  std::sort(names.begin(), names.end());
  return names;
}

// One field of a CSV row, quoted when it must be (RFC 4180). A field that a
// spreadsheet would take for a formula (it starts with = + - @, a tab or a
// carriage return) gets a leading ' (shown as text, never evaluated).
std::string csv_field(std::string s) {
  if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos)
    s.insert(0, "'");
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// One CSV row.
std::string csv_row(const std::vector<std::string> &fields) {
  std::string row;
  for (const auto &f : fields) row += (row.empty() ? "" : ",") + csv_field(f);
  return row + "\r\n";
}

// The gradebook: a header, a row of maximums, and one row per student.
std::string gradebook(const std::vector<Student> &students, const Selection &sel) {
  std::vector<std::string> header{"student"}, maxima{"(max points)"};
  int total = 0;
  for (const auto &c : sel.columns) {
    header.push_back(c.lab);
    maxima.push_back(std::to_string(c.max));
    total += c.max;
  }
  header.insert(header.end(), {"total", "notes"});
  maxima.insert(maxima.end(), {std::to_string(total), ""});
  std::string csv = csv_row(header) + csv_row(maxima);
  for (const auto &s : students) {
    std::vector<std::string> row{shown(s.name)};
    bool scored =
        s.state == State::graded || s.state == State::resumed || s.state == State::not_submission;
    int sum = 0;
    for (const auto &c : sel.columns) {
      int points = s.scores.count(c.lab) ? s.scores.at(c.lab) : 0;
      sum += points;
      row.push_back(scored ? std::to_string(points) : "");
    }
    row.push_back(scored ? std::to_string(sum) : "");
    std::vector<std::string> notes = s.notes;
    if (s.state == State::pending || s.state == State::running) notes.push_back("not graded yet");
    row.push_back(fmt::format("{}", fmt::join(notes, "; ")));
    csv += csv_row(row);
  }
  return csv;
}

// The batch's state while it runs.
struct Batch {
  const BatchOptions &opt;
  Selection sel;
  fs::path out, reports, cache, grader, class_dir;
  std::vector<Student> students;
  Clock::time_point started = Clock::now();
  bool progress = false;
  size_t to_grade = 0, finished = 0;  // graders this run: to start, done
};

// Rewrite OUT/gradebook.csv whole (a reader never sees half of one).
void save_gradebook(const Batch &b) {
  write_atomically((b.out / "gradebook.csv").string(), gradebook(b.students, b.sel));
}

// The argv of the grader for one student.
std::vector<std::string> grader_argv(const Batch &b, const Student &s) {
  std::vector<std::string> argv{b.grader.string(),
                                "--sources",
                                fs::absolute(s.dir).string(),
                                "--build-cache",
                                b.cache.string(),
                                "--json",
                                report_file(b.reports, s.file, "json", true).string(),
                                "--hide",
                                b.class_dir.string(),
                                "--hide",
                                b.out.string(),
                                "--jobs",
                                "1"};
  if (b.opt.slow != 1.0) argv.insert(argv.end(), {"--slow", fmt::format("{}", b.opt.slow)});
  argv.insert(argv.end(), b.opt.selectors.begin(), b.opt.selectors.end());
  return argv;
}

// A grader process the batch waits for.
struct Running {
  size_t student;
  pid_t pid;
  Fd pidfd;
};

// Start the grader for student `i`, its stdout and stderr into its text report's
// work file. The signals the batch handles stay blocked in it until its runner
// takes them (so a build is never cut short and leaves nothing behind), and it
// gets SIGTERM if the batch dies.
Running start_grader(const Batch &b, size_t i) {
  std::vector<std::string> args = grader_argv(b, b.students[i]);
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  fs::path text = report_file(b.reports, b.students[i].file, "txt", true);
  Fd out(check(open(text.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), "open"));
  Fd null(check(open("/dev/null", O_RDONLY | O_CLOEXEC), "open /dev/null"));
  pid_t parent = getpid();
  pid_t pid = check(fork(), "fork");
  if (pid == 0) {
    setpgid(0, 0);  // a Ctrl-C reaches the batch, which passes it on once
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    if (dup2(null.get(), 0) < 0 || dup2(out.get(), 1) < 0 || dup2(out.get(), 2) < 0) _exit(127);
    execv(argv[0], argv.data());
    dprintf(2, "ipcgrade batch: execv %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return {i, pid, Fd(open_pidfd(pid))};
}

// Move a finished grader's work files to their final names.
void keep_reports(const Batch &b, const std::string &name) {
  for (const char *ext : {"txt", "json"}) {
    fs::path part = report_file(b.reports, name, ext, true);
    if (fs::exists(part)) fs::rename(part, report_file(b.reports, name, ext));
  }
}

// Remove a grader's work files (it was interrupted: no half report stays).
void drop_reports(const Batch &b, const std::string &name) {
  std::error_code ec;
  for (const char *ext : {"txt", "json"}) fs::remove(report_file(b.reports, name, ext, true), ec);
}

// Record what the grader of student `s` came to, from its exit status and report.
void finish(Batch &b, Student &s, int status) {
  Reading r = read_report(report_file(b.reports, s.file, "json", true), b.sel);
  try {
    keep_reports(b, s.file);
  } catch (const std::exception &e) {
    r.kind = Reading::grader_failed;
    r.why = fmt::format("its report could not be kept ({})", e.what());
  }
  if (r.kind == Reading::complete) {
    s.state = State::graded;
    s.scores = r.scores;
    s.notes = r.notes;
    return;
  }
  s.state = State::failed;
  std::string why = r.kind == Reading::grader_failed ? r.why
                    : WIFSIGNALED(status)
                        ? "it was killed by " + signal_name(WTERMSIG(status))
                        : fmt::format("it exited with {} and wrote no report", WEXITSTATUS(status));
  s.notes = {
      fmt::format("not graded: the grader failed ({}); see reports/{}.txt, and run the "
                  "batch again to retry",
                  why, s.file)};
}

// Show "[=====>    ] 12/30 students, 3 running, ETA 1m20s" on stderr; clear it when `done`.
void show_progress(const Batch &b, size_t running, bool done = false) {
  if (!b.progress) return;
  if (done) {
    fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
    return;
  }
  size_t total = b.students.size(), ready = 0;
  for (const auto &s : b.students) ready += s.state != State::pending && s.state != State::running;
  constexpr size_t width = 30;
  size_t filled = total ? ready * width / total : width;
  std::string bar(filled, '=');
  if (filled < width) bar += '>' + std::string(width - filled - 1, ' ');
  std::string eta = "ETA ?";
  if (b.finished > 0) {
    double each = seconds_since(b.started) / static_cast<double>(b.finished);
    eta = "ETA " + human(each * static_cast<double>(b.to_grade - b.finished));
  }
  fmt::print(stderr, "\r\033[K[{}] {}/{} students, {} running, {}", bar, ready, total, running,
             eta);
  std::fflush(stderr);
}

// Why the folder of `s` is not a submission, in the student's words; nullopt
// when it is one. A link is refused, never followed.
std::optional<std::string> not_a_submission(const Student &s) {
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(s.dir, ec)))
    return shown(s.name) + " is a symbolic link, which the grader does not follow";
  try {
    find_labs_folder(s.dir);
  } catch (const UsageError &e) {
    std::string why = e.what(), dir = visible(s.dir.string());
    if (why.starts_with(dir)) why = shown(s.name) + why.substr(dir.size());
    return why;
  }
  return std::nullopt;
}

// Settle the students that need no grader: not a submission, or resumed from
// their report. Whatever one student's folder is, it stops no other.
void settle_without_grader(Batch &b) {
  for (auto &s : b.students) {
    if (auto why = not_a_submission(s)) {
      s.state = State::not_submission;
      s.notes = {"not a submission: " + *why};
      try {
        write_atomically(report_file(b.reports, s.file, "txt").string(), s.notes[0] + "\n");
      } catch (const std::exception &) {  // the gradebook's note says it all
      }
      continue;
    }
    if (b.opt.force) continue;
    Reading r = read_report(report_file(b.reports, s.file, "json"), b.sel);
    if (r.kind != Reading::complete) continue;
    s.state = State::resumed;
    s.scores = r.scores;
    s.notes = r.notes;
  }
}

// Stop the graders still running (SIGTERM: each cleans up after itself), wait
// for them, and drop their half-written reports.
void stop_graders(Batch &b, std::vector<Running> &running) {
  for (const auto &r : running) kill(r.pid, SIGTERM);
  for (const auto &r : running) {
    while (waitpid(r.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    drop_reports(b, b.students[r.student].file);
    b.students[r.student].state = State::pending;
  }
  running.clear();
}

// Collect grader `i`, which has ended: its student is graded, failed, or
// (stopped by an interrupt) pending again.
void reap(Batch &b, std::vector<Running> &running, size_t i, bool interrupted) {
  int status = 0;
  while (waitpid(running[i].pid, &status, 0) < 0)
    if (errno != EINTR) throw_errno("waitpid");
  Student &s = b.students[running[i].student];
  running.erase(running.begin() + static_cast<long>(i));
  if (interrupted && WIFEXITED(status) && WEXITSTATUS(status) == exit_interrupted) {
    drop_reports(b, s.file);
    s.state = State::pending;
  } else {
    finish(b, s, status);
    ++b.finished;
  }
  save_gradebook(b);
}

// The first stop signal: pass it on to every grader as SIGTERM, start no more.
void interrupt(Batch &b, std::vector<Running> &running) {
  show_progress(b, 0, true);
  fmt::print(stderr, "ipcgrade batch: interrupted; waiting for {} grader(s) to stop and clean up\n",
             running.size());
  for (const auto &r : running) kill(r.pid, SIGTERM);
}

// One round: start graders while there is room, wait for a grader's end or a
// signal, and collect what ended. False when nothing is left to wait for.
bool step(Batch &b, const Fd &sigs, std::vector<Running> &running, const std::vector<size_t> &queue,
          size_t &next, size_t jobs, bool &interrupted) {
  while (!interrupted && next < queue.size() && running.size() < jobs) {
    Student &s = b.students[queue[next]];
    try {
      running.push_back(start_grader(b, queue[next]));
      s.state = State::running;
    } catch (const std::exception &e) {  // one student's trouble stops no other
      s.state = State::failed;
      s.notes = {fmt::format("not graded: the grader could not start ({}); run the batch "
                             "again to retry",
                             e.what())};
      save_gradebook(b);
    }
    ++next;
  }
  if (running.empty()) return false;
  show_progress(b, running.size());
  std::vector<pollfd> fds{{sigs.get(), POLLIN, 0}};
  for (const auto &r : running) fds.push_back({r.pidfd.get(), POLLIN, 0});
  if (poll(fds.data(), fds.size(), b.progress ? 1000 : -1) < 0 && errno != EINTR)
    throw_errno("poll");
  signalfd_siginfo info;
  if (fds[0].revents && read(sigs.get(), &info, sizeof info) > 0 && !interrupted) {
    interrupted = true;
    interrupt(b, running);
  }
  for (size_t i = running.size(); i-- > 0;)
    if (fds[1 + i].revents) reap(b, running, i, interrupted);
  return true;
}

// Whether the graders will run without namespaces (IPCGRADE_ISOLATION=names,
// or none to be had): then students beside each other share the host's
// count of POSIX queues and its System V limits.
bool shares_host_limits() {
  const char *forced = getenv("IPCGRADE_ISOLATION");
  return (forced && std::string(forced) == "names") ||
         probe_isolation() == Isolation::unique_names;
}

// Students graded at once: --jobs; else one per CPU, or one without
// namespaces, where one student's programs could use up a shared limit
// (queues_max) under a classmate's running checks and cost them points.
size_t students_at_once(const BatchOptions &o) {
  if (o.jobs > 0) return static_cast<size_t>(o.jobs);
  if (shares_host_limits()) {
    fmt::print(stderr, "ipcgrade batch: no namespaces here, so students share the host's "
                       "limits: grading one student at a time (--jobs N overrides)\n");
    return 1;
  }
  return static_cast<size_t>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
}

// Run the graders, at most students_at_once() at once; false when interrupted.
bool grade_all(Batch &b) {
  size_t jobs = students_at_once(b.opt);
  std::vector<size_t> queue;
  for (size_t i = 0; i < b.students.size(); ++i)
    if (b.students[i].state == State::pending) queue.push_back(i);
  b.to_grade = queue.size();
  Fd sigs = stop_signal_fd();
  std::vector<Running> running;
  size_t next = 0;
  bool interrupted = false;
  try {
    while (step(b, sigs, running, queue, next, jobs, interrupted)) {
    }
  } catch (...) {
    stop_graders(b, running);
    throw;
  }
  show_progress(b, 0, true);
  return !interrupted;
}

// The closing line: how many were graded, resumed, failed, and where the gradebook is.
std::string summary(const Batch &b) {
  size_t graded = 0, resumed = 0, failed = 0, not_sub = 0, pending = 0;
  for (const auto &s : b.students) {
    graded +=
        s.state == State::graded || s.state == State::resumed || s.state == State::not_submission;
    resumed += s.state == State::resumed;
    failed += s.state == State::failed;
    not_sub += s.state == State::not_submission;
    pending += s.state == State::pending;
  }
  std::string line =
      fmt::format("{} student{} graded ({} resumed", graded, graded == 1 ? "" : "s", resumed);
  if (not_sub) line += fmt::format(", {} not a submission", not_sub);
  line += ")";
  if (failed) line += fmt::format(", {} not graded (the grader failed: see the notes)", failed);
  if (pending)
    line += fmt::format(", {} not graded yet (interrupted: run again to resume)", pending);
  return line + fmt::format(" in {}: gradebook {}", human(seconds_since(b.started)),
                            (b.out / "gradebook.csv").string());
}

// Hold OUT/.lock for the whole batch, so that two batches never write the same gradebook.
Fd lock_out(const fs::path &out) {
  fs::path file = out / ".lock";
  Fd fd(check(open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644), "open"));
  if (flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK)
      throw UsageError(
          fmt::format("--out {}: another ipcgrade batch is writing there; wait "
                      "for it or give another --out",
                      out.string()));
    throw_errno("flock " + file.string());
  }
  return fd;
}

}  // namespace

int run_batch(const BatchOptions &o) {
  Batch b{o, select(o.selectors), fs::absolute(o.out), {}, {}, {}, {}, {}};
  b.reports = b.out / "reports";
  b.cache = b.out / "cache";
  b.grader = fs::read_symlink("/proc/self/exe");
  fs::path dir = fs::absolute(o.submissions);
  b.class_dir = dir;
  for (const auto &name : student_names(dir, b.out))
    b.students.push_back({name, dir / name, report_stem(name), State::pending, {}, {}});
  std::error_code ec;
  fs::create_directories(b.reports, ec);
  if (ec || !fs::is_directory(b.reports))
    throw UsageError(fmt::format("--out {}: cannot make the folder {} ({})", o.out,
                                 b.reports.string(), ec ? ec.message() : "not a folder"));
  Fd lock = lock_out(b.out);
  b.progress = isatty(STDERR_FILENO);
  settle_without_grader(b);
  save_gradebook(b);
  bool complete = grade_all(b);
  fmt::print("{}\n", summary(b));
  std::fflush(stdout);
  if (!complete) return exit_interrupted;
  for (const auto &s : b.students)
    if (s.state == State::failed) return exit_some_failed;
  return exit_all_graded;
}

}  // namespace ipcg
