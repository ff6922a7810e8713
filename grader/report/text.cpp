// text.cpp: the report a student reads, xv6-gradelib style, with check50-style
// explanations of every failure.
#include "report.hpp"

#include <fmt/format.h>

namespace ipcg {
namespace {

// `s` wrapped in an ANSI colour when colours are on.
std::string paint(const TextStyle &st, const char *code, std::string_view s) {
  if (!st.colour) return std::string(s);
  return fmt::format("\033[{}m{}\033[0m", code, s);
}

// The verdict word of one check, coloured.
std::string verdict(const TextStyle &st, const Result &r) {
  switch (r.status) {
    case Status::passed:
      return paint(st, "32", "ok");
    case Status::failed:
      return paint(st, "31", "FAILED");
    case Status::error:
      return paint(st, "35", "ERROR");
    case Status::not_built:
      return paint(st, "33", "DID NOT BUILD");
    case Status::unobserved:
      return paint(st, "36", "NOT OBSERVED");
  }
  return "?";
}

// The explanation under a check that did not pass.
void explain(std::string &o, const Result &r, const TextStyle &st) {
  auto line = [&](std::string_view label, const std::string &text) {
    if (!text.empty()) o += fmt::format("      {:<9} {}\n", label, text);
  };
  if (r.status == Status::not_built) {
    line("error:", r.observed);
    line("fix:", "make the lab compile: the first compiler error is shown above");
    return;
  }
  line("expected:", r.expected);
  line("observed:", r.observed);
  line("cause:", r.cause);
  line("read:", fmt::format("{}, \"{}\"", r.handout, r.section));
  line("rerun:", fmt::format("{} {}/{}", st.rerun, r.lab, r.id));
}

}  // namespace

std::string text_report(const std::vector<Result> &results, const TextStyle &st) {
  std::string o;
  if (!st.setup.empty()) o += "isolation: " + st.setup + "\n";
  int score = 0, max = 0;
  std::string lab;
  for (const auto &r : results) {
    if (r.lab != lab) {
      lab = r.lab;
      o += fmt::format("== {} ({}) ==\n", paint(st, "1", lab), r.handout);
    }
    o += fmt::format("  {:<24} {:<52} {:>2}/{:<2} {} ({:.2f}s)\n", r.id, r.title, r.score, r.max,
                     verdict(st, r), r.seconds);
    if (r.status != Status::passed) explain(o, r, st);
    if (st.verbose) {
      for (const auto &l : r.log) o += "      | " + l + "\n";
      for (const auto &l : r.leftovers) o += "      | left behind: " + l + "\n";
    }
    score += r.score;
    max += r.max;
  }
  o += fmt::format("Score: {}/{}\n", score, max);
  return o;
}

}  // namespace ipcg
