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
#include <csignal>
#include <cstring>

namespace ipcg {
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

// Step 1: the object has the size, mode and bytes asked for.
void writer(Context &cx) {
  std::string name = cx.name("w"), data = random_bytes(300);
  data[100] = data[200] = '\0';
  std::vector<std::string> args{name, "1000", "0640"};
  std::string cmd = command_line("shm_write", args);
  Process p = cx.start("shm_write", args, data);
  Outcome out = cx.finish(p);
  // The object is the grader's to remove from here on, however the writer ended.
  std::optional<ShmObject> made;
  if (ShmObject::exists(name)) made.emplace(ShmObject::open(name));
  expect_exit(out, 0, cmd, "shm_open, ftruncate or mmap failed, or its result was not checked");
  if (!made)
    fail("an object named " + name + " after `" + cmd + "`", "there is none",
         "shm_open with O_CREAT was not called, or the object was unlinked");
  ShmObject &o = *made;
  if (o.size() != 1000)
    fail("size 1000 (fstat)", fmt::format("size {}", o.size()),
         "ftruncate the object to SIZE, not to the input's length");
  if (o.mode() != 0640)
    fail("permissions 0640", fmt::format("permissions {:04o}", o.mode()),
         "pass MODE, parsed as octal, to shm_open");
  std::string expected = data + std::string(700, '\0'), got = o.bytes();
  if (got != expected)
    fail("the 300 input bytes, then 700 zero bytes", first_difference(expected, got),
         "copy all the input, NULs included, to offset 0 of the mapping");
  expect_written_through_mapping(cx, p, "/dev/shm" + name, cmd);
}

// Step 2: exactly LENGTH bytes from OFFSET, NULs included.
void reader(Context &cx) {
  std::string data = random_bytes(5000);
  data[1500] = data[3000] = '\0';
  ShmObject o = ShmObject::create(cx.name("r"), data, cx.sandbox().student_uid());
  std::vector<std::string> args{o.name(), "1000", "2500"};
  std::string cmd = command_line("shm_read", args);
  Outcome out = cx.run("shm_read", args);
  expect_exit(out, 0, cmd, "shm_open, fstat or mmap failed");
  if (out.out != data.substr(1000, 2500))
    fail(fmt::format("`{}` prints the object's bytes 1000 to 3499 (2500 bytes)", cmd),
         fmt::format("it printed {} bytes; {}", out.out.size(),
                     first_difference(data.substr(1000, 2500), out.out)),
         "write LENGTH raw bytes with fwrite or write: %s stops at the first NUL");
}

// Step 3: persists after close, mapping survives the unlink, gone after munmap.
void lifetime(Context &cx) {
  std::string name = cx.name("life");
  std::vector<std::string> args{name};
  std::string cmd = command_line("shm_life", args);
  Process p = cx.start_interactive("shm_life", args);
  auto stage = [&](std::string_view word, bool exists, bool open, std::string mapped) {
    cx.expect_handshake(p, cmd, word);
    std::string seen = fmt::format("exists {}, open {}, mapping {}", ShmObject::exists(name),
                                   has_open(p.pid(), name), mapping_of(p.pid(), name));
    std::string want = fmt::format("exists {}, open {}, mapping {}", exists, open, mapped);
    cx.note(fmt::format("at {}: {}", word, seen));
    if (seen != want)
      fail(fmt::format("at `{}`: {}", word, want), seen,
           fmt::format("the calls before `{}` are missing or in the wrong order", word));
  };
  stage("mapped", true, true, "rw-s");
  if (size_t n = ShmObject::open(name, false).size(); n != 4096)
    fail("at `mapped`: an object of 4096 bytes", fmt::format("it has {} bytes", n),
         "ftruncate the new object to 4096 bytes before mapping it");
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

// Step 4: each update is visible to the grader while the student still runs.
void mailbox(Context &cx) {
  std::string name = cx.name("m");
  std::vector<std::string> args{name};
  std::string cmd = command_line("shm_mailbox", args);
  Process p = cx.start_interactive("shm_mailbox", args);
  std::optional<FileMap> view;
  std::optional<ShmObject> adopted;  // unlinked at the end if the student could not
  for (uint32_t n = 1; n <= 3; ++n) {
    std::string line = random_word(10 + n * 20);
    p.write_stdin(line + "\n");
    cx.expect_handshake(p, cmd, fmt::format("posted {}", n));
    if (!view) {
      adopted.emplace(ShmObject::open(name));
      view.emplace("/dev/shm" + name);
    }
    Mailbox b = read_mailbox(*view);
    std::string got(b.text, std::min<size_t>(b.len, sizeof b.text));
    if (memcmp(b.magic, "MBOX", 4) != 0 || b.seq != n || b.len != line.size() || got != line)
      fail(fmt::format("at `posted {}`: magic MBOX, seq {}, len {}, text {}", n, n, line.size(),
                       visible(line)),
           fmt::format("magic {}, seq {}, len {}, text {}", visible(std::string_view(b.magic, 4)),
                       b.seq, b.len, visible(got)),
           "copy the bytes themselves into the mailbox (a pointer means nothing to another "
           "process), then set len, then seq");
  }
  p.close_stdin();
  expect_exit(cx.finish(p), 0, cmd, "at end of input it must unmap, close, unlink, exit 0");
  if (ShmObject::exists(name))
    fail("no object named " + name + " once shm_mailbox has finished", "it still exists",
         "shm_unlink the mailbox at the end of input");
}

// Step 4: when the grader shrinks the object, the student reports it instead of crashing.
void peer_truncate(Context &cx) {
  std::string name = cx.name("m");
  std::vector<std::string> args{name};
  std::string cmd = command_line("shm_mailbox", args);
  Process p = cx.start_interactive("shm_mailbox", args);
  p.write_stdin(random_word(12) + "\n");
  cx.expect_handshake(p, cmd, "posted 1");
  ShmObject o = ShmObject::open(name);  // the grader's now: unlinked at the end
  o.truncate(0);
  p.write_stdin(random_word(12) + "\n");
  const Outcome &out = cx.finish(p);
  if (out.signal == SIGBUS)
    fail("`" + cmd + "` exits 1 when the object has shrunk", "it was killed by SIGBUS",
         "fstat the descriptor before touching the mapping, and stop when it is too small");
  expect_exit(out, 1, cmd, "report the shrunk object and exit 1");
  expect_stderr(out, fmt::format("shm_mailbox: {} shrank to 0 bytes\n", name), cmd,
                "report it exactly as the contract says");
}

// Removes the segment of a key when a check ends, whatever happened: what a
// check looked at is its own business, not a leak for the cleanup check.
struct RemoveAtEnd {
  key_t key;
  ~RemoveAtEnd() { SysvShm::remove(key); }
};

// Step 5: while attached, IPC_STAT counts the student and names it the creator.
void sysv_attach(Context &cx) {
  key_t key = cx.key(1);
  RemoveAtEnd guard{key};
  std::vector<std::string> args{key_arg(key), "8192"};
  std::string cmd = command_line("svshm_attach", args);
  Process p = cx.start_interactive("svshm_attach", args);
  cx.expect_handshake(p, cmd, "attached");
  auto ds = SysvShm::stat(key);
  if (!ds)
    fail("a segment for key " + key_arg(key) + " at `attached`", "there is none",
         "shmget with IPC_CREAT");
  if (ds->shm_nattch != 1 || ds->shm_cpid != p.pid() || ds->shm_segsz != 8192)
    fail(fmt::format("shm_nattch 1, shm_cpid {}, shm_segsz 8192", p.pid()),
         fmt::format("shm_nattch {}, shm_cpid {}, shm_segsz {}", ds->shm_nattch, ds->shm_cpid,
                     ds->shm_segsz),
         "shmget SIZE bytes and stay attached (shmat) until after the handshake");
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
  cx.expect_handshake(p, cmd, "attached");
  p.write_stdin("\n");
  cx.expect_handshake(p, cmd, "removed");
  auto ds = SysvShm::stat(key);
  if (ds) {
    fail("no segment for key " + key_arg(key) + " at `removed`",
         fmt::format("it still exists (shm_nattch {})", ds->shm_nattch),
         "shmdt, then shmctl(id, IPC_RMID, NULL)");
  }
  p.write_stdin("\n");
  expect_exit(cx.finish(p), 0, cmd, "it failed after the handshakes");
}

// Step 6: bad input gets the contract's line and exit code, and creates nothing.
void bad_input(Context &cx) {
  ShmObject small =
      ShmObject::create(cx.name("small"), random_bytes(100), cx.sandbox().student_uid());
  std::string missing = cx.name("missing"), zero = cx.name("z");
  std::string plain = zero.substr(zero.rfind('/') + 1) + "w";
  expect_bad_calls(
      cx, {{"shm_write", {plain, "10"}, 2, "shm_write: NAME must start with '/': " + plain + "\n"},
           {"shm_write", {zero, "0"}, 2, "shm_write: SIZE must be at least 1\n"},
           {"shm_read", {missing, "0", "1"}, 1, "shm_read: shm_open: No such file or directory\n"},
           {"shm_read",
            {small.name(), "64", "50"},
            1,
            fmt::format("shm_read: {} holds 100 bytes, fewer than 64 + 50\n", small.name())}});
  for (const auto &n : {missing, zero, "/" + plain})
    if (ShmObject::exists(n))
      fail("no object named " + n, "a program created it",
           "check the arguments before shm_open; only writers pass O_CREAT");
}

}  // namespace

Lab shm_lab() {
  return Lab{
      "shm",
      "03-shm",
      "POSIX and System V shared memory",
      {"shm_write", "shm_read", "shm_life", "shm_mailbox", "svshm_attach"},
      {
          {"writer", "shm_write: size, mode and bytes of the object", 4, step1, 5s, writer,
           "`shm_write /w 1000 0640` with 300 random bytes (NULs included) on stdin; the grader "
           "opens `/w` itself: `fstat` size 1000, mode 0640, bytes = the input, then 700 zeros; "
           "the system-call record shows the object mapped `MAP_SHARED` and writable and no "
           "`write` on it.",
           "`write` on the descriptor instead of a mapping; no `ftruncate` (`SIGBUS`), or `ftruncate` to the input's length; the precedence bug "
           "(`ftruncate: Invalid argument`); MODE not passed (0600); the input copied with "
           "`strcpy` or `strncpy` (stops at the first NUL); `shm_unlink` at the end."},
          {"reader", "shm_read prints exactly the bytes asked for", 3, step2, 5s, reader,
           "the grader creates `/r`, 5000 random bytes (NULs included); `shm_read /r 1000 2500` "
           "must print exactly bytes 1000 to 3499.",
           "`printf(\"%s\")` or `fputs` instead of `fwrite` of LENGTH bytes; the OFFSET not added; "
           "the precedence bug (`fd` 0)."},
          {"lifetime", "close, unlink, munmap: each stage; nothing left", 3, step3, 5s, lifetime,
           "`shm_life /life`: at `mapped` the object exists (size 4096), is mapped (`rw-s` on "
           "`/dev/shm/life` in `/proc/PID/maps`) and open (`/proc/PID/fd`); at `closed` no "
           "descriptor, but still mapped and existing; at `unlinked` the name is gone (`ENOENT`) "
           "but the mapping survives (`/dev/shm/life (deleted)`) and still holds `alive\\0` (read "
           "through `/proc/PID/mem`); at `unmapped` no mapping. Also the lab's cleanup check: any "
           "`/dev/shm` entry or System V segment left by any program of the lab costs these "
           "points.",
           "the calls in the wrong place (a `close` right after `mmap`, inside `create_object()`); "
           "`MAP_PRIVATE`; `alive` without its NUL; a stray `O_CREAT` or a forgotten `shm_unlink` "
           "or `IPC_RMID` in any program.",
           true},
          {"mailbox", "each mailbox update is seen while it runs", 4, step4, 5s, mailbox,
           "`shm_mailbox /m`, three random lines sent one at a time; after each `posted N`, while "
           "your program still runs, the grader's own mapping shows magic `MBOX`, `seq` N, `len` "
           "and `text` of line N; at end of input, exit 0 and the name is gone.",
           "a pointer stored instead of the bytes; a struct with a different layout (`size_t "
           "len`); `magic` or `len` never set; `posted N` printed before the stores; no "
           "`shm_unlink` at the end."},
          {"sysv-attach", "IPC_STAT: attached once, by the student", 3, step5, 5s, sysv_attach,
           "`svshm_attach KEY 8192`: at `attached`, `shmctl(IPC_STAT)`: `shm_nattch` 1, `shm_cpid` "
           "= your pid, `shm_segsz` 8192; the segment begins with `attached\\0`.",
           "`shmdt` (or `IPC_RMID`) before the handshake; `IPC_PRIVATE` instead of KEY (the key "
           "finds nothing); SIZE not passed to `shmget`; `attached` stored without its NUL."},
          {"sysv-rmid", "the segment is gone after shmdt and IPC_RMID", 2, step5, 5s, sysv_rmid,
           "at `removed`, `shmget(KEY, 0, 0)` fails with `ENOENT`: detached and `IPC_RMID`'d.",
           "`shmdt` alone, without `shmctl(IPC_RMID)`; `IPC_RMID` on the wrong id."},
          {"bad-input", "errors: exact messages and exit codes", 3, step6, 5s, bad_input,
           "`shm_write zw 10` (no `/`): exit 2 with `shm_write: NAME must start with '/': zw`; "
           "`shm_write /z 0`: exit 2 with `shm_write: SIZE must be at least 1`; `shm_read /missing "
           "0 1`: exit 1 with `shm_read: shm_open: No such file or directory`; `shm_read /small 64 "
           "50` on a 100-byte object: exit 1 with the exact \"holds\" line; no object is created "
           "by any of them; no crash.",
           "`O_CREAT` in `shm_read`; the range not checked before mapping (a crash, or 36 bytes "
           "and zeros); the precedence bug (`fd` 0: \"holds 0 bytes\"); `perror` wording or "
           "`argv[0]`."},
          {"peer-truncate", "a shrunk object is reported, not a SIGBUS", 3, step4, 5s,
           peer_truncate,
           "after `posted 1` the grader truncates `/m` to 0 bytes, then sends line 2: "
           "`shm_mailbox` exits 1 with `shm_mailbox: /m shrank to 0 bytes` (not `SIGBUS`, no "
           "hang).",
           "no `fstat` before each post; the size read once at the start; the descriptor closed "
           "after `mmap` (then `fstat` fails with `EBADF`)."},
      }};
}

}  // namespace ipcg
