// registry.cpp: the list of labs and selector matching.
#include "registry.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace ipcg {

const std::vector<Lab> &all_labs() {
  static const std::vector<Lab> labs{mqueue_lab(), mmap_lab(), shm_lab(), sem_lab(), channels_lab()};
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

}  // namespace ipcg
