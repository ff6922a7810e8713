// watch.hpp: which files and IPC objects get created while a check runs,
// read from inotify: FIFO files in the work folder, objects and semaphores in
// /dev/shm, queues in the grader's mqueue mount. An event log, not a poll:
// nothing that is created and removed between two looks goes unseen.
#pragma once
#include "fd.hpp"

#include <string>
#include <vector>

namespace ipcg {

// One thing created in a watched folder.
struct Created {
  std::string dir;   // the folder watched ("/dev/shm")
  std::string name;  // the entry's name ("sem.ctl.c2s.full")
};

class CreationLog {
 public:
  // Start watching these folders (each must exist) for entries being created.
  explicit CreationLog(const std::vector<std::string> &dirs);
  // Everything created since the last call (or since the start), in order.
  std::vector<Created> read();

 private:
  Fd fd_;
  std::vector<std::pair<int, std::string>> watches_;  // watch descriptor -> folder
};

}  // namespace ipcg
