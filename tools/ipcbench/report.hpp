// report.hpp: what a run found, and its three renderings: the text table,
// the CSV file and the hand-written SVG plots. Nothing here measures.
#pragma once
#include "measure.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ipcbench {

// One measurement: a mechanism at one message size, as round trips or as
// bulk transfer; either its statistics or why it could not be made.
struct Cell {
  std::string mechanism;  // "pipe", ..., "memcpy-libc", "memcpy-vector"
  std::string kind;       // "latency" (µs per round trip) or "throughput" (GB/s)
  size_t size = 0;        // message size in bytes (0: the futex carries none)
  std::optional<Stats> stats;
  std::string note;  // why it is n/a, or what it is
  std::string copy;  // who copies the bytes: "libc", "vector", "kernel" or "-"
};

// Everything a run found.
struct Results {
  std::vector<Cell> cells;
  std::vector<std::string> order;  // rows, in report order
  std::string memcpy_row;          // the memcpy row made with the transfers' routine
  std::string copy_used;           // its description, for titles
  std::string machine;             // one line: CPUs, kernel, date
};

// The cell of `mechanism`/`kind` at `size`, or nullptr.
const Cell *find_cell(const Results &r, const std::string &mechanism, const std::string &kind,
                      size_t size);

// "64 B", "16 KiB", "1 MiB".
std::string size_label(size_t n);

// A number with three significant figures, in plain notation.
std::string num(double v);

// The table: one block per mechanism, one row per size, with the medians
// and [min .. max] of round trip and throughput, and notes.
std::string text_table(const Results &r);

// One line per cell, with a header line.
std::string csv(const Results &r);

// SVG 1.1 plot of `kind` ("throughput" or "latency") against message size,
// log-log, one line per mechanism, with a legend.
std::string svg_plot(const Results &r, const std::string &kind);

}  // namespace ipcbench
