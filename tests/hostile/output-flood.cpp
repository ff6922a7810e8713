// hostile: floods stdout with 3 GB of output, then exits 0
// replaces: mqueue/mq_recv
// grade: mqueue/recv-exact-bytes mmap/record-edit
// loses: mqueue/recv-exact-bytes
// says: output
#include <string>

#include "hostile.hpp"

// Stop at about 3 GB, so that a grader that keeps everything cannot fill the machine.
constexpr size_t cap = 3000UL * 1000 * 1000;

// Write "y\n" lines in 1 MiB blocks until the cap or a failed write.
int main() {
  std::string block;
  while (block.size() < (1 << 20)) block += "y\n";
  for (size_t done = 0; done < cap; done += block.size())
    if (!hostile::write_all(1, block)) return 1;
  return 0;
}
