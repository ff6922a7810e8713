// access.cpp: capabilities, and acting as a student's uid for one call.
#include "access.hpp"

#include "process.hpp"

#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fstream>
#include <sstream>

namespace ipcg {

bool has_capability(int cap) {
  __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &head, data) < 0) return false;
  return (data[cap / 32].permitted >> (cap % 32)) & 1u;
}

std::string capability_name(int cap) {
  switch (cap) {
    case CAP_CHOWN: return "CAP_CHOWN";
    case CAP_DAC_OVERRIDE: return "CAP_DAC_OVERRIDE";
    case CAP_FOWNER: return "CAP_FOWNER";
    case CAP_KILL: return "CAP_KILL";
    case CAP_SETUID: return "CAP_SETUID";
    case CAP_SETGID: return "CAP_SETGID";
    case CAP_SYS_ADMIN: return "CAP_SYS_ADMIN";
    case CAP_SYS_PTRACE: return "CAP_SYS_PTRACE";
    case CAP_IPC_OWNER: return "CAP_IPC_OWNER";
  }
  return "capability " + std::to_string(cap);
}

std::vector<std::string> missing_capabilities(std::initializer_list<int> wanted) {
  std::vector<std::string> missing;
  for (int cap : wanted)
    if (!has_capability(cap)) missing.push_back(capability_name(cap));
  return missing;
}

std::vector<std::string> missing_for_root() {
  if (geteuid() != 0) return {};
  return missing_capabilities(
      {CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL});
}

// The current filesystem uid or gid (setfs*id with -1 changes nothing and returns it).
static uid_t current_fsuid() { return static_cast<uid_t>(syscall(SYS_setfsuid, -1)); }
static gid_t current_fsgid() { return static_cast<gid_t>(syscall(SYS_setfsgid, -1)); }

ActAs::ActAs(uid_t uid, gid_t gid, Scope scope) : scope_(scope) {
  old_uid_ = scope == Scope::files ? current_fsuid() : geteuid();
  old_gid_ = scope == Scope::files ? current_fsgid() : getegid();
  if (uid == old_uid_ && gid == old_gid_) return;
  prctl(PR_GET_PDEATHSIG, &death_signal_);
  dumpable_ = prctl(PR_GET_DUMPABLE);
  parent_ = getppid();
  if (scope == Scope::files) {
    syscall(SYS_setfsgid, gid);
    syscall(SYS_setfsuid, uid);
    active_ = current_fsuid() == uid && current_fsgid() == gid;
  } else {
    active_ = syscall(SYS_setresgid, -1, gid, -1) == 0 && syscall(SYS_setresuid, -1, uid, -1) == 0;
  }
  if (!active_) restore();  // undo a half switch
}

ActAs::~ActAs() { restore(); }

// Give the thread its own ids back, then what their change reset.
void ActAs::restore() {
  if (parent_ == 0) return;
  if (scope_ == Scope::files) {
    syscall(SYS_setfsuid, old_uid_);
    syscall(SYS_setfsgid, old_gid_);
  } else {
    syscall(SYS_setresuid, -1, old_uid_, -1);
    syscall(SYS_setresgid, -1, old_gid_, -1);
  }
  prctl(PR_SET_DUMPABLE, dumpable_);
  if (death_signal_ != 0) {
    prctl(PR_SET_PDEATHSIG, death_signal_);
    if (getppid() != parent_) kill(getpid(), death_signal_);  // it died meanwhile
  }
  parent_ = 0;
}

// The four ids of a "Uid:" or "Gid:" line; true if they are all the same.
static bool same_ids(const std::string &rest, unsigned &id) {
  std::istringstream in(rest);
  unsigned v[4];
  if (!(in >> v[0] >> v[1] >> v[2] >> v[3])) return false;
  id = v[0];
  return v[1] == id && v[2] == id && v[3] == id;
}

std::optional<std::pair<uid_t, gid_t>> process_owner(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  unsigned uid = 0, gid = 0;
  bool uid_ok = false, gid_ok = false;
  for (std::string line; std::getline(f, line);) {
    if (line.starts_with("Uid:")) uid_ok = same_ids(line.substr(4), uid);
    if (line.starts_with("Gid:")) gid_ok = same_ids(line.substr(4), gid);
  }
  if (!uid_ok || !gid_ok) return std::nullopt;
  return std::pair{static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
}

std::unique_ptr<ActAs> reader_of(pid_t pid) {
  if (has_capability(CAP_SYS_PTRACE)) return nullptr;
  auto owner = process_owner(pid);
  if (!owner || owner->first == geteuid()) return nullptr;
  return std::make_unique<ActAs>(owner->first, owner->second, ActAs::Scope::files);
}

std::unique_ptr<ActAs> owner_of_sysv(const char *kind, int id, int cap) {
  if (has_capability(cap)) return nullptr;
  std::ifstream f(std::string("/proc/sysvipc/") + kind);
  std::string line;
  std::getline(f, line);
  std::istringstream head(line);
  std::vector<std::string> cols;
  for (std::string c; head >> c;) cols.push_back(c);
  size_t uid_col = cols.size(), gid_col = cols.size();
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i] == "uid") uid_col = i;
    if (cols[i] == "gid") gid_col = i;
  }
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::vector<long long> v;
    for (long long x; in >> x;) v.push_back(x);
    if (v.size() <= std::max(uid_col, gid_col) || v[1] != id) continue;
    auto uid = static_cast<uid_t>(v[uid_col]);
    if (uid == geteuid()) return nullptr;
    return std::make_unique<ActAs>(uid, static_cast<gid_t>(v[gid_col]), ActAs::Scope::effective);
  }
  return nullptr;
}

}  // namespace ipcg
