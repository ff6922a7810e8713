// autolab.cpp: Autolab's autoresult, the last line of the grader's stdout:
// {"scores": {"mqueue": 12, "mmap": 20, ...}}, one problem per lab id.
#include "report.hpp"

#include <nlohmann/json.hpp>

namespace ipcg {

std::string autolab_scores(const std::vector<Result> &results) {
  // ordered_json keeps the labs in course order, as the results come.
  nlohmann::ordered_json scores = nlohmann::ordered_json::object();
  for (const auto &r : results) {
    if (!scores.contains(r.lab)) scores[r.lab] = 0;
    scores[r.lab] = scores[r.lab].get<int>() + r.score;
  }
  nlohmann::ordered_json line{{"scores", scores}};
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string autolab_failure_lines(const std::string &why) {
  // The message on one line, then an autoresult that scores no problem: Autolab
  // stops at "Empty autoresult string" and records no score at all, not a 0.
  // tools/autolab/driver ends so too when the grader itself cannot.
  std::string line = grader_failure_message(why);
  for (char &c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line + "\n" + R"({"scores": {}})" + "\n";
}

}  // namespace ipcg
