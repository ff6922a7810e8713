// hostile: crashes with SIGABRT (abort)
// replaces: mmap/mm_edit
// grade: mmap/record-edit shm/reader
// loses: mmap/record-edit
// says: crashed with SIGABRT
#include <cstdlib>

#include "hostile.hpp"

// Abort at once.
int main() { std::abort(); }
