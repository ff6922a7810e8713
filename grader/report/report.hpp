// report.hpp: turning results into what people and services read. A report
// only formats: it never runs anything.
#pragma once
#include "../core/runner.hpp"

#include <string>
#include <vector>

namespace ipcg {

struct TextStyle {
  bool colour = false;   // ANSI colours (only on a terminal)
  bool verbose = false;  // the full trace of every check
  std::string rerun;     // the command prefix that reruns one check verbosely
};

// The score table, failure explanations and the closing "Score: X/Y" line.
std::string text_report(const std::vector<Result> &results, const TextStyle &style);

// A Gradescope results.json: score, execution_time and tests[].
std::string gradescope_json(const std::vector<Result> &results, double execution_time);

}  // namespace ipcg
