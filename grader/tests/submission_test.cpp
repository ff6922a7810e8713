// submission_test.cpp: what a submission's build reads, where it works and
// what it caches (grader/core/submission.hpp), and the private copies of a
// check's programs (PrivatePrograms, grader/core/tree.hpp).
#include "../core/process.hpp"
#include "../core/registry.hpp"
#include "../core/submission.hpp"
#include "../core/tree.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace ipcg;
namespace fs = std::filesystem;

namespace {

// A fresh folder under /var/tmp, removed with everything in it at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = "/var/tmp/ipcg-subtest.XXXXXX";
    if (!mkdtemp(tmpl.data())) throw_errno("mkdtemp " + tmpl);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The mqueue lab of the registry.
const Lab &mqueue() {
  for (const auto &lab : all_labs())
    if (lab.id == "mqueue") return lab;
  throw std::runtime_error("no mqueue lab");
}

// A submission at `dir`: labs/ holding a copy of the kit's mqueue skeleton,
// every source replaced by `text` when it is not empty.
fs::path make_submission(const fs::path &dir, const std::string &text = "") {
  fs::path lab = dir / "labs" / mqueue().dir;
  fs::create_directories(lab.parent_path());
  fs::copy(fs::path(KIT_SOURCE) / "labs" / mqueue().dir, lab, fs::copy_options::recursive);
  if (!text.empty())
    for (const auto &e : fs::directory_iterator(lab))
      if (e.path().filename() != "meson.build") std::ofstream(e.path()) << text;
  return dir;
}

// The cache entries of the mqueue lab in `cache`.
int entries_of_mqueue(const fs::path &cache) {
  int n = 0;
  for (const auto &e : fs::directory_iterator(cache))
    n += e.path().filename().string().starts_with(mqueue().dir);
  return n;
}

// How running `path` as `uid` (with no other group) ended.
Outcome run_as(const std::string &path, uid_t uid) {
  Spawn s;
  s.path = path;
  s.argv = {path};
  s.uid = uid;
  Process p = Process::start(s);
  return p.wait(Clock::now() + std::chrono::seconds(10));
}

}  // namespace

TEST_CASE("a build that ran out of the grader's time is not kept in the build cache" *
          doctest::timeout(120)) {
  TempDir t;
  fs::path labs = find_labs_folder(make_submission(t.path / "student"));
  fs::path cache = t.path / "cache";
  {
    SubmissionBuild b(labs, KIT_SOURCE, cache, std::nullopt, {}, "test");
    b.limit_time(lab_build_time, Clock::duration::zero());  // the budget is spent
    auto error = b.build(mqueue());
    REQUIRE(error);
    CHECK(error->find("ran out") != std::string::npos);
    CHECK(entries_of_mqueue(cache) == 0);
  }
  {
    SubmissionBuild b(labs, KIT_SOURCE, cache, std::nullopt, {}, "test");
    b.limit_time(std::chrono::milliseconds(1), build_budget);  // meson is cut short
    auto error = b.build(mqueue());
    REQUIRE(error);
    CHECK(error->find("took too long") != std::string::npos);
    CHECK(entries_of_mqueue(cache) == 0);
  }
}

TEST_CASE("a labs/ folder swapped for a link after it was found is refused, not followed" *
          doctest::timeout(120)) {
  TempDir t;
  fs::path student = make_submission(t.path / "student");
  fs::path elsewhere = make_submission(t.path / "elsewhere", "#error READ_THROUGH_THE_LINK\n");
  SubmissionBuild b(find_labs_folder(student), KIT_SOURCE, std::nullopt, std::nullopt, {}, "test");
  // Between the check and the use: labs/ becomes a link to another folder's.
  fs::rename(student / "labs", student / "labs.real");
  fs::create_directory_symlink(elsewhere / "labs", student / "labs");
  auto error = b.build(mqueue());
  REQUIRE(error);
  CHECK(error->find("\"labs\"/ is a symbolic link") != std::string::npos);
  CHECK(error->find("READ_THROUGH_THE_LINK") == std::string::npos);
  // A lab folder inside that is a link is refused as well.
  fs::remove(student / "labs");
  fs::create_directory(student / "labs");
  fs::create_directory_symlink(elsewhere / "labs" / mqueue().dir,
                               student / "labs" / mqueue().dir);
  error = b.build(mqueue());
  REQUIRE(error);
  CHECK(error->find(fmt::format("\"{}\"/ is a symbolic link", mqueue().dir)) != std::string::npos);
}

TEST_CASE("a submission's build folder is closed to every other user" * doctest::timeout(60)) {
  TempDir t;
  check(chmod(t.path.c_str(), 0755), "chmod");
  fs::path labs = find_labs_folder(make_submission(t.path / "student"));
  const char *old = getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", t.path.c_str(), 1);
  std::optional<uid_t> builder;
  if (geteuid() == 0) builder = (1u << 30) + static_cast<uid_t>(getpid());
  int folders = 0;
  {
    SubmissionBuild b(labs, KIT_SOURCE, std::nullopt, builder, {}, "test");
    for (const auto &e : fs::directory_iterator(t.path)) {
      if (!e.path().filename().string().starts_with("ipcgrade-build.")) continue;
      ++folders;
      struct stat st {};
      REQUIRE(stat(e.path().c_str(), &st) == 0);
      CHECK((st.st_mode & 07) == 0);  // others: nothing
      if (builder) {  // the builder passes through (its gid) and lists nothing
        CHECK((st.st_mode & 0777) == 0710);
        CHECK(st.st_gid == *builder);
      } else {
        CHECK((st.st_mode & 0777) == 0700);
      }
    }
  }
  if (old) setenv("TMPDIR", saved.c_str(), 1);
  else unsetenv("TMPDIR");
  CHECK(folders == 1);
}

TEST_CASE("a check's private programs run as its student uid and as no other" *
          doctest::timeout(30)) {
  if (geteuid() != 0) return;  // only root runs a process as another uid
  TempDir t;
  check(chmod(t.path.c_str(), 0711), "chmod");
  fs::path shared = t.path / "shared" / "01-mqueue";
  fs::create_directories(shared);
  fs::copy_file("/bin/true", shared / "mq_recv");
  check(chmod(shared.c_str(), 0755), "chmod");
  check(chmod((shared / "mq_recv").c_str(), 0755), "chmod");
  uid_t student = 3000000 + 64u * static_cast<uid_t>(getpid()), classmate = student + 1;
  fs::path top;
  {
    PrivatePrograms own(t.path, shared.string(), student);
    std::string prog = own.bindir() + "/mq_recv";
    CHECK(fs::path(own.bindir()).filename() == "01-mqueue");  // argv[0] keeps its shape
    top = fs::path(own.bindir()).parent_path();
    CHECK(top.parent_path() == t.path);
    Outcome mine = run_as(prog, student);
    CHECK(mine.exited);
    CHECK(mine.code == 0);
    Outcome theirs = run_as(prog, classmate);
    CHECK(theirs.exec_failed);
    CHECK(theirs.err.find("Permission denied") != std::string::npos);
  }
  CHECK(!fs::exists(top));  // gone with its owner
}
