// report_test.cpp: the text report, Gradescope's and PrairieLearn's
// results.json, Autolab's scores line, the documents of a grader that failed
// and atomic writing (grader/report/report.hpp), from hand-built results.
#include "../report/report.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

using namespace ipcg;
using namespace std::string_literals;

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

TEST_CASE("a cleanup check charged for the objects of other checks reruns its whole lab") {
  TextStyle st;
  st.rerun = "./kit grade -v";
  Result r = failed();
  r.rerun = "mqueue";
  CHECK(lines_with(text_report({r}, st), "rerun:") ==
        std::vector<std::string>{"rerun:    ./kit grade -v mqueue"});
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
  r.leftovers = {{"POSIX message queue", "/q"}};
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

namespace {

// Whether `s` is valid UTF-8 with no raw control byte: what a strict JSON
// reader accepts in a document's text.
bool clean_utf8(const std::string &s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\n') return false;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += n;
  }
  return true;
}

// A failed result whose texts hold every kind of byte a student program can print.
Result hostile() {
  Result r = failed();
  r.observed = "it printed \"a\0b\x1b[31m\xff\xfe\xc3\x28\" and \\ \x7f"s;
  r.cause = "\0\x01\x1b"s;
  r.title = "title with \xe2\x82\xac and \xf0\x9f\x98\x80";
  return r;
}

// A temporary folder, removed with everything in it when the test ends.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "report_test.XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// The whole content of the file at `p`.
std::string slurp(const std::filesystem::path &p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_CASE("prairielearn_json has the score as a fraction, the text and every test") {
  std::vector<Result> rs{result("a", Status::passed, 3, 3), failed(), not_built()};
  auto doc = nlohmann::json::parse(prairielearn_json(rs, "the text report\nScore: 3/10\n"));
  CHECK(doc.at("gradable") == true);
  CHECK(doc.at("score").get<double>() == doctest::Approx(0.3));
  CHECK(doc.at("message") == "Score: 3/10");
  CHECK(doc.at("output") == "the text report\nScore: 3/10\n");
  REQUIRE(doc.at("tests").size() == 3);
  const auto &ok = doc["tests"][0];
  CHECK(ok.at("name") == "mqueue/a");
  CHECK(ok.at("description") == "title of a");
  CHECK(ok.at("points") == 3);
  CHECK(ok.at("max_points") == 3);
  CHECK(ok.at("output") == "title of a");
  CHECK_FALSE(ok.contains("message"));
  const auto &bad = doc["tests"][1];
  CHECK(bad.at("name") == "mqueue/priority-order");
  CHECK(bad.at("points") == 0);
  CHECK(bad.at("max_points") == 4);
  CHECK(bad.at("message") ==
        "failed: mq_receive returns the oldest message of the highest priority");
  std::string out = bad.at("output");
  CHECK(out.find("expected: `mq_recv /q` prints") != std::string::npos);
  CHECK(out.find("observed: it printed") != std::string::npos);
  CHECK(out.find("read: handouts/01-mqueue.md, \"Step 3: receiving\"") != std::string::npos);
  const auto &unbuilt = doc["tests"][2];
  CHECK(unbuilt.at("message") == "did not build: make the lab compile");
  CHECK(unbuilt.at("output").get<std::string>().find("error: 'foo'") != std::string::npos);
}

TEST_CASE("prairielearn_json scores full marks as 1, none as 0, and no checks as 0") {
  auto score = [](const std::vector<Result> &rs) {
    return nlohmann::json::parse(prairielearn_json(rs, "")).at("score").get<double>();
  };
  CHECK(score({result("a", Status::passed, 3, 3), result("b", Status::passed, 2, 2)}) == 1.0);
  CHECK(score({failed(), not_built()}) == 0.0);
  CHECK(score({result("a", Status::passed, 1, 1), failed(), not_built()}) ==
        doctest::Approx(1.0 / 8));
  CHECK(score({}) == 0.0);
}

TEST_CASE("a check the grader itself failed makes the PrairieLearn result not gradable") {
  Result broken = result("b", Status::error, 0, 2);
  broken.observed = "the grader's own process for this check was killed by SIGSEGV";
  auto doc =
      nlohmann::json::parse(prairielearn_json({result("a", Status::passed, 3, 3), broken}, ""));
  CHECK(doc.at("gradable") == false);
  CHECK(doc.at("message").get<std::string>().find("not a grade") != std::string::npos);
  REQUIRE(doc.at("format_errors").size() == 1);
  CHECK(doc["tests"].size() == 2);
}

TEST_CASE("autolab_scores is one line: each lab's points, in the order the labs come") {
  Result shm = result("x", Status::passed, 5, 5);
  shm.lab = "shm";
  Result sem = result("y", Status::failed, 0, 4);
  sem.lab = "sem";
  std::string line =
      autolab_scores({result("a", Status::passed, 3, 3), failed(), shm, sem,
                      result("c", Status::passed, 2, 2)});
  CHECK(line == "{\"scores\":{\"mqueue\":5,\"shm\":5,\"sem\":0}}\n");
  CHECK(autolab_scores({}) == "{\"scores\":{}}\n");
}

TEST_CASE("student bytes (NULs, ESC, invalid UTF-8) become valid JSON in every format") {
  std::vector<Result> rs{hostile(), result("a", Status::passed, 1, 1)};
  std::string text = "report \0 with \x1b[1m escapes \xff\n"s;
  for (const std::string &doc :
       {gradescope_json(rs, 1.0), prairielearn_json(rs, text), autolab_scores(rs)}) {
    CHECK(clean_utf8(doc));
    nlohmann::json parsed;
    REQUIRE_NOTHROW(parsed = nlohmann::json::parse(doc));
    CHECK(parsed.is_object());
  }
  auto pl = nlohmann::json::parse(prairielearn_json(rs, text));
  std::string out = pl["tests"][0].at("output");
  CHECK(out.find("a\0b\x1b[31m"s) != std::string::npos);  // kept, escaped
  CHECK(out.find("\xef\xbf\xbd") != std::string::npos);                   // U+FFFD for 0xff
  CHECK(pl["tests"][0].at("description") == "title with \xe2\x82\xac and \xf0\x9f\x98\x80");
  CHECK(pl.at("output").get<std::string>().find('\0') != std::string::npos);
}

TEST_CASE("prairielearn_json stays under PrairieLearn's 1 MB limit however much was printed") {
  std::vector<Result> rs;
  for (int i = 0; i < 80; ++i) {
    Result r = failed();
    r.id = "check-" + std::to_string(i);
    r.observed = std::string(200 * 1000, '\0');  // each \u0000 takes 6 bytes in JSON
    rs.push_back(r);
  }
  std::string doc = prairielearn_json(rs, std::string(3 * 1000 * 1000, '\x1b'));
  CHECK(doc.size() < 1000 * 1000);
  auto parsed = nlohmann::json::parse(doc);
  CHECK(parsed.at("tests").size() == 80);
  CHECK(parsed["tests"][79].at("output").get<std::string>().find("more bytes cut") !=
        std::string::npos);
}

TEST_CASE("the failure documents say the grader failed and why, and never give a grade") {
  std::string why = "--tree /nowhere: no such folder";
  SUBCASE("Gradescope: score 0 with grader_failed and an output saying it is not a grade") {
    auto doc = nlohmann::json::parse(gradescope_failure_json(why));
    CHECK(doc.at("score") == 0);
    CHECK(doc.at("extra_data").at("grader_failed") == true);
    std::string out = doc.at("output");
    CHECK(out.find("ipcgrade failed") != std::string::npos);
    CHECK(out.find(why) != std::string::npos);
    CHECK(out.find("This is not a grade") != std::string::npos);
  }
  SUBCASE("PrairieLearn: not gradable, no score, the message") {
    auto doc = nlohmann::json::parse(prairielearn_failure_json(why));
    CHECK(doc.at("gradable") == false);
    CHECK_FALSE(doc.contains("score"));
    std::string message = doc.at("message");
    CHECK(message.find(why) != std::string::npos);
    CHECK(message.find("This is not a grade") != std::string::npos);
    CHECK(doc.at("format_errors") == nlohmann::json::array({message}));
  }
  SUBCASE("Autolab: the message on one line, then an autoresult that scores no problem") {
    std::string out = autolab_failure_lines("two\nlines");
    size_t first = out.find('\n');
    CHECK(out.substr(0, first).find("two lines") != std::string::npos);
    CHECK(out.substr(0, first).find("This is not a grade") != std::string::npos);
    std::string last = out.substr(first + 1);
    REQUIRE(last.ends_with('\n'));
    CHECK(last.find('\n') == last.size() - 1);
    CHECK(nlohmann::json::parse(last) == nlohmann::json{{"scores", nlohmann::json::object()}});
  }
  SUBCASE("a reason with student bytes is still valid JSON") {
    std::string odd = "bad \0 \xff \x1b"s;
    CHECK(clean_utf8(gradescope_failure_json(odd)));
    CHECK(clean_utf8(prairielearn_failure_json(odd)));
    CHECK_NOTHROW(nlohmann::json::parse(prairielearn_failure_json(odd)));
  }
}

TEST_CASE("write_atomically replaces the file whole and leaves no temporary file") {
  TempDir dir;
  auto target = dir.path / "results.json";
  write_atomically(target.string(), "old");
  write_atomically(target.string(), "{\"score\": 1}\n");
  CHECK(slurp(target) == "{\"score\": 1}\n");
  CHECK((std::filesystem::status(target).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
         std::filesystem::perms::group_read | std::filesystem::perms::others_read));
  int files = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir.path)) ++files;
  CHECK(files == 1);
}

TEST_CASE("write_atomically names the call that failed and leaves the old file as it was") {
  TempDir dir;
  SUBCASE("a folder that does not exist") {
    auto target = dir.path / "missing" / "results.json";
    try {
      write_atomically(target.string(), "x");
      FAIL("no exception");
    } catch (const std::system_error &e) {
      CHECK(std::string(e.what()).find("mkstemp") != std::string::npos);
    }
  }
  SUBCASE("a target that is a folder: rename fails, the temporary file is removed") {
    std::filesystem::create_directory(dir.path / "results.json");
    CHECK_THROWS_AS(write_atomically((dir.path / "results.json").string(), "x"),
                    std::system_error);
    int entries = 0;
    for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir.path)) ++entries;
    CHECK(entries == 1);
  }
}

TEST_CASE("a lab not started is one line that says where to begin") {
  Result a = failed(), b = failed();
  a.not_started = b.not_started = true;
  a.section = "Step 1: Create a queue with attributes";
  b.id = "b";
  TextStyle st;
  st.command = "./kit grade";
  std::string t = text_report({a, b}, st);
  CHECK(t ==
        "mqueue       0/8   not started: begin with handouts/01-mqueue.md, \"Step 1: Create a queue "
        "with attributes\" (./kit grade mqueue --step 1)\nScore: 0/8\n");
  st.verbose = true;
  CHECK(lines_with(text_report({a, b}, st), "expected:").size() == 2);
}

TEST_CASE("in a started lab, a check that reached the skeleton says so in one line") {
  Result todo = failed();
  todo.not_started = true;
  std::string t = text_report({result("a", Status::passed, 3, 3), todo}, {});
  CHECK(lines_with(t, "todo:") ==
        std::vector<std::string>{"todo:     not written yet: handouts/01-mqueue.md, \"Step 3: "
                                 "receiving\""});
  CHECK(lines_with(t, "expected:").empty());
}

TEST_CASE("a program that did not build is shown once, above the checks it skips") {
  Result a = not_built(), b = not_built();
  a.not_built = b.not_built = "mq_create";
  b.id = "b";
  std::string t = text_report({a, b, result("c", Status::passed, 2, 2)}, {});
  CHECK(lines_with(t, "error:") ==
        std::vector<std::string>{"error:    mq_create did not build: labs/01-mqueue/mq_create.cpp:"
                                 "12:5: error: 'foo' was not declared in this scope"});
  CHECK(lines_with(t, "skipped:").size() == 2);
  CHECK(t.find("SKIPPED") != std::string::npos);
  CHECK(t.find("2/2  ok") != std::string::npos);
}

TEST_CASE("a failed program's stderr is shown without -v") {
  Result r = failed();
  r.program_stderr = "`mm_private f 3` wrote \"mm_private: mmap: Permission denied\\n\"";
  std::string t = text_report({r}, {});
  CHECK(lines_with(t, "stderr:") ==
        std::vector<std::string>{"stderr:   `mm_private f 3` wrote \"mm_private: mmap: Permission "
                                 "denied\\n\""});
}

TEST_CASE("every report says which isolation the grader chose and what it lacked") {
  Setup setup{"unique names (no namespaces: missing CAP_SYS_ADMIN), students as uid 3000064; "
              "missing CAP_SYS_PTRACE: the grader observes as the student's uid",
              {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"},
              ""};
  std::vector<Result> rs{result("a", Status::passed, 3, 3)};
  TextStyle st;
  st.setup = setup.isolation;
  std::string t = text_report(rs, st);
  CHECK(t.starts_with("isolation: " + setup.isolation + "\n== mqueue"));
  CHECK(t.ends_with("\nScore: 3/3\n"));
  CHECK(text_report(rs, {}).find("isolation:") == std::string::npos);
  auto gs = nlohmann::json::parse(gradescope_json(rs, 1.0, setup));
  CHECK(gs.at("extra_data").at("isolation") == setup.isolation);
  CHECK(gs.at("extra_data").at("missing_capabilities") == nlohmann::json(setup.missing));
  auto pl = nlohmann::json::parse(prairielearn_json(rs, t, setup));
  CHECK(pl.at("isolation") == setup.isolation);
  CHECK(pl.at("missing_capabilities").size() == 2);
  CHECK_FALSE(gs.contains("output"));
  CHECK_FALSE(pl.contains("unbounded"));
}

TEST_CASE("every results file says what the fallback isolation cannot bound") {
  Setup setup{"unique names (no namespaces)", {}, "student programs share the host's network"};
  std::vector<Result> rs{result("a", Status::passed, 3, 3)};
  auto gs = nlohmann::json::parse(gradescope_json(rs, 1.0, setup));
  CHECK(gs.at("output") == "note: " + setup.unbounded);
  CHECK(gs.at("extra_data").at("unbounded") == setup.unbounded);
  auto pl = nlohmann::json::parse(prairielearn_json(rs, "", setup));
  CHECK(pl.at("unbounded") == setup.unbounded);
}

TEST_CASE("a check the grader could not observe keeps its points and says why") {
  Result r = result("blocking-receive", Status::unobserved, 3, 3);
  r.observed = "the grader could not observe the system call pid 7 is blocked in here "
               "(missing CAP_SYS_PTRACE)";
  std::string t = text_report({r}, {});
  CHECK(t.find("3/3  NOT OBSERVED") != std::string::npos);
  CHECK(lines_with(t, "observed:").size() == 1);
  CHECK(t.ends_with("Score: 3/3\n"));
  auto gs = nlohmann::json::parse(gradescope_json({r}, 1.0));
  CHECK(gs.at("tests").at(0).at("status") == "passed");
  CHECK(gs.at("tests").at(0).at("output").get<std::string>().find("could not observe") !=
        std::string::npos);
  CHECK(nlohmann::json::parse(prairielearn_json({r}, t)).at("score") == 1.0);
}
