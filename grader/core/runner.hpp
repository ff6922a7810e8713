// runner.hpp: runs the selected checks, each in a forked process of its own
// inside a fresh sandbox, at most --jobs at a time, and collects their results.
#pragma once
#include "check.hpp"
#include "clock.hpp"
#include "result.hpp"
#include "sandbox.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipcg {

// One check to run, with where its lab's programs are.
struct Job {
  const Lab *lab;
  const Check *check;
  std::string bindir;                      // staged copies of the lab's programs
  std::optional<std::string> build_error;  // set: the lab did not build
  std::map<std::string, std::string> broken;  // programs that did not build: their first error
};

struct RunOptions {
  int jobs = 1;
  double slow = 1.0;
  Isolation isolation = Isolation::unique_names;
  uid_t uid_base = 3000000;  // students run as uid_base + job slot (as root)
  bool progress = false;     // a progress line on stderr
  std::vector<std::string> hidden;  // folders students may not read (see Sandbox)
  std::string staging;              // the staging folder (the one of /run students see)
  pid_t uid_holder = 0;             // the child holding the students' uids (core/uids.hpp)
  // Every check ends by then (--time-limit): one that could not is not run
  // and scores 0, saying so; the checks of labs whose programs hang go last.
  std::optional<Clock::time_point> finish_by;
  int time_limit = 0;  // the seconds finish_by stands for, for the note
};

// Run every job; results come back in the jobs' order. Returns early (with
// what it has) if the grader is interrupted: then `interrupted` is set.
std::vector<Result> run_jobs(const std::vector<Job> &jobs, const RunOptions &opt,
                             bool &interrupted);

// Objects left behind anywhere in a lab cost that lab's cleanup check its points.
void charge_leftovers(std::vector<Result> &results, const std::vector<Job> &jobs);

}  // namespace ipcg
