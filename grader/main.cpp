// ipcgrade: grades the IPC labs by acting as the other process.
//
// usage: ipcgrade [--tree labs|solutions|DIR] [--list] [--json FILE] [-v]
//                 [--jobs N] [--slow F] [--no-build] [SELECTOR... | LAB --step N]
//        ipcgrade --list [--json]        ipcgrade --explain LAB/CHECK
//        ipcgrade --coverage
//        ipcgrade batch SUBMISSIONS_DIR [--out DIR] [--jobs N] [--force] [SELECTOR...]
//
// One flow, one direction: command line -> registry -> (build, stage) ->
// runner -> sandbox -> check -> report. See grader/README.md.
#include "batch.hpp"
#include "core/confine.hpp"
#include "core/process.hpp"
#include "core/registry.hpp"
#include "core/runner.hpp"
#include "core/submission.hpp"
#include "core/tree.hpp"
#include "core/uids.hpp"
#include "core/visible.hpp"
#include "report/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <fstream>

namespace fs = std::filesystem;
using namespace ipcg;

namespace {

struct Options {
  std::string tree = "labs";
  std::string sources;  // a submission's sources, built privately (see submission.hpp)
  std::string build_cache;
  std::vector<std::string> hide;  // --hide DIR: more folders no student process may read
  bool list = false;
  bool coverage = false;  // --coverage: each contract clause and the checks that enforce it
  std::string json;
  std::string prairielearn;  // --prairielearn FILE: PrairieLearn's results.json
  bool autolab = false;      // --autolab: Autolab's scores line, last on stdout
  bool verbose = false;
  int jobs = 0;
  double slow = 1.0;
  int time_limit = 0;  // --time-limit S: every check ends within S s of the start (0: no limit)
  bool no_build = false;
  std::vector<std::string> selectors;
  int step = 0;         // --step N: just the checks of walkthrough step N of one lab
  std::string explain;  // --explain LAB/CHECK
};

// Exit codes: every selected check earned full points, some lost points, usage or internal error.
constexpr int exit_full = 0, exit_lost = 1, exit_error = 2, exit_interrupted = 130;

// The build folder this ipcgrade belongs to (it lives in <build>/grader/).
// Read once, before any mount namespace of the grader's own: after one (see
// require_own_proc) /proc/self/exe of a chrooted grader names its file from
// the host's root.
fs::path build_dir() {
  static const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path().parent_path();
  return dir;
}

// Declare the `batch` subcommand on `app`, bound to `o` (see batch.hpp).
CLI::App *declare_batch(CLI::App &app, BatchOptions &o) {
  CLI::App *cmd = app.add_subcommand(
      "batch",
      "grade a folder that holds one folder per student (each with that student's labs/ or "
      "a copy of the repository); write a CSV gradebook and one report per student");
  cmd->add_option("submissions", o.submissions, "the folder of student folders")->required();
  cmd->add_option("selectors", o.selectors, "a lab id (mqueue) or lab/check (mqueue/notify)");
  cmd->add_option("--out", o.out,
                  "where gradebook.csv, reports/ and the build cache go (default: "
                  "./ipcgrade-batch)");
  cmd->add_option("-j,--jobs", o.jobs,
                  "students graded at once (default: the number of CPUs; one without "
                  "namespaces, where students share the host's limits)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--force", o.force, "grade again the students that already have a report");
  cmd->add_option("--slow", o.slow, "multiply every deadline by F (a busy machine)")
      ->check(CLI::Range(0.1, 100.0));
  return cmd;
}

// Declare the command line's options on `app`, bound to `o`.
void declare(CLI::App &app, Options &o) {
  app.add_option("--tree", o.tree,
                 "what to grade: labs (default), solutions, or a folder DIR "
                 "holding NN-topic/<program> binaries");
  app.add_option("--sources", o.sources,
                 "grade a submission's sources: a folder holding labs/ (a copy of the "
                 "repository) or the NN-topic lab folders; they are built in a private folder")
      ->excludes(app.get_option("--tree"));
  app.add_option("--build-cache", o.build_cache,
                 "with --sources: keep built labs in this folder and reuse a lab whose files "
                 "are byte for byte those of one built before");
  app.add_option("--hide", o.hide,
                 "a folder that no student program or compiler may read (ipcgrade batch "
                 "hides the class folder and its output folder so)");
  app.add_flag("--list", o.list, "list every lab's checks with their points, and exit");
  app.add_flag("--coverage", o.coverage,
               "list every clause of every lab's Contract section with the checks that "
               "enforce it, and exit (--list --json has them too)")
      ->excludes("--list");
  app.add_option("--json", o.json,
                 "also write a Gradescope results.json to FILE; with --list, print the "
                 "registry as JSON (on stdout without FILE)")
      ->expected(0, 1);
  app.add_option("--prairielearn", o.prairielearn,
                 "also write a PrairieLearn external grader results.json to FILE");
  app.add_flag("--autolab", o.autolab,
               "end stdout with Autolab's scores line, {\"scores\": {LAB: points, ...}}");
  app.add_flag("-v,--verbose", o.verbose, "show every check's trace: commands, output, timings");
  app.add_option("-j,--jobs", o.jobs, "checks to run at once (default: the number of CPUs)")
      ->check(CLI::Range(1, 64));
  app.add_option("--time-limit", o.time_limit,
                 "finish within S seconds of the start, as a course platform's timeout needs: the "
                 "builds get at most half, and a check that could not end in time is not run and "
                 "scores 0, saying so (the checks of labs whose programs hang run last)")
      ->check(CLI::Range(10, 86400));
  app.add_option("--slow", o.slow, "multiply every deadline by F (for sanitizers or valgrind)")
      ->check(CLI::Range(0.1, 100.0));
  app.add_flag("--no-build", o.no_build, "grade the binaries as they are, without running ninja");
  app.add_option("selectors", o.selectors, "a lab id (mqueue) or lab/check (mqueue/notify)");
  app.add_option("--step", o.step,
                 "self-study: run just the checks of walkthrough step N of the one lab named "
                 "(ipcgrade mqueue --step 3)")
      ->check(CLI::Range(1, 99));
  app.add_option("--explain", o.explain,
                 "print what check LAB/CHECK does, why it usually fails, where to read and how "
                 "to run it; and exit")
      ->excludes("--list")
      ->excludes("--step");
}

// How the user runs the grader, for commands shown to them ("./kit grade" via the kit).
std::string grader_command(const char *argv0) {
  const char *via = getenv("IPCGRADE_RERUN");
  return via ? via : argv0;
}

// --list --json: the registry as JSON, on stdout or into FILE.
void print_list_json(const std::string &file) {
  if (file == "-") {
    fmt::print("{}", registry_json());
    return;
  }
  std::ofstream f(file, std::ios::binary);
  f << registry_json();
  if (!f.flush()) throw UsageError(fmt::format("--json {}: cannot write the file", file));
}

// --explain LAB/CHECK: what the check does and why it fails; no grading.
int explain_check(const Options &o, const char *argv0) {
  if (!o.selectors.empty())
    throw UsageError(fmt::format("--explain {} takes no other selector ({}): give one check",
                                 o.explain, fmt::join(o.selectors, " ")));
  auto [lab, check] = find_check(o.explain, grader_command(argv0));
  fmt::print("{}", explain(*lab, *check, grader_command(argv0)));
  return exit_full;
}

// Print every lab's check table.
void print_list() {
  for (const auto &lab : all_labs()) {
    int total = 0;
    for (const auto &c : lab.checks) total += c.points;
    fmt::print("{} ({}, handouts/{}.md): {} points\n", lab.id, lab.title, lab.dir, total);
    for (const auto &c : lab.checks)
      fmt::print("  {}/{:<24} {:>2}  {}\n", lab.id, c.id, c.points, c.title);
  }
}

// The folder holding the tree's NN-topic/<program> binaries.
fs::path tree_root(const Options &o, const fs::path &build) {
  require_tree(build, o.tree);
  if (o.tree == "labs" || o.tree == "solutions") return build / o.tree;
  fs::path dir = fs::absolute(o.tree);
  if (!fs::is_directory(dir))
    throw UsageError(
        fmt::format("--tree {}: no such folder (use labs, solutions or a folder "
                    "of built programs)",
                    o.tree));
  return dir;
}

// The command that grades again, as the user would type it, with " -v"
// (to rerun one check verbosely) when `verbose`.
std::string rerun_prefix(const Options &o, const char *argv0, bool verbose = true) {
  const char *via = getenv("IPCGRADE_RERUN");
  std::string s = via ? via : argv0;
  if (verbose) s += " -v";
  if (!o.sources.empty())  // a folder name is the student's text: escaped when it must be
    s += " --sources " + (visible(o.sources) == "\"" + o.sources + "\"" ? o.sources
                                                                        : visible(o.sources));
  else if (o.tree != "labs")
    s += " --tree " + o.tree;
  if (o.slow != 1.0) s += fmt::format(" --slow {}", o.slow);
  return s;
}


// The private build of --sources: the kit's build files, and as root an
// unprivileged compiler uid (one per grader, like the students' uids).
// The folders no student process (nor a submission's compiler) may read: the
// kit's sources with its solutions, the build, and where results and built
// labs go. A folder that holds the grader's temporary ones is left out.
std::vector<std::string> private_folders(const Options &o, const fs::path &build,
                                         const fs::path &staging) {
  std::vector<fs::path> wanted{KIT_SOURCE, build};
  if (!o.json.empty()) wanted.push_back(fs::absolute(o.json).parent_path());
  if (!o.build_cache.empty()) wanted.push_back(fs::absolute(o.build_cache));
  if (!o.sources.empty()) wanted.push_back(fs::absolute(o.sources));  // read before grading
  for (const auto &h : o.hide) wanted.push_back(fs::absolute(h));
  std::vector<std::string> folders;
  std::error_code ec;
  for (const auto &w : wanted) {
    fs::path p = fs::weakly_canonical(w, ec);
    auto holds = [&](const fs::path &inner) {
      auto rel = fs::weakly_canonical(inner, ec).lexically_relative(p);
      return !rel.empty() && *rel.begin() != "..";
    };
    if (!holds(staging) && !holds(fs::temp_directory_path()) && !holds("/var/tmp") &&
        !holds("/dev/shm"))
      folders.push_back(p);
  }
  return folders;
}

std::unique_ptr<SubmissionBuild> submission(const Options &o, const std::vector<std::string> &hidden,
                                            const UidBlock &uids) {
  std::optional<fs::path> cache;
  if (!o.build_cache.empty()) cache = fs::absolute(o.build_cache);
  std::optional<uid_t> uid;
  if (geteuid() == 0) uid = uids.builder;
  auto sub = std::make_unique<SubmissionBuild>(find_labs_folder(fs::absolute(o.sources)),
                                               KIT_SOURCE, cache, uid, hidden, KIT_VERSION);
  if (o.time_limit > 0) {  // half of the time at most for building, the rest for grading
    Clock::duration all = std::min<Clock::duration>(build_budget,
                                                    std::chrono::seconds(o.time_limit / 2));
    sub->limit_time(std::min<Clock::duration>(lab_build_time, all), all);
  }
  return sub;
}

// Build (for labs and solutions), stage, and make one Job per selected check.
std::vector<Job> prepare(const Options &o, const fs::path &build, Staging &staging,
                         const std::vector<std::string> &hidden, const UidBlock &uids) {
  auto picked = o.step ? select_step(o.selectors, o.step) : select_checks(o.selectors);
  std::unique_ptr<SubmissionBuild> sub;
  if (!o.sources.empty()) sub = submission(o, hidden, uids);
  fs::path root = sub ? sub->root() : tree_root(o, build);
  bool buildable = (o.tree == "labs" || o.tree == "solutions") && !o.no_build;
  std::vector<Job> jobs;
  const Lab *last = nullptr;
  LabBuild built;
  std::string bindir;
  for (auto [lab, c] : picked) {
    if (lab != last) {
      if (stop_pending()) break;  // grade() sees it too, and stops
      last = lab;
      built = sub         ? LabBuild{sub->build(*lab), {}}
              : buildable ? build_lab(build, o.tree, *lab)
                          : LabBuild{};
      if (built.broken.size() == lab->programs.size())
        built.error = built.broken.at(std::string(lab->programs.front()));
      if (!built.error) bindir = staging.add(*lab, root, built.error, built.broken);
    }
    jobs.push_back({lab, c, bindir, built.error, built.broken});
  }
  return jobs;
}

// The exit code the results call for.
int exit_code(const std::vector<Result> &results) {
  int code = exit_full;
  for (const auto &r : results) {
    if (r.status == Status::error) return exit_error;
    if (r.score < r.max) code = exit_lost;
  }
  return code;
}

// Write one results file (for `option`) whole or not at all; false, after
// one line on stderr, when it cannot be written.
bool write_file(const char *option, const std::string &file, const std::string &doc) {
  try {
    write_atomically(file, doc);
    return true;
  } catch (const std::exception &e) {
    fmt::print(stderr, "ipcgrade: {} {}: cannot write the file ({})\n", option, file, e.what());
    return false;
  }
}

// Write each results file asked for (--json, --prairielearn); false when one
// could not be written.
bool write_results(const Options &o, const std::vector<Result> &results, const std::string &text,
                   double seconds, const Setup &setup) {
  bool ok = true;
  if (!o.json.empty())
    ok &= write_file("--json", o.json, gradescope_json(results, seconds, setup));
  if (!o.prairielearn.empty())
    ok &= write_file("--prairielearn", o.prairielearn, prairielearn_json(results, text, setup));
  return ok;
}

// Kill every process this grader started and wait until all are gone. As a
// subreaper it also waits for their orphans (each check's PID namespace
// init, whose end takes every student process with it).
void end_children() {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::error_code ec;
  for (const auto &task : fs::directory_iterator("/proc/self/task", ec)) {
    std::ifstream children(task.path() / "children");
    for (pid_t pid; children >> pid;) kill(pid, SIGKILL);
  }
  while (waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
}

// The grader failed before it had results: once every process it started is
// gone, each results file asked for says so, and that it is not a grade
// (never a score of 0 that looks earned).
void report_failure(const Options &o, const std::string &why) {
  bool grading = !o.list && !o.coverage && o.explain.empty();
  if (!grading) return;
  end_children();
  if (o.autolab) {
    fmt::print("{}", autolab_failure_lines(why));
    std::fflush(stdout);
  }
  if (!o.json.empty() && o.json != "-") write_file("--json", o.json, gradescope_failure_json(why));
  if (!o.prairielearn.empty())
    write_file("--prairielearn", o.prairielearn, prairielearn_failure_json(why));
}

// As root, students run as another uid: without the capabilities that takes
// (a container started with --cap-drop=ALL), or where that uid may not even
// search "/", nothing can be graded safely.
void require_root_setup() {
  if (auto missing = missing_for_root(); !missing.empty())
    throw UsageError(fmt::format(
        "running as root without {}: the grader cannot run students' programs as an "
        "unprivileged uid; grant these capabilities (Docker grants them by default; do not "
        "drop them) or run ipcgrade as a non-root user",
        fmt::join(missing, ", ")));
  if (geteuid() == 0 && closed_root())
    throw UsageError(
        "the root folder / is closed to other users (mode 0700, as a chroot made from a "
        "private folder keeps): students' programs run as an unprivileged uid and could not "
        "reach their own files; make it searchable (chmod 755 /; ./kit does that) or run "
        "ipcgrade as a non-root user");
}

// The grader reads and writes /proc/PID of the processes it forks (a user
// namespace's uid_map, the system call a student sleeps in): /proc must show
// its own PID namespace, or be mounted so (which takes CAP_SYS_ADMIN; the
// grader then has a mount namespace of its own).
void require_own_proc() {
  if (!foreign_proc()) return;
  build_dir();  // before the mount namespace (see build_dir)
  if (own_proc_view() && !foreign_proc()) return;
  throw UsageError(
      "/proc shows another PID namespace than the grader's (a chroot that kept its host's "
      "/proc), and without CAP_SYS_ADMIN the grader cannot mount its own: mount a /proc of "
      "this PID namespace (mount -t proc proc /proc) or grant CAP_SYS_ADMIN");
}

// Which isolation the grader chose, for whom students run, and which
// capabilities it would use but lacks: one line of every report.
Setup grading_setup(const RunOptions &ro, bool forced, const UidBlock &uids) {
  Setup s;
  bool root = geteuid() == 0;
  if (root) s.missing = missing_capabilities({CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_IPC_OWNER});
  std::string line;
  switch (ro.isolation) {
    case Isolation::root_namespaces: line = "namespaces (IPC, mount, PID)"; break;
    case Isolation::user_namespaces: line = "namespaces (IPC, mount, PID) in a user namespace"; break;
    case Isolation::unique_names:
      line = forced ? "unique names (IPCGRADE_ISOLATION=names)"
             : root ? "unique names (no namespaces: missing CAP_SYS_ADMIN)"
                    : "unique names (no namespaces)";
  }
  if (root && ro.jobs > 1)
    line += fmt::format(", students as uids {} to {}", ro.uid_base, ro.uid_base + ro.jobs - 1);
  else if (root)
    line += fmt::format(", students as uid {}", ro.uid_base);
  else
    line += fmt::format(", students as the grader's uid {}, without capabilities", geteuid());
  if (root && !uids.unclaimed.empty())
    line += fmt::format(" (not claimed, {}: a grader in another PID namespace may use them too)",
                        uids.unclaimed);
  auto unseen = root && ro.isolation != Isolation::user_namespaces
                    ? missing_capabilities({CAP_SYS_PTRACE, CAP_IPC_OWNER})
                    : std::vector<std::string>{};
  if (!unseen.empty())
    line += fmt::format("; missing {}: the grader observes as the student's uid",
                        fmt::join(unseen, ", "));
  // Nothing mounts over the grader's folders then: only Landlock hides them.
  if (ro.isolation == Isolation::unique_names && !ro.hidden.empty() && landlock_abi() < 1)
    line += "; no Landlock: the kit's folders and the reports are only as private as their "
            "modes (students may read what every user may)";
  s.isolation = line;
  if (ro.isolation == Isolation::unique_names)
    s.unbounded = "no namespaces here: student programs share the host's network, /run/lock, "
                  "its count of POSIX queues and its System V limits (nothing bounds their "
                  "shared memory beyond RLIMIT_DATA)";
  return s;
}

// Print `text` on stdout; false, said on stderr, when it cannot be written
// (as when the reader of a pipe has gone: SIGPIPE is ignored, see main).
bool print_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0)
    return true;
  fmt::print(stderr, "ipcgrade: could not write the report on stdout: {} (did its reader end?)\n",
             strerror(errno));
  return false;
}

int grade(const Options &o, const char *argv0) {
  if (!o.explain.empty()) return explain_check(o, argv0);
  if (o.coverage) {
    fmt::print("{}", coverage_text());
    return exit_full;
  }
  if (o.list) {
    if (o.json.empty()) print_list();
    else print_list_json(o.json);
    return exit_full;
  }
  if (o.json == "-")
    throw UsageError("--json needs a FILE when grading (--list --json prints the registry)");
  require_root_setup();
  // IPCGRADE_ISOLATION=names forces the fallback, to try it where namespaces work.
  const char *forced = getenv("IPCGRADE_ISOLATION");
  bool names = forced && std::string(forced) == "names";
  require_own_proc();
  Isolation isolation = names ? Isolation::unique_names : probe_isolation();
  auto started = Clock::now();
  sigset_t stop = stop_signal_set();
  check(sigprocmask(SIG_BLOCK, &stop, nullptr), "sigprocmask");
  fs::path build = build_dir();
  Staging staging;
  RunOptions ro;
  ro.hidden = private_folders(o, build, staging.root());
  ro.staging = staging.root();
  // As root, students and the compiler run as uids no other grader on this
  // kernel uses meanwhile (see core/uids.hpp), so their per-uid limits are theirs.
  UidClaim uids = geteuid() == 0 ? claim_uid_block(static_cast<unsigned>(getpid())) : UidClaim{};
  std::vector<Job> jobs = prepare(o, build, staging, ro.hidden, uids.block());
  ro.jobs = o.jobs > 0 ? o.jobs : std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  ro.slow = o.slow;
  if (o.time_limit > 0) {
    ro.finish_by = started + std::chrono::seconds(o.time_limit);
    ro.time_limit = o.time_limit;
  }
  ro.isolation = isolation;
  // Without namespaces each check runs its own links (PrivatePrograms): the
  // shared copies need no reader but the grader.
  if (ro.isolation == Isolation::unique_names && geteuid() == 0) staging.close_shared();
  syscall_record_enabled();  // probed once here, not in every check process
  ro.uid_base = uids.block().students;
  ro.uid_holder = uids.holder();
  ro.progress = isatty(STDERR_FILENO);
  bool interrupted = stop_pending();
  std::vector<Result> results;
  if (!interrupted) results = run_jobs(jobs, ro, interrupted);
  if (interrupted) {
    fmt::print(stderr, "ipcgrade: interrupted; every process and object it made is gone\n");
    report_failure(o, "it was interrupted (by a signal) before it had finished");
    return exit_interrupted;
  }
  charge_leftovers(results, jobs);
  Setup setup = grading_setup(ro, names, uids.block());
  TextStyle st{isatty(STDOUT_FILENO) != 0, o.verbose, rerun_prefix(o, argv0),
               rerun_prefix(o, argv0, false), setup.isolation};
  // Every report says what the fallback cannot bound, first.
  std::string note = setup.unbounded.empty() ? "" : "note: " + setup.unbounded + "\n";
  std::string text = note + text_report(results, st);
  bool shown = print_stdout(text) && (!o.autolab || print_stdout(autolab_scores(results)));
  bool written = write_results(
      o, results, note + text_report(results, {false, o.verbose, st.rerun, st.command, st.setup}),
      seconds_since(started), setup);
  return written && shown ? exit_code(results) : exit_error;
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"Grades the IPC labs by acting as the other process, through real kernel objects.",
               "ipcgrade"};
  declare(app, o);
  BatchOptions batch;
  CLI::App *batch_command = declare_batch(app, batch);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "ipcgrade: {} (try ipcgrade --help)\n", e.what());
    return exit_error;
  }
  if (app.count("--json") && o.json.empty()) o.json = "-";  // --json without FILE: stdout
  // A reader of stdout that ends early (`ipcgrade | head`) must not kill the
  // grader before it has removed its staging folder and its objects.
  signal(SIGPIPE, SIG_IGN);
  try {
    if (!batch_command->parsed()) return grade(o, argv[0]);
    require_root_setup();  // before any student is built or graded
    return run_batch(batch);
  } catch (const UsageError &e) {
    fmt::print(stderr, "ipcgrade: {}\n", e.what());
    report_failure(o, e.what());
    return exit_error;
  } catch (const std::exception &e) {
    if (auto *s = dynamic_cast<const std::system_error *>(&e);
        s && s->code() == std::errc::broken_pipe) {
      fmt::print(stderr, "ipcgrade: its output was cut short: the reader of stdout ended\n");
      return exit_error;
    }
    fmt::print(stderr, "ipcgrade: internal error: {}\n", e.what());
    report_failure(o, fmt::format("internal error: {}", e.what()));
    return exit_error;
  }
}
