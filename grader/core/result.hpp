// result.hpp: what one check came to, as data: its status, score, the
// explanation of a failure, and the objects it left behind. The runner makes
// results; the reports (grader/report/) read nothing else of the engine.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ipcg {

// unobserved: the grader could not make an observation the check needs (a
// capability the container did not grant it); the student is not charged.
enum class Status { passed, failed, error, not_built, unobserved };
std::string_view status_word(Status s);

// An IPC object found in a sandbox when its check ended.
struct Leftover {
  std::string kind;  // "POSIX message queue", "System V semaphore set", ...
  std::string name;  // "/prio", "key 0x49500001", ...
  std::string describe() const { return kind + " " + name; }
};

// What one check came to. Nothing here refers back to the check that made it.
struct Result {
  std::string lab, id, title, section, handout;
  int score = 0, max = 0;
  Status status = Status::error;
  std::string expected, observed, cause;  // on failure
  std::vector<std::string> log;           // the verbose trace
  std::vector<Leftover> leftovers;        // objects found in its sandbox at the end
  double seconds = 0;
  bool not_started = false;    // a program it ran was still the skeleton's todo() (exit 70)
  std::string program_stderr;  // a failed program's own words: "`cmd` wrote: ..." (visible)
  std::string not_built;       // the program whose build failed, when only it did not build
  std::string rerun;           // what reruns its verdict when "LAB/ID" alone would not:
                               // "channels", for a cleanup check charged for other checks' objects
};

}  // namespace ipcg
