// uids_test.cpp: concurrent graders' student uids are claimed in the kernel's
// own per-uid count, so no two hold one block at once.
#include <doctest/doctest.h>
#include <unistd.h>
#include "../core/uids.hpp"

using namespace ipcg;

TEST_CASE("blocks of different numbers share no uid of any kind") {
  UidBlock a = uid_block(0), b = uid_block(1), last = uid_block(uid_blocks - 1);
  CHECK(b.students == a.students + 64);
  CHECK(last.students + 63 < a.builder);
  CHECK(last.builder < claim_uid(0));
  CHECK(b.builder == a.builder + 1);
}

TEST_CASE("a claimed block is held while its claim lives, and a second claimant gets another") {
  if (geteuid() != 0) return;  // only root runs a process as another uid
  unsigned n = (1u << 22) + 4321;  // above every pid: no grader prefers it
  UidBlock second;
  {
    UidClaim first = claim_uid_block(n);
    REQUIRE(first.block().unclaimed == "");
    CHECK(first.block().students == uid_block(n).students);
    CHECK(uid_in_use(claim_uid(n)));
    UidClaim other = claim_uid_block(n);
    second = other.block();
    CHECK(second.unclaimed == "");
    CHECK(second.students != first.block().students);
    CHECK(second.students >= uid_block(1u << 22).students);  // above every pid's block
  }
  CHECK_FALSE(uid_in_use(claim_uid(n)));  // both holders ended with their claims
  UidClaim again = claim_uid_block(n);
  CHECK(again.block().students == uid_block(n).students);
}
