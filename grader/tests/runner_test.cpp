// runner_test.cpp: how objects left behind are charged to a lab's cleanup
// check (charge_leftovers in grader/core/runner.hpp), from hand-built results;
// and what a check process the runner had to kill leaves on the host.
#include "../core/runner.hpp"

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
  opt.uid_base = static_cast<uid_t>(3950000 + getpid() % 10000 * 4);
  bool interrupted = false;
  auto results = run_jobs({Job{&lab, &lab.checks[0], "", std::nullopt, {}}}, opt, interrupted);
  sigset_t stop_set;
  sigemptyset(&stop_set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_set, sig);
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
