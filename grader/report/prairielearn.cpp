// prairielearn.cpp: results.json in PrairieLearn's external grader format
// (/grade/results/results.json: score 0..1, gradable, message, output, tests[]).
#include "report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ipcg {
namespace {

using nlohmann::json;

// PrairieLearn refuses a results file over 1 MB; stay well below it.
constexpr size_t size_limit = 900 * 1000;

// `s` cut to at most `cap` bytes, saying that it was cut.
std::string capped(const std::string &s, size_t cap) {
  if (s.size() <= cap) return s;
  return s.substr(0, cap) + fmt::format("\n... ({} more bytes cut)", s.size() - cap);
}

// The text shown under one test: what failed and where to read about it.
std::string prairielearn_output(const Result &r) {
  if (r.status == Status::passed) return r.title;
  std::string o = fmt::format("{}: {}\n", status_word(r.status), r.title);
  if (!r.expected.empty()) o += "expected: " + r.expected + "\n";
  if (!r.not_built.empty()) o += "skipped: " + r.not_built + " did not build\n";
  if (!r.observed.empty()) o += "observed: " + r.observed + "\n";
  if (!r.program_stderr.empty()) o += "stderr: " + r.program_stderr + "\n";
  if (!r.cause.empty()) o += "cause: " + r.cause + "\n";
  if (r.status != Status::not_built) o += fmt::format("read: {}, \"{}\"\n", r.handout, r.section);
  return o;
}

// The one-line verdict of a test that did not pass.
std::string test_message(const Result &r) {
  std::string word(status_word(r.status));
  if (r.status == Status::not_built) return word + ": make the lab compile";
  return r.cause.empty() ? word : word + ": " + r.cause;
}

// One entry of tests[], its texts cut to `cap` bytes.
json test_entry(const Result &r, size_t cap) {
  json t{{"name", fmt::format("{}/{}", r.lab, r.id)},
         {"description", r.title},
         {"points", r.score},
         {"max_points", r.max},
         {"output", capped(prairielearn_output(r), cap)}};
  if (r.status != Status::passed) t["message"] = capped(test_message(r), cap);
  return t;
}

// The whole document with every text cut to `cap` bytes.
json document(const std::vector<Result> &results, const std::string &text, size_t cap,
              const Setup &setup) {
  int score = 0, max = 0, errors = 0;
  json tests = json::array();
  for (const auto &r : results) {
    tests.push_back(test_entry(r, cap));
    score += r.score;
    max += r.max;
    errors += r.status == Status::error;
  }
  json doc{{"gradable", true},
           {"score", max > 0 ? static_cast<double>(score) / max : 0.0},
           {"message", fmt::format("Score: {}/{}", score, max)},
           {"output", capped(text, cap * 16)},
           {"tests", tests}};
  if (!setup.isolation.empty()) {
    doc["isolation"] = setup.isolation;
    doc["missing_capabilities"] = setup.missing;
  }
  if (!setup.unbounded.empty()) doc["unbounded"] = setup.unbounded;
  if (errors > 0) {
    // The grader broke on some checks: PrairieLearn then charges no attempt.
    std::string why = fmt::format(
        "the grader itself failed on {} check(s) (see the tests marked error): this is not a "
        "grade; please report it",
        errors);
    doc["gradable"] = false;
    doc["message"] = fmt::format("Score: {}/{}; {}", score, max, why);
    doc["format_errors"] = json::array({why});
  }
  return doc;
}

// `doc` as text: invalid UTF-8 from student programs becomes U+FFFD, control
// bytes become \u escapes, so the file is always valid JSON.
std::string dump(const json &doc) {
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string prairielearn_json(const std::vector<Result> &results, const std::string &text,
                              const Setup &setup) {
  // Halve the texts' caps until the file fits PrairieLearn's limit.
  std::string out;
  for (size_t cap = 16 * 1024; cap >= 64; cap /= 2) {
    out = dump(document(results, text, cap, setup));
    if (out.size() <= size_limit) return out;
  }
  return out;
}

std::string prairielearn_failure_json(const std::string &why) {
  std::string message = grader_failure_message(why);
  json doc{{"gradable", false},
           {"message", message},
           {"output", message + "\n"},
           {"format_errors", json::array({message})},
           {"tests", json::array()}};
  return dump(doc);
}

}  // namespace ipcg
