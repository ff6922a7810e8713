// registry_test.cpp: selectors and steps turned into checks, and what the
// registry says about each check (grader/core/registry.hpp).
#include "../core/registry.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>

using namespace ipcg;

namespace {

// "lab/check" for each selected check, in the order select_checks() gave them.
std::vector<std::string> ids(const std::vector<std::pair<const Lab *, const Check *>> &picked) {
  std::vector<std::string> r;
  for (auto [lab, check] : picked) r.push_back(std::string(lab->id) + "/" + std::string(check->id));
  return r;
}

// Every check of every lab, as "lab/check", in table order.
std::vector<std::string> every_check() {
  std::vector<std::string> r;
  for (const auto &lab : all_labs())
    for (const auto &c : lab.checks) r.push_back(std::string(lab.id) + "/" + std::string(c.id));
  return r;
}

// The message of the UsageError that select_checks(selectors) throws, or "" if none.
std::string usage_error(const std::vector<std::string> &selectors) {
  try {
    select_checks(selectors);
  } catch (const UsageError &e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("no selector selects every check of every lab, in table order") {
  REQUIRE_FALSE(every_check().empty());
  CHECK(ids(select_checks({})) == every_check());
}

TEST_CASE("a lab's id or folder name selects all its checks") {
  std::vector<std::string> mqueue;
  for (const auto &c : mqueue_lab().checks) mqueue.push_back("mqueue/" + std::string(c.id));
  REQUIRE(mqueue.size() >= 10);
  SUBCASE("by id") { CHECK(ids(select_checks({"mqueue"})) == mqueue); }
  SUBCASE("by folder") { CHECK(ids(select_checks({"01-mqueue"})) == mqueue); }
}

TEST_CASE("lab/check selects exactly that check") {
  auto picked = select_checks({"mqueue/priority-order"});
  REQUIRE(picked.size() == 1);
  CHECK(picked[0].first->id == "mqueue");
  CHECK(picked[0].second->id == "priority-order");
  CHECK(ids(select_checks({"01-mqueue/priority-order"})) ==
        std::vector<std::string>{"mqueue/priority-order"});
}

TEST_CASE("a check named twice, or by its lab too, is selected once, in table order") {
  SUBCASE("the same check twice") {
    CHECK(ids(select_checks({"mqueue/notify", "mqueue/notify"})) ==
          std::vector<std::string>{"mqueue/notify"});
  }
  SUBCASE("a check and its lab") {
    auto picked = ids(select_checks({"mqueue/notify", "mqueue"}));
    CHECK(picked.size() == mqueue_lab().checks.size());
    CHECK(std::set<std::string>(picked.begin(), picked.end()).size() == picked.size());
  }
  SUBCASE("two checks in the opposite order") {
    CHECK(ids(select_checks({"mqueue/notify", "mqueue/create-attributes"})) ==
          std::vector<std::string>{"mqueue/create-attributes", "mqueue/notify"});
  }
}

TEST_CASE("a selector that names nothing throws a UsageError naming it") {
  SUBCASE("an unknown lab") {
    std::string e = usage_error({"nosuchlab"});
    CHECK(e.find("unknown lab 'nosuchlab'") != std::string::npos);
    CHECK(e.find("mqueue") != std::string::npos);  // the labs there are
  }
  SUBCASE("an unknown check of a known lab") {
    CHECK(usage_error({"mqueue/nosuchcheck"}).find("unknown check 'mqueue/nosuchcheck'") !=
          std::string::npos);
  }
  SUBCASE("a known check under an unknown lab") {
    CHECK(usage_error({"nosuchlab/notify"}).find("'nosuchlab/notify'") != std::string::npos);
  }
  SUBCASE("one bad selector among good ones") {
    CHECK(usage_error({"mqueue", "mqueue/nosuchcheck"}).find("'mqueue/nosuchcheck'") !=
          std::string::npos);
  }
}

TEST_CASE("every check's section is a heading of its lab's handout") {
  for (const Lab &lab : all_labs()) {
    std::ifstream f(std::string(KIT_SOURCE) + "/handouts/" + std::string(lab.dir) + ".md");
    REQUIRE_MESSAGE(f, "no handout for " << lab.dir);
    std::set<std::string> headings;
    for (std::string line; std::getline(f, line);)
      if (line.starts_with("## ")) headings.insert(line.substr(3));
    for (const Check &c : lab.checks)
      CHECK_MESSAGE(headings.count(std::string(c.section)),
                    lab.id << "/" << c.id << ": no heading \"## " << c.section << "\"");
  }
}

TEST_CASE("every check says what the grader does and the usual cause of a failure") {
  for (const Lab &lab : all_labs())
    for (const Check &c : lab.checks) {
      CHECK_MESSAGE(!c.does.empty(), lab.id << "/" << c.id << ": no `does`");
      CHECK_MESSAGE(!c.usual_cause.empty(), lab.id << "/" << c.id << ": no `usual_cause`");
      // One table cell each in the handout: one line, no stray whitespace.
      CHECK_MESSAGE(c.does.find('\n') == std::string_view::npos, lab.id << "/" << c.id);
      CHECK_MESSAGE(c.usual_cause.find('\n') == std::string_view::npos, lab.id << "/" << c.id);
      CHECK_MESSAGE(c.does.ends_with('.'), lab.id << "/" << c.id << ": `does` is no sentence");
      CHECK_MESSAGE(c.usual_cause.ends_with('.'), lab.id << "/" << c.id << ": nor `usual_cause`");
    }
}

TEST_CASE("a check's step is N of its section \"Step N: ...\", and none for another heading") {
  auto step = [](std::string_view section) {
    return step_of(Check{"x", "x", 1, section, Millis(1), nullptr, "d", "u"});
  };
  CHECK(step("Step 3: Receive, print, and respect priorities") == 3);
  CHECK(step("Step 10: Errors and exit codes") == 10);
  CHECK(step("Concepts") == std::nullopt);
  CHECK(step("Step by step") == std::nullopt);
  CHECK(step("Step 3") == std::nullopt);
  CHECK(step("Step 0: Nothing") == std::nullopt);
}

TEST_CASE("--step selects exactly the checks of that walkthrough step, in table order") {
  SUBCASE("a step of three checks") {
    CHECK(ids(select_step({"mqueue"}, 3)) == std::vector<std::string>{"mqueue/recv-exact-bytes",
                                                                      "mqueue/recv-buffer-size",
                                                                      "mqueue/priority-order",
                                                                      "mqueue/records-flushed"});
  }
  SUBCASE("by the lab's folder name") {
    CHECK(ids(select_step({"01-mqueue"}, 9)) ==
          std::vector<std::string>{"mqueue/bad-input", "mqueue/sysv-bad-input",
                                   "mqueue/usage-errors"});
  }
  SUBCASE("checks of one step that are not next to each other in the table") {
    CHECK(ids(select_step({"shm"}, 4)) ==
          std::vector<std::string>{"shm/mailbox", "shm/mailbox-lines", "shm/peer-truncate"});
  }
  SUBCASE("every check with a step is picked by exactly that step, and no other check") {
    for (const Lab &lab : all_labs()) {
      std::multiset<std::string> stepped, picked;
      for (const Check &c : lab.checks)
        if (step_of(c)) stepped.insert(std::string(lab.id) + "/" + std::string(c.id));
      for (int n = 1; n <= 20; ++n) {
        std::vector<std::pair<const Lab *, const Check *>> got;
        try {
          got = select_step({std::string(lab.id)}, n);
        } catch (const UsageError &) {
          continue;  // a step without checks
        }
        for (auto [l, c] : got) {
          CHECK(l == &lab);
          CHECK_MESSAGE(c->section.starts_with(fmt::format("Step {}: ", n)),
                        lab.id << " --step " << n << " picked " << c->id);
          picked.insert(std::string(l->id) + "/" + std::string(c->id));
        }
      }
      CHECK(picked == stepped);
    }
  }
}

TEST_CASE("--step without one lab, or for a step without checks, throws a clear UsageError") {
  auto step_error = [](const std::vector<std::string> &selectors, int n) -> std::string {
    try {
      select_step(selectors, n);
    } catch (const UsageError &e) {
      return e.what();
    }
    return "";
  };
  CHECK(step_error({}, 3).find("--step 3 needs one lab") != std::string::npos);
  CHECK(step_error({"mqueue", "mmap"}, 3).find("exactly one lab") != std::string::npos);
  CHECK(step_error({"mqueue/notify"}, 5).find("not the check 'mqueue/notify'") !=
        std::string::npos);
  CHECK(step_error({"mqueue/nosuch"}, 5).find("unknown check 'mqueue/nosuch'") !=
        std::string::npos);
  CHECK(step_error({"nosuchlab"}, 1).find("unknown lab 'nosuchlab'") != std::string::npos);
  std::string none = step_error({"mqueue"}, 12);
  CHECK(none.find("mqueue has no checks in step 12") != std::string::npos);
  CHECK(none.find("1, 2, 3, 4, 5, 6, 7, 8, 9") != std::string::npos);  // the steps that have
}

TEST_CASE("explain names the check, what it does, why it fails, where to read and how to run it") {
  auto [lab, check] = find_check("mqueue/notify", "./kit grade");
  REQUIRE(check->id == "notify");
  std::string e = explain(*lab, *check, "./kit grade");
  CHECK(e.starts_with("mqueue/notify: " + std::string(check->title) + " (4 points)\n"));
  CHECK(e.find("`NOTIFY_PID`") != std::string::npos);           // from `does`, wrapped
  CHECK(e.find("`SIGUSR1` not blocked") != std::string::npos);  // from `usual_cause`
  CHECK(e.find("handouts/01-mqueue.md, \"Step 5: Notification without busy-waiting\"") !=
        std::string::npos);
  CHECK(e.find("./kit grade -v mqueue/notify\n") != std::string::npos);
  CHECK(e.find("./kit grade mqueue --step 5\n") != std::string::npos);
}

TEST_CASE("explain of an unknown lab or check fails, naming it and pointing to --list") {
  auto explain_error = [](const std::string &selector) -> std::string {
    try {
      find_check(selector, "ipcgrade");
    } catch (const UsageError &e) {
      return e.what();
    }
    return "";
  };
  std::string lab = explain_error("nosuchlab/notify");
  CHECK(lab.find("no lab 'nosuchlab'") != std::string::npos);
  CHECK(lab.find("ipcgrade --list") != std::string::npos);
  std::string check = explain_error("mqueue/nosuchcheck");
  CHECK(check.find("no check 'nosuchcheck'") != std::string::npos);
  CHECK(check.find("ipcgrade --list") != std::string::npos);
  CHECK(explain_error("mqueue").find("LAB/CHECK") != std::string::npos);
}

TEST_CASE("the registry as JSON has every lab and check, with steps and both texts") {
  auto doc = nlohmann::json::parse(registry_json());
  REQUIRE(doc["labs"].size() == all_labs().size());
  for (size_t i = 0; i < all_labs().size(); ++i) {
    const Lab &lab = all_labs()[i];
    const auto &l = doc["labs"][i];
    CHECK(l["id"] == lab.id);
    CHECK(l["dir"] == lab.dir);
    REQUIRE(l["checks"].size() == lab.checks.size());
    int points = 0;
    for (size_t j = 0; j < lab.checks.size(); ++j) {
      const Check &c = lab.checks[j];
      const auto &jc = l["checks"][j];
      CHECK(jc["id"] == c.id);
      CHECK(jc["points"] == c.points);
      CHECK(jc["does"] == c.does);
      CHECK(jc["usual_cause"] == c.usual_cause);
      CHECK(jc["cleanup"] == c.cleanup);
      CHECK(jc["deadline_ms"] == c.deadline.count());
      if (auto n = step_of(c))
        CHECK(jc["step"] == *n);
      else
        CHECK(jc["step"].is_null());
      points += c.points;
    }
    CHECK(l["points"] == points);
  }
}
