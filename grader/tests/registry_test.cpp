// registry_test.cpp: selectors turned into checks (grader/core/registry.hpp).
#include "../core/registry.hpp"

#include <doctest/doctest.h>

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
