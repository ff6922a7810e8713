// uids.hpp: the uids a grader running as root gives its students and its
// compiler, claimed so that no other grader on this kernel uses them at the
// same time, even one in another container (another PID namespace, where its
// pid may equal ours). The kernel counts each uid's processes per user
// namespace (RLIMIT_NPROC), and its queue bytes and pending signals too, so
// two graders whose students share a uid would share those limits.
//
// The claim is made in the kernel's own count. Block N is held by a process
// running as the block's claim uid with RLIMIT_NPROC 2; it forks once, which
// succeeds only if no other process runs as that uid (fork(2): EAGAIN when a
// uid's processes would exceed its limit). Two claimants of one block cannot
// both succeed: whichever forks second counts the first, which stays alive.
#pragma once
#include <sys/types.h>
#include <string>
#include <utility>
#include "fd.hpp"

namespace ipcg {

// The uids of one block: students run as `students` + job slot (64 slots),
// the compiler of --sources as `builder`.
struct UidBlock {
  uid_t students = 3000000;
  uid_t builder = 1u << 30;
  std::string unclaimed;  // why the block could not be claimed; empty if it was
};

// The block with number `n`: students 3000000 + 64n, builder 2^30 + n, and
// 2^31 + n, the uid its holder runs as. Blocks never overlap each other's nor
// another kind's uids (n < uid_blocks).
constexpr unsigned uid_blocks = ((1u << 30) - 3000000) / 64;
UidBlock uid_block(unsigned n);
uid_t claim_uid(unsigned n);

// A claimed block, held while this object lives by a child process that
// reads a pipe only this object writes, and ends at its end of file (also
// when the grader dies); the destructor reaps it. Move-only.
class UidClaim {
 public:
  UidClaim() = default;
  UidClaim(UidBlock block, Fd life, pid_t holder)
      : block_(std::move(block)), life_(std::move(life)), holder_(holder) {}
  UidClaim(UidClaim &&o) noexcept { *this = std::move(o); }
  UidClaim &operator=(UidClaim &&o) noexcept;
  ~UidClaim() { end(); }
  const UidBlock &block() const { return block_; }
  pid_t holder() const { return holder_; }  // 0 if none

 private:
  void end();
  UidBlock block_;
  Fd life_;          // the pipe's write end
  pid_t holder_ = 0;
};

// Claim a block as root: block `preferred` (the grader's pid) if it is free,
// else one chosen at random above every pid's block. Where no claim can be
// made (the claim uid cannot be taken here), block `preferred` unclaimed,
// saying why.
UidClaim claim_uid_block(unsigned preferred);

// Whether a process running as `uid` exists in this user namespace, as seen
// by the kernel's count (for tests: a held block's claim uid is in use).
bool uid_in_use(uid_t uid);

}  // namespace ipcg
