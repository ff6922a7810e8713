// submission.hpp: a student's submission as sources (a labs/ folder, or a
// copy of the whole repository holding one), built lab by lab in a private
// folder with the kit's own build files, so that what a student changed in
// a meson.build cannot change how the grader builds or runs.
#pragma once
#include "check.hpp"
#include "clock.hpp"
#include "process.hpp"

#include <sys/types.h>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ipcg {

// The folder of a submission's labs: DIR/labs, or DIR itself when it holds
// NN-topic folders (an upload of just the lab folders). Throws UsageError
// naming what is wrong when it has neither.
std::filesystem::path find_labs_folder(const std::filesystem::path &dir);

// The SHA-256 of `bytes`, in hex (OpenSSL's EVP interface).
std::string sha256_hex(const std::string &bytes);

// The limits every compiler, linker and build tool of a submission runs
// under (hard = soft): CPU, memory, file size and processes; with the
// deadlines below, a build bomb costs its lab, never the grading.
StudentLimits build_limits();
// The limits in words: "60 s of CPU, 1536 MiB of memory, ...".
std::string describe(const StudentLimits &l);

// Wall-clock time for one lab's build (meson setup and ninja), and for all
// the labs of one submission together: 5 labs built and graded fit
// Gradescope's 9 minutes.
constexpr auto lab_build_time = std::chrono::seconds(120);
constexpr auto build_budget = std::chrono::seconds(300);

// Builds one submission's labs. Its files are read, never followed: a lab
// file that is a symbolic link (or passes through one), a FIFO, a device or
// over 1 MiB does not build, with a note saying so. The programs of lab L land in
// root()/L.dir/. With a cache folder, a lab whose files are byte for byte
// those of a lab built before is not built again (a class of untouched
// skeletons costs one build); the cache is shared by concurrent graders.
// Its keys are SHA-256 digests of an unambiguous encoding of the lab's file
// names and bytes, the kit's build files and version, the toolchain's
// versions and the build limits; entries are renamed into place whole.
// Only what the same files would always give is cached: a build that ran out
// of time or into a limit (or was killed) is that run's result alone.
// The submission's own folder and every folder and file beneath it are
// opened from a folder descriptor without following any link (openat2's
// RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH, else O_NOFOLLOW step by step), so a
// labs/ swapped for a link after find_labs_folder() looked is refused.
class SubmissionBuild {
 public:
  // `labs` from find_labs_folder(); `kit` the kit's source folder (its
  // labs/ gives each lab's meson.build and file list). As root the compiler
  // runs as `builder_uid`, never as root.
  // `hidden`: folders the compiler may not read (see Spawn::hidden).
  SubmissionBuild(std::filesystem::path labs, std::filesystem::path kit,
                  std::optional<std::filesystem::path> cache, std::optional<uid_t> builder_uid,
                  std::vector<std::string> hidden, std::string kit_version);
  SubmissionBuild(const SubmissionBuild &) = delete;
  SubmissionBuild &operator=(const SubmissionBuild &) = delete;
  ~SubmissionBuild();

  // Build one lab; nullopt when it built, else what went wrong (the
  // compiler's first error, or the file that is missing).
  std::optional<std::string> build(const Lab &lab);
  // Where the built labs' programs are, as NN-topic/<program>.
  const std::filesystem::path &root() const { return bin_; }
  // Give each lab's build at most `lab`, and all the builds from now on at
  // most `all` (lab_build_time and build_budget unless told otherwise).
  void limit_time(Clock::duration lab, Clock::duration all);

 private:
  // A lab's files: (name, bytes), in the kit's order.
  using Sources = std::vector<std::pair<std::string, std::string>>;
  std::string cache_key(const Lab &lab, const Sources &files);
  std::optional<std::string> compile(const Lab &lab, const Sources &files,
                                     const std::filesystem::path &unit);
  std::string transient(std::string why);
  std::optional<std::string> run_step(std::vector<std::string> argv,
                                      const std::filesystem::path &cwd, Deadline until);
  std::filesystem::path labs_, kit_, work_, bin_;
  std::optional<std::filesystem::path> cache_;
  std::optional<uid_t> uid_;
  std::vector<std::string> hidden_;
  std::string kit_version_, toolchain_;
  Clock::time_point builds_end_;
  Clock::duration lab_time_ = lab_build_time;
  Clock::duration all_time_ = build_budget;
  bool transient_ = false;  // the last compile() failed in a way that may not recur
};

}  // namespace ipcg
