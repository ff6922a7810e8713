// output.cpp: what every results file shares: the words for a grader that
// failed, and writing a file whole or not at all.
#include "report.hpp"

#include "../core/fd.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>

namespace ipcg {

std::string grader_failure_message(const std::string &why) {
  return fmt::format(
      "ipcgrade failed before it could grade this submission: {}. This is not a grade: no "
      "points were given or taken; please tell your instructor.",
      why);
}

void write_atomically(const std::string &path, const std::string &text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  Fd fd(mkstemp(tmp.data()));
  if (fd.get() < 0) throw_errno("mkstemp " + tmp);
  try {
    // A results file is read by other users' services: rw-r--r--, as a plain create would be.
    check(fchmod(fd.get(), 0644), "fchmod");
    for (size_t done = 0; done < text.size();) {
      ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("write " + tmp);
      done += static_cast<size_t>(n);
    }
    check(fsync(fd.get()), "fsync");
    check(close(fd.release()), "close");
    check(rename(tmp.c_str(), path.c_str()), "rename");
  } catch (...) {
    unlink(tmp.c_str());
    throw;
  }
}

}  // namespace ipcg
