// confine.hpp: keeping a student's process away from the grader's own files
// (the kit's sources with its solutions, the build folder, the reports) with
// Landlock, which needs neither root nor namespaces. Namespaced sandboxes
// also mount over those folders (see Sandbox); this covers every mode.
#pragma once
#include <string>
#include <vector>

namespace ipcg {

// The Landlock ABI version this kernel offers, 0 when it has none.
int landlock_abi();

// In a child about to exec: forbid reading, listing and executing anything
// under the folders `hidden`, leaving the rest of the file system as it was.
// Returns false with `why` naming the failed call; true (doing nothing) on
// a kernel without Landlock.
// `granted` are folders to allow even so: the roots of mqueue mounts, which
// Landlock also consults when a program opens a queue with mq_open().
// Call it before dropping privileges: it reads every folder on the way.
bool hide_paths(const std::vector<std::string> &hidden, const std::vector<std::string> &granted,
                std::string &why);

}  // namespace ipcg
