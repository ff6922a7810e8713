// test_uids.hpp: uids for the unit tests' student processes that no grader
// uses meanwhile (one runs beside the tests under `meson test`): a block
// claimed as a grader claims its own (core/uids.hpp), once per test process,
// in the process itself (not in a forked child), and held until it exits.
#pragma once
#include <unistd.h>
#include "../core/uids.hpp"

namespace ipcg {

// The claim: above every pid's block, so no grader prefers it.
inline const UidClaim &test_uid_claim() {
  static UidClaim claim = claim_uid_block(uid_blocks - 1 - static_cast<unsigned>(getpid()));
  return claim;
}

// The claimed block's uid number `k` (below 64).
inline uid_t test_uid(unsigned k) { return test_uid_claim().block().students + k; }

}  // namespace ipcg
