// registry.cpp: the list of labs, selector matching, steps, and the
// registry's own words about each check (--explain, --list --json).
#include "registry.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace ipcg {

// A lab's table with its contract attached.
static Lab with_contract(Lab lab, Contract contract) {
  lab.contract = std::move(contract);
  return lab;
}

const std::vector<Lab> &all_labs() {
  static const std::vector<Lab> labs{with_contract(mqueue_lab(), mqueue_contract()),
                                     with_contract(mmap_lab(), mmap_contract()),
                                     with_contract(shm_lab(), shm_contract()),
                                     with_contract(sem_lab(), sem_contract()),
                                     with_contract(channels_lab(), channels_contract())};
  return labs;
}

// "mqueue, mmap, ..." for error messages.
static std::string lab_ids() {
  std::string s;
  for (const auto &l : all_labs()) s += (s.empty() ? "" : ", ") + std::string(l.id);
  return s;
}

// Is this check named by this selector?
static bool matches(const std::string &sel, const Lab &lab, const Check &c) {
  if (sel == lab.id || sel == lab.dir) return true;
  auto slash = sel.find('/');
  if (slash == std::string::npos) return false;
  std::string l = sel.substr(0, slash), id = sel.substr(slash + 1);
  return (l == lab.id || l == lab.dir) && id == c.id;
}

std::vector<std::pair<const Lab *, const Check *>> select_checks(
    const std::vector<std::string> &selectors) {
  std::vector<std::pair<const Lab *, const Check *>> picked;
  for (const auto &sel : selectors) {
    bool any = false;
    for (const auto &lab : all_labs())
      for (const auto &c : lab.checks) any = matches(sel, lab, c) || any;
    if (any) continue;
    if (sel.find('/') == std::string::npos)
      throw UsageError(
          fmt::format("unknown lab '{}' (labs: {}; --list shows every check)", sel, lab_ids()));
    throw UsageError(fmt::format("unknown check '{}' (--list shows every check)", sel));
  }
  for (const auto &lab : all_labs())
    for (const auto &c : lab.checks) {
      bool wanted = selectors.empty() ||
                    std::any_of(selectors.begin(), selectors.end(),
                                [&](const std::string &s) { return matches(s, lab, c); });
      if (wanted) picked.push_back({&lab, &c});
    }
  return picked;
}

std::optional<int> step_of(const Check &c) {
  std::string_view s = c.section;
  if (!s.starts_with("Step ")) return std::nullopt;
  s.remove_prefix(5);
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end == s.data() || end == s.data() + s.size() || *end != ':' || n < 1)
    return std::nullopt;
  return n;
}

// The lab whose id or folder name is `sel`, or nullptr.
static const Lab *find_lab(std::string_view sel) {
  for (const auto &lab : all_labs())
    if (sel == lab.id || sel == lab.dir) return &lab;
  return nullptr;
}

// "1, 2, 3": the steps of `lab` that have checks, in order.
static std::string steps_with_checks(const Lab &lab) {
  std::vector<int> steps;
  for (const auto &c : lab.checks)
    if (auto n = step_of(c)) steps.push_back(*n);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return fmt::format("{}", fmt::join(steps, ", "));
}

std::vector<std::pair<const Lab *, const Check *>> select_step(
    const std::vector<std::string> &selectors, int step) {
  if (selectors.empty())
    throw UsageError(fmt::format(
        "--step {0} needs one lab to take step {0} of, as in: mqueue --step {0} (labs: {1})", step,
        lab_ids()));
  if (selectors.size() > 1)
    throw UsageError(fmt::format("--step {} takes exactly one lab, not {} selectors ({})", step,
                                 selectors.size(), fmt::join(selectors, " ")));
  const std::string &sel = selectors.front();
  const Lab *lab = find_lab(sel);
  if (!lab && sel.find('/') != std::string::npos) {
    select_checks({sel});  // an unknown check throws its own message
    throw UsageError(
        fmt::format("--step {} takes a lab, not the check '{}': give the lab (--step) or the check",
                    step, sel));
  }
  if (!lab)
    throw UsageError(
        fmt::format("unknown lab '{}' (labs: {}; --list shows every check)", sel, lab_ids()));
  std::vector<std::pair<const Lab *, const Check *>> picked;
  for (const auto &c : lab->checks)
    if (step_of(c) == step) picked.push_back({lab, &c});
  if (picked.empty())
    throw UsageError(fmt::format("lab {} has no checks in step {} (steps with checks: {})", lab->id,
                                 step, steps_with_checks(*lab)));
  return picked;
}

std::pair<const Lab *, const Check *> find_check(const std::string &selector,
                                                 std::string_view prog) {
  auto slash = selector.find('/');
  std::string lab_part = selector.substr(0, slash);
  const Lab *lab = find_lab(lab_part);
  if (!lab)
    throw UsageError(
        fmt::format("--explain {}: no lab '{}' (labs: {}; {} --list shows every check)", selector,
                    lab_part, lab_ids(), prog));
  if (slash == std::string::npos)
    throw UsageError(fmt::format(
        "--explain {}: name one check of the lab, as LAB/CHECK ({} --list shows every check)",
        selector, prog));
  std::string id = selector.substr(slash + 1);
  for (const auto &c : lab->checks)
    if (c.id == id) return {lab, &c};
  throw UsageError(
      fmt::format("--explain {}: lab {} has no check '{}' ({} --list shows every check)", selector,
                  lab->id, id, prog));
}

// `text` wrapped at word boundaries to lines of at most `width` characters,
// each line starting with `indent`.
static std::string wrapped(std::string_view text, std::string_view indent, size_t width = 78) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!line.empty() && indent.size() + line.size() + 1 + word.size() > width) {
      out += fmt::format("{}{}\n", indent, line);
      line.clear();
    }
    if (!word.empty()) line += (line.empty() ? "" : " ") + std::string(word);
    start = end + 1;
  }
  if (!line.empty()) out += fmt::format("{}{}\n", indent, line);
  return out;
}

std::string explain(const Lab &lab, const Check &c, std::string_view prog) {
  std::string o = fmt::format("{}/{}: {} ({} points)\n\n", lab.id, c.id, c.title, c.points);
  o += "What the grader does and observes:\n" + wrapped(c.does, "  ");
  o += "\nUsual cause when it fails:\n" + wrapped(c.usual_cause, "  ");
  o += fmt::format("\nRead:      handouts/{}.md, \"{}\"\n", lab.dir, c.section);
  o += fmt::format("Run it:    {} -v {}/{}\n", prog, lab.id, c.id);
  if (auto n = step_of(c)) o += fmt::format("Its step:  {} {} --step {}\n", prog, lab.id, *n);
  return o;
}

// The program a clause binds: the part of its id before the '/'.
static std::string_view clause_program(const Clause &c) {
  return c.id.substr(0, c.id.find('/'));
}

// A lab's clauses as JSON: id, program, quote, checks.
static nlohmann::ordered_json contract_json(const Contract &contract) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto &c : contract.clauses)
    out.push_back({{"id", c.id},
                   {"program", clause_program(c)},
                   {"quote", c.quote},
                   {"checks", c.checks}});
  return out;
}

std::string registry_json() {
  nlohmann::ordered_json labs = nlohmann::ordered_json::array();
  for (const auto &lab : all_labs()) {
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    int points = 0;
    for (const auto &c : lab.checks) {
      auto step = step_of(c);
      checks.push_back({{"id", c.id},
                        {"title", c.title},
                        {"points", c.points},
                        {"section", c.section},
                        {"step", step ? nlohmann::ordered_json(*step) : nullptr},
                        {"deadline_ms", c.deadline.count()},
                        {"does", c.does},
                        {"usual_cause", c.usual_cause},
                        {"cleanup", c.cleanup}});
      points += c.points;
    }
    labs.push_back({{"id", lab.id},
                    {"dir", lab.dir},
                    {"title", lab.title},
                    {"handout", fmt::format("handouts/{}.md", lab.dir)},
                    {"programs", lab.programs},
                    {"points", points},
                    {"checks", checks},
                    {"contract", contract_json(lab.contract)},
                    {"prose", lab.contract.prose}});
  }
  return nlohmann::ordered_json{{"labs", labs}}.dump(2) + "\n";
}

std::string coverage_text() {
  std::string o;
  for (const auto &lab : all_labs()) {
    size_t bare = 0;
    for (const auto &c : lab.contract.clauses) bare += c.checks.empty();
    o += fmt::format("{} (handouts/{}.md, \"Contract\"): {} clauses, {} without a check\n",
                     lab.id, lab.dir, lab.contract.clauses.size(), bare);
    for (const auto &c : lab.contract.clauses)
      o += fmt::format("  {:<28} {}\n{}", c.id,
                       c.checks.empty() ? "NOT CHECKED" : fmt::format("{}", fmt::join(c.checks, ", ")),
                       wrapped(fmt::format("\"{}\"", c.quote), "      "));
  }
  return o;
}

}  // namespace ipcg
