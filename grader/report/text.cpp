// text.cpp: the report a student reads, xv6-gradelib style, with check50-style
// explanations of every failure. A lab not started yet is one line; a
// program that did not build is shown once, above the checks it skips.
#include "report.hpp"

#include <fmt/format.h>
#include <set>

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
      return paint(st, "33", r.not_built.empty() ? "DID NOT BUILD" : "SKIPPED");
    case Status::unobserved:
      return paint(st, "36", "NOT OBSERVED");
  }
  return "?";
}

// One labelled line of an explanation; nothing for an empty text.
void line(std::string &o, std::string_view label, const std::string &text) {
  if (!text.empty()) o += fmt::format("      {:<9} {}\n", label, text);
}

// The explanation under a check that did not pass.
void explain(std::string &o, const Result &r, const TextStyle &st) {
  if (r.status == Status::not_built) {
    if (!r.not_built.empty())
      line(o, "skipped:", fmt::format("{} did not build (its error is above)", r.not_built));
    return;
  }
  if (r.not_started && !st.verbose) {
    line(o, "todo:", fmt::format("not written yet: {}, \"{}\"", r.handout, r.section));
    return;
  }
  line(o, "expected:", r.expected);
  line(o, "observed:", r.observed);
  line(o, "stderr:", r.program_stderr);
  line(o, "cause:", r.cause);
  line(o, "read:", fmt::format("{}, \"{}\"", r.handout, r.section));
  line(o, "rerun:", fmt::format("{} {}", st.rerun, r.rerun.empty() ? r.lab + "/" + r.id : r.rerun));
}

// One check's row, its explanation and (verbose) its trace.
void check_row(std::string &o, const Result &r, const TextStyle &st) {
  o += fmt::format("  {:<24} {:<52} {:>2}/{:<2} {} ({:.2f}s)\n", r.id, r.title, r.score, r.max,
                   verdict(st, r), r.seconds);
  if (r.status != Status::passed) explain(o, r, st);
  if (st.verbose) {
    for (const auto &l : r.log) o += "      | " + l + "\n";
    for (const auto &l : r.leftovers) o += "      | left behind: " + l.describe() + "\n";
  }
}

// Nothing of the lab is written yet: every check ran into the skeleton's todo().
bool not_started(const std::vector<const Result *> &lab) {
  for (const auto *r : lab)
    if (r->status != Status::failed || !r->not_started) return false;
  return true;
}

// The walkthrough step of a "Step N: ..." section, or 0.
int step_number(const std::string &section) {
  int n = 0;
  return sscanf(section.c_str(), "Step %d:", &n) == 1 ? n : 0;
}

// A lab not started: one line that says where to begin.
void untouched_lab(std::string &o, const std::vector<const Result *> &lab, const TextStyle &st) {
  int max = 0;
  for (const auto *r : lab) max += r->max;
  const Result &first = *lab.front();
  std::string start = fmt::format("begin with {}, \"{}\"", first.handout, first.section);
  if (int n = step_number(first.section); n && !st.command.empty())
    start += fmt::format(" ({} {} --step {})", st.command, first.lab, n);
  o += fmt::format("{:<10} {:>3}/{:<3} {}: {}\n", paint(st, "1", first.lab), 0, max,
                   paint(st, "33", "not started"), start);
}

// The first compiler error of the lab, or of each of its programs that did
// not build, once, above the checks.
void build_errors(std::string &o, const std::vector<const Result *> &lab) {
  std::set<std::string> shown;
  for (const auto *r : lab) {
    if (r->status != Status::not_built || !shown.insert(r->not_built).second) continue;
    line(o, "error:", r->not_built.empty()
                          ? r->observed
                          : fmt::format("{} did not build: {}", r->not_built, r->observed));
  }
  if (shown.count(""))
    line(o, "fix:", "make the lab compile: the first compiler error is shown above");
  else if (!shown.empty())
    line(o, "fix:", "make it compile: the checks that run it are skipped, the others ran");
}

// One lab's part of the report.
void lab_report(std::string &o, const std::vector<const Result *> &lab, const TextStyle &st) {
  if (!st.verbose && not_started(lab)) {
    untouched_lab(o, lab, st);
    return;
  }
  o += fmt::format("== {} ({}) ==\n", paint(st, "1", lab.front()->lab), lab.front()->handout);
  build_errors(o, lab);
  for (const auto *r : lab) check_row(o, *r, st);
}

}  // namespace

std::string text_report(const std::vector<Result> &results, const TextStyle &st) {
  std::string o;
  if (!st.setup.empty()) o += "isolation: " + st.setup + "\n";
  int score = 0, max = 0;
  std::vector<const Result *> lab;
  for (const auto &r : results) {
    if (!lab.empty() && r.lab != lab.front()->lab) {
      lab_report(o, lab, st);
      lab.clear();
    }
    lab.push_back(&r);
    score += r.score;
    max += r.max;
  }
  if (!lab.empty()) lab_report(o, lab, st);
  o += fmt::format("Score: {}/{}\n", score, max);
  return o;
}

}  // namespace ipcg
