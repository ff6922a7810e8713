// hostile: posts once, then truncates its mailbox to 0 bytes while the grader has it mapped
// replaces: shm/shm_mailbox
// grade: shm/mailbox sem/ring-init
// loses: shm/mailbox
// says: truncated
#include <fcntl.h>
#include <sys/mman.h>

#include <cstdint>
#include <string>

#include "hostile.hpp"

// The lab's mailbox, as the handout lays it out.
struct Mailbox {
  char magic[4];
  uint32_t seq, len;
  char text[244];
};

// Read one line of stdin (without its newline); false at end of input.
bool next_line(std::string &line) {
  line.clear();
  char c;
  while (read(0, &c, 1) == 1) {
    if (c == '\n') return true;
    line += c;
  }
  return false;
}

// Post the first line properly; at the second, shrink the object and say "posted 2".
int main(int argc, char **argv) {
  std::string name = hostile::arg_starting(argc, argv, "/");
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0) return hostile::complain("shm_open"), 1;
  if (ftruncate(fd, sizeof(Mailbox)) < 0) return hostile::complain("ftruncate"), 1;
  void *m = mmap(nullptr, sizeof(Mailbox), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return hostile::complain("mmap"), 1;
  auto *box = static_cast<Mailbox *>(m);
  std::memcpy(box->magic, "MBOX", 4);  // a mailbox as the contract sets it up, before line 1
  std::string line;
  if (!next_line(line)) return 1;
  box->len = static_cast<uint32_t>(line.copy(box->text, sizeof box->text));
  box->seq = 1;
  hostile::write_all(1, "posted 1\n");
  if (!next_line(line)) return 1;
  if (ftruncate(fd, 0) < 0) hostile::complain("ftruncate");
  hostile::write_all(1, "posted 2\n");
  while (next_line(line)) {
  }
  return 0;
}
