// measure.hpp: how ipcbench times things. A subject (a mechanism's round
// trips or bulk transfer at one size, or a copy routine on one core) is set
// up as a rig: its links and a pinned helper process. Each rig is warmed up
// and calibrated with growing batches, then timed in `trials` batches of
// about `trial_seconds`. Subjects measured together alternate trial by
// trial, so that a change in the machine's state hits all of them alike.
// See links.hpp for the links themselves.
#pragma once
#include "links.hpp"

#include <cstddef>
#include <vector>

namespace ipcbench {

// Median and spread of the trials of one measurement.
struct Stats {
  double median = 0, min = 0, q1 = 0, q3 = 0, max = 0;
  int trials = 0;
};

// The median, quartiles and extremes of samples (at least one).
Stats summarize(std::vector<double> samples);

// How every measurement of a run is made.
struct Plan {
  int trials = 7;
  double trial_seconds = 0.02;
  int cpu_self = -1;    // where ipcbench runs (pinned at start), -1 if not pinned
  int cpu_helper = -1;  // where each helper process is pinned, -1 if not
  LinkOptions link;
};

// What to time:
//  latency     ipcbench sends n bytes on one link, the helper receives them and
//              sends n bytes back on another: microseconds per round trip;
//  throughput  the helper sends n-byte messages on one link and ipcbench
//              receives each into its private buffer: GB/s (10^9 bytes/s);
//  copy        `copy` between two page-aligned private n-byte buffers on
//              ipcbench's CPU: GB/s.
struct Subject {
  enum Kind { latency, throughput, copy } kind;
  const Mechanism *mechanism = nullptr;  // for latency and throughput
  size_t n = 0;
  CopyFn copy_fn = nullptr;  // for copy
};

// Time the subjects together, their trials alternating; one Stats each, in
// order. Throws NotAvailable if a mechanism cannot carry its size.
std::vector<Stats> measure_together(const std::vector<Subject> &subjects, const Plan &plan);

// Time one subject.
Stats measure(const Subject &subject, const Plan &plan);

}  // namespace ipcbench
