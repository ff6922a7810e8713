// ipcbench: round-trip latency and one-way throughput of the kit's IPC
// mechanisms, next to memcpy and futex references, measured in one run.
//
// usage: ipcbench [--out DIR] [--quick] [--sizes LIST] [--trials N]
//                 [--mechanisms LIST] [--copy auto|libc|vector] [--slots N]
//                 [--trial-ms MS]
//
// Writes DIR/ipcbench.txt (the table it prints), DIR/ipcbench.csv,
// DIR/throughput.svg and DIR/latency.svg; DIR is ./ipcbench-results unless
// given. Exit codes: 0 the run finished (whether or not the targets were
// met), 1 a system call or a measurement failed, 2 bad usage, 128+N killed
// by signal N (everything it made is removed first). See README.md.
#include "copy.hpp"
#include "links.hpp"
#include "measure.hpp"
#include "report.hpp"
#include "sys.hpp"

#include <fmt/format.h>
#include <gnu/libc-version.h>
#include <sched.h>
#include <signal.h>
#include <sys/utsname.h>
#include <CLI/CLI.hpp>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace ipcbench;

namespace {

// Exit codes: the run finished, something failed, bad usage.
constexpr int exit_ok = 0, exit_failed = 1, exit_usage = 2;

// The chunk size of the throughput target and the bound of "small" messages.
constexpr size_t target_chunk = 64 * 1024, small_message = 4096;

struct Options {
  std::string out = "ipcbench-results";
  bool quick = false;
  std::vector<std::string> sizes;
  int trials = 0;  // 0: 7, or 3 with --quick
  std::vector<std::string> mechanisms;
  std::string copy = "auto";
  int slots = 16;
  double sem_spin_us = 0;
  double trial_ms = 0;  // 0: 20, or 5 with --quick
};

// Declare the command line's options on `app`, bound to `o`.
void declare(CLI::App &app, Options &o) {
  app.add_option("--out", o.out, "folder for ipcbench.txt, ipcbench.csv, throughput.svg, latency.svg")
      ->default_str("ipcbench-results");
  app.add_flag("--quick", o.quick, "3 trials of 5 ms at 64 B, 4 KiB and 64 KiB: a few seconds");
  app.add_option("--sizes", o.sizes,
                 "message sizes, e.g. 64,4K,1M (B, K/KiB, M/MiB; default 64 B to 1 MiB in steps of 4x)")
      ->delimiter(',');
  app.add_option("--trials", o.trials, "timed trials per measurement (default 7)")
      ->check(CLI::Range(1, 1000));
  std::string names;
  for (const auto &m : all_mechanisms())
    if (std::string(m.name) != "futex") names += std::string(names.empty() ? "" : ",") + m.name;
  app.add_option("--mechanisms", o.mechanisms,
                 "which to measure, from " + names + " (default all; memcpy and futex always run)")
      ->delimiter(',');
  app.add_option("--copy", o.copy,
                 "how the shm mechanisms and the memcpy reference copy: auto (default: the faster "
                 "across cores, measured), libc (memcpy) or vector (ipcbench's own loop)")
      ->check(CLI::IsMember({"auto", "libc", "vector"}));
  app.add_option("--slots", o.slots, "slots in the shm ring and the spin ring (default 16)")
      ->check(CLI::Range(2, 64));
  app.add_option("--sem-spin", o.sem_spin_us,
                 "shm-slot and shm-ring: retry sem_trywait for up to USEC microseconds before "
                 "sleeping in sem_wait (default 0: plain sem_wait)")
      ->check(CLI::Range(0.0, 10000.0));
  app.add_option("--trial-ms", o.trial_ms, "length of one timed trial in ms (default 20)")
      ->check(CLI::Range(1.0, 10000.0));
}

// A size such as 64, 4K, 4KiB, 1M or 1MiB, in bytes.
size_t parse_size(const std::string &text) {
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  std::string unit = used ? text.substr(used) : "?";
  for (auto &ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  unsigned long long scale = 0;
  if (unit == "" || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kib" || unit == "kb") scale = 1024;
  else if (unit == "m" || unit == "mib" || unit == "mb") scale = 1024 * 1024;
  if (scale == 0 || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
    throw UsageError(fmt::format("--sizes: '{}' is not a size (write bytes, or K/KiB, M/MiB: 64,4K,1M)", text));
  if (v == 0 || v > (16ull << 20) || v * scale > (16ull << 20))
    throw UsageError(fmt::format("--sizes: '{}' is out of range (1 B to 16 MiB)", text));
  return static_cast<size_t>(v * scale);
}

// The sizes to measure, ascending and without repeats.
std::vector<size_t> chosen_sizes(const Options &o) {
  std::vector<size_t> sizes;
  for (const auto &s : o.sizes) sizes.push_back(parse_size(s));
  if (sizes.empty())
    sizes = o.quick ? std::vector<size_t>{64, 4096, 65536}
                    : std::vector<size_t>{64, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20};
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

// The mechanisms to measure, in report order (futex always included).
std::vector<const Mechanism *> chosen_mechanisms(const Options &o) {
  for (const auto &name : o.mechanisms)
    if (name != "memcpy" && !find_mechanism(name)) {
      std::string names;
      for (const auto &m : all_mechanisms()) names += std::string(names.empty() ? "" : ", ") + m.name;
      throw UsageError(fmt::format("--mechanisms: unknown '{}' (choose from {})", name, names));
    }
  std::vector<const Mechanism *> out;
  for (const auto &m : all_mechanisms()) {
    bool wanted = o.mechanisms.empty() || std::string(m.name) == "futex" ||
                  std::find(o.mechanisms.begin(), o.mechanisms.end(), m.name) != o.mechanisms.end();
    if (wanted) out.push_back(&m);
  }
  return out;
}

// The CPUs this process may run on.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  check(sched_getaffinity(0, sizeof set, &set), "sched_getaffinity");
  std::vector<int> cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  return cpus;
}

// The first line of a file, or "?".
std::string first_line(const char *path) {
  std::ifstream f(path);
  std::string line;
  return std::getline(f, line) ? line : "?";
}

// The CPU model from /proc/cpuinfo.
std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// The load average's three figures.
std::string load_average() {
  std::istringstream in(first_line("/proc/loadavg"));
  std::string a, b, c;
  in >> a >> b >> c;
  return fmt::format("{} {} {}", a, b, c);
}

// One line about the machine, for the report and the plots.
std::string machine_line(size_t cpus) {
  utsname u{};
  uname(&u);
  char date[32];
  time_t t = time(nullptr);
  strftime(date, sizeof date, "%Y-%m-%d %H:%M", localtime(&t));
  return fmt::format("{} CPUs ({}), Linux {}, glibc {}, {}", cpus, cpu_model(), u.release,
                     gnu_get_libc_version(), date);
}

// Everything printed goes to stdout and into ipcbench.txt.
class Out {
 public:
  template <class... Args>
  void operator()(fmt::format_string<Args...> f, Args &&...args) {
    std::string s = fmt::format(f, std::forward<Args>(args)...);
    fmt::print("{}", s);
    std::fflush(stdout);
    text += s;
  }
  std::string text;
};

// A progress line on stderr, when it is a terminal.
void progress(const std::string &what) {
  if (isatty(STDERR_FILENO)) fmt::print(stderr, "\r\033[K{}", what);
}

// Measure one cell (both kinds share this): stats, or n/a with the limit's reason.
Cell measure_cell(const Mechanism &m, const std::string &kind, size_t n, const Plan &plan,
                  const std::string &copy) {
  Cell c{m.name, kind, n, std::nullopt, "", m.copies_in_user ? copy : m.payload ? "kernel" : "-"};
  watchdog(fmt::format("{} {} at {}", m.name, kind, size_label(n)), 60);
  progress(fmt::format("measuring {} {} at {}", m.name, kind, size_label(n)));
  try {
    c.stats = measure({kind == "latency" ? Subject::latency : Subject::throughput, &m, n}, plan);
  } catch (const NotAvailable &e) {
    c.note = e.what();
  }
  watchdog("finishing", 0);
  return c;
}

// The single-core copy comparison: both routines at every size, as cells.
void measure_copies(const std::vector<size_t> &sizes, const Plan &plan, Results &r) {
  for (CopyKind k : {CopyKind::libc, CopyKind::vector})
    for (size_t n : sizes) {
      watchdog(fmt::format("memcpy ({}) at {}", copy_name(k), size_label(n)), 60);
      progress(fmt::format("measuring memcpy ({}) at {}", copy_name(k), size_label(n)));
      r.cells.push_back({fmt::format("memcpy-{}", copy_name(k)), "throughput", n,
                         measure({Subject::copy, nullptr, n, copy_routine(k)}, plan), "single core",
                         copy_name(k)});
    }
  watchdog("finishing", 0);
}

// The transfers' copy routine's short name ("libc" or "vector").
std::string copy_name_of(const Results &r) { return r.memcpy_row.substr(std::string("memcpy-").size()); }

// The median of a cell, or 0.
double median_of(const Results &r, const std::string &m, const std::string &kind, size_t n) {
  const Cell *c = find_cell(r, m, kind, n);
  return c && c->stats ? c->stats->median : 0;
}

// What the single-core comparison shows: is libc's memcpy much slower than
// the vector loop at some size (rep movsb's slow middle sizes)?
std::string single_core_finding(const Results &r, const std::vector<size_t> &sizes) {
  double worst = 1e300;
  size_t at = 0;
  for (size_t n : sizes) {
    double ratio = median_of(r, "memcpy-libc", "throughput", n) / median_of(r, "memcpy-vector", "throughput", n);
    if (ratio < worst) worst = ratio, at = n;
  }
  if (worst < 0.5)
    return fmt::format("libc memcpy is {:.1f}x slower than the vector loop at {}: the slow-rep-movsb "
                       "(ERMS/FSRM) effect is present on this machine",
                       1 / worst, size_label(at));
  if (worst < 0.8)
    return fmt::format("libc memcpy is at worst {:.2f}x the vector loop (at {}): somewhat slower there, but "
                       "the slow-rep-movsb (ERMS/FSRM) effect is not present on this machine (that is 2x and worse)",
                       worst, size_label(at));
  return fmt::format("libc memcpy is at worst {:.2f}x the vector loop (at {}): the slow-rep-movsb "
                     "(ERMS/FSRM) effect is not present on this machine",
                     worst, size_label(at));
}

// Print both routines' single-core rates at every size, and what they show.
void print_single_core(const Results &r, const std::vector<size_t> &sizes, int trials, Out &out) {
  out("copy routines, single core, GB/s (median of {}; page-aligned private buffers, as the transfers):\n",
      trials);
  out("  {:<8}", "size");
  for (size_t n : sizes) out("{:>9}", size_label(n));
  out("\n");
  for (CopyKind k : {CopyKind::libc, CopyKind::vector}) {
    out("  {:<8}", copy_name(k));
    for (size_t n : sizes)
      out("{:>9}", num(median_of(r, fmt::format("memcpy-{}", copy_name(k)), "throughput", n)));
    out("\n");
  }
  out("  {}\n", single_core_finding(r, sizes));
  out("  (libc = glibc memcpy; vector = {})\n", copy_description(CopyKind::vector));
}

// Time the spin ring with each routine at two chunk sizes (where the shm
// transfers copy: one CPU writes a slot, the other reads it). Returns the
// sum over the sizes of log(libc rate / vector rate).
double cross_core_probe(Plan plan, Results &r, Out &out) {
  plan.trials = std::min(plan.trials, 5);
  out("copy routines across cores (spin ring: CPU {} copies in, CPU {} copies out), GB/s:\n",
      plan.cpu_helper, plan.cpu_self);
  double log_ratio = 0;
  for (size_t n : {size_t{16384}, target_chunk}) {
    double rate[2] = {0, 0};
    for (CopyKind k : {CopyKind::libc, CopyKind::vector}) {
      plan.link.copy = copy_routine(k);
      Cell c = measure_cell(*find_mechanism("spin"), "throughput", n, plan, copy_name(k));
      rate[static_cast<int>(k)] = c.stats ? c.stats->median : 0;
      c.mechanism = fmt::format("spin-{}", copy_name(k));
      c.kind = "copy-probe";
      r.cells.push_back(c);
    }
    out("  {:>7}: libc {}, vector {}: libc is {:.2f}x the vector loop\n", size_label(n), num(rate[0]),
        num(rate[1]), rate[0] / rate[1]);
    log_ratio += std::log(rate[0] / rate[1]);
  }
  return log_ratio;
}

// The copy routine the transfers will use: --copy, or for auto the faster
// across cores (on one core when only one CPU is available). Prints why.
CopyKind choose_copy(const Options &o, const std::vector<size_t> &sizes, const Plan &plan, Results &r,
                     Out &out) {
  measure_copies(sizes, plan, r);
  print_single_core(r, sizes, plan.trials, out);
  double log_ratio = 0;
  std::string why;
  if (plan.link.two_cpus) {
    log_ratio = cross_core_probe(plan, r, out);
    why = "auto: the faster across cores, where the shm transfers copy";
  } else {
    for (size_t n : sizes)
      if (n >= 4096)
        log_ratio += std::log(median_of(r, "memcpy-libc", "throughput", n) /
                              median_of(r, "memcpy-vector", "throughput", n));
    why = "auto: the faster on one core from 4 KiB up (one CPU, so no cross-core probe)";
  }
  CopyKind kind = log_ratio >= 0 ? CopyKind::libc : CopyKind::vector;
  if (o.copy != "auto") {
    kind = o.copy == "libc" ? CopyKind::libc : CopyKind::vector;
    why = "--copy " + o.copy;
  }
  out("transfers and the memcpy reference use: {} ({})\n\n", copy_description(kind), why);
  progress("");
  return kind;
}

// Keep a paired measurement's stats as a CSV row (kind "paired-latency" or
// "paired-throughput").
void keep_pair(Results &r, const std::string &mechanism, const std::string &kind, size_t n, const Stats &st,
               const std::string &copy, const std::string &note) {
  r.cells.push_back({mechanism, "paired-" + kind, n, st, note, copy});
}

// The throughput target: shm-ring vs memcpy (the transfers' routine) at
// 64 KiB, timed as a pair, with the spin ring alongside as the ceiling.
void ring_target(Results &r, bool with_spin, const Plan &plan, Out &out) {
  std::vector<Subject> subjects = {{Subject::throughput, find_mechanism("shm-ring"), target_chunk},
                                   {Subject::copy, nullptr, target_chunk, plan.link.copy}};
  if (with_spin) subjects.push_back({Subject::throughput, find_mechanism("spin"), target_chunk});
  watchdog("the shm-ring target", 120);
  progress("measuring the shm-ring target");
  std::vector<Stats> st = measure_together(subjects, plan);
  watchdog("finishing", 0);
  double ring = st[0].median, mem = st[1].median, ratio = ring / mem;
  keep_pair(r, "shm-ring", "throughput", target_chunk, st[0], copy_name_of(r), "target 1, paired with memcpy");
  keep_pair(r, r.memcpy_row, "throughput", target_chunk, st[1], copy_name_of(r), "target 1, paired with shm-ring");
  out("  shm-ring at {}: {} GB/s [{} .. {}]; single-core memcpy at {}: {} GB/s [{} .. {}] ({})\n",
      size_label(target_chunk), num(ring), num(st[0].min), num(st[0].max), size_label(target_chunk), num(mem),
      num(st[1].min), num(st[1].max), r.copy_used);
  out("    ratio {:.2f}: {} (target >= 0.50)\n", ratio, ratio >= 0.5 ? "met" : "NOT met");
  if (!with_spin) return;
  double spin = st[2].median;
  keep_pair(r, "spin", "throughput", target_chunk, st[2], copy_name_of(r), "target 1, paired with shm-ring and memcpy");
  out("    the same ring busy-waiting (spin: no semaphores, no kernel): {} GB/s = {:.2f} of memcpy;"
      " shm-ring / spin = {:.2f}\n",
      num(spin), spin / mem, ring / spin);
  double best = std::max(ring, spin) / mem;
  if (best < 0.5)
    out("    neither reaches 0.50: with or without the kernel, moving each cache line from one CPU's\n"
        "    cache to the other's caps a ring at about {:.2f} of single-core memcpy on this machine\n",
        best);
}

// The latency target: shm-slot round trip for a small message vs the futex
// round trip, timed as a pair.
void slot_target(Results &r, size_t small, const Plan &plan, Out &out) {
  std::vector<Subject> subjects = {{Subject::latency, find_mechanism("shm-slot"), small},
                                   {Subject::latency, find_mechanism("futex"), 0}};
  watchdog("the shm-slot target", 120);
  progress("measuring the shm-slot target");
  std::vector<Stats> st = measure_together(subjects, plan);
  watchdog("finishing", 0);
  double slot = st[0].median, futex = st[1].median, ratio = slot / futex;
  keep_pair(r, "shm-slot", "latency", small, st[0], copy_name_of(r), "target 2, paired with futex");
  keep_pair(r, "futex", "latency", 0, st[1], "-", "target 2, paired with shm-slot");
  out("  shm-slot round trip at {}: {} us [{} .. {}]; futex round trip: {} us [{} .. {}]\n", size_label(small),
      num(slot), num(st[0].min), num(st[0].max), num(futex), num(st[1].min), num(st[1].max));
  out("    ratio {:.2f}: {} (target <= 1.5){}\n", ratio, ratio <= 1.5 ? "met" : "NOT met",
      plan.link.sem_spin > 0 ? " [with --sem-spin: shm-slot spins, the futex reference does not]" : "");
}

// Both targets, each timed again as a pair whose trials alternate, when the
// run includes what they need.
void evaluate_targets(Results &r, const std::vector<size_t> &sizes, const Plan &plan, Out &out) {
  out("targets (each timed again as a pair whose trials alternate, so both sides see the same machine):\n");
  auto chosen = [&](const char *m) { return std::find(r.order.begin(), r.order.end(), m) != r.order.end(); };
  if (chosen("shm-ring") && std::find(sizes.begin(), sizes.end(), target_chunk) != sizes.end())
    ring_target(r, chosen("spin") && plan.link.two_cpus, plan, out);
  else
    out("  shm-ring vs memcpy at {}: not evaluated (the run needs shm-ring and the size {})\n",
        size_label(target_chunk), size_label(target_chunk));
  size_t small = sizes.front();
  if (chosen("shm-slot") && small <= small_message)
    slot_target(r, small, plan, out);
  else
    out("  shm-slot vs futex round trip: not evaluated (the run needs shm-slot and a size of at most {})\n",
        size_label(small_message));
  progress("");
}

// Write one output file; a failure names the file.
void write_file(const fs::path &path, const std::string &content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
  if (!f.flush()) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

// The output folder, created if needed (a usage error if it cannot be).
fs::path output_folder(const std::string &out) {
  fs::path dir = out;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw UsageError(fmt::format("--out {}: cannot create the folder ({})", out,
                                 ec ? ec.message() : "a file is in the way"));
  return dir;
}

// How every measurement is made: trials, trial length, ring, and the CPUs
// (ipcbench pins itself here to the first allowed CPU).
Plan make_plan(const Options &o, const std::vector<int> &cpus) {
  Plan plan;
  plan.trials = o.trials > 0 ? o.trials : o.quick ? 3 : 7;
  plan.trial_seconds = (o.trial_ms > 0 ? o.trial_ms : o.quick ? 5 : 20) / 1000.0;
  plan.link.ring_slots = o.slots;
  plan.link.sem_spin = o.sem_spin_us / 1e6;
  plan.link.two_cpus = cpus.size() >= 2;
  if (plan.link.two_cpus && pin_to_cpu(cpus[0])) {
    plan.cpu_self = cpus[0];
    plan.cpu_helper = cpus[1];
  }
  return plan;
}

// The lines that say where and how the run is made.
void print_header(const Results &r, const Plan &plan, const std::string &mq_note, Out &out) {
  out("ipcbench: {}\n", r.machine);
  out("load average at start: {}\n", load_average());
  out("{} trials of about {} ms per measurement, after a warm-up; ", plan.trials, plan.trial_seconds * 1000);
  if (plan.cpu_self >= 0)
    out("ipcbench pinned to CPU {}, each helper process to CPU {} (sched_setaffinity)\n", plan.cpu_self,
        plan.cpu_helper);
  else
    out("not pinned: only one CPU is available, so both sides share it\n");
  out("shm-ring and spin: {} slots; shm-slot and shm-ring wait with {}\n", plan.link.ring_slots,
      plan.link.sem_spin > 0 ? fmt::format("{} us of sem_trywait, then sem_wait", plan.link.sem_spin * 1e6)
                             : std::string("plain sem_wait"));
  if (!mq_note.empty()) out("{}\n", mq_note);
  out("\n");
}

// Measure every chosen mechanism at every size, both kinds where they apply.
void measure_all(const std::vector<const Mechanism *> &mechanisms, const std::vector<size_t> &sizes,
                 const Plan &plan, CopyKind copy, Results &r) {
  for (const Mechanism *m : mechanisms) {
    r.order.push_back(m->name);
    std::vector<size_t> ms = m->payload ? sizes : std::vector<size_t>{0};
    for (size_t n : ms) {
      if (m->latency) r.cells.push_back(measure_cell(*m, "latency", n, plan, copy_name(copy)));
      if (m->throughput) r.cells.push_back(measure_cell(*m, "throughput", n, plan, copy_name(copy)));
    }
  }
  r.order.push_back(r.memcpy_row);
  r.order.push_back(copy == CopyKind::libc ? "memcpy-vector" : "memcpy-libc");
  progress("");
}

// The whole run: header, copy routines, measurements, table, targets, files.
int bench(const Options &o) {
  std::vector<size_t> sizes = chosen_sizes(o);
  std::vector<const Mechanism *> mechanisms = chosen_mechanisms(o);
  fs::path dir = output_folder(o.out);
  install_cleanup_handlers();
  signal(SIGPIPE, SIG_IGN);  // a dead peer is an EPIPE error, not a silent death
  std::string mq_note = raise_mqueue_limit();
  std::vector<int> cpus = allowed_cpus();
  Plan plan = make_plan(o, cpus);

  Results r;
  r.machine = machine_line(cpus.size());
  Out out;
  print_header(r, plan, mq_note, out);
  CopyKind copy = choose_copy(o, sizes, plan, r, out);
  plan.link.copy = copy_routine(copy);
  r.copy_used = copy_description(copy);
  r.memcpy_row = fmt::format("memcpy-{}", copy_name(copy));
  measure_all(mechanisms, sizes, plan, copy, r);

  out("results: median [min .. max] of {} trials; a round trip = n bytes there and n bytes back;\n"
      "throughput = n-byte messages one way, each copied out by the receiver; GB/s = 10^9 bytes/s\n\n",
      plan.trials);
  out("{}", text_table(r));
  evaluate_targets(r, sizes, plan, out);
  out("load average at end: {}\n", load_average());

  write_file(dir / "ipcbench.csv", csv(r));
  write_file(dir / "throughput.svg", svg_plot(r, "throughput"));
  write_file(dir / "latency.svg", svg_plot(r, "latency"));
  out("wrote {0}/ipcbench.txt, {0}/ipcbench.csv, {0}/throughput.svg, {0}/latency.svg\n", dir.string());
  write_file(dir / "ipcbench.txt", out.text);
  return exit_ok;
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"Round-trip latency and one-way throughput of pipes, FIFOs, Unix sockets, POSIX and "
               "System V queues and shared memory, next to memcpy and futex references.",
               "ipcbench"};
  declare(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "ipcbench: {} (try ipcbench --help)\n", e.what());
    return exit_usage;
  }
  try {
    return bench(o);
  } catch (const UsageError &e) {
    fmt::print(stderr, "ipcbench: {} (try ipcbench --help)\n", e.what());
    return exit_usage;
  } catch (const std::exception &e) {
    progress("");
    fmt::print(stderr, "ipcbench: {}\n", e.what());
    return exit_failed;
  }
}
