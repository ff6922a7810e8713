// hostile: crashes with SIGFPE (an integer division by zero)
// replaces: sem/ring_init
// grade: sem/ring-init channels/mq-data
// loses: sem/ring-init
// says: crashed with SIGFPE
#include "hostile.hpp"

// Divide by a zero the compiler cannot see (1 / x would be folded into a
// comparison, without any division instruction).
int main(int argc, char **) {
  volatile int zero = 0;
  return argc / zero;
}
