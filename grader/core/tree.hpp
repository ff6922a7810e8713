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

// A temporary folder of program copies, readable and executable by anyone
// who knows its random name (until close_shared()), removed when this goes away.
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
  // Close the shared copies to every other uid (mode 0700): without
  // namespaces each check runs its programs from a PrivatePrograms folder.
  void close_shared();

 private:
  std::filesystem::path root_, programs_;  // programs_: root_/<random>
};

// Without namespaces, as root: one check's own view of its lab's staged
// programs, which no other uid may run or read. Another grader's student can
// read a program's full path from /proc/PID/cmdline (argv[0]); this folder
// (in the staging root, named by 128 random bits) belongs to root with the
// student's gid as its group and mode 0710, so only the check's student uid
// can pass through it. It holds hard links to the staged copies (root's,
// 0755), under the lab's folder name, so argv[0] keeps its usual shape.
// Removed when this goes away.
class PrivatePrograms {
 public:
  // Link the programs of `bindir` (a Staging::add folder) into a fresh folder
  // in `staging_root` that only `student` (uid, and gid) may enter.
  PrivatePrograms(const std::filesystem::path &staging_root, const std::string &bindir,
                  uid_t student);
  PrivatePrograms(const PrivatePrograms &) = delete;
  PrivatePrograms &operator=(const PrivatePrograms &) = delete;
  ~PrivatePrograms();
  // The folder to run the programs from (in place of `bindir`).
  const std::string &bindir() const { return bindir_; }

 private:
  std::filesystem::path top_;
  std::string bindir_;
};

}  // namespace ipcg
