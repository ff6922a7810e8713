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

std::string autolab_failure_line(const std::string &why) {
  // Not JSON on purpose: Autolab then records no score at all, not a 0.
  std::string line = grader_failure_message(why);
  for (char &c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line + "\n";
}

}  // namespace ipcg
