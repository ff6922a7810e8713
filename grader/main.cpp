// ipcgrade: grades the IPC labs by acting as the other process.
//
// usage: ipcgrade [--tree labs|solutions|DIR] [--list] [--json FILE] [-v]
//                 [--jobs N] [--slow F] [--no-build] [SELECTOR...]
//
// One flow, one direction: command line -> registry -> (build, stage) ->
// runner -> sandbox -> check -> report. See grader/README.md.
#include "core/registry.hpp"
#include "core/runner.hpp"
#include "core/tree.hpp"
#include "report/report.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ipcg;

namespace {

struct Options {
  std::string tree = "labs";
  bool list = false;
  std::string json;
  bool verbose = false;
  int jobs = 0;
  double slow = 1.0;
  bool no_build = false;
  std::vector<std::string> selectors;
};

// Exit codes: every selected check earned full points, some lost points, usage or internal error.
constexpr int exit_full = 0, exit_lost = 1, exit_error = 2, exit_interrupted = 130;

// The build folder this ipcgrade belongs to (it lives in <build>/grader/).
fs::path build_dir() { return fs::read_symlink("/proc/self/exe").parent_path().parent_path(); }

// Declare the command line's options on `app`, bound to `o`.
void declare(CLI::App &app, Options &o) {
  app.add_option("--tree", o.tree,
                 "what to grade: labs (default), solutions, or a folder DIR "
                 "holding NN-topic/<program> binaries");
  app.add_flag("--list", o.list, "list every lab's checks with their points, and exit");
  app.add_option("--json", o.json, "also write a Gradescope results.json to FILE");
  app.add_flag("-v,--verbose", o.verbose, "show every check's trace: commands, output, timings");
  app.add_option("-j,--jobs", o.jobs, "checks to run at once (default: the number of CPUs)")
      ->check(CLI::Range(1, 64));
  app.add_option("--slow", o.slow, "multiply every deadline by F (for sanitizers or valgrind)")
      ->check(CLI::Range(0.1, 100.0));
  app.add_flag("--no-build", o.no_build, "grade the binaries as they are, without running ninja");
  app.add_option("selectors", o.selectors, "a lab id (mqueue) or lab/check (mqueue/notify)");
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
  if (o.tree == "labs" || o.tree == "solutions") return build / o.tree;
  fs::path dir = fs::absolute(o.tree);
  if (!fs::is_directory(dir))
    throw UsageError(
        fmt::format("--tree {}: no such folder (use labs, solutions or a folder "
                    "of built programs)",
                    o.tree));
  return dir;
}

// The command that reruns one check verbosely, as the user would type it.
std::string rerun_prefix(const Options &o, const char *argv0) {
  const char *via = getenv("IPCGRADE_RERUN");
  std::string s = via ? via : argv0;
  s += " -v";
  if (o.tree != "labs") s += " --tree " + o.tree;
  if (o.slow != 1.0) s += fmt::format(" --slow {}", o.slow);
  return s;
}

// Build (for labs and solutions), stage, and make one Job per selected check.
std::vector<Job> prepare(const Options &o, const fs::path &build, Staging &staging) {
  auto picked = select_checks(o.selectors);
  fs::path root = tree_root(o, build);
  bool buildable = (o.tree == "labs" || o.tree == "solutions") && !o.no_build;
  std::vector<Job> jobs;
  const Lab *last = nullptr;
  std::optional<std::string> error;
  std::string bindir;
  for (auto [lab, c] : picked) {
    if (lab != last) {
      last = lab;
      error = buildable ? build_lab(build, o.tree, *lab) : std::nullopt;
      if (!error) bindir = staging.add(*lab, root, error);
    }
    jobs.push_back({lab, c, bindir, error});
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

int grade(const Options &o, const char *argv0) {
  if (o.list) {
    print_list();
    return exit_full;
  }
  auto started = Clock::now();
  fs::path build = build_dir();
  Staging staging;
  std::vector<Job> jobs = prepare(o, build, staging);
  RunOptions ro;
  ro.jobs = o.jobs > 0 ? o.jobs : std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  ro.slow = o.slow;
  // IPCGRADE_ISOLATION=names forces the fallback, to try it where namespaces work.
  const char *forced = getenv("IPCGRADE_ISOLATION");
  ro.isolation =
      forced && std::string(forced) == "names" ? Isolation::unique_names : probe_isolation();
  // Student uids differ between concurrent graders, so their per-uid limits do too.
  ro.uid_base = 3000000 + static_cast<uid_t>(getpid() % 100000) * 64;
  ro.progress = isatty(STDERR_FILENO);
  bool interrupted = false;
  std::vector<Result> results = run_jobs(jobs, ro, interrupted);
  if (interrupted) {
    fmt::print(stderr, "ipcgrade: interrupted; every process and object it made is gone\n");
    return exit_interrupted;
  }
  charge_leftovers(results, jobs);
  if (o.verbose) fmt::print("isolation: {}\n", describe(ro.isolation));
  TextStyle st{isatty(STDOUT_FILENO) != 0, o.verbose, rerun_prefix(o, argv0)};
  fmt::print("{}", text_report(results, st));
  std::fflush(stdout);
  if (!o.json.empty()) {
    std::ofstream f(o.json, std::ios::binary);
    f << gradescope_json(results, seconds_since(started));
    if (!f.flush()) throw UsageError(fmt::format("--json {}: cannot write the file", o.json));
  }
  return exit_code(results);
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"Grades the IPC labs by acting as the other process, through real kernel objects.",
               "ipcgrade"};
  declare(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "ipcgrade: {} (try ipcgrade --help)\n", e.what());
    return exit_error;
  }
  try {
    return grade(o, argv[0]);
  } catch (const UsageError &e) {
    fmt::print(stderr, "ipcgrade: {}\n", e.what());
    return exit_error;
  } catch (const std::exception &e) {
    fmt::print(stderr, "ipcgrade: internal error: {}\n", e.what());
    return exit_error;
  }
}
