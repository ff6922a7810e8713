// access.hpp: what the grader may do here (its capabilities), and acting for
// a moment as the owner of a student's process or System V object, for root
// without CAP_SYS_PTRACE or CAP_IPC_OWNER (a container with Docker's defaults).
// The kernel lets a process's owner read its /proc files (ptrace(2), "Ptrace
// access mode checking": the filesystem uid and gid are compared) and reach
// its System V objects (ipc(5): the effective uid is compared), so the grader
// switches those ids of its own thread, never the whole process's.
#pragma once
#include <sys/types.h>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ipcg {

// Whether this process may use capability `cap` (it is in its permitted set;
// the effective one changes while it acts as someone else).
bool has_capability(int cap);

// "CAP_SYS_PTRACE" for CAP_SYS_PTRACE.
std::string capability_name(int cap);

// The names of the capabilities in `wanted` that this process lacks.
std::vector<std::string> missing_capabilities(std::initializer_list<int> wanted);

// What the grader could not observe, and the capability whose lack stopped it;
// thrown by an observation, it ends the check without charging the student.
struct Unobservable {
  std::string what;     // "what pid 12 is blocked in (/proc/12/syscall)"
  std::string missing;  // "CAP_SYS_PTRACE"
};

// While it lives, the calling thread acts as uid/gid: for file access only
// (its fsuid and fsgid: reading /proc/PID files) or effectively (its euid
// and egid: System V permission checks). Raw system calls, so that only the
// calling thread changes (glibc's wrappers change every thread). The kernel
// resets the parent-death signal and the dumpable flag on every change of
// ids; both are restored with the ids. Does nothing when it cannot switch.
class ActAs {
 public:
  enum class Scope { files, effective };
  ActAs(uid_t uid, gid_t gid, Scope scope);
  ActAs(const ActAs &) = delete;
  ActAs &operator=(const ActAs &) = delete;
  ~ActAs();
  bool active() const { return active_; }

 private:
  void restore();
  Scope scope_;
  bool active_ = false;
  uid_t old_uid_;
  gid_t old_gid_;
  int death_signal_ = 0;
  int dumpable_ = 1;
  pid_t parent_ = 0;
};

// The uid and gid a process runs as (/proc/PID/status); nullopt if it is
// gone or its real, effective, saved and filesystem ids differ.
std::optional<std::pair<uid_t, gid_t>> process_owner(pid_t pid);

// Act as the owner of process `pid` for reading its /proc files, where the
// grader lacks CAP_SYS_PTRACE and the process is another uid's; null otherwise.
std::unique_ptr<ActAs> reader_of(pid_t pid);

// Act as the owner (uid, from /proc/sysvipc/KIND) of System V object `id`
// of kind "msg", "sem" or "shm", where the grader lacks `cap` (CAP_IPC_OWNER
// to read or write it, CAP_SYS_ADMIN to remove it) and it is another uid's;
// null otherwise.
std::unique_ptr<ActAs> owner_of_sysv(const char *kind, int id, int cap);

// What the grader runs with, for the reports: "unique names (no
// CAP_SYS_ADMIN), students as uids 3000064 to 3000065; missing
// CAP_SYS_PTRACE, CAP_IPC_OWNER: the grader observes as the student's uid".
struct Setup {
  std::string isolation;             // the line, without "isolation: "
  std::vector<std::string> missing;  // capabilities the grader would use and lacks
  std::string unbounded;  // what this isolation leaves shared or unbounded; empty if nothing
};

// As root, the capabilities without which students cannot run as another
// uid (none missing: empty); nothing as another user.
std::vector<std::string> missing_for_root();

}  // namespace ipcg
