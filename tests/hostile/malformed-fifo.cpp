// hostile: a server whose FIFO reply announces 4294967295 bytes and sends 16
// replaces: channels/server
// grade: channels/fifo-data mqueue/outlives-sender
// loses: channels/fifo-data
// says: 4294967295
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "hostile.hpp"

// Read exactly n bytes from fd; false at end of file.
bool read_exact(int fd, char *buf, size_t n) {
  while (n > 0) {
    ssize_t k = read(fd, buf, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    buf += k, n -= static_cast<size_t>(k);
  }
  return true;
}

// Make the control channel's FIFOs, take one request, answer it with a lying length.
int main(int argc, char **argv) {
  std::string base = hostile::option_value(argc, argv, "-n");
  for (const char *dir : {".c2s", ".s2c"})
    if (mkfifo((base + dir).c_str(), 0600) < 0 && errno != EEXIST) hostile::complain("mkfifo");
  int in = open((base + ".c2s").c_str(), O_RDONLY);
  int out = open((base + ".s2c").c_str(), O_WRONLY);
  if (in < 0 || out < 0) return hostile::complain("open"), 1;
  uint32_t len = 0;
  char msg[256];
  if (!read_exact(in, reinterpret_cast<char *>(&len), 4) || len > sizeof msg ||
      !read_exact(in, msg, len))
    return 1;
  uint32_t lie = 0xFFFFFFFFu;
  hostile::write_all(out, std::string_view(reinterpret_cast<char *>(&lie), 4));
  hostile::write_all(out, "0123456789abcdef");
  while (read(in, msg, sizeof msg) > 0) {
  }
  return 0;
}
