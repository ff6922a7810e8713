// sandbox.hpp: the private world one check runs in. With namespaces (as root,
// or through an unprivileged user namespace) a check gets its own IPC
// namespace, its own /tmp and /dev/shm, an mqueue mount only the grader sees,
// and a PID namespace whose init takes every student process down with it.
// Without them, object names and keys are made unique to the check instead.
#pragma once
#include "fd.hpp"
#include "result.hpp"

#include <sys/ipc.h>
#include <sys/types.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcg {

enum class Isolation {
  root_namespaces,  // root: namespaces, and students run as an unprivileged uid
  user_namespaces,  // not root: namespaces inside a user namespace, same uid
  unique_names,     // no namespaces: unique names and keys, the host's objects
};

// "namespaces (root)", "namespaces (user)" or "unique names".
std::string_view describe(Isolation iso);

// The best isolation this kernel grants this process, found by trying it in
// a throw-away child.
Isolation probe_isolation();

// As root, move this process into a mount namespace of its own whose /proc
// shows its own PID namespace (see Sandbox); elsewhere do nothing. For tools
// that read /proc/PID of their children outside any sandbox (the unit tests).
// Returns whether it did (then this process has a mount namespace of its own).
bool own_proc_view();

// Whether /proc shows another PID namespace than this process's (a chroot
// that kept its host's /proc): then /proc/self names another pid than getpid().
bool foreign_proc();


// Whether a live process other than the caller (not a zombie: SIGKILL is done
// with those) has `uid` as its real or saved uid, so that a process running as
// `uid` may signal it.
bool uid_has_live_process(uid_t uid);

// The pids of the processes whose parent is `parent` (zombies included).
std::vector<pid_t> children_of(pid_t parent);

class Sandbox {
 public:
  // Enter a new sandbox; called in the process that will run one check.
  // `student_uid` is used only as root, never in a user namespace; `tag`
  // makes unique names.
  // `hidden`: folders no student process may read (the kit's sources and
  // build, the reports); with namespaces they are also mounted over.
  // `staging`: the grader's staging folder, the one folder of /run that stays
  // visible (as root, /run is replaced: other graders' staging is hidden).
  Sandbox(Isolation iso, std::optional<uid_t> student_uid, std::string tag,
          std::vector<std::string> hidden = {}, std::string staging = {});
  Sandbox(const Sandbox &) = delete;
  Sandbox &operator=(const Sandbox &) = delete;
  ~Sandbox();

  Isolation isolation() const { return iso_; }
  // A POSIX object name ("/" + base in a namespace, unique otherwise).
  std::string name(std::string_view base);
  // A System V key, the n-th of this check.
  key_t key(unsigned n);
  // The student's working directory (writable by the student).
  const std::string &workdir() const { return workdir_; }
  std::optional<uid_t> student_uid() const { return uid_; }
  const std::vector<std::string> &hidden() const { return hidden_; }
  // The IPC namespace bounds that could not be set ("shmmax, ..."); empty
  // when all were, and without namespaces (where there is none to bound).
  const std::string &unbounded() const { return unbounded_; }
  // The mqueue mount a student's process must be granted when it is
  // confined (see hiding_ruleset); empty when there is none.
  std::string mqueue_root() const { return mqueue_dir_.empty() ? host_mqueue_ : mqueue_dir_; }
  // The file of POSIX queue `name` in the grader's mqueue mount, if it has one.
  std::optional<std::string> mqueue_file(std::string_view name) const;

  // The folders where the student's objects appear: the work folder (FIFO
  // files), /dev/shm, and the grader's mqueue mount when there is one.
  std::vector<std::string> object_dirs() const;
  // The pids of the student's processes still alive in the sandbox (those
  // running as its uid); empty when it has no uid of its own.
  std::vector<pid_t> student_processes() const;

  // Note a file the grader made in the work folder (sweep() reports any other).
  void grader_file(const std::string &path) { files_.push_back(path); }

  // Kill every process still alive in the sandbox and reap them all.
  void end_processes();
  // List and remove every IPC object the sandbox holds; return what was there.
  std::vector<Leftover> sweep();
  // Without namespaces: what the student's uid owned before the check began
  // (left by a grader that died with a pid this one now has), removed then.
  const std::vector<Leftover> &stale() const { return stale_; }

  // Without namespaces, after the process that ran the check tagged `tag`
  // was killed before its own sweep (it overran, or the grader was stopped):
  // kill its student's processes and remove what it left on the host (the
  // objects named with its tag or owned by its student's uid, and its work
  // folder); return the objects. It enters a mount namespace of its own:
  // call it in a process of its own.
  static std::vector<Leftover> clean_up_killed(std::optional<uid_t> student_uid,
                                               std::string tag);

 private:
  struct Remains {};
  // The fields of the sandbox of a killed check, nothing entered or made.
  Sandbox(Remains, std::optional<uid_t> student_uid, std::string tag);
  std::vector<Leftover> sweep_tagged();
  key_t key_base() const;
  void enter_namespaces();
  void mount_private_dirs();
  void start_init();
  std::vector<Leftover> sweep_namespace();
  std::vector<Leftover> sweep_names();
  std::vector<Leftover> sweep_files();
  std::vector<Leftover> sweep_student_owned();
  void kill_student_uid();

  Isolation iso_;
  std::optional<uid_t> uid_;
  std::string tag_;
  std::string workdir_;
  std::string mqueue_dir_;
  std::string host_mqueue_;  // without namespaces: the host's queues, seen through a
                             // mount of this process's own (to find the student's)
  pid_t init_ = -1;
  Fd alive_;  // held open while the check process lives (see init_loop)
  std::vector<std::string> names_;
  std::vector<key_t> keys_;
  std::vector<std::string> files_;
  std::vector<Leftover> stale_;
  std::vector<std::string> hidden_;
  std::string staging_, unbounded_;
};

}  // namespace ipcg
