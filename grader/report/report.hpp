// report.hpp: turning results into what people and services read. A report
// only formats: it never runs anything.
#pragma once
#include "../core/access.hpp"
#include "../core/result.hpp"

#include <string>
#include <vector>

namespace ipcg {

struct TextStyle {
  bool colour = false;   // ANSI colours (only on a terminal)
  bool verbose = false;  // the full trace of every check
  std::string rerun;     // the command prefix that reruns one check verbosely
  std::string command;   // how the user grades ("./kit grade"), for a step's command
  std::string setup;     // which isolation, and which capabilities were missing
                         // (Setup::isolation): the first line, "isolation: ..."
};

// The "isolation: ..." line (when style.setup is set), the score table,
// failure explanations and the closing "Score: X/Y" line.
std::string text_report(const std::vector<Result> &results, const TextStyle &style);

// A Gradescope results.json: score, execution_time and tests[]; with a
// setup, "extra_data": {"isolation": ..., "missing_capabilities": [...]}.
std::string gradescope_json(const std::vector<Result> &results, double execution_time,
                            const Setup &setup = {});

// A PrairieLearn external grader's results.json: score (0 to 1), gradable,
// message, output (`text`, the text report) and tests[] (name, description,
// points, max_points, output, and message when it did not pass). Kept under
// PrairieLearn's 1 MB limit by cutting long texts. When the grader itself
// failed on a check (Status::error) it is not gradable: no attempt is charged.
// With a setup, also "isolation" and "missing_capabilities".
std::string prairielearn_json(const std::vector<Result> &results, const std::string &text,
                              const Setup &setup = {});

// Autolab's autoresult line, {"scores": {"<lab id>": points, ...}}: the
// points earned in each lab that has results, in course order. Ends in "\n".
std::string autolab_scores(const std::vector<Result> &results);

// When the grader failed before it had results, each format says so, and
// that this is not a grade. `why` is the reason, one line.
std::string grader_failure_message(const std::string &why);
// Gradescope: score 0, an output saying why, "extra_data": {"grader_failed": true}.
std::string gradescope_failure_json(const std::string &why);
// PrairieLearn: "gradable": false with the message (no score at all).
std::string prairielearn_failure_json(const std::string &why);
// Autolab: the message on one line, then the autoresult {"scores": {}},
// which scores no problem, so Autolab records no score rather than a 0.
std::string autolab_failure_lines(const std::string &why);

// Write `text` to `path` whole or not at all: into a temporary file in the
// same folder, then rename() over `path` (mode 0644). Throws
// std::system_error naming the call that failed.
void write_atomically(const std::string &path, const std::string &text);

}  // namespace ipcg
