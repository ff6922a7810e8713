// runner.hpp: runs the selected checks, each in a forked process of its own
// inside a fresh sandbox, at most --jobs at a time, and collects their results.
#pragma once
#include "check.hpp"
#include "sandbox.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipcg {

// unobserved: the grader could not make an observation the check needs (a
// capability the container did not grant it); the student is not charged.
enum class Status { passed, failed, error, not_built, unobserved };
std::string_view status_word(Status s);

// What one check came to. Nothing here refers back to the check that made it.
struct Result {
  std::string lab, id, title, section, handout;
  int score = 0, max = 0;
  Status status = Status::error;
  std::string expected, observed, cause;  // on failure
  std::vector<std::string> log;           // the verbose trace
  std::vector<std::string> leftovers;     // objects found in its sandbox at the end
  double seconds = 0;
  bool not_started = false;    // a program it ran was still the skeleton's todo() (exit 70)
  std::string program_stderr;  // a failed program's own words: "`cmd` wrote: ..." (visible)
  std::string not_built;       // the program whose build failed, when only it did not build
  std::string rerun;           // what reruns its verdict when "LAB/ID" alone would not:
                               // "channels", for a cleanup check charged for other checks' objects
};

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
};

// Run every job; results come back in the jobs' order. Returns early (with
// what it has) if the grader is interrupted: then `interrupted` is set.
std::vector<Result> run_jobs(const std::vector<Job> &jobs, const RunOptions &opt,
                             bool &interrupted);

// Objects left behind anywhere in a lab cost that lab's cleanup check its points.
void charge_leftovers(std::vector<Result> &results, const std::vector<Job> &jobs);

}  // namespace ipcg
