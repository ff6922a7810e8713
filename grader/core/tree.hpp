// tree.hpp: where a lab's programs come from (build/labs, build/solutions or
// any DIR), building them lab by lab, and staging copies the sandboxed
// student uid may execute.
#pragma once
#include "check.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace ipcg {

// How one lab of a tree built: each program that did not build, with its
// compiler's first error (only the checks that run it are skipped); or an
// error for the whole lab (ninja missing, or a failure no program explains).
struct LabBuild {
  std::optional<std::string> error;
  std::map<std::string, std::string> broken;
};

// Build one lab of a tree with ninja (target "<tree>-<lab id>"), going on
// past failures (-k 0), then find which programs are still out of date.
LabBuild build_lab(const std::filesystem::path &builddir, const std::string &tree, const Lab &lab);

// Throws UsageError (one line) when `tree` is "solutions" and the kit that
// `builddir` was configured from has none: a student release.
void require_tree(const std::filesystem::path &builddir, const std::string &tree);

// The first error in a compiler's output: the "error:" line and the source
// line under it, paths shortened; the last lines when there is no such line.
std::string first_compiler_error(const std::string &output);

// A temporary folder of program copies, readable and executable by anyone,
// removed when this goes away.
class Staging {
 public:
  Staging();
  Staging(const Staging &) = delete;
  Staging &operator=(const Staging &) = delete;
  ~Staging();
  // Copy the lab's programs from `from`, but those in `skip` (they did not
  // build); returns the folder holding the copies, or an error naming the
  // first program that is missing.
  std::string add(const Lab &lab, const std::filesystem::path &from,
                  std::optional<std::string> &missing,
                  const std::map<std::string, std::string> &skip = {});
  const std::filesystem::path &root() const { return root_; }

 private:
  std::filesystem::path root_, programs_;  // programs_: root_/<random>
};

}  // namespace ipcg
