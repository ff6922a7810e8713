// confine.hpp: keeping a student's process away from the grader's own files
// (the kit's sources with its solutions, the build folder, the reports) with
// Landlock, which needs neither root nor namespaces. Namespaced sandboxes
// also mount over those folders (see Sandbox); this covers every mode.
#pragma once
#include <string>
#include <vector>

#include "fd.hpp"

namespace ipcg {

// The Landlock ABI version this kernel offers, 0 when it has none (or when
// IPCGRADE_LANDLOCK is "off").
int landlock_abi();

// A Landlock ruleset that forbids reading, listing and executing anything
// under the folders `hidden`, leaving the rest of the file system as it was;
// no descriptor on a kernel without Landlock or when nothing is hidden.
// `granted` are folders to allow even so: the roots of mqueue mounts, which
// Landlock also consults when a program opens a queue with mq_open().
// Built by the parent before fork, as root: it reads every folder on the way,
// which a child forked from the threaded grader must not (it may allocate
// nothing). Throws naming the call that failed.
Fd hiding_ruleset(const std::vector<std::string> &hidden, const std::vector<std::string> &granted);

// In a child about to exec: enter `ruleset` (none when negative). Allocates
// nothing; returns the call that failed, or nullptr.
const char *enter_ruleset(int ruleset) noexcept;

}  // namespace ipcg
