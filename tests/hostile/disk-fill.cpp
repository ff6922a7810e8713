// hostile: fills the disk (work folder, /var/tmp, /tmp, /dev/shm) instead of appending
// replaces: mmap/mm_append
// grade: mmap/grow shm/reader
// loses: mmap/grow
// says: it holds 96 bytes
#include <fcntl.h>

#include <chrono>
#include <string>

#include "hostile.hpp"

// Stop at 2 GiB in all, or after 2.5 s (the check's deadline is 5 s), so
// that a grader without limits cannot fill a shared machine's disk.
constexpr size_t cap = 2UL << 30;
constexpr auto time_cap = std::chrono::milliseconds(2500);

// Fill files in `dir` with 16 MiB writes until a write fails or a cap is met;
// returns the bytes written.
size_t fill(const std::string &dir, size_t budget, std::chrono::steady_clock::time_point end) {
  static const std::string block(16 << 20, 'F');
  std::string path = dir + "/hostile-fill." + std::to_string(getpid());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < budget && std::chrono::steady_clock::now() < end) {
    ssize_t n = write(fd, block.data(), std::min(block.size(), budget - done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd);
  return done;
}

// Fill every writable place in turn; leave the files; exit 0 without appending.
int main() {
  signal(SIGXFSZ, SIG_IGN);
  auto end = std::chrono::steady_clock::now() + time_cap;
  size_t used = 0;
  for (const char *dir : {".", "/var/tmp", "/tmp", "/dev/shm"}) used += fill(dir, cap - used, end);
  if (hostile::verbose()) std::fprintf(stderr, "hostile: wrote %zu bytes\n", used);
  return 0;
}
