// hostile: crashes with SIGSEGV (a write through a null pointer)
// replaces: shm/shm_read
// grade: shm/reader sem/ring-init
// loses: shm/reader
// says: crashed with SIGSEGV
#include "hostile.hpp"

// Store through a null pointer.
int main() {
  *static_cast<volatile int *>(nullptr) = 1;
  return 0;
}
