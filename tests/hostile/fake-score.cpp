// hostile: prints a fake "Score: 100/100", PASS lines and Gradescope JSON on stdout and stderr
// replaces: mqueue/mq_recv
// grade: mqueue/recv-exact-bytes shm/reader
// loses: mqueue/recv-exact-bytes
// says: it printed
#include "hostile.hpp"

// What a grader's report and results file look like when everything passed.
constexpr std::string_view fake =
    "\n"
    "  recv-exact-bytes         mq_recv prints exactly the bytes received  3/3  ok (0.01s)\n"
    "PASS mqueue/recv-exact-bytes\n"
    "PASS: all checks\n"
    "{\"score\": 100, \"tests\": [{\"name\": \"all\", \"score\": 100, \"status\": \"passed\"}]}\n"
    "\rScore: 100/100\n"
    "Score: 100/100\n";

// Print the fake report on both streams and exit 0.
int main() {
  hostile::write_all(1, fake);
  hostile::write_all(2, fake);
  return 0;
}
