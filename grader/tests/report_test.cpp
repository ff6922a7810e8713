// report_test.cpp: the text report and Gradescope's results.json
// (grader/report/report.hpp), made from hand-built results.
#include "../report/report.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

using namespace ipcg;

namespace {

// A result of lab "mqueue" as the runner would make it.
Result result(std::string id, Status status, int score, int max) {
  Result r;
  r.lab = "mqueue";
  r.id = std::move(id);
  r.title = "title of " + r.id;
  r.section = "Step 3: receiving";
  r.handout = "handouts/01-mqueue.md";
  r.status = status;
  r.score = score;
  r.max = max;
  r.seconds = 0.25;
  return r;
}

// A check that failed, with everything a failure explains.
Result failed() {
  Result r = result("priority-order", Status::failed, 0, 4);
  r.expected = "`mq_recv /q` prints \"b\\n\"";
  r.observed = "it printed \"a\\n\"";
  r.cause = "mq_receive returns the oldest message of the highest priority";
  return r;
}

// A lab that did not compile.
Result not_built() {
  Result r = result("create-attributes", Status::not_built, 0, 3);
  r.observed = "labs/01-mqueue/mq_create.cpp:12:5: error: 'foo' was not declared in this scope";
  return r;
}

// The lines of `text` that start (after indentation) with `label`.
std::vector<std::string> lines_with(const std::string &text, const std::string &label) {
  std::vector<std::string> r;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, label.size(), label) == 0)
      r.push_back(line.substr(first));
    start = end + 1;
  }
  return r;
}

}  // namespace

TEST_CASE("the text report ends with the score summed over all results") {
  SUBCASE("some points earned") {
    std::vector<Result> rs{result("a", Status::passed, 3, 3), failed(),
                           result("c", Status::error, 0, 2), result("d", Status::passed, 1, 1)};
    std::string t = text_report(rs, {});
    CHECK(t.ends_with("\nScore: 4/10\n"));
  }
  SUBCASE("no results") { CHECK(text_report({}, {}) == "Score: 0/0\n"); }
}

TEST_CASE("the text report heads each lab with its handout and lists every check") {
  std::vector<Result> rs{result("a", Status::passed, 3, 3), failed()};
  std::string t = text_report(rs, {});
  CHECK(t.starts_with("== mqueue (handouts/01-mqueue.md) ==\n"));
  CHECK(lines_with(t, "== ").size() == 1);  // one heading for the two checks of one lab
  CHECK(lines_with(t, "a ").size() == 1);
  CHECK(lines_with(t, "priority-order ").size() == 1);
  CHECK(t.find("3/3  ok (0.25s)") != std::string::npos);
  CHECK(t.find("0/4  FAILED (0.25s)") != std::string::npos);
}

TEST_CASE("a failed check shows expected, observed, cause, what to read and how to rerun") {
  TextStyle st;
  st.rerun = "./kit grade -v";
  std::string t = text_report({failed()}, st);
  CHECK(lines_with(t, "expected:") ==
        std::vector<std::string>{"expected: `mq_recv /q` prints \"b\\n\""});
  CHECK(lines_with(t, "observed:") == std::vector<std::string>{"observed: it printed \"a\\n\""});
  CHECK(lines_with(t, "cause:") ==
        std::vector<std::string>{"cause:    mq_receive returns the oldest message of the "
                                 "highest priority"});
  CHECK(lines_with(t, "read:") ==
        std::vector<std::string>{"read:     handouts/01-mqueue.md, \"Step 3: receiving\""});
  CHECK(lines_with(t, "rerun:") ==
        std::vector<std::string>{"rerun:    ./kit grade -v mqueue/priority-order"});
}

TEST_CASE("a passed check is not explained") {
  std::string t = text_report({result("a", Status::passed, 3, 3)}, {});
  CHECK(lines_with(t, "expected:").empty());
  CHECK(lines_with(t, "read:").empty());
  CHECK(lines_with(t, "rerun:").empty());
}

TEST_CASE("a lab that did not build shows its compiler error, not a rerun line") {
  std::string t = text_report({not_built()}, {});
  CHECK(t.find("DID NOT BUILD") != std::string::npos);
  CHECK(lines_with(t, "error:") ==
        std::vector<std::string>{"error:    labs/01-mqueue/mq_create.cpp:12:5: error: 'foo' was "
                                 "not declared in this scope"});
  CHECK(lines_with(t, "fix:").size() == 1);
  CHECK(lines_with(t, "rerun:").empty());
}

TEST_CASE("the text report uses colours only when asked to") {
  std::vector<Result> rs{result("a", Status::passed, 3, 3), failed()};
  TextStyle st;
  CHECK(text_report(rs, st).find('\x1b') == std::string::npos);
  st.colour = true;
  std::string t = text_report(rs, st);
  CHECK(t.find("\x1b[32mok\x1b[0m") != std::string::npos);
  CHECK(t.find("\x1b[31mFAILED\x1b[0m") != std::string::npos);
}

TEST_CASE("the verbose text report adds each check's trace and leftovers") {
  Result r = failed();
  r.log = {"started: mq_recv /q (pid 7)"};
  r.leftovers = {"POSIX message queue /q"};
  TextStyle st;
  CHECK(text_report({r}, st).find("started: mq_recv") == std::string::npos);
  st.verbose = true;
  std::string t = text_report({r}, st);
  CHECK(lines_with(t, "| started:") == std::vector<std::string>{"| started: mq_recv /q (pid 7)"});
  CHECK(lines_with(t, "| left behind:") ==
        std::vector<std::string>{"| left behind: POSIX message queue /q"});
}

TEST_CASE("gradescope_json is valid JSON with the score, the time and every test") {
  std::vector<Result> rs{result("a", Status::passed, 3, 3), failed(), not_built()};
  auto doc = nlohmann::json::parse(gradescope_json(rs, 12.5));
  CHECK(doc.at("score") == 3);
  CHECK(doc.at("execution_time") == 12.5);
  REQUIRE(doc.at("tests").is_array());
  REQUIRE(doc.at("tests").size() == 3);
  for (const auto &t : doc.at("tests")) {
    for (auto key : {"name", "number", "score", "max_score", "status", "output", "visibility"})
      CHECK_MESSAGE(t.contains(key), "a test without " << key);
    CHECK(t.at("visibility") == "visible");
  }
  const auto &passed = doc["tests"][0];
  CHECK(passed.at("name") == "mqueue/a: title of a");
  CHECK(passed.at("number") == "1.1");
  CHECK(passed.at("score") == 3);
  CHECK(passed.at("max_score") == 3);
  CHECK(passed.at("status") == "passed");
  CHECK(passed.at("output") == "title of a");
  const auto &bad = doc["tests"][1];
  CHECK(bad.at("number") == "1.2");
  CHECK(bad.at("score") == 0);
  CHECK(bad.at("max_score") == 4);
  CHECK(bad.at("status") == "failed");
  std::string out = bad.at("output");
  CHECK(out.find("expected: `mq_recv /q` prints") != std::string::npos);
  CHECK(out.find("cause: mq_receive returns") != std::string::npos);
  CHECK(out.find("read: handouts/01-mqueue.md") != std::string::npos);
  CHECK(doc["tests"][2].at("status") == "failed");
  CHECK(doc["tests"][2].at("output").get<std::string>().find("error: 'foo'") != std::string::npos);
}

TEST_CASE("gradescope_json numbers tests per lab and stays valid with invalid UTF-8") {
  Result r = failed();
  r.observed = "it printed \xff\xfe";
  Result other = result("x", Status::passed, 1, 1);
  other.lab = "shm";
  auto doc =
      nlohmann::json::parse(gradescope_json({result("a", Status::passed, 2, 2), r, other}, 0));
  CHECK(doc["tests"][1].at("number") == "1.2");
  CHECK(doc["tests"][2].at("number") == "2.1");
  CHECK(doc.at("score") == 3);
}
