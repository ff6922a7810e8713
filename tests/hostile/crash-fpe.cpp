// hostile: crashes with SIGFPE (an integer division by zero)
// replaces: sem/ring_init
// grade: sem/ring-init channels/mq-data
// loses: sem/ring-init
// says: crashed with SIGFPE
#include "hostile.hpp"

// Divide by a zero the compiler cannot see.
int main(int argc, char **) {
  volatile int zero = argc - argc;
  return 1 / zero;
}
