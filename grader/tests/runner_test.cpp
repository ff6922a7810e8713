// runner_test.cpp: how objects left behind are charged to a lab's cleanup
// check (charge_leftovers in grader/core/runner.hpp), from hand-built results;
// and what a check process the runner had to kill leaves on the host.
#include "../core/runner.hpp"
#include "test_uids.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <mqueue.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace ipcg;
namespace fs = std::filesystem;

namespace {

// A lab with a plain check "data" and its cleanup check "cleanup".
const Lab &two_check_lab() {
  static const Lab lab{"mqueue", "01-mqueue", "title", {"mq_send"},
                       {{"data", "t", 2, "Step 1: a", Millis(1000), nullptr, "", ""},
                        {"cleanup", "t", 3, "Step 2: b", Millis(1000), nullptr, "", "", true}}};
  return lab;
}

// One passed result per check of the lab, and the jobs that made them.
struct Run {
  std::vector<Result> results;
  std::vector<Job> jobs;
};
Run passed_run() {
  Run r;
  for (const auto &c : two_check_lab().checks) {
    Result x;
    x.lab = "mqueue";
    x.id = std::string(c.id);
    x.status = Status::passed;
    x.score = x.max = c.points;
    r.results.push_back(x);
    r.jobs.push_back(Job{&two_check_lab(), &c, "", std::nullopt, {}});
  }
  return r;
}

}  // namespace

TEST_CASE("an object left by any check of a lab costs the lab's cleanup check its points") {
  Run run = passed_run();
  run.results[0].leftovers = {{"POSIX message queue", "/q"}};
  charge_leftovers(run.results, run.jobs);
  CHECK(run.results[0].status == Status::passed);
  CHECK(run.results[1].status == Status::failed);
  CHECK(run.results[1].score == 0);
  CHECK(run.results[1].observed.find("/q (left by mqueue/data)") != std::string::npos);
  SUBCASE("and its report reruns the whole lab, since the check alone would not see it") {
    CHECK(run.results[1].rerun == "mqueue");
  }
}

TEST_CASE("a cleanup check charged only for its own objects reruns alone") {
  Run run = passed_run();
  run.results[1].leftovers = {{"POSIX message queue", "/q"}};
  charge_leftovers(run.results, run.jobs);
  CHECK(run.results[1].status == Status::failed);
  CHECK(run.results[1].rerun.empty());
}

TEST_CASE("a lab that leaves nothing keeps its cleanup points") {
  Run run = passed_run();
  charge_leftovers(run.results, run.jobs);
  CHECK(run.results[1].status == Status::passed);
  CHECK(run.results[1].score == 3);
}

namespace {

// Where hanging_check() writes what it made ("KIND NAME" lines), and whether
// it stops the grader (SIGTERM to its parent) once it has.
std::string made_list;
bool stop_the_grader = false;

// A check that makes a POSIX queue, a shared memory object and a System V
// queue under its own names, a student process that makes an object of its
// own, and a file in its work folder; writes them all down; and hangs.
void hanging_check(Context &cx) {
  Sandbox &sb = cx.sandbox();
  std::string q = sb.name("q"), m = sb.name("m");
  key_t k = sb.key(1);
  std::ofstream made(made_list);
  mqd_t qd = mq_open(q.c_str(), O_CREAT | O_RDWR, 0600, nullptr);
  if (qd != (mqd_t)-1) made << "mq " << q << "\n";
  if (int fd = shm_open(m.c_str(), O_CREAT | O_RDWR, 0600); fd >= 0) made << "shm " << m << "\n";
  if (msgget(k, IPC_CREAT | 0600) >= 0) made << "msg " << k << "\n";
  std::ofstream(sb.workdir() + "/left.txt") << "a file";
  made << "dir " << sb.workdir() << "\n";
  if (auto uid = sb.student_uid()) {
    std::string stray = fmt::format("/unit-stray-{}", getpid());
    pid_t student = fork();
    if (student == 0) {
      if (setgid(*uid) < 0 || setuid(*uid) < 0) _exit(1);
      shm_open(stray.c_str(), O_CREAT | O_RDWR, 0600);
      for (;;) pause();
    }
    while (!fs::exists("/dev/shm" + stray)) std::this_thread::sleep_for(Millis(1));
    made << "shm " << stray << "\npid " << student << "\n";
  }
  made.close();
  if (stop_the_grader) kill(getppid(), SIGTERM);
  for (;;) pause();
}

// What `made_list` names that is still on the host, as "KIND NAME; " items;
// each is removed, so that a failing test leaves nothing either.
std::string still_on_host() {
  std::string left;
  std::ifstream in(made_list);
  for (std::string kind, name; in >> kind >> name;) {
    bool there = false;
    if (kind == "mq") there = mq_unlink(name.c_str()) == 0;
    if (kind == "shm") there = shm_unlink(name.c_str()) == 0;
    if (kind == "msg")
      if (int id = msgget(std::stoi(name), 0); id >= 0) there = msgctl(id, IPC_RMID, nullptr) == 0;
    if (kind == "dir") there = fs::remove_all(name) > 0;
    if (kind == "pid") {
      pid_t pid = std::stoi(name);
      there = kill(pid, 0) == 0;
      kill(pid, SIGKILL);
    }
    if (there) left += kind + " " + name + "; ";
  }
  return left;
}

// Run hanging_check() alone without namespaces, as a grader would; restore
// the signals run_jobs() blocks, taking a SIGTERM the check sent.
Result run_hanging_check(bool stop) {
  static const Lab lab{"unit", "00-unit", "title", {},
                       {{"hangs", "t", 1, "Step 1: a", Millis(50), hanging_check, "", ""}}};
  made_list = fmt::format("/tmp/ipcg-unit-made-{}", getpid());
  stop_the_grader = stop;
  RunOptions opt;
  opt.isolation = Isolation::unique_names;
  opt.uid_base = test_uid(8);
  opt.uid_holder = test_uid_claim().holder();
  bool interrupted = false;
  auto results = run_jobs({Job{&lab, &lab.checks[0], "", std::nullopt, {}}}, opt, interrupted);
  sigset_t stop_set = stop_signal_set();
  timespec now{};
  while (sigtimedwait(&stop_set, nullptr, &now) > 0) {
  }
  sigprocmask(SIG_UNBLOCK, &stop_set, nullptr);
  CHECK(interrupted == stop);
  REQUIRE(results.size() == 1);
  return results[0];
}

}  // namespace

TEST_CASE("a check process killed before its sweep leaves nothing on the host without namespaces" *
          doctest::timeout(60)) {
  for (bool stop : {false, true}) {
    CAPTURE(stop);
    Result r = run_hanging_check(stop);
    CHECK(r.status == Status::error);
    std::string log;
    for (const auto &line : r.log) log += line + "\n";
    CAPTURE(log);
    CHECK(log.find("removed after the grader stopped the check process") != std::string::npos);
    std::ifstream in(made_list);
    std::string made((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CAPTURE(made);
    CHECK(made.find(geteuid() == 0 ? "pid " : "dir ") != std::string::npos);  // it got that far
    CHECK(still_on_host() == "");
    fs::remove(made_list);
  }
}

namespace {

// A check whose program "hangs": it waits 350 ms, then fails.
void waits_then_fails(Context &) {
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  fail("an answer", "none before the grader gave up", "a program that hangs");
}

// A check that passes at once.
void passes(Context &) {}

// Run two labs' checks one at a time under `finish_by` seconds from now:
// "hangs" (three checks like waits_then_fails, started first: the longest
// deadlines) and "works" (three that pass), as one grader would.
std::vector<Result> run_two_labs(double finish_by) {
  static const Lab hangs{"hangs", "00-hangs", "title", {},
                         {{"h1", "t", 1, "Step 1: a", Millis(4000), waits_then_fails, "", ""},
                          {"h2", "t", 1, "Step 1: a", Millis(4000), waits_then_fails, "", ""},
                          {"h3", "t", 1, "Step 1: a", Millis(4000), waits_then_fails, "", ""}}};
  static const Lab works{"works", "00-works", "title", {},
                         {{"w1", "t", 1, "Step 1: a", Millis(3500), passes, "", ""},
                          {"w2", "t", 1, "Step 1: a", Millis(3500), passes, "", ""},
                          {"w3", "t", 1, "Step 1: a", Millis(3500), passes, "", ""}}};
  std::vector<Job> jobs;
  for (const Lab *lab : {&hangs, &works})
    for (const auto &c : lab->checks) jobs.push_back(Job{lab, &c, "", std::nullopt, {}});
  RunOptions opt;
  opt.isolation = Isolation::unique_names;
  opt.uid_base = test_uid(16);
  opt.uid_holder = test_uid_claim().holder();
  opt.slow = 0.1;  // a check that fails after 0.2 s hangs; deadlines 0.4 and 0.35 s
  opt.finish_by = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(finish_by));
  opt.time_limit = 1;
  bool interrupted = false;
  auto results = run_jobs(jobs, opt, interrupted);
  CHECK_FALSE(interrupted);
  return results;
}

}  // namespace

TEST_CASE("under a time limit, a lab whose programs hang goes last and only its checks go unrun" *
          doctest::timeout(30)) {
  auto results = run_two_labs(1.0);
  REQUIRE(results.size() == 6);
  int run = 0, unrun = 0;
  for (const auto &r : results) {
    if (r.lab == "works") {
      CHECK(r.status == Status::passed);  // every one, though they were to start last
      continue;
    }
    CHECK(r.status == Status::failed);
    CHECK(r.score == 0);
    if (r.observed.starts_with("not run: the grading had 1 s in all")) {
      ++unrun;
      CHECK(r.cause.find("in hangs") != std::string::npos);
    } else {
      ++run;
    }
  }
  // The first hang (0.35 s) marks its lab; the works lab runs (in the order
  // of deadlines it would come after a second hang, and then not fit); then
  // one more hang fits in what is left of 1 s, and the last cannot.
  CHECK(run >= 1);
  CHECK(unrun >= 1);
  CHECK(run + unrun == 3);
}

TEST_CASE("without a time limit every check runs, however long its programs hang") {
  auto results = run_two_labs(1000);
  for (const auto &r : results)
    CHECK(r.observed.find("not run") == std::string::npos);
}
