// registry.hpp: every lab's check table, and selectors ("mqueue",
// "mqueue/priority-order") turned into the checks they name.
#pragma once
#include "check.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ipcg {

// Every lab the grader knows, in course order.
const std::vector<Lab> &all_labs();

// A bad selector or option: the message is one line for the user.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The checks the selectors name, in table order, each once; all of them when
// there are no selectors. Throws UsageError for a selector that names nothing.
std::vector<std::pair<const Lab *, const Check *>> select_checks(
    const std::vector<std::string> &selectors);

// The labs' own tables, one function per lab (grader/checks/<lab>.cpp).
Lab mqueue_lab();
Lab mmap_lab();
Lab shm_lab();
Lab sem_lab();
Lab channels_lab();

}  // namespace ipcg
