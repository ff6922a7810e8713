// mmap.cpp: the checks of lab 02-mmap (handouts/02-mmap.md).
// The grader prepares record files, maps them itself, stops the student's
// program at its handshakes and reads /proc/PID/maps and /proc/PID/fd to see
// what the program has mapped and opened.
#include "../core/observe.hpp"
#include "../core/peer.hpp"
#include "../core/registry.hpp"
#include "../core/syscalls.hpp"
#include "../core/visible.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <algorithm>
#include <csignal>
#include <cstring>

namespace ipcg {
namespace mmap_checks {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view step1 = "Step 1: Edit records through a shared mapping";
constexpr std::string_view step2 = "Step 2: Visible while mapped: the handshake";
constexpr std::string_view step3 = "Step 3: Copy-on-write with MAP_PRIVATE";
constexpr std::string_view step4 = "Step 4: Growing a file";
constexpr std::string_view step5 = "Step 5: Sharing anonymous memory across fork";
constexpr std::string_view step6 = "Step 6: Errors and exit codes";

// The lab's record, as the handout lays it out: 32 bytes, native byte order.
struct Record {
  uint32_t id;
  int32_t balance;
  char name[24];
};
static_assert(sizeof(Record) == 32);
constexpr size_t rec = sizeof(Record);

// One record's 32 bytes.
std::string record_bytes(uint32_t id, int32_t balance, std::string_view name) {
  Record r{};
  r.id = id;
  r.balance = balance;
  memcpy(r.name, name.data(), std::min(name.size(), sizeof r.name - 1));
  return std::string(reinterpret_cast<const char *>(&r), rec);
}

// n random records.
std::string random_records(size_t n) {
  std::string all;
  for (size_t i = 0; i < n; ++i)
    all += record_bytes(random_u32(), static_cast<int32_t>(random_u32() % 20001) - 10000,
                        random_word(5 + random_u32() % 15));
  return all;
}

// Record i of a record file's bytes, decoded.
Record record_at(std::string_view bytes, size_t i) {
  Record r{};
  memcpy(&r, bytes.data() + i * rec, rec);
  return r;
}

// Store `balance` into record i of `bytes`.
void set_balance(std::string &bytes, size_t i, int32_t balance) {
  memcpy(bytes.data() + i * rec + offsetof(Record, balance), &balance, sizeof balance);
}

// Exchange records i and j of `bytes`.
void swap_records(std::string &bytes, size_t i, size_t j) {
  std::string ri = bytes.substr(i * rec, rec);
  bytes.replace(i * rec, rec, bytes.substr(j * rec, rec));
  bytes.replace(j * rec, rec, ri);
}

// A record shown for a report: "{id 12, balance -77, name "abc"}".
std::string show(const Record &r) {
  return fmt::format("{{id {}, balance {}, name {}}}", r.id, r.balance,
                     visible(std::string_view(r.name, strnlen(r.name, sizeof r.name))));
}

// Which fields of record `got` differ from `want`, each with its bytes: for
// name, the first and last differing byte, which may lie after the text's NUL
// (where show() cannot see them): "name bytes 5-11: "xold\0" instead of "\0\0...".
std::string record_difference(const Record &want, const Record &got) {
  std::vector<std::string> d;
  if (want.id != got.id) d.push_back(fmt::format("id {} instead of {}", got.id, want.id));
  if (want.balance != got.balance)
    d.push_back(fmt::format("balance {} instead of {}", got.balance, want.balance));
  size_t first = 0, last = sizeof want.name;
  while (first < last && want.name[first] == got.name[first]) ++first;
  while (last > first && want.name[last - 1] == got.name[last - 1]) --last;
  if (first < last)
    d.push_back(fmt::format("name bytes {}-{}: {} instead of {}{}", first, last - 1,
                            visible(std::string_view(got.name + first, last - first)),
                            visible(std::string_view(want.name + first, last - first)),
                            first > strnlen(want.name, sizeof want.name)
                                ? " (after the name's NUL: they must be 0)"
                                : ""));
  std::string out;
  for (const auto &x : d) out += (out.empty() ? "" : "; ") + x;
  return out;
}

// The cause of a wrong record, from the evidence where it decides, else `usual`:
// only name bytes after its NUL wrong (a copy that does not pad); the right
// balance in an otherwise blank record (a store of a whole new record).
std::string record_cause(const Record &want, const Record &got, std::string usual) {
  size_t len = strnlen(want.name, sizeof want.name);
  bool same_text = want.id == got.id && want.balance == got.balance &&
                   memcmp(want.name, got.name, len + (len < sizeof want.name)) == 0;
  if (same_text)
    return "the name's bytes after its NUL must be 0 (NAME is NUL-padded): a strcpy or a "
           "24-byte memcpy leaves other bytes there; zero name[] and copy strlen(NAME) bytes";
  static const char zeros[sizeof want.name] = {};
  bool blank = got.id == 0 && memcmp(got.name, zeros, sizeof zeros) == 0;
  if (want.balance == got.balance && blank && (want.id != 0 || len > 0))
    return "only the balance may change: store BALANCE into that record's balance field, "
           "not a whole new record";
  return usual;
}

// Fail unless the file holds exactly `expected`, naming the first wrong record
// and its wrong fields.
void expect_file(const std::string &path, const std::string &expected, const std::string &after,
                 std::string cause) {
  std::string got = read_file(path);
  if (got == expected) return;
  if (got.size() != expected.size())
    fail(fmt::format("{} holds {} bytes {}", path, expected.size(), after),
         fmt::format("it holds {} bytes", got.size()), std::move(cause));
  size_t i = 0;
  while (got.compare(i * rec, rec, expected, i * rec, rec) == 0) ++i;
  Record want = record_at(expected, i), seen = record_at(got, i);
  fail(fmt::format("record {} is {} {}", i, show(want), after),
       fmt::format("it is {}: {}", show(seen), record_difference(want, seen)),
       record_cause(want, seen, std::move(cause)));
}

// The mapping of `path` in the process, if any ("" perms when none).
std::string perms_of(pid_t pid, const std::string &path) {
  for (const auto &m : mappings_of(pid))
    if (m.path == path || m.path == path + " (deleted)") return m.perms;
  return "";
}

// Fail unless a successful run printed nothing at all.
void expect_silent(const Outcome &o, const std::string &cmd) {
  expect_stdout(o, "", cmd, "without -w this program prints nothing: no progress or debug lines");
  expect_stderr(o, "", cmd, "on success stderr stays empty: no progress or debug lines");
}

// Answer the handshake and let the program go on.
void release(Process &p) { p.write_stdin("\n"); }

// From the system-call record of `p` (syscalls.hpp): it wrote file f only
// through a shared writable mapping, never with write/pwrite. Without a
// record (no seccomp user notification here) nothing is charged: noted only.
void expect_mapped_not_written(Context &cx, const Process &p, const std::string &f,
                               const std::string &cmd) {
  if (!p.syscalls()) {
    cx.note("no system-call record here: how `" + cmd + "` wrote the file is not checked");
    return;
  }
  auto on = calls_on(p.syscalls()->calls(), f);
  std::vector<Syscall> writes, maps;
  for (const auto &c : on) {
    if (writes_fd(c)) writes.push_back(c);
    if (maps_shared_writable(c)) maps.push_back(c);
  }
  if (writes.empty() && !maps.empty()) return;
  std::string seen = writes.empty() ? "" : "wrote the file with " + describe_calls(writes, 3);
  if (maps.empty()) {
    auto others = p.syscalls()->calls({SYS_mmap});
    seen += std::string(seen.empty() ? "" : "; ") + "never mapped it shared and writable" +
            (others.empty() ? "" : " (its shared mappings: " + describe_calls(others, 3) + ")");
  } else {
    seen += "; besides mapping it: " + describe_calls(maps, 2);
  }
  fail(fmt::format("`{}` changes {} only through a MAP_SHARED, PROT_READ|PROT_WRITE mapping of it",
                   cmd, f),
       "it " + seen,
       "map the file and store the bytes through the mapping; write/pwrite on the file "
       "is not the mechanism this lab is about");
}

// Step 1: set, swap and rename edit exactly the bytes they should.
void record_edit(Context &cx) {
  std::string bytes = random_records(200);
  // Record 0's name fills all 23 bytes, so a shorter new name must be NUL-padded.
  bytes.replace(offsetof(Record, name), 23, random_word(23));
  std::string f = cx.file("records.dat", bytes);
  std::string name = random_word(12);
  const std::vector<std::vector<std::string>> edits{{f, "set", "150", "-77"},
                                                    {f, "swap", "3", "198"},
                                                    {f, "swap", "4", "4"},
                                                    {f, "rename", "0", name}};
  std::string expected = bytes, expected_after[4];
  set_balance(expected, 150, -77);
  expected_after[0] = expected;
  swap_records(expected, 3, 198);
  expected_after[1] = expected;
  expected_after[2] = expected;
  Record r0 = record_at(expected, 0);
  expected.replace(0, rec, record_bytes(r0.id, r0.balance, name));
  expected_after[3] = expected;
  for (size_t i = 0; i < edits.size(); ++i) {
    std::string cmd = command_line("mm_edit", edits[i]);
    Outcome o = cx.run("mm_edit", edits[i]);
    expect_exit(o, 0, cmd,
                i == 2 ? "swap of a record with itself is allowed and changes nothing"
                       : "open, fstat or mmap failed");
    expect_silent(o, cmd);
    expect_file(f, expected_after[i], "after `" + cmd + "`",
                "record i starts at byte i * 32; write through a MAP_SHARED mapping of the "
                "whole file");
  }
}

// Step 2: while the student's mapping is live, the grader's own mapping shows the edit.
void map_shared(Context &cx) {
  std::string bytes = random_records(200);
  std::string f = cx.file("shared.dat", bytes);
  FileMap mine(f);
  int32_t n = static_cast<int32_t>(random_u32() % 100000) + 1;
  std::vector<std::string> args{"-w", f, "set", "7", std::to_string(n)};
  std::string cmd = command_line("mm_edit", args);
  Process p = cx.start_interactive("mm_edit", args);
  cx.expect_handshake(p, cmd, "ready");
  int32_t seen = record_at(mine.bytes(), 7).balance;
  if (seen != n)
    fail(fmt::format("at `ready`, the grader's own mapping of the file shows balance {} in "
                     "record 7 while mm_edit still runs",
                     n),
         fmt::format("it shows {}", seen),
         "the edit must be stored through a MAP_SHARED mapping before printing ready");
  release(p);
  cx.expect_handshake(p, cmd, "done");
  release(p);
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshakes");
}

// Step 2: the edit goes through a shared, writable mapping of the file.
void mechanism(Context &cx) {
  std::string f = cx.file("mapped.dat", random_records(200));
  std::vector<std::string> args{"-w", f, "set", "9", "4242"};
  std::string cmd = command_line("mm_edit", args);
  Process p = cx.start_interactive("mm_edit", args);
  cx.expect_handshake(p, cmd, "ready");
  std::string perms = perms_of(p.pid(), f);
  if (perms != "rw-s")
    fail(fmt::format("at `ready`, /proc/{}/maps shows {} mapped rw-s (shared, writable)", p.pid(),
                     f),
         perms.empty() ? "the file is not mapped at all" : "it is mapped " + perms,
         perms.empty() ? "the file was edited with read()/write(), not through mmap"
                       : "map it PROT_READ|PROT_WRITE with MAP_SHARED");
  release(p);
  cx.expect_handshake(p, cmd, "done");
  release(p);
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshakes");
  expect_mapped_not_written(cx, p, f, cmd);
}

// Step 2: by `done` the mapping is gone and the descriptor closed; nothing else is left.
void cleanup(Context &cx) {
  std::string f = cx.file("clean.dat", random_records(200));
  std::vector<std::string> args{"-w", f, "set", "2", "5"};
  std::string cmd = command_line("mm_edit", args);
  Process p = cx.start_interactive("mm_edit", args);
  cx.expect_handshake(p, cmd, "ready");
  release(p);
  cx.expect_handshake(p, cmd, "done");
  if (std::string perms = perms_of(p.pid(), f); !perms.empty())
    fail(fmt::format("at `done`, no mapping of {} in /proc/{}/maps", f, p.pid()),
         "part of it is still mapped (" + perms + ")",
         "munmap the exact address and length that mmap returned and was given");
  for (const auto &target : open_files_of(p.pid()))
    if (target == f)
      fail(fmt::format("at `done`, no descriptor of {} in /proc/{}/fd", f, p.pid()),
           "the file is still open", "close the descriptor once the file is mapped or unmapped");
  release(p);
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshakes");
}

// Why mm_private failed on a file it may only read (mode 0444, not its
// own), where its stderr decides: the access it opened or mapped it with.
std::string private_failure_cause(const Outcome &o) {
  if (o.err == "mm_private: open: Permission denied\n")
    return "FILE is one you may only read, and mm_private only reads it: open it O_RDONLY (a "
           "MAP_PRIVATE mapping may still be PROT_READ|PROT_WRITE)";
  if (o.err == "mm_private: mmap: Permission denied\n")
    return "a MAP_SHARED, writable mapping needs a descriptor open for writing: map it "
           "MAP_PRIVATE (copy-on-write), which an O_RDONLY descriptor allows";
  return "";
}

// Step 3: the student's process sees its own write; the file and the grader do not.
void map_private(Context &cx) {
  std::string bytes = random_records(200);
  // Read-only and not the student's: only O_RDONLY opens it.
  std::string f = cx.file("private.dat", bytes, 0444, false);
  FileMap mine(f);
  int32_t old = record_at(bytes, 150).balance,
          n = old + 1 + static_cast<int32_t>(random_u32() % 1000);
  std::vector<std::string> args{f, "150", std::to_string(n)};
  std::string cmd = command_line("mm_private", args);
  Process p = cx.start_interactive("mm_private", args);
  cx.expect_handshake(p, cmd, "ready", private_failure_cause);
  std::string expected = fmt::format("balance {}\nready\n", n);
  if (p.stdout_so_far() != expected)
    fail(fmt::format("`{}` prints {}", cmd, visible(expected)),
         "it printed " + visible(p.stdout_so_far()),
         "print the balance read back from the private mapping");
  std::string perms = perms_of(p.pid(), f);
  if (perms != "rw-p")
    fail(fmt::format("at `ready`, /proc/{}/maps shows {} mapped rw-p (private, writable)", p.pid(),
                     f),
         perms.empty() ? "the file is not mapped" : "it is mapped " + perms,
         perms.empty() ? "it printed the new balance, yet at `ready` nothing of FILE is mapped: "
                         "the balance comes from a MAP_PRIVATE mapping of FILE that is still "
                         "in place at `ready` (munmap only after the handshake)"
                       : "map it PROT_READ|PROT_WRITE with MAP_PRIVATE");
  // Record 150 lies on the second page: the whole file must be mapped, and the store made there.
  std::string stored;
  for (const auto &m : mappings_of(p.pid()))
    if (m.path == f && m.perms == "rw-p" && m.end - m.start >= bytes.size())
      stored = read_memory(p.pid(), m.start + 150 * rec + offsetof(Record, balance), 4);
  int32_t in_map = 0;
  if (stored.size() == 4) memcpy(&in_map, stored.data(), 4);
  if (in_map != n)
    fail(fmt::format("at `ready`, record 150 of its private mapping of the whole file holds "
                     "balance {}",
                     n),
         stored.size() == 4 ? fmt::format("it holds {}", in_map)
                            : "no private mapping covers the whole file",
         "map the whole file (its size, not one page) and store BALANCE through the mapping");
  if (int32_t seen = record_at(mine.bytes(), 150).balance; seen != old)
    fail(fmt::format("the grader's mapping still shows the old balance {}", old),
         fmt::format("it shows {}", seen), "a MAP_SHARED write reached the file");
  release(p);
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshake");
  expect_file(f, bytes, "after mm_private", "a private mapping must never change the file");
}

// Why mm_append did not exit 0, from its stderr where that decides.
std::string grow_exit_cause(const Outcome &o) {
  if (o.err.ends_with(": file is empty\n"))
    return "an empty file is fine for mm_append: it gets its first record; only a size that "
           "is not a multiple of 32 is refused";
  if (o.err == "mm_append: mmap: Invalid argument\n")
    return "mapping the old size (0 bytes, for an empty file, is invalid): ftruncate first, "
           "then map the new size";
  return "open, ftruncate or mmap failed, or ID (a uint32_t) or BALANCE (an int32_t) was "
         "refused";
}

// Step 4: mm_append grows the file by one record, written through the mapping.
void grow(Context &cx) {
  for (size_t start : {3, 0, 128}) {  // 128 records: the new one starts a second page
    std::string bytes = random_records(start);
    std::string f = cx.file(fmt::format("grow{}.dat", start), bytes);
    uint32_t id = random_u32() | 0x80000000u;  // above INT32_MAX: ID is a uint32_t
    int32_t bal = -1 - static_cast<int32_t>(random_u32() % 1000);
    std::string name = random_word(10);
    std::vector<std::string> args{f, std::to_string(id), std::to_string(bal), name};
    std::string cmd = command_line("mm_append", args);
    Process p = cx.start("mm_append", args);
    Outcome o = cx.finish(p);
    if (o.signal == SIGBUS)
      fail("`" + cmd + "` exits with 0", "it was killed by SIGBUS",
           "writing past the end of the file: ftruncate it to the new size before mapping");
    expect_exit(o, 0, cmd, grow_exit_cause(o));
    expect_silent(o, cmd);
    expect_file(f, bytes + record_bytes(id, bal, name), "after `" + cmd + "`",
                "grow the file by exactly 32 bytes, map the new size and fill the new last "
                "record, its name NUL-padded");
    expect_mapped_not_written(cx, p, f, cmd);
  }
}

// From the system-call record of `p`: it forked (fork, vfork or clone), and
// `child`, the pid it printed, is that of a process it made (seen exiting).
// The record is complete at `ready`: the child has ended by then. Without a
// record nothing is charged: noted only.
void expect_forked(Context &cx, const Process &p, pid_t child, const std::string &cmd) {
  if (!p.syscalls()) {
    cx.note("no system-call record here: whether `" + cmd + "` forked is not checked");
    return;
  }
  auto calls = p.syscalls()->calls();
  std::vector<Syscall> forks;
  std::vector<pid_t> children;
  for (const auto &c : calls) {
    if (makes_process(c) && c.pid == p.pid()) forks.push_back(c);
    if (c.nr == SYS_exit_group && c.pid != p.pid()) children.push_back(c.own_pid);
  }
  std::string seen = forks.empty() ? "never forked (no fork, vfork or clone of a process)"
                                   : "forked (" + describe_calls(forks, 2) + ")";
  if (!forks.empty() && std::find(children.begin(), children.end(), child) != children.end())
    return;
  std::string kids;
  for (pid_t k : children) kids += (kids.empty() ? "" : ", ") + std::to_string(k);
  fail(fmt::format("`{}` forks a child, which writes its own pid ({}) into the region", cmd, child),
       fmt::format("it {}; {}", seen,
                   children.empty() ? "no child of it ever exited"
                                    : "its children had pids " + kids),
       "call fork(); the child writes getpid() and _exit(0)s; the parent waitpid()s");
}

// mm_fork started so that every exit_group it or its child makes is held
// (syscalls.hpp) from its first instruction on.
Process start_fork_held(Context &cx, const std::vector<std::string> &args) {
  return cx.start_holding("mm_fork", args, [](const Syscall &c) { return c.nr == SYS_exit_group; });
}

// Has `p` itself forked (or cloned a process), by its system-call record?
bool has_forked(const Process &p) {
  auto calls = p.syscalls()->calls();
  return std::any_of(calls.begin(), calls.end(),
                     [&](const Syscall &c) { return makes_process(c) && c.pid == p.pid(); });
}

// Wait until mm_fork's child is held at its exit (returned), or the parent
// itself is held at its exit, has printed `ready` or has ended (nullopt).
// A parent at `ready` that has forked: its child has not ended yet (its exit
// would be held), so wait a little for that child to reach its exit.
std::optional<Syscall> child_at_exit(Context &cx, Process &p) {
  std::optional<Syscall> child;
  bool ready = false;
  auto reached = [&] {
    auto held = p.syscalls()->held();
    for (const auto &c : held)
      if (c.pid != p.pid()) return child = c, true;
    ready = p.stdout_so_far().find("ready\n") != std::string::npos;
    return !held.empty() || ready;
  };
  cx.wait_until(reached, &p, cx.end());
  if (!child && ready && has_forked(p))
    cx.wait_until([&] { return reached() && child; }, &p, cx.within(2s));
  return child;
}

// Is mm_fork's parent waiting for its child: asleep in a call that does not
// end by itself (waitpid; not a sleep), or spinning on a waitpid(WNOHANG) for
// `spin_ms` of CPU time without printing anything?
bool waits_for_child(pid_t pid, double cpu_then, double spin_ms) {
  auto nr = blocked_syscall(pid);
  if (nr && *nr >= 0 && *nr != SYS_nanosleep && *nr != SYS_clock_nanosleep) return true;
  return cpu_ms_so_far(pid) - cpu_then >= spin_ms;
}

// Step 5's wait, forced open: the grader holds mm_fork's child at its exit,
// after it has written the region. The parent must meanwhile wait for it,
// having printed nothing: a parent that reads the region without waitpid
// prints (or ends) now. When no child reached its exit, the checks after the
// handshake judge it.
void expect_waits(Context &cx, Process &p, const std::string &cmd) {
  std::optional<Syscall> child = child_at_exit(cx, p);
  if (!child) return;
  double cpu_then = cpu_ms_so_far(p.pid());
  bool waits = false;
  auto printed = [&] { return p.pump(Clock::now()), !p.stdout_so_far().empty(); };
  cx.wait_until(
      [&] {
        if (printed() || p.syscalls()->held().size() > 1) return true;
        // Asleep now, it wrote whatever it printed before it slept: look again.
        return waits = waits_for_child(p.pid(), cpu_then, 200 * cx.slow()) && !printed();
      },
      &p, cx.end());
  if (waits) {
    cx.note(fmt::format("held its child (pid {}) at exit_group; meanwhile the parent: {}",
                        child->pid, what_it_does(p.pid())));
    return;
  }
  std::string did = !p.stdout_so_far().empty() ? "printed " + visible(p.stdout_so_far())
                    : p.done() || p.syscalls()->held().size() > 1 ? "ended"
                                                                 : what_it_does(p.pid());
  fail(fmt::format("`{}` waits for its child before it prints: the grader held the child "
                   "(pid {}) at its exit, after it had written the region",
                   cmd, child->own_pid ? child->own_pid : child->pid),
       "before the child had ended, the parent " + did,
       "waitpid(child) before reading the region: until then the child may not have written");
}

// Step 5's failure: the grader kills mm_fork's child at its exit (held
// there); the parent's waitpid sees a child that failed, so it must print
// nothing and exit 1 with `mm_fork: child failed`.
void expect_child_failure(Context &cx) {
  std::vector<std::string> args{random_word(8)};
  std::string cmd = command_line("mm_fork", args) + " (the grader kills its child)";
  Process p = start_fork_held(cx, args);
  if (!p.syscalls()) return;  // noted by the first run
  std::optional<Syscall> child = child_at_exit(cx, p);
  if (child) kill(child->pid, SIGKILL);
  p.syscalls()->stop_holding();
  if (!child) {
    cx.note("no child of `" + cmd + "` reached its exit: nothing killed");
    return;
  }
  release(p);  // a parent that took the child for a success waits at `ready`
  const Outcome &o = cx.finish(p);
  std::string why = "after waitpid: a child killed by a signal did not exit with status 0";
  expect_stderr(o, "mm_fork: child failed\n", cmd, why + ": say `mm_fork: child failed`");
  expect_exit(o, 1, cmd, why + ": exit 1");
  expect_stdout(o, "", cmd, why + ", so the parent prints nothing");
}

// The cause of mm_fork's wrong output `out`, from what it printed: the line
// and `ready` run together, an empty line (the child's write never reached
// the parent), the parent's own pid (`parent`) as the child's.
std::string fork_output_cause(const std::string &out, pid_t parent, unsigned long child) {
  std::string before = out.ends_with("ready\n") ? out.substr(0, out.size() - 6) : "";
  if (before == "\n")
    return "the parent printed an empty line: the child's write never reached its memory; "
           "only a region mapped MAP_SHARED|MAP_ANONYMOUS before fork is shared (MAP_PRIVATE "
           "or heap memory becomes the child's own copy)";
  if (!before.empty() && !before.ends_with('\n'))
    return "the region's string and `ready` ran together: print the string followed by \\n";
  if (child != 0 && static_cast<pid_t>(child) == parent)
    return "that is the parent's own pid: the child writes its getpid(), called in the child";
  return "the child writes into the shared region, the parent waits for it and prints it";
}

// The cause of finding no shared anonymous region at `ready`: mm_fork did
// map one, by its system-call record (unmapped too early), or never did.
std::string region_cause(const Process &p) {
  std::vector<Syscall> maps;
  if (p.syscalls())
    for (const auto &c : p.syscalls()->calls({SYS_mmap}))
      if (c.pid == p.pid() && maps_shared_writable(c) && (c.args[3] & MAP_ANONYMOUS))
        maps.push_back(c);
  if (maps.empty()) return "mmap with MAP_SHARED|MAP_ANONYMOUS before fork";
  return "it mapped the region (" + describe_calls(maps, 1) +
         ") but unmapped it before `ready`: the region stays mapped until after the handshake";
}

// Step 5: a child writes into anonymous shared memory; its parent waits for it
// and prints it.
void fork_anon(Context &cx) {
  std::string text = random_word(8) + " " + random_word(8);
  std::vector<std::string> args{text};
  std::string cmd = command_line("mm_fork", args);
  Process p = start_fork_held(cx, args);
  if (p.syscalls()) {
    expect_waits(cx, p, cmd);
    p.syscalls()->stop_holding();
  } else {
    cx.note("no system-call record here: whether `" + cmd + "` waits for its child is not checked");
  }
  cx.expect_handshake(p, cmd, "ready");
  std::string out = p.stdout_so_far();
  unsigned long child = 0;
  int used = 0;
  std::string line = out.substr(0, out.find('\n'));
  std::string suffix = ": " + text;
  bool shaped = sscanf(line.c_str(), "child %lu%n", &child, &used) == 1 &&
                line.substr(static_cast<size_t>(used)) == suffix && out == line + "\nready\n";
  if (!shaped || child == 0 || static_cast<pid_t>(child) == own_pid_of(p.pid()))
    fail(fmt::format("`{}` prints \"child PID: {}\" (the child's pid), then \"ready\"", cmd, text),
         "it printed " + visible(out),
         fork_output_cause(out, own_pid_of(p.pid()).value_or(0), child));
  expect_forked(cx, p, static_cast<pid_t>(child), cmd);
  // The child's words must be in the parent's shared anonymous region itself.
  std::string want = line + '\0';
  bool shared_anon = false, holds = false;
  for (const auto &m : mappings_of(p.pid())) {
    if (m.perms != "rw-s" || m.path.rfind("/dev/zero", 0) != 0) continue;
    shared_anon = true;
    holds = holds || read_memory(p.pid(), m.start, want.size()) == want;
  }
  if (!shared_anon)
    fail(fmt::format("at `ready`, /proc/{}/maps shows an anonymous shared mapping "
                     "(rw-s /dev/zero (deleted))",
                     p.pid()),
         "there is none", region_cause(p));
  if (!holds)
    fail(fmt::format("at `ready`, the shared anonymous region starts with {}", visible(want)),
         "it does not", "the child writes its line at the start of the shared region");
  release(p);
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshake");
  expect_child_failure(cx);
}

// Step 6: bad input gets the contract's message and exit code, and changes nothing.
void bad_input(Context &cx) {
  std::string five = random_records(5);
  std::string f = cx.file("five.dat", five);
  std::string empty = cx.file("empty.dat", "");
  std::string ro = cx.file("readonly.dat", five, 0444, false);
  std::string missing = cx.sandbox().workdir() + "/missing.dat";
  expect_bad_calls(
      cx, {{"mm_edit", {missing, "set", "0", "1"}, 1, "mm_edit: open: No such file or directory\n"},
           {"mm_edit", {empty, "set", "0", "1"}, 1, "mm_edit: " + empty + ": file is empty\n"},
           {"mm_edit", {ro, "set", "0", "1"}, 1, "mm_edit: open: Permission denied\n"},
           {"mm_edit",
            {f, "set", "5", "1"},
            1,
            "mm_edit: record 5 is out of range (the file holds 5 records)\n"}});
  expect_file(f, five, "after the out-of-range edit", "nothing may be written on bad input");
  expect_file(ro, five, "after the refused edit", "nothing may be written on bad input");
}

// Step 6: the data errors of mm_private, of a file that is not whole
// records, and of swap's I before J; nothing is changed.
void data_errors(Context &cx) {
  std::string five = random_records(5), ragged = random_records(5) + random_word(7);
  std::string f = cx.file("five.dat", five), empty = cx.file("empty.dat", "");
  std::string r = cx.file("ragged.dat", ragged);
  expect_bad_calls(
      cx, {{"mm_private", {empty, "0", "1"}, 1, "mm_private: " + empty + ": file is empty\n"},
           {"mm_private",
            {f, "5", "1"},
            1,
            "mm_private: record 5 is out of range (the file holds 5 records)\n"},
           {"mm_private",
            {r, "0", "1"},
            1,
            "mm_private: " + r + ": not a whole number of records\n"},
           {"mm_edit", {r, "set", "0", "1"}, 1, "mm_edit: " + r + ": not a whole number of records\n"},
           {"mm_append", {r, "1", "2", "x"}, 1, "mm_append: " + r + ": not a whole number of records\n"},
           {"mm_edit",
            {f, "swap", "7", "9"},
            1,
            "mm_edit: record 7 is out of range (the file holds 5 records)\n"}});
  expect_file(f, five, "after the refused edits", "nothing may be written on bad input");
  expect_file(r, ragged, "after the refused edits", "nothing may be written on bad input");
}

// Step 6: every program answers a bad command line with exit 2 and its exact
// usage line, and changes nothing.
void usage_errors(Context &cx) {
  std::string five = random_records(5);
  std::string f = cx.file("usage.dat", five);
  const std::string edit = "usage: mm_edit [-w] FILE set INDEX BALANCE|swap I J|rename INDEX NAME\n",
                    priv = "usage: mm_private FILE INDEX BALANCE\n",
                    append = "usage: mm_append FILE ID BALANCE NAME\n", fork = "usage: mm_fork TEXT\n";
  expect_bad_calls(cx, {{"mm_edit", {"-z", f, "set", "0", "1"}, 2, edit},
                        {"mm_edit", {f, "add", "0", "1"}, 2, edit},
                        {"mm_edit", {f, "set", "0"}, 2, edit},
                        {"mm_edit", {f, "set", "-1", "1"}, 2, edit},
                        {"mm_edit", {f, "swap", "0", "1x"}, 2, edit},
                        {"mm_edit", {f, "set", "0", "2147483648"}, 2, edit},
                        {"mm_edit", {f, "rename", "0", std::string(24, 'n')}, 2, edit},
                        {"mm_private", {f, "0", "-2147483649"}, 2, priv},
                        {"mm_private", {f, "0"}, 2, priv},
                        {"mm_append", {f, "4294967296", "1", "x"}, 2, append},
                        {"mm_append", {f, "1", "2147483648", "x"}, 2, append},
                        {"mm_append", {f, "1", "2", std::string(24, 'n')}, 2, append},
                        {"mm_fork", {std::string(201, 't')}, 2, fork},
                        {"mm_fork", {}, 2, fork}});
  expect_file(f, five, "after the bad command lines", "a usage error must change nothing");
  // Then a good command line: the usage lines alone come with the skeleton.
  std::vector<std::string> good{f, "set", "1", "7"};
  expect_exit(cx.run("mm_edit", good), 0, command_line("mm_edit", good),
              "mm_edit is not implemented yet");
}

}  // namespace
}  // namespace mmap_checks

Lab mmap_lab() {
  using namespace mmap_checks;
  return Lab{
      "mmap",
      "02-mmap",
      "memory-mapped files",
      {"mm_edit", "mm_private", "mm_append", "mm_fork"},
      {
          {"record-edit", "mm_edit edits records in place, nothing else", 4, step1, 5s, record_edit,
           "a 200-record file (6400 bytes, two pages) of random records; runs `mm_edit F set 150 "
           "-77`, `mm_edit F swap 3 198`, `mm_edit F rename 0 NAME`; every byte of the file is "
           "compared with what it must be (other records untouched).",
           "a fixed mapping length (4096) instead of the file's size; `index * sizeof(Record)` "
           "added to a `Record *`; `strcpy` in `rename` (old name bytes left behind); "
           "`MAP_PRIVATE`."},
          {"map-shared", "the edit is visible while the mapping is live", 3, step2, 5s, map_shared,
           "maps F itself (`MAP_SHARED`) first; runs `mm_edit -w F set 7 N`; at `ready`, the "
           "grader's mapping and the file already show N while your process is alive.",
           "the edit made after `ready`; `MAP_PRIVATE`; a copy of the record edited and never "
           "stored back."},
          {"mechanism", "the file is mapped rw-s, not read and written", 3, step2, 5s, mechanism,
           "at `ready` of `mm_edit -w`, `/proc/PID/maps` shows F mapped shared and writable "
           "(`rw-s`), so the edit went through a mapping, not `read`/`write`; the system-call record "
           "shows no `write`/`pwrite` on F.",
           "`pwrite` or `write` instead of the mapping; `munmap` before `ready`; `PROT_READ` "
           "only."},
          {"cleanup", "munmap and close by done; no file left", 2, step2, 5s, cleanup,
           "at `done` of `mm_edit -w`: no mapping of F left in `/proc/PID/maps` and no descriptor "
           "of F in `/proc/PID/fd`; after every program of the lab, the work folder holds no file "
           "the grader did not make.",
           "`munmap` with the wrong length (one page of two left mapped); `close` forgotten; "
           "`munmap`/`close` after `done`; `O_CREAT` or a backup file.",
           true},
          {"map-private", "MAP_PRIVATE: own copy, the file unchanged", 3, step3, 5s, map_private,
           "`mm_private F 5 N`: prints `balance N`; at `ready`, `/proc/PID/maps` shows F as a "
           "private mapping (`rw-p`) while the file and the grader's own mapping still hold the "
           "old balance; afterwards the file is byte-identical.",
           "`MAP_SHARED` (the file changes, or `mmap` fails with `EACCES` on the `O_RDONLY` "
           "descriptor); the `balance` line not flushed before the handshake; `PROT_READ` only "
           "(`SIGSEGV` at the store)."},
          {"grow", "ftruncate, then write the new record: no SIGBUS", 3, step4, 5s, grow,
           "`mm_append F ID BAL NAME` on a 3-record file and on an empty file: the size grows by "
           "exactly 32, the new record's 32 bytes are right, the old bytes untouched; no `SIGBUS`; "
           "the system-call record shows F mapped `MAP_SHARED` and writable and no "
           "`write`/`pwrite` on it.",
           "`pwrite` instead of a mapping; no `ftruncate`, or `ftruncate` after the stores; mapping the old size (`EINVAL` on the "
           "empty file); the name not NUL-padded."},
          {"fork-anon", "a child writes shared anonymous memory", 3, step5, 5s, fork_anon,
           "`mm_fork TEXT` (random TEXT): prints `child PID: TEXT` with PID > 0 and different from "
           "the parent's own pid (as your process sees pids) and, in the system-call record, the pid of "
           "a process it forked; at `ready`, `/proc/PID/maps` shows a "
           "shared anonymous mapping (`rw-s` on `/dev/zero (deleted)`). The grader holds the "
           "child at its exit, after it has written: meanwhile the parent must wait (asleep in "
           "`waitpid`), having printed nothing. A second run kills the held child: the parent "
           "prints nothing and exits 1 with `mm_fork: child failed`.",
           "no `fork` (the parent writes the line itself); `MAP_PRIVATE` or a heap buffer (the parent prints an empty line); `getpid()` called in "
           "the parent; reading or printing before `waitpid`, or a sleep instead of it; the "
           "child's status ignored, or `WEXITSTATUS` read without `WIFEXITED`."},
          {"bad-input", "errors: exact messages and exit codes", 3, step6, 5s, bad_input,
           "missing file, empty file, read-only file (mode 0444, not yours) with `set`, record "
           "index out of range: exact messages and exit codes; the file is never changed; no "
           "crash.",
           "no empty-file check before `mmap` (`mmap: Invalid argument`); `O_RDONLY` plus a shared "
           "writable mapping (`mmap: Permission denied` instead of `open: ...`); `MAP_FAILED` not "
           "checked (a crash); `perror` wording or `argv[0]`."},
          {"data-errors", "data errors: ragged files, mm_private, swap order", 2, step6, 5s,
           data_errors,
           "a file of 5 records plus 7 bytes for `mm_edit`, `mm_private` and `mm_append` (`not "
           "a whole number of records`), an empty file and index 5 of 5 records for "
           "`mm_private`, `mm_edit F swap 7 9` (I is checked before J): exact messages, exit 1, "
           "no file changed.",
           "no check that the size is a multiple of 32; the checks of `mm_edit` left out of "
           "`mm_private`; J checked before I."},
          {"usage-errors", "bad command lines: exit 2 and the exact usage line", 2, step6, 8s,
           usage_errors,
           "an unknown option or command, a wrong number of arguments, a negative or non-decimal "
           "index, a BALANCE outside `int32_t`, an ID outside `uint32_t`, a 24-byte NAME and a "
           "201-byte TEXT: each exits 2 with exactly its program's usage line; the file is "
           "unchanged; then a good `mm_edit F set 1 7` exits 0.",
           "`atoi` or `atol` without range checks; NAME or TEXT length not checked; a usage line "
           "worded differently or printed with `argv[0]`."},
      }};
}

}  // namespace ipcg
