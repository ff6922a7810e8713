// hostile: reads the reference solution's source and the grader's binary, and prints them
// replaces: mqueue/mq_recv
// grade: mqueue/recv-exact-bytes shm/reader
// loses: mqueue/recv-exact-bytes
// says: it printed
// hidden: LEAKED
#include <fcntl.h>

#include <string>

#include "hostile.hpp"

// Print "LEAKED <label>:" and the first n bytes of `path`, or why it could not be read.
void leak(const char *label, const std::string &path, size_t n) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    std::printf("blocked %s: %s\n", label, std::strerror(errno));
    return;
  }
  std::string buf(n, '\0');
  ssize_t got = read(fd, buf.data(), n);
  close(fd);
  if (got <= 0) {
    std::printf("blocked %s: nothing read\n", label);
    return;
  }
  std::printf("LEAKED %s: ", label);
  std::fwrite(buf.data(), 1, static_cast<size_t>(got), stdout);
  std::printf("\n");
}

// Copy what it can read of the solution and the grader to stdout.
int main() {
  leak("solution", std::string(KIT_SOURCE) + "/solutions/01-mqueue/mq_recv.cpp", 400);
  leak("grader", GRADER_BIN, 64);
  leak("checks", std::string(KIT_SOURCE) + "/grader/checks/mqueue.cpp", 200);
  return 0;
}
