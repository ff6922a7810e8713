// registry.hpp: every lab's check table, and selectors ("mqueue",
// "mqueue/priority-order") turned into the checks they name.
#pragma once
#include "check.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

// The walkthrough step a check belongs to: N when its section is a heading
// "Step N: ...", nullopt for any other heading (such a check runs with its
// lab and by its own selector, never with --step).
std::optional<int> step_of(const Check &c);

// Self-study: the checks of walkthrough step `step` of the one lab that
// `selectors` names ("mqueue --step 3"), in table order. Throws UsageError
// for no lab, several selectors, a lab/check selector, or a step without checks.
std::vector<std::pair<const Lab *, const Check *>> select_step(
    const std::vector<std::string> &selectors, int step);

// The one check that "lab/check" names. Throws UsageError naming what is
// unknown; `prog` is how the user runs the grader ("./kit grade"), for the hint.
std::pair<const Lab *, const Check *> find_check(const std::string &selector,
                                                 std::string_view prog);

// What --explain prints about one check: its title and points, what the
// grader does, the usual cause of a failure, the handout section to read,
// and the commands (starting with `prog`) that run it and its step.
std::string explain(const Lab &lab, const Check &c, std::string_view prog);

// Every lab and check as JSON (--list --json): labs[] with id, dir, title,
// handout, programs, points, checks[] (id, title, points, section, step,
// deadline_ms, does, usual_cause, cleanup), contract[] (id, program, quote,
// checks) and prose[] (Contract passages that promise nothing).
std::string registry_json();

// What --coverage prints: each lab's contract clauses and the checks that
// enforce them, and the clauses no check enforces.
std::string coverage_text();

// The labs' own tables, one function per lab (grader/checks/<lab>.cpp), and
// their contracts (grader/checks/<lab>_contract.cpp).
Lab mqueue_lab();
Lab mmap_lab();
Lab shm_lab();
Lab sem_lab();
Lab channels_lab();
Contract mqueue_contract();
Contract mmap_contract();
Contract shm_contract();
Contract sem_contract();
Contract channels_contract();

}  // namespace ipcg
