// gradescope.cpp: results.json in the Gradescope autograder format.
#include "report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ipcg {

// The output text Gradescope shows under one test.
static std::string gradescope_output(const Result &r) {
  if (r.status == Status::passed) return r.title;
  std::string o = fmt::format("{}: {}\n", status_word(r.status), r.title);
  if (!r.expected.empty()) o += "expected: " + r.expected + "\n";
  if (!r.not_built.empty()) o += "skipped: " + r.not_built + " did not build\n";
  if (!r.observed.empty()) o += "observed: " + r.observed + "\n";
  if (!r.program_stderr.empty()) o += "stderr: " + r.program_stderr + "\n";
  if (!r.cause.empty()) o += "cause: " + r.cause + "\n";
  o += fmt::format("read: {}, \"{}\"\n", r.handout, r.section);
  return o;
}

std::string gradescope_json(const std::vector<Result> &results, double execution_time,
                            const Setup &setup) {
  nlohmann::json tests = nlohmann::json::array();
  int score = 0, n = 0;
  std::string lab;
  int lab_no = 0;
  for (const auto &r : results) {
    if (r.lab != lab) lab = r.lab, ++lab_no, n = 0;
    tests.push_back({{"name", fmt::format("{}/{}: {}", r.lab, r.id, r.title)},
                     {"number", fmt::format("{}.{}", lab_no, ++n)},
                     {"score", r.score},
                     {"max_score", r.max},
                     {"status", r.status == Status::passed || r.status == Status::unobserved
                                    ? "passed"  // not charged
                                    : "failed"},
                     {"output", gradescope_output(r)},
                     {"visibility", "visible"}});
    score += r.score;
  }
  nlohmann::json doc{{"score", score}, {"execution_time", execution_time}, {"tests", tests}};
  if (!setup.isolation.empty())
    doc["extra_data"] = {{"isolation", setup.isolation},
                         {"missing_capabilities", setup.missing}};
  if (!setup.unbounded.empty()) {  // shown above the tests, and kept as data
    doc["output"] = "note: " + setup.unbounded;
    doc["extra_data"]["unbounded"] = setup.unbounded;
  }
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string gradescope_failure_json(const std::string &why) {
  // Gradescope needs a score; the output and extra_data say it is none.
  std::string message = grader_failure_message(why);
  nlohmann::json doc{{"score", 0},
                     {"output", message},
                     {"extra_data", {{"grader_failed", true}}},
                     {"tests", nlohmann::json::array()}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ipcg
