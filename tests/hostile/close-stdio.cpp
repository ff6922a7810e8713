// hostile: closes stdout and stderr at once, then sleeps for ever
// replaces: mmap/mm_fork
// grade: mmap/fork-anon shm/reader
// loses: mmap/fork-anon
// says: killed after
#include "hostile.hpp"

// Close both output streams (the grader sees end of file), and go on living.
int main() {
  close(1);
  close(2);
  hostile::sleep_forever();
}
