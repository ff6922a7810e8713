// shm.cpp: the checks of lab 03-shm (handouts/03-shm.md).
// The grader shares the memory with the student's program: it creates and
// fills objects for it, opens and maps what the student made, follows an
// object's lifetime through handshakes, and reads System V segment status.
#include "../core/observe.hpp"
#include "../core/peer.hpp"
#include "../core/registry.hpp"
#include "../core/syscalls.hpp"
#include "../core/visible.hpp"

#include <fmt/format.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <csignal>
#include <cstring>

namespace ipcg {
namespace shm_checks {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view step1 = "Step 1: Write an object";
constexpr std::string_view step2 = "Step 2: Read an object";
constexpr std::string_view step3 = "Step 3: An object's lifetime";
constexpr std::string_view step4 = "Step 4: A shared structure: the mailbox";
constexpr std::string_view step5 = "Step 5: System V shared memory";
constexpr std::string_view step6 = "Step 6: Errors and exit codes";

// The lab's mailbox, as the handout lays it out.
struct Mailbox {
  char magic[4];
  uint32_t seq;
  uint32_t len;
  char text[244];
};
static_assert(sizeof(Mailbox) == 256);

// The mapping of the object's /dev/shm file in the process ("" perms when none).
std::string mapping_of(pid_t pid, const std::string &name) {
  for (const auto &m : mappings_of(pid))
    if (m.path == "/dev/shm" + name || m.path == "/dev/shm" + name + " (deleted)")
      return m.perms + (m.path.ends_with("(deleted)") ? " (deleted)" : "");
  return "";
}

// Does the process hold a descriptor of the object?
bool has_open(pid_t pid, const std::string &name) {
  for (const auto &f : open_files_of(pid))
    if (f == "/dev/shm" + name || f == "/dev/shm" + name + " (deleted)") return true;
  return false;
}

// From the system-call record of `p` (syscalls.hpp): the object at `path`
// (its /dev/shm file) was filled through a shared writable mapping, never with
// write() on its descriptor. Without a record nothing is charged: noted only.
void expect_written_through_mapping(Context &cx, const Process &p, const std::string &path,
                                    const std::string &cmd) {
  if (!p.syscalls()) {
    cx.note("no system-call record here: how `" + cmd + "` filled the object is not checked");
    return;
  }
  std::vector<Syscall> writes, maps;
  for (const auto &c : calls_on(p.syscalls()->calls(), path)) {
    if (writes_fd(c)) writes.push_back(c);
    if (maps_shared_writable(c)) maps.push_back(c);
  }
  if (writes.empty() && !maps.empty()) return;
  std::string seen = writes.empty() ? "" : "wrote the object with " + describe_calls(writes, 3);
  seen += std::string(seen.empty() ? "" : "; ") +
          (maps.empty() ? "never mapped it shared and writable"
                        : "besides mapping it: " + describe_calls(maps, 2));
  fail(fmt::format("`{}` fills the object through a MAP_SHARED, PROT_READ|PROT_WRITE mapping",
                   cmd),
       "it " + seen,
       "mmap the object after ftruncate and copy the input into the mapping; write() on a "
       "shared memory descriptor is not the mechanism this lab is about");
}

// `cause` unless it is "", else `usual`.
std::string first_of(std::string cause, std::string usual) { return cause.empty() ? usual : cause; }

// The cause of a failed exit whose stderr decides it, else `usual`: "CALL:
// Success" (errno 0: the call did not fail, its result was tested the wrong
// way round) and the calls given with the cause each failure of theirs has.
std::string exit_cause(const Outcome &o,
                       const std::vector<std::pair<std::string_view, std::string_view>> &known,
                       std::string usual) {
  if (size_t at = o.err.rfind(": Success\n"); at != std::string::npos) {
    std::string before = o.err.substr(0, at);  // "shm_read: close"
    size_t named = before.rfind(": ");
    std::string call = named == std::string::npos ? before : before.substr(named + 2);
    return fmt::format(
        "`{}: Success` means errno was 0: {} did not fail; its result was tested the wrong way "
        "round (-1 is failure, 0 success)",
        call, call);
  }
  for (const auto &[err, cause] : known)
    if (o.err.find(err) != std::string::npos) return std::string(cause);
  return usual;
}

// One run of shm_write: exit 0, silent, and the object it made holds the
// input, then zeros, with the size and mode asked for.
void expect_written(Context &cx, const std::vector<std::string> &args, const std::string &input,
                    size_t size, mode_t mode) {
  const std::string &name = args.at(args.front() == "-x" ? 1 : 0);
  std::string cmd = command_line("shm_write", args);
  Process p = cx.start("shm_write", args, input);
  Outcome out = cx.finish(p);
  // The object is the grader's to remove from here on, however the writer ended.
  std::optional<ShmObject> made;
  if (ShmObject::exists(name)) made.emplace(ShmObject::open(name));
  expect_exit(out, 0, cmd,
              exit_cause(out,
                         {{"munmap: Invalid argument",
                           "munmap the length that was mapped, SIZE bytes, not the input's "
                           "length (0 bytes, for empty input, is invalid)"},
                          {"mmap: Invalid argument",
                           "map SIZE bytes, not the input's length (0 bytes, for empty input, "
                           "is invalid)"}},
                         "shm_open, ftruncate or mmap failed, or its result was not checked"));
  expect_stdout(out, "", cmd, "shm_write prints nothing on stdout");
  expect_stderr(out, "", cmd, "a program that succeeds prints nothing on stderr");
  if (!made)
    fail("an object named " + name + " after `" + cmd + "`", "there is none",
         "shm_open with O_CREAT was not called, or the object was unlinked");
  ShmObject &o = *made;
  if (o.size() != size)
    fail(fmt::format("size {} (fstat)", size), fmt::format("size {}", o.size()),
         "ftruncate the object to SIZE, not to the input's length");
  if (o.mode() != mode)
    fail(fmt::format("permissions {:04o}", mode), fmt::format("permissions {:04o}", o.mode()),
         "pass MODE, parsed as octal (0600 when it is not given), to shm_open");
  std::string expected = input + std::string(size - input.size(), '\0'), got = o.bytes();
  if (got != expected)
    fail(fmt::format("the {} input bytes, then {} zero bytes", input.size(),
                     size - input.size()),
         first_difference(expected, got),
         "read all of stdin, then copy all of it, NULs included, to offset 0 of a shared "
         "mapping of SIZE bytes");
  // Empty input leaves nothing to copy: a program may then map nothing.
  if (!input.empty()) expect_written_through_mapping(cx, p, "/dev/shm" + name, cmd);
}

// Step 1: the object has the size, mode and bytes asked for: a small one,
// one of several pages read from several pipe buffers, and an empty input.
void writer(Context &cx) {
  std::string data = random_bytes(300);
  data[100] = data[200] = '\0';
  expect_written(cx, {cx.name("w"), "1000", "0640"}, data, 1000, 0640);
  std::string big = random_bytes(3 * 4096 + 1);
  big[4095] = big[4096] = '\0';
  expect_written(cx, {cx.name("big"), "20000"}, big, 20000, 0600);
  expect_written(cx, {cx.name("e"), "100"}, "", 100, 0600);
}

// The cause of bytes read wrong, where the system-call record of `p` shows a
// shared mapping of object `name` shorter than its `size`; "" otherwise.
std::string short_map_cause(const Process &p, const std::string &name, size_t size) {
  if (!p.syscalls()) return "";
  for (const auto &c : calls_on(p.syscalls()->calls({SYS_mmap}), "/dev/shm" + name))
    if (c.args[1] < size)
      return fmt::format(
          "it mapped {} bytes ({}) of an object of {} bytes: map the whole object, its size from "
          "fstat; past the mapping's last page the bytes are not the object's",
          c.args[1], c.describe(), size);
  return "";
}

// One run of shm_read: exit 0, exactly LENGTH bytes from OFFSET, nothing on stderr.
void expect_read(Context &cx, const std::string &name, size_t offset, size_t length,
                 const std::string &data) {
  std::vector<std::string> args{name, std::to_string(offset), std::to_string(length)};
  std::string cmd = command_line("shm_read", args);
  Process p = cx.start("shm_read", args);
  Outcome out = cx.finish(p);
  expect_exit(out, 0, cmd,
              exit_cause(out,
                         {{"shm_open: Permission denied",
                           "the object is one you may only read (mode 0444), and shm_read only "
                           "reads: shm_open(NAME, O_RDONLY, 0), not O_RDWR"}},
                         "shm_open, fstat or mmap failed, or the range check is off by one"));
  std::string want = data.substr(offset, length);
  if (out.out != want)
    fail(fmt::format("`{}` prints the object's bytes {} to {} ({} bytes)", cmd, offset,
                     offset + length - 1, length),
         fmt::format("it printed {} bytes; {}", out.out.size(), first_difference(want, out.out)),
         first_of(short_map_cause(p, name, data.size()),
                  "write LENGTH raw bytes from OFFSET with fwrite or write: %s stops at the "
                  "first NUL"));
  expect_stderr(out, "", cmd, "a program that succeeds prints nothing on stderr");
}

// Makes the grader's object read-only (mode 0444): opening it O_RDWR fails.
void make_read_only(const std::string &name) {
  std::string path = "/dev/shm" + name;
  if (chmod(path.c_str(), 0444) == -1)
    throw std::system_error(errno, std::generic_category(), "chmod " + path);
}

// Step 2: exactly LENGTH bytes from OFFSET, NULs included, from a read-only
// object of several pages; up to its very end; and LENGTH 0 of an empty object.
void reader(Context &cx) {
  std::string data = random_bytes(20000);
  data[5000] = data[9000] = '\0';
  ShmObject o = ShmObject::create(cx.name("r"), data, cx.sandbox().student_uid());
  make_read_only(o.name());
  expect_read(cx, o.name(), 5000, 9000, data);
  expect_read(cx, o.name(), 15000, 5000, data);
  ShmObject empty = ShmObject::create(cx.name("r0"), "", cx.sandbox().student_uid());
  expect_read(cx, empty.name(), 0, 0, "");
}

// Why the object is not as it must be at handshake `word`, from what the
// grader saw (`mapping` in /proc/PID/maps, whether a descriptor is `open`):
// a private mapping, a descriptor closed too early, else the calls' order.
std::string stage_cause(std::string_view word, bool open_wanted, bool open,
                        const std::string &mapping) {
  if (mapping.starts_with("rw-p"))
    return "rw-p in /proc/PID/maps is a private copy (MAP_PRIVATE): its stores never reach "
           "the object; map it MAP_SHARED";
  if (open_wanted && !open)
    return fmt::format(
        "the descriptor is closed already at `{}`: close(fd) only after that handshake (not "
        "right after mmap)",
        word);
  return fmt::format("the calls before `{}` are missing or in the wrong order", word);
}

// Step 3: persists after close, mapping survives the unlink, gone after munmap.
void lifetime(Context &cx) {
  std::string name = cx.name("life");
  std::vector<std::string> args{name};
  std::string cmd = command_line("shm_life", args);
  Process p = cx.start_interactive("shm_life", args);
  auto stage = [&](std::string_view word, bool exists, bool open, std::string mapped) {
    cx.expect_handshake(p, cmd, word);
    bool is_open = has_open(p.pid(), name);
    std::string mapping = mapping_of(p.pid(), name);
    std::string seen =
        fmt::format("exists {}, open {}, mapping {}", ShmObject::exists(name), is_open, mapping);
    std::string want = fmt::format("exists {}, open {}, mapping {}", exists, open, mapped);
    cx.note(fmt::format("at {}: {}", word, seen));
    if (seen != want)
      fail(fmt::format("at `{}`: {}", word, want), seen, stage_cause(word, open, is_open, mapping));
  };
  stage("mapped", true, true, "rw-s");
  ShmObject made = ShmObject::open(name, false);
  if (made.size() != 4096)
    fail("at `mapped`: an object of 4096 bytes", fmt::format("it has {} bytes", made.size()),
         "ftruncate the new object to 4096 bytes before mapping it");
  if (made.mode() != 0600)
    fail("at `mapped`: permissions 0600", fmt::format("permissions {:04o}", made.mode()),
         "shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600)");
  p.write_stdin("\n");
  stage("closed", true, false, "rw-s");
  p.write_stdin("\n");
  stage("unlinked", false, false, "rw-s (deleted)");
  for (const auto &m : mappings_of(p.pid()))
    if (m.path == "/dev/shm" + name + " (deleted)" &&
        read_memory(p.pid(), m.start, 6) != std::string("alive\0", 6))
      fail("the unlinked object's mapping still holds \"alive\\0\"",
           visible(read_memory(p.pid(), m.start, 6)), "store alive\\0 at offset 0");
  p.write_stdin("\n");
  stage("unmapped", false, false, "");
  p.write_stdin("\n");
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshakes");
}

// The mailbox as the grader's own mapping shows it.
Mailbox read_mailbox(const FileMap &m) {
  Mailbox b{};
  if (m.bytes().size() >= sizeof b) memcpy(&b, m.bytes().data(), sizeof b);
  return b;
}

// The cause of a private mapping of an object, if /proc/PID/maps shows one
// (rw-p on /dev/shm): its stores never reach the object; "" otherwise.
std::string private_cause(pid_t pid) {
  for (const auto &m : mappings_of(pid))
    if (m.path.starts_with("/dev/shm/") && m.perms == "rw-p")
      return "/proc/PID/maps shows the object mapped rw-p, a private copy (MAP_PRIVATE): its "
             "stores never reach the object; map it MAP_SHARED";
  return "";
}

// The grader's view of a new mailbox, once the program waits for its first
// line: the object exists, 256 bytes, mode 0600, magic MBOX, seq 0, len 0.
FileMap open_new_mailbox(Context &cx, Process &p, const std::string &cmd, const std::string &name,
                         std::optional<ShmObject> &adopted) {
  if (!cx.wait_until([&] { return waits_for_input(p.pid()); }, &p, cx.within(3s))) {
    std::string doing = what_it_does(p.pid());
    if (p.done()) {
      const Outcome &o = cx.finish(p);
      doing = o.describe() + ", stderr " + visible(o.err);
    }
    fail("`" + cmd + "` waits for its first line", "it " + doing,
         "create and set up the mailbox, then read stdin");
  }
  if (!ShmObject::exists(name))
    fail("an object named " + name + " before the first line", "there is none",
         "create the mailbox (shm_open with O_CREAT) before reading the first line");
  adopted.emplace(ShmObject::open(name));
  if (adopted->size() != sizeof(Mailbox) || adopted->mode() != 0600)
    fail("a new mailbox of 256 bytes, permissions 0600",
         fmt::format("{} bytes, permissions {:04o}", adopted->size(), adopted->mode()),
         "shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600), then ftruncate to sizeof(Mailbox)");
  FileMap view("/dev/shm" + name);
  Mailbox b = read_mailbox(view);
  if (memcmp(b.magic, "MBOX", 4) != 0 || b.seq != 0 || b.len != 0)
    fail("before the first line: magic MBOX, seq 0, len 0",
         fmt::format("magic {}, seq {}, len {}", visible(std::string_view(b.magic, 4)), b.seq,
                     b.len),
         first_of(private_cause(p.pid()),
                  "set magic, seq and len when the mailbox is made, before reading any line"));
  return view;
}

// The cause of a wrong message, from the text the grader read at offset 12
// (`got`, len bytes of it): four zero bytes before the line (a wider len),
// the line without its last byte, or with its \n; else "".
std::string text_cause(const std::string &got, const std::string &line) {
  if (got.size() >= 4 && got.compare(0, 4, std::string(4, '\0')) == 0 && !line.empty() &&
      line.starts_with(got.substr(4)))
    return "text starts 4 bytes late: len must be a uint32_t at offset 8 and text start at "
           "offset 12 (a size_t len moves text to offset 16); use the contract's struct Mailbox";
  if (!line.empty() && got == line.substr(0, line.size() - 1))
    return "the line's last byte is missing: drop the last byte only when it is a \\n (the "
           "last line may end without one)";
  if (got == line + "\n") return "the \\n was copied too: the message is the line without its \\n";
  return "";
}

// After `posted N`, the grader's mapping shows message N: magic, seq, len and text.
void expect_posted(Context &cx, Process &p, const std::string &cmd, const FileMap &view,
                   uint32_t n, const std::string &line) {
  cx.expect_handshake(p, cmd, fmt::format("posted {}", n));
  Mailbox b = read_mailbox(view);
  std::string got(b.text, std::min<size_t>(b.len, sizeof b.text));
  if (memcmp(b.magic, "MBOX", 4) != 0 || b.seq != n || b.len != line.size() || got != line)
    fail(fmt::format("at `posted {}`: magic MBOX, seq {}, len {}, text {}", n, n, line.size(),
                     visible(line)),
         fmt::format("magic {}, seq {}, len {}, text {}", visible(std::string_view(b.magic, 4)),
                     b.seq, b.len, visible(got)),
         first_of(first_of(private_cause(p.pid()), text_cause(got, line)),
                  "copy the line's bytes themselves (without its \\n; a pointer means nothing "
                  "to another process) into the mailbox, then set len, then seq = N"));
}

// Step 4: each update is visible to the grader while the student still runs.
void mailbox(Context &cx) {
  std::string name = cx.name("m");
  std::vector<std::string> args{name};
  std::string cmd = command_line("shm_mailbox", args);
  Process p = cx.start_interactive("shm_mailbox", args);
  std::optional<ShmObject> adopted;  // unlinked at the end if the student could not
  FileMap view = open_new_mailbox(cx, p, cmd, name, adopted);
  for (uint32_t n = 1; n <= 3; ++n) {
    std::string line = random_word(10 + n * 20);
    p.write_stdin(line + "\n");
    expect_posted(cx, p, cmd, view, n, line);
  }
  p.close_stdin();
  expect_exit(cx.finish(p), 0, cmd, "at end of input it must unmap, close, unlink, exit 0");
  if (ShmObject::exists(name))
    fail("no object named " + name + " once shm_mailbox has finished", "it still exists",
         "shm_unlink the mailbox at the end of input");
}

// Step 4: every line is a message: one of exactly 244 bytes, an empty one and
// an unterminated last one; a line of 245 bytes is the contract's data error.
void mailbox_lines(Context &cx) {
  std::string name = cx.name("m");
  std::string cmd = command_line("shm_mailbox", {name});
  {
    Process p = cx.start_interactive("shm_mailbox", {name});
    std::optional<ShmObject> adopted;
    FileMap view = open_new_mailbox(cx, p, cmd, name, adopted);
    std::vector<std::string> lines{random_word(244), "", random_word(9)};
    p.write_stdin(lines[0] + "\n");
    expect_posted(cx, p, cmd, view, 1, lines[0]);
    p.write_stdin(lines[1] + "\n");
    expect_posted(cx, p, cmd, view, 2, lines[1]);
    p.write_stdin(lines[2]);  // no \n: the end of input ends it
    p.close_stdin();
    expect_posted(cx, p, cmd, view, 3, lines[2]);
    expect_exit(cx.finish(p), 0, cmd, "at end of input it must unmap, close, unlink, exit 0");
  }
  std::string two = cx.name("m2");
  cmd = command_line("shm_mailbox", {two});
  Process p = cx.start_interactive("shm_mailbox", {two});
  std::optional<ShmObject> adopted;
  FileMap view = open_new_mailbox(cx, p, cmd, two, adopted);
  std::string first = random_word(5);
  p.write_stdin(first + "\n");
  expect_posted(cx, p, cmd, view, 1, first);
  p.write_stdin(random_word(245) + "\n");
  p.close_stdin();
  const Outcome &out = cx.finish(p);
  expect_exit(out, 1, cmd, "a line of more than 244 bytes is a data error: exit 1");
  expect_stderr(out, "shm_mailbox: line 2 is longer than 244 bytes\n", cmd,
                "report it exactly as the contract says, with the line's number");
}

// One run: after `posted 1` the grader truncates the mailbox to `size`
// bytes and sends line 2; the program reports the size fstat gives, exit 1.
void expect_shrink_reported(Context &cx, const std::string &name, size_t size) {
  std::vector<std::string> args{name};
  std::string cmd = command_line("shm_mailbox", args);
  Process p = cx.start_interactive("shm_mailbox", args);
  p.write_stdin(random_word(12) + "\n");
  cx.expect_handshake(p, cmd, "posted 1");
  ShmObject o = ShmObject::open(name);  // the grader's now: unlinked at the end
  o.truncate(size);
  p.write_stdin(random_word(12) + "\n");
  p.close_stdin();
  const Outcome &out = cx.finish(p);
  if (out.signal == SIGBUS)
    fail("`" + cmd + "` exits 1 when the object has shrunk", "it was killed by SIGBUS",
         "fstat the descriptor before touching the mapping, and stop when it is too small");
  expect_exit(out, 1, cmd,
              fmt::format("report the object shrunk to {} bytes (smaller than a Mailbox) and "
                          "exit 1",
                          size));
  expect_stderr(out, fmt::format("shm_mailbox: {} shrank to {} bytes\n", name, size), cmd,
                "report it exactly as the contract says, with the size fstat gives");
}

// Step 4: when the grader shrinks the object, to 0 bytes or to one byte less
// than a Mailbox, the student reports it instead of crashing or posting.
void peer_truncate(Context &cx) {
  expect_shrink_reported(cx, cx.name("m"), 0);
  expect_shrink_reported(cx, cx.name("m2"), sizeof(Mailbox) - 1);
}

// Removes the segment of a key when a check ends, whatever happened: what a
// check looked at is its own business, not a leak for the cleanup check.
struct RemoveAtEnd {
  key_t key;
  ~RemoveAtEnd() { SysvShm::remove(key); }
};

// The calls of `p` with number `nr` whose argument `arg` has `bits` set, or
// equals `bits` when it is 0 (by its system-call record; none without one).
std::vector<Syscall> calls_with(const Process &p, long nr, size_t arg, uint64_t bits) {
  std::vector<Syscall> found;
  if (!p.syscalls()) return found;
  for (const auto &c : p.syscalls()->calls({nr}))
    if (bits ? (c.args[arg] & bits) != 0 : c.args[arg] == 0) found.push_back(c);
  return found;
}

// Why svshm_attach ended before `attached`, where its record decides: a
// store into an attach made SHM_RDONLY; "" otherwise.
std::string attach_cause(const Process &p, const Outcome &o) {
  if (o.signal != SIGSEGV || calls_with(p, SYS_shmat, 2, SHM_RDONLY).empty()) return "";
  return "its system-call record shows shmat(id, NULL, SHM_RDONLY): a read-only attach, so "
         "storing `attached` faults (SIGSEGV); attach with flags 0";
}

// Step 5: while attached, IPC_STAT counts the student and names it the creator.
void sysv_attach(Context &cx) {
  key_t key = cx.key(1);
  RemoveAtEnd guard{key};
  std::vector<std::string> args{key_arg(key), "8192"};
  std::string cmd = command_line("svshm_attach", args);
  Process p = cx.start_interactive("svshm_attach", args);
  cx.expect_handshake(p, cmd, "attached", [&](const Outcome &o) { return attach_cause(p, o); });
  auto ds = SysvShm::stat(key);
  bool keyless = !calls_with(p, SYS_shmget, 0, IPC_PRIVATE).empty();
  if (!ds)
    fail("a segment for key " + key_arg(key) + " at `attached`", "there is none",
         keyless ? "its system-call record shows shmget(IPC_PRIVATE, ...): key 0 makes a new "
                   "segment that no process finds by KEY; pass KEY to shmget"
                 : "shmget with IPC_CREAT");
  if (ds->shm_nattch != 1 || ds->shm_cpid != p.pid() || ds->shm_segsz != 8192)
    fail(fmt::format("shm_nattch 1, shm_cpid {}, shm_segsz 8192", p.pid()),
         fmt::format("shm_nattch {}, shm_cpid {}, shm_segsz {}", ds->shm_nattch, ds->shm_cpid,
                     ds->shm_segsz),
         "shmget SIZE bytes and stay attached (shmat) until after the handshake");
  if ((ds->shm_perm.mode & 0777) != 0600)
    fail("permissions 0600 (shm_perm.mode)", fmt::format("{:04o}", ds->shm_perm.mode & 0777),
         "shmget(KEY, SIZE, IPC_CREAT | IPC_EXCL | 0600): System V ignores the umask");
  std::string head = SysvShm::read(key, 9);
  if (head != std::string("attached\0", 9))
    fail("the segment begins with \"attached\\0\"", visible(head),
         "store the text through the address shmat returned");
  p.write_stdin("\n");
  cx.expect_handshake(p, cmd, "removed");
  p.write_stdin("\n");
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshakes");
}

// Step 5: after shmdt and IPC_RMID the segment is gone.
void sysv_rmid(Context &cx) {
  key_t key = cx.key(2);
  RemoveAtEnd guard{key};
  std::vector<std::string> args{key_arg(key), "4096"};
  std::string cmd = command_line("svshm_attach", args);
  Process p = cx.start_interactive("svshm_attach", args);
  cx.expect_handshake(p, cmd, "attached", [&](const Outcome &o) { return attach_cause(p, o); });
  p.write_stdin("\n");
  cx.expect_handshake(p, cmd, "removed");
  auto ds = SysvShm::stat(key);
  if (ds) {
    fail("no segment for key " + key_arg(key) + " at `removed`",
         fmt::format("it still exists (shm_nattch {})", ds->shm_nattch),
         "shmdt, then shmctl(id, IPC_RMID, NULL)");
  }
  p.close_stdin();  // end of file counts as a line
  expect_exit(cx.finish(p), 0, cmd, "end of input answers a handshake as a line does");
}

// Step 6: bad input gets the contract's line and exit code, and creates nothing.
void bad_input(Context &cx) {
  std::optional<uid_t> uid = cx.sandbox().student_uid();
  ShmObject small = ShmObject::create(cx.name("small"), random_bytes(100), uid);
  ShmObject empty = ShmObject::create(cx.name("empty"), "", uid);
  std::string missing = cx.name("missing"), zero = cx.name("z"), some = cx.name("u");
  std::string plain = zero.substr(zero.rfind('/') + 1) + "w";
  key_t key = cx.key(3);
  RemoveAtEnd guard{key};
  std::string write_usage = "usage: shm_write [-x] NAME SIZE [MODE]\n",
              read_usage = "usage: shm_read NAME OFFSET LENGTH\n";
  std::string write_slash = "shm_write: NAME must start with '/': " + plain + "\n",
              read_slash = "shm_read: NAME must start with '/': " + plain + "\n";
  // What a call tests, for the cause when it exits otherwise.
  std::string slash = "check that NAME starts with '/' before using it (glibc accepts one without)",
              range = "compare OFFSET + LENGTH with the size fstat gives, before mapping",
              key0 = "KEY 0 is IPC_PRIVATE (a new segment no process finds by key), so refuse it";
  expect_bad_calls(
      cx,
      {{"shm_write", {plain, "10"}, 2, write_slash, slash},
       {"shm_write", {zero, "0"}, 2, "shm_write: SIZE must be at least 1\n"},
       {"shm_write", {}, 2, write_usage},
       {"shm_write", {some, "1x"}, 2, write_usage},
       {"shm_write", {some, "10", "0778"}, 2, write_usage},
       {"shm_read", {missing, "0", "1"}, 1, "shm_read: shm_open: No such file or directory\n"},
       {"shm_read",
        {small.name(), "64", "50"},
        1,
        fmt::format("shm_read: {} holds 100 bytes, fewer than 64 + 50\n", small.name()),
        range},
       {"shm_read",
        {empty.name(), "0", "1"},
        1,
        fmt::format("shm_read: {} holds 0 bytes, fewer than 0 + 1\n", empty.name()),
        range},
       {"shm_read", {plain, "0", "1"}, 2, read_slash, slash},
       {"shm_read", {small.name(), "-1", "5"}, 2, read_usage},
       {"shm_read", {small.name(), "0", "5x"}, 2, read_usage},
       {"shm_read", {small.name()}, 2, read_usage},
       {"shm_life", {}, 2, "usage: shm_life NAME\n"},
       {"shm_life", {some, some}, 2, "usage: shm_life NAME\n"},
       {"shm_mailbox", {}, 2, "usage: shm_mailbox NAME\n"},
       {"svshm_attach", {key_arg(key)}, 2, "usage: svshm_attach KEY SIZE\n"},
       {"svshm_attach", {"0", "4096"}, 2, "usage: svshm_attach KEY SIZE\n", key0},
       {"svshm_attach", {key_arg(key), "0"}, 2, "svshm_attach: SIZE must be at least 1\n"}});
  std::string longer = cx.name("long");
  std::vector<std::string> args{longer, "5"};
  std::string cmd = command_line("shm_write", args);
  Outcome out = cx.run("shm_write", args, random_word(6));
  expect_exit(out, 1, cmd, "input longer than SIZE is a data error: exit 1");
  expect_stderr(out, "shm_write: input is longer than 5 bytes\n", cmd,
                "read all of stdin first, then report input longer than SIZE exactly");
  for (const auto &n : {missing, zero, "/" + plain, some, longer})
    if (ShmObject::exists(n))
      fail("no object named " + n, "a program created it",
           "check the arguments and read all the input before shm_open; only writers pass "
           "O_CREAT");
  if (SysvShm::stat(key))
    fail("no segment for key " + key_arg(key), "a program created it",
         "check both arguments before shmget");
}

// Makes a System V segment for `key`, as another program would have.
void make_segment(key_t key) {
  if (shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600) == -1)
    throw std::system_error(errno, std::generic_category(), "shmget " + key_arg(key));
}

// Step 6: NAME or KEY taken: -x and the programs that must make a new object
// report "File exists" and change nothing; shm_write without -x opens it.
void exists(Context &cx) {
  std::string old = random_bytes(2000);
  ShmObject taken = ShmObject::create(cx.name("x"), old, cx.sandbox().student_uid());
  key_t key = cx.key(4);
  RemoveAtEnd guard{key};
  make_segment(key);
  // What each call tests: a NAME or KEY that exists is refused only with O_EXCL (IPC_EXCL).
  std::string excl = "NAME exists already: pass O_CREAT | O_EXCL, so that shm_open fails with "
                     "EEXIST instead of opening it",
              ipc_excl = "KEY has a segment already: pass IPC_CREAT | IPC_EXCL, so that shmget "
                         "fails with EEXIST instead of returning it";
  expect_bad_calls(
      cx, {{"shm_write", {"-x", taken.name(), "1000"}, 1, "shm_write: shm_open: File exists\n",
            "with -x, " + excl},
           {"svshm_attach", {key_arg(key), "4096"}, 1, "svshm_attach: shmget: File exists\n",
            ipc_excl},
           {"shm_life", {taken.name()}, 1, "shm_life: shm_open: File exists\n", excl},
           {"shm_mailbox", {taken.name()}, 1, "shm_mailbox: shm_open: File exists\n", excl}});
  if (std::string now = taken.bytes(); now != old)
    fail("the existing object untouched by the calls that failed", first_difference(old, now),
         "fail at shm_open (O_EXCL) before changing anything");
  std::string data = random_bytes(300);
  data[10] = '\0';  // any bytes, NULs included
  std::vector<std::string> args{taken.name(), "1000"};
  std::string cmd = command_line("shm_write", args);
  Outcome out = cx.run("shm_write", args, data);
  expect_exit(out, 0, cmd, "without -x an existing NAME is opened: O_EXCL only for -x");
  if (taken.size() != 1000 || taken.bytes().substr(0, 300) != data)
    fail("the existing object resized to 1000 bytes, the 300 input bytes at its start",
         fmt::format("{} bytes; {}", taken.size(),
                     first_difference(data, taken.bytes().substr(0, 300))),
         "open it with O_CREAT | O_RDWR, ftruncate to SIZE and copy the input");
  expect_written(cx, {"-x", cx.name("new"), "100"}, data.substr(0, 50), 100, 0600);
}

}  // namespace
}  // namespace shm_checks

Lab shm_lab() {
  using namespace shm_checks;
  return Lab{
      "shm",
      "03-shm",
      "POSIX and System V shared memory",
      {"shm_write", "shm_read", "shm_life", "shm_mailbox", "svshm_attach"},
      {
          {"writer", "shm_write: size, mode and bytes of the object", 4, step1, 5s, writer,
           "`shm_write /w 1000 0640` with 300 random bytes (NULs included) on stdin; the grader "
           "opens `/w` itself: `fstat` size 1000, mode 0640, bytes = the input, then 700 zeros. "
           "Then `shm_write /big 20000` with 12289 bytes (several pages) and `shm_write /e 100` "
           "with empty input: mode 0600, the input, then zeros. Each exits 0 and prints nothing. "
           "The system-call record shows each non-empty input copied through a `MAP_SHARED`, "
           "writable mapping, and no `write` on the object.",
           "`write` on the descriptor instead of a mapping; no `ftruncate` (`SIGBUS`), or "
           "`ftruncate` to the input's length; the precedence bug "
           "(`ftruncate: Invalid argument`); a default MODE other than 0600; only the first 4096 "
           "bytes of stdin read; a mapping or `munmap` of the input's length (`Invalid "
           "argument` for empty input); the input copied with `strncpy` (stops at the first "
           "NUL); a message printed; `shm_unlink` at the end."},
          {"reader", "shm_read prints exactly the bytes asked for", 3, step2, 5s, reader,
           "the grader creates `/r`, 20000 random bytes (NULs included), mode 0444; `shm_read /r "
           "5000 9000` must print exactly bytes 5000 to 13999, and `shm_read /r 15000 5000` the "
           "last 5000 bytes; `shm_read /r0 0 0` on an empty object prints nothing; each exits 0.",
           "`printf(\"%s\")` instead of `fwrite` of LENGTH bytes; `O_RDWR` (`shm_open: "
           "Permission denied`); a mapping of LENGTH bytes, not the whole object (`SIGSEGV`); a "
           "mapping made for LENGTH 0 (`mmap: Invalid argument`); `close`'s result tested the "
           "wrong way round."},
          {"lifetime", "close, unlink, munmap: each stage; nothing left", 3, step3, 5s, lifetime,
           "`shm_life /life`: at `mapped` the object exists (size 4096), is mapped (`rw-s` on "
           "`/dev/shm/life` in `/proc/PID/maps`), mode 0600, and open (`/proc/PID/fd`); at "
           "`closed` no "
           "descriptor, but still mapped and existing; at `unlinked` the name is gone (`ENOENT`) "
           "but the mapping survives (`/dev/shm/life (deleted)`) and still holds `alive\\0` (read "
           "through `/proc/PID/mem`); at `unmapped` no mapping. Also the lab's cleanup check: any "
           "`/dev/shm` entry or System V segment left by any program of the lab costs these "
           "points.",
           "the calls in the wrong place (a `close` right after `mmap`, inside `create_object()`); "
           "`MAP_PRIVATE`; an object of 6 bytes, not 4096; `alive` not stored through the "
           "mapping; the handshake word not flushed; no `munmap`; a forgotten `shm_unlink`; an "
           "object left behind by any program.",
           true},
          {"mailbox", "each mailbox update is seen while it runs", 4, step4, 5s, mailbox,
           "`shm_mailbox /m`: once it waits for its first line, `/m` exists, 256 bytes, mode "
           "0600, magic `MBOX`, `seq` 0, `len` 0; then three random lines sent one at a time; "
           "after each `posted N`, while your program still runs, the grader's own mapping shows "
           "magic `MBOX`, `seq` N, `len` and `text` of line N (without its `\\n`); at end of "
           "input, exit 0 and the name is gone.",
           "a pointer stored instead of the bytes; a struct with a different layout (`size_t "
           "len`); `magic` set only at the first post; `MAP_PRIVATE`; the object made a page "
           "long; the `\\n` kept; `seq` counted from 0; `posted N` not flushed; no "
           "`shm_unlink` at the end."},
          {"mailbox-lines", "every line is posted; one of 245 bytes is an error", 2, step4, 5s, mailbox_lines,
           "`shm_mailbox /m` with a line of exactly 244 bytes, an empty line and a last line "
           "without `\\n`: each is posted (`seq`, `len`, `text`), then exit 0; `shm_mailbox "
           "/m2` with a short line, then one of 245 bytes: exit 1 with `shm_mailbox: line 2 is "
           "longer than 244 bytes`.",
           "no length check; the last byte of every line dropped as if it were a `\\n`; the "
           "`\\n` kept (244 bytes become 245)."},
          {"sysv-attach", "IPC_STAT: attached once, by the student", 3, step5, 5s, sysv_attach,
           "`svshm_attach KEY 8192`: at `attached`, `shmctl(IPC_STAT)`: `shm_nattch` 1, `shm_cpid` "
           "= your pid, `shm_segsz` 8192, mode 0600; the segment begins with `attached\\0`.",
           "`shmdt` (or `IPC_RMID`) before the handshake; `IPC_PRIVATE` instead of KEY (the key "
           "finds nothing); permissions other than 0600 (`0666`: System V ignores the umask); "
           "`SHM_RDONLY` (`SIGSEGV`); `attached\\n` stored."},
          {"sysv-rmid", "the segment is gone after shmdt and IPC_RMID", 2, step5, 5s, sysv_rmid,
           "at `removed`, `shmget(KEY, 0, 0)` fails with `ENOENT`: detached and `IPC_RMID`'d; "
           "the grader then closes stdin (end of file answers the handshake): exit 0.",
           "`shmdt` alone, without `shmctl(IPC_RMID)`; end of file at the last handshake taken "
           "for an error."},
          {"bad-input", "errors: exact messages and exit codes", 4, step6, 10s, bad_input,
           "`shm_write zw 10` (no `/`): exit 2 with `shm_write: NAME must start with '/': zw`; "
           "`shm_write /z 0`: exit 2 with `shm_write: SIZE must be at least 1`; `shm_read /missing "
           "0 1`: exit 1 with `shm_read: shm_open: No such file or directory`; `shm_read /small 64 "
           "50` on a 100-byte object and `shm_read /empty 0 1` on an empty one: exit 1 with the "
           "exact \"holds\" line; `shm_read zw 0 1`: exit 2 with its NAME line; the usage line "
           "(exit 2) for each program without arguments, for `shm_write /u 1x`, `shm_write /u 10 "
           "0778`, `shm_read /small -1 5`, `shm_read /small 0 5x`, `shm_life /u /u` and "
           "`svshm_attach 0 4096`; `svshm_attach KEY 0`: exit 2 with `svshm_attach: SIZE must be "
           "at least 1`; `shm_write /long 5` with 6 bytes: exit 1 with `shm_write: input is "
           "longer than 5 bytes`; no object or segment is created by any of them; no crash.",
           "the range not checked, or its numbers swapped; `perror` wording; a NAME not checked "
           "for its `/`; a negative OFFSET, a SIZE 0 or a KEY 0 accepted; `atol` instead of the "
           "parsers; arguments not counted (`shm_life /u /u` runs, `shm_mailbox` crashes); the "
           "object opened before all the input is read, or input longer than SIZE not "
           "reported."},
          {"exists", "a NAME or KEY that exists: File exists, or opened", 2, step6, 5s,
           exists,
           "the grader makes `/x` (2000 bytes) and a segment for KEY: `shm_write -x /x 1000`, "
           "`shm_life /x`, `shm_mailbox /x` exit 1 with `PROG: shm_open: File exists`, "
           "`svshm_attach KEY 4096` with `svshm_attach: shmget: File exists`, and `/x` keeps its "
           "bytes; `shm_write /x 1000` (no `-x`) exits 0, `/x` now 1000 bytes beginning with the "
           "input; `shm_write -x /new 100` creates `/new`.",
           "`O_EXCL` missing (`-x` ignored, or in `shm_life`, `shm_mailbox`, `shmget`)."},
          {"peer-truncate", "a shrunk object is reported, not a SIGBUS", 3, step4, 5s,
           peer_truncate,
           "after `posted 1` the grader truncates `/m` to 0 bytes, then sends line 2: "
           "`shm_mailbox` exits 1 with `shm_mailbox: /m shrank to 0 bytes` (not `SIGBUS`, no "
           "hang); the same with `/m2` truncated to 255 bytes (`shrank to 255 bytes`).",
           "no `fstat` before each post; only a size of 0 taken for shrunk."},
      }};
}

}  // namespace ipcg
