// hostile: prints exactly the expected output and handshake without mapping anything
// replaces: mmap/mm_private
// grade: mmap/map-private shm/reader
// loses: mmap/map-private
// says: not mapped
#include <string>

#include "hostile.hpp"

// Echo the balance asked for as if read back from a private mapping.
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  hostile::write_all(1, "balance " + std::string(argv[3]) + "\nready\n");
  hostile::read_line();
  return 0;
}
