// batch.hpp: `ipcgrade batch SUBMISSIONS_DIR`: grade a folder that holds one
// folder per student, each by a grader process of its own (`ipcgrade
// --sources`), several at once; write a CSV gradebook and one report per
// student, and resume an interrupted batch where it stopped.
#pragma once
#include <string>
#include <vector>

namespace ipcg {

struct BatchOptions {
  std::string submissions;             // one folder per student
  std::string out = "ipcgrade-batch";  // gradebook.csv, reports/, cache/
  int jobs = 0;                        // students graded at once (0: see students_at_once)
  bool force = false;                  // grade again the students that have a report
  double slow = 1.0;                   // --slow for every grader
  std::vector<std::string> selectors;  // the labs or checks to grade (all when empty)
};

// Grade every student's folder. Returns 0 when every student was graded
// (whatever the scores), 1 when the grader failed for some, 130 when
// interrupted. Bad input (no such folder, an empty one) throws UsageError.
int run_batch(const BatchOptions &o);

}  // namespace ipcg
