// runner_test.cpp: how objects left behind are charged to a lab's cleanup
// check (charge_leftovers in grader/core/runner.hpp), from hand-built results.
#include "../core/runner.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ipcg;

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
