// tree.hpp: where a lab's programs come from (build/labs, build/solutions or
// any DIR), building them lab by lab, and staging copies the sandboxed
// student uid may execute.
#pragma once
#include "check.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace ipcg {

// Build one lab of a tree with ninja (target "<tree>-<lab id>"). Returns the
// compiler's first error when it does not build, nullopt when it does.
std::optional<std::string> build_lab(const std::filesystem::path &builddir, const std::string &tree,
                                     const Lab &lab);

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
  // Copy the lab's programs from `from`; returns the folder holding the
  // copies, or an error naming the first program that is missing.
  std::string add(const Lab &lab, const std::filesystem::path &from,
                  std::optional<std::string> &missing);
  const std::filesystem::path &root() const { return root_; }

 private:
  std::filesystem::path root_, programs_;  // programs_: root_/<random>
};

}  // namespace ipcg
