#include "core/uids.hpp"
#include <grp.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <csignal>
#include <cstring>
#include <fmt/format.h>

namespace ipcg {

UidBlock uid_block(unsigned n) {
  return {3000000 + 64 * static_cast<uid_t>(n), (1u << 30) + static_cast<uid_t>(n), {}};
}

uid_t claim_uid(unsigned n) { return (1u << 31) + static_cast<uid_t>(n); }

namespace {

static_assert(3000000ull + 64ull * uid_blocks <= (1ull << 30), "students below the builders");
static_assert((1ull << 22) < uid_blocks, "every pid has a block of its own");

// In a child process: become `uid` (and gid) alone, then report whether no
// other process runs as it. With RLIMIT_NPROC 2, one fork succeeds only if
// this process is the uid's only other one (fork(2), setrlimit(2)). On failure
// to become the uid: the errno, negated.
int alone_as(uid_t uid) {
  if (setgroups(0, nullptr) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
    return -errno;
  rlimit two{2, 2};
  if (setrlimit(RLIMIT_NPROC, &two) < 0) return -errno;
  pid_t probe = fork();
  if (probe < 0) return errno == EAGAIN ? 0 : -errno;
  if (probe == 0) _exit(0);
  while (waitpid(probe, nullptr, 0) < 0 && errno == EINTR) {
  }
  return 1;
}

// In the holder: every descriptor but `keep` closed, so that it holds
// nothing of the grader's open (the holder never reads or writes stdio).
void close_all_but(int keep) {
  close_range(0, static_cast<unsigned>(keep) - 1, 0);
  close_range(static_cast<unsigned>(keep) + 1, ~0u, 0);
}

// The holder, a child of the grader: claims `uid`, writes its answer ('y', or
// 'n', or 'e' with the errno) on `report`, and if it holds the claim, waits
// for end of file on `life`.
[[noreturn]] void hold(uid_t uid, int report, int life) {
  int alone = alone_as(uid);
  char answer[16];
  int n = alone > 0    ? snprintf(answer, sizeof answer, "y")
          : alone == 0 ? snprintf(answer, sizeof answer, "n")
                       : snprintf(answer, sizeof answer, "e%d", -alone);
  bool held = write(report, answer, static_cast<size_t>(n)) == n && alone > 0;
  close(report);
  if (!held) _exit(0);
  close_all_but(life);
  setsid();  // a Ctrl-C to the terminal's group is the grader's to handle
  for (char c;;) {
    ssize_t r = read(life, &c, 1);
    if (r == 0 || (r < 0 && errno != EINTR)) _exit(0);
  }
}

// Whether block `n` was claimed: 1 if its holder holds it (then `claim`
// keeps it), 0 if another process runs as the claim uid, -errno if it could
// not be taken (-ECHILD: the holder did not answer).
int try_claim(unsigned n, UidClaim &claim) {
  Pipe report = Pipe::make(), alive = Pipe::make();
  pid_t holder = check(fork(), "fork (claiming student uids)");
  if (holder == 0) {
    report.read.reset();
    alive.write.reset();
    hold(claim_uid(n), report.write.get(), alive.read.get());
  }
  report.write.reset();
  alive.read.reset();
  char answer[16] = {};
  ssize_t got;
  while ((got = read(report.read.get(), answer, sizeof answer - 1)) < 0 && errno == EINTR) {
  }
  int result = got <= 0 ? -ECHILD
               : answer[0] == 'y' ? 1
               : answer[0] == 'n' ? 0
                                  : -std::atoi(answer + 1);
  if (result == 1) {
    claim = UidClaim(uid_block(n), std::move(alive.write), holder);
    return 1;
  }
  while (waitpid(holder, nullptr, 0) < 0 && errno == EINTR) {
  }
  return result;
}

// A block number above every pid's, at random.
unsigned random_block() {
  unsigned r = 0;
  if (getrandom(&r, sizeof r, 0) != sizeof r) r = static_cast<unsigned>(getpid()) * 2654435761u;
  return (1u << 22) + r % (uid_blocks - (1u << 22));
}

}  // namespace

UidClaim claim_uid_block(unsigned preferred) {
  unsigned n = preferred;
  for (int attempt = 0; attempt < 64; ++attempt, n = random_block()) {
    UidClaim claim;
    int claimed = try_claim(n, claim);
    if (claimed == 1) return claim;
    if (claimed < 0) {
      UidBlock b = uid_block(preferred);
      b.unclaimed = claimed == -ECHILD ? "the claim's holder did not answer"
                                       : fmt::format("could not run as uid {}: {}",
                                                     claim_uid(n), strerror(-claimed));
      return UidClaim(b, Fd(), 0);
    }
  }
  UidBlock b = uid_block(preferred);
  b.unclaimed = "64 blocks tried were all in use";
  return UidClaim(b, Fd(), 0);
}

UidClaim &UidClaim::operator=(UidClaim &&o) noexcept {
  if (this != &o) {
    end();
    block_ = std::move(o.block_);
    life_ = std::move(o.life_);
    holder_ = std::exchange(o.holder_, 0);
  }
  return *this;
}

// The holder ends on end of file; it is reaped at once, so that the kernel
// no longer counts it when this returns.
void UidClaim::end() {
  life_.reset();
  if (holder_ > 0)
    while (waitpid(holder_, nullptr, 0) < 0 && errno == EINTR) {
    }
  holder_ = 0;
}

bool uid_in_use(uid_t uid) {
  pid_t pid = check(fork(), "fork");
  if (pid == 0) _exit(alone_as(uid) == 0 ? 1 : 0);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

}  // namespace ipcg
