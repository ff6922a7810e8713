// hostile: plants a fake results file (a symlink to its own JSON, or the file itself) at the path given to --json
// replaces: mqueue/mq_send
// grade: mqueue/send-exact-bytes shm/reader
// loses: mqueue/send-exact-bytes
// says: the queue is empty
#include <fcntl.h>
#include <sys/stat.h>

#include <string>

#include "hostile.hpp"

// A Gradescope results file that gives full marks.
constexpr std::string_view fake =
    R"({"score": 100, "execution_time": 1, "tests": [{"name": "mqueue/send-exact-bytes: x", )"
    R"("number": "1.1", "score": 100, "max_score": 3, "status": "passed", "output": "PASS", )"
    R"("visibility": "visible"}]})"
    "\n";

// Write the fake JSON to `path`; false when it cannot.
bool write_fake(const std::string &path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) return false;
  fchmod(fd, 0666);
  bool ok = hostile::write_all(fd, fake);
  close(fd);
  return ok;
}

// Point the results path at a file of ours, or failing that, write it; send nothing.
int main() {
  std::string results = HOSTILE_RESULTS, target = results + ".target";
  if (!write_fake(target)) hostile::complain("open target");
  if (symlink(target.c_str(), results.c_str()) < 0 && !write_fake(results))
    hostile::complain("open results");
  return 0;
}
