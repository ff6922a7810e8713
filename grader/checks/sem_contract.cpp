// sem_contract.cpp: the Contract section of handouts/04-sem.md as data,
// clause by clause, with the checks that fail when a program breaks it.
// tests/contract.py proves the map (see Clause in core/check.hpp).
#include "../core/registry.hpp"

namespace ipcg {

Contract sem_contract() {
  return Contract{
      {
          // Conventions for every program.
          {"all/exit-0", "- Exit 0: success.",
           {"ring-init", "producer", "consumer", "cleanup", "sysv-undo", "counter", "keeps-names"}},
          {"all/exit-1",
           "- Exit 1: a system call failed: stderr is exactly `PROG: CALL: STRERROR\\n`, e.g. "
           "`ring_put: shm_open: No such file or directory\\n` (PROG is the program's fixed "
           "name, not argv[0]; CALL is the failing call's name; STRERROR is strerror(errno)).",
           {"bad-input", "error-paths"}},
          {"all/data-error",
           "Or a data error: stderr is exactly the message given below for it, followed by "
           "`\\n`.",
           {"error-paths"}},
          {"all/usage",
           "- Exit 2: usage error: stderr is one line starting with `usage: PROG `, followed by "
           "the synopsis (each program's usage line is given below); except for the NAME and "
           "SLOTS errors below, which have their own exact lines (still exit 2).",
           {"error-paths"}},
          {"all/name",
           "- NAME (the name of an object or of a semaphore: NAME, SEM and SHM below) must start "
           "with `/`. Otherwise stderr is `PROG: NAME must start with '/': ` followed by the "
           "name exactly as given and `\\n`, e.g. `ring_init: NAME must start with '/': r\\n`, "
           "and the exit code is 2.",
           {"bad-input"}},
          {"all/decimal", "- Numbers are decimal, and the whole string must parse.",
           {"error-paths"}},
          {"all/key",
           "KEY is parsed with strtol base 0 (so `0x53454d01` works), and must not be 0.",
           {"sysv-undo", "error-paths"}},
          {"all/handshake",
           "- **Handshake:** the program prints the word and `\\n` to stdout, flushed, then "
           "reads one line from stdin (end of file counts as a line) before it goes on.",
           {"counter", "holds-semaphore", "sysv-undo"}},
          {"all/eintr",
           "- **Every `sem_wait` and `sem_timedwait` is retried when it fails with `EINTR`.** "
           "Any other failure of a call is fatal (exit 1).",
           {"eintr"}},
          // Students run with umask 022: 0666 shows as 0644.
          {"all/mode", "- Every object and semaphore is created with mode 0600.",
           {"ring-init", "sysv-undo"}},
          {"all/quiet",
           "- Apart from the handshake words and the output named below, the programs print "
           "nothing on stdout, and nothing on stderr when they succeed.",
           {"ring-init", "producer-full", "consumer", "consumer-empty", "cleanup", "sysv-undo", "keeps-names"}},
          {"all/summary-0", "| 0 | success | nothing |",
           {"ring-init", "producer-full", "consumer", "consumer-empty", "cleanup", "sysv-undo", "keeps-names"}},
          {"all/summary-1",
           "| 1 | a system call failed, or a data error | `PROG: CALL: STRERROR\\n`, or the "
           "data error's message |",
           {"bad-input", "error-paths"}},
          {"all/summary-2",
           "| 2 | usage error | `usage: PROG SYNOPSIS\\n` (one line); or `PROG: NAME must "
           "start with '/': ` and NAME as given; or `ring_init: SLOTS must be between 1 and "
           "64\\n` |",
           {"bad-input", "error-paths"}},
          {"ring_get/summary-3",
           "| 3 | `ring_get -t`: no item in time | `ring_get: no item within SECONDS s\\n` |",
           {"timed-wait"}},
          {"sem_counter/small-row",
           "| `sem_counter` | the object SHM holds fewer than 8 bytes | `sem_counter: SHM holds "
           "S bytes, fewer than 8` |",
           {"error-paths"}},
          {"ring_put/not-a-ring-row",
           "| `ring_put`, `ring_get` | NAME does not hold a ring (see [below](#ring_put)) | "
           "`PROG: NAME is not a ring` |",
           {"error-paths"}},
          {"ring_put/long-row",
           "| `ring_put` | line N is longer than 60 bytes | `ring_put: line N is longer than 60 "
           "bytes` |",
           {"error-paths"}},
          {"all/data-numbers",
           "with SHM and NAME as given and the numbers in decimal, for example `sem_counter: /c "
           "holds 4 bytes, fewer than 8`, `ring_get: /ring is not a ring` and `ring_put: line 3 "
           "is longer than 60 bytes`.",
           {"error-paths"}},
          // The ring.
          {"ring_init/layout",
           "A shared memory object NAME holds a 128-byte header and SLOTS item slots:",
           {"ring-init", "producer", "consumer"}},
          {"ring_init/layout-x86",
           "(`semlab.hpp` declares `Ring` without the array of slots, which standard C++ does "
           "not allow at the end of a struct; `ring_slots(r)` returns a pointer to slot 0, at "
           "offset 128.) A 5-slot ring is 448 bytes; on x86-64 the header is Python's `struct` "
           "format `<4sIII32s32s32s16s` and an item `<I60s`.",
           {"ring-init", "producer", "consumer"}},
          {"ring_init/named",
           "**Named mode** (the default): the three semaphores are the named semaphores "
           "`NAME-empty`, `NAME-full` and `NAME-mutex`: for NAME `/ring`, `/ring-empty`, "
           "`/ring-full` and `/ring-mutex`, which are the files `/dev/shm/sem.ring-empty` and so "
           "on. The header's three `sem_t` fields stay zero.",
           {"ring-init", "holds-semaphore"}},
          {"ring_init/unnamed",
           "**Unnamed mode** (`-u`): the semaphores are the header's fields, made by "
           "`ring_init` with `sem_init(&field, 1 /* pshared */, value)`; no named semaphore "
           "exists.",
           {"unnamed"}},
          {"ring_put/producer-step",
           "**The producer step**, for each item: wait(empty); wait(mutex); `slot[in]` = the "
           "item; `in = (in + 1) % slots`; post(mutex); post(full).",
           {"producer", "producer-full", "many"}},
          {"ring_get/consumer-step",
           "**The consumer step**: wait(full); wait(mutex); the item = `slot[out]`; `out = (out "
           "+ 1) % slots`; post(mutex); post(empty).",
           {"consumer", "consumer-empty", "many"}},
          {"ring_put/item",
           "Storing an item sets `len` and copies `len` bytes into `text`; the bytes of `text` "
           "past `len` are unspecified.",
           {"producer", "consumer"}},
          // sem_counter.
          {"sem_counter/iterations",
           "1. ITERATIONS must be a decimal number of at least 1; otherwise usage.",
           {"error-paths"}},
          {"sem_counter/sem-open",
           "2. `sem_open(SEM, 0)`: the semaphore must already exist; never `O_CREAT`.",
           {"holds-semaphore", "bad-input"}},
          {"sem_counter/shm-open",
           "3. `shm_open(SHM, O_RDWR)`; `fstat`. If it holds fewer than 8 bytes: `sem_counter: "
           "SHM holds S bytes, fewer than 8`, exit 1.",
           {"error-paths"}},
          {"sem_counter/mmap",
           "4. `mmap` 8 bytes, `PROT_READ | PROT_WRITE`, `MAP_SHARED`; `close` the descriptor. "
           "The object's first 8 bytes are a `uint64_t` counter.",
           {"counter", "holds-semaphore", "keeps-names"}},
          {"sem_counter/ready", "5. Handshake `ready`.",
           {"counter", "holds-semaphore", "keeps-names"}},
          {"sem_counter/loop",
           "6. ITERATIONS times: `sem_wait(sem)` (retried on `EINTR`); then exactly `uint64_t v "
           "= *counter; sched_yield(); *counter = v + 1;`; then `sem_post(sem)`.",
           {"counter", "holds-semaphore"}},
          {"sem_counter/finish", "7. `munmap`; `sem_close`; exit 0.",
           {"counter", "holds-semaphore", "keeps-names"}},
          {"sem_counter/no-unlink",
           "It never unlinks the semaphore or the object, and prints nothing but `ready`.",
           {"keeps-names"}},
          {"sem_counter/output", "- Output: `ready\\n`, followed by a wait for a line on stdin.",
           {"counter", "holds-semaphore", "keeps-names"}},
          {"sem_counter/usage", "- Usage line: `usage: sem_counter SEM SHM ITERATIONS` (exit 2).",
           {"error-paths"}},
          {"sem_counter/name",
           "- SEM or SHM without `/`, such as `lock`: exit 2, `sem_counter: NAME must start with "
           "'/': lock`",
           {"error-paths"}},
          {"sem_counter/no-sem",
           "- No such semaphore: exit 1, `sem_counter: sem_open: No such file or directory` "
           "(the semaphore is opened first, so this is the message even when SHM does not exist "
           "either).",
           {"bad-input"}},
          {"sem_counter/no-shm",
           "- No such object: exit 1, `sem_counter: shm_open: No such file or directory`",
           {"error-paths"}},
          // ring_init.
          {"ring_init/slots",
           "1. SLOTS must be a decimal number between 1 and 64; a number outside that range: "
           "`ring_init: SLOTS must be between 1 and 64`, exit 2.",
           {"bad-input", "error-paths"}},
          {"ring_init/remove-stale",
           "2. Remove what an earlier run may have left: `shm_unlink(NAME)`, and in named mode "
           "`sem_unlink` of `NAME-empty`, `NAME-full` and `NAME-mutex`. Each may fail with "
           "`ENOENT`, which is ignored; any other error is fatal.",
           {"stale", "ring-init"}},
          {"ring_init/object",
           "3. `shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600)`; `ftruncate` to `128 + 64 * "
           "SLOTS`; `mmap` it `MAP_SHARED` (`PROT_READ | PROT_WRITE`).",
           {"ring-init"}},
          {"ring_init/header",
           "4. Header: `magic` `RING`, `slots` SLOTS, `in` 0, `out` 0 (the rest stays zero).",
           {"ring-init"}},
          {"ring_init/semaphores",
           "5. Named mode: `sem_open` each of the three names with `O_CREAT | O_EXCL`, mode "
           "0600 and the values `empty` SLOTS, `full` 0, `mutex` 1, each result checked against "
           "`SEM_FAILED`; then `sem_close` each. Unnamed mode: `sem_init(&r->empty, 1, SLOTS)`, "
           "`sem_init(&r->full, 1, 0)`, `sem_init(&r->mutex, 1, 1)`.",
           {"ring-init", "stale", "unnamed"}},
          {"ring_init/finish",
           "6. `munmap` and `close` (the descriptor may be closed right after `mmap`); exit 0. "
           "It prints nothing.",
           {"ring-init"}},
          {"ring_init/usage",
           "- Usage line: `usage: ring_init [-u] NAME SLOTS` (exit 2), also for a SLOTS that is "
           "not a decimal number.",
           {"error-paths"}},
          {"ring_init/name",
           "- NAME without `/`, such as `r`: exit 2, `ring_init: NAME must start with '/': r`",
           {"bad-input"}},
          // ring_put.
          {"ring_put/handler",
           "1. Install a handler for `SIGUSR1` with `sigaction`, `sa_flags` 0 (**not** "
           "`SA_RESTART`), that only counts the signal in a `volatile sig_atomic_t`.",
           {"eintr"}},
          {"ring_put/open",
           "2. `shm_open(NAME, O_RDWR)`; `fstat`; `mmap` the whole object `MAP_SHARED` "
           "(`PROT_READ | PROT_WRITE`). The object must hold a ring: at least 128 bytes (checked "
           "before mapping), `magic` `RING`, `slots` between 1 and 64, and a size of exactly "
           "`128 + 64 * slots`. Otherwise: `ring_put: NAME is not a ring`, exit 1. "
           "(`map_ring()` in `semlab.hpp` does all of this.)",
           {"producer", "error-paths"}},
          {"ring_put/semaphores",
           "3. Named mode: `sem_open` the three names with `oflag` 0 (no `O_CREAT`). Unnamed "
           "mode: use the header's three fields.",
           {"producer", "unnamed", "error-paths"}},
          {"ring_put/lines",
           "4. For each line N = 1, 2, ... of stdin (the line without its `\\n`; the last line "
           "counts even without one; an empty line is an item of length 0): a line of more than "
           "60 bytes is the data error `ring_put: line N is longer than 60 bytes`, exit 1 (the "
           "lines before it have been put). Otherwise one **producer step** with that line as "
           "the item.",
           {"producer", "error-paths"}},
          {"ring_put/finish",
           "5. At end of input: `munmap`; in named mode `sem_close` the three; exit 0. It "
           "prints nothing.",
           {"producer", "producer-full"}},
          {"ring_put/usage", "- Usage line: `usage: ring_put [-u] NAME` (exit 2).",
           {"error-paths"}},
          {"ring_put/no-object",
           "- No such object: exit 1, `ring_put: shm_open: No such file or directory`",
           {"bad-input"}},
          {"ring_put/no-sem",
           "- A named semaphore missing: exit 1, `ring_put: sem_open: No such file or "
           "directory`",
           {"error-paths"}},
          // ring_get.
          {"ring_get/args",
           "1. COUNT must be a decimal number of at least 1, SECONDS one between 1 and 3600; "
           "otherwise usage.",
           {"error-paths"}},
          {"ring_get/handler",
           "2. The same `SIGUSR1` handler as `ring_put`, installed the same way.", {"eintr"}},
          {"ring_get/open",
           "3. Open and check the ring as `ring_put` does (`ring_get: NAME is not a ring`), and "
           "its semaphores.",
           {"consumer", "unnamed", "error-paths"}},
          {"ring_get/print",
           "4. COUNT times: one **consumer step**, then print the item's `len` bytes of text "
           "followed by `\\n`, and flush stdout (each item appears as soon as it is taken).",
           {"consumer", "consumer-empty"}},
          {"ring_get/timed",
           "5. With `-t SECONDS`, the wait on `full` is `sem_timedwait` with the absolute "
           "`CLOCK_REALTIME` deadline now + SECONDS, computed before each item's wait; when it "
           "fails with `EINTR` it is retried with the same deadline; when it fails with "
           "`ETIMEDOUT`, stderr is `ring_get: no item within SECONDS s` (SECONDS as given), and "
           "the exit code 3. The wait on `mutex` is a plain `sem_wait`.",
           {"timed-wait"}},
          {"ring_get/finish", "6. `munmap`; in named mode `sem_close` the three; exit 0.",
           {"consumer", "consumer-empty"}},
          {"ring_get/output",
           "- Output: each item's text and `\\n`, in the order taken. For three items: "
           "`first\\nsecond\\nthird\\n`.",
           {"consumer", "consumer-empty", "many"}},
          {"ring_get/usage",
           "- Usage line: `usage: ring_get [-u] [-t SECONDS] NAME COUNT` (exit 2).",
           {"error-paths"}},
          {"ring_get/timeout", "- Timeout, e.g. with `-t 1`: exit 3, `ring_get: no item within 1 s`",
           {"timed-wait"}},
          // ring_rm.
          {"ring_rm/unlink",
           "1. `shm_unlink(NAME)`; in named mode also `sem_unlink` of `NAME-empty`, "
           "`NAME-full` and `NAME-mutex`.",
           {"cleanup"}},
          {"ring_rm/all-tried",
           "2. All of them are tried, even after one has failed; then, if any failed, the "
           "**first** failure is reported as `ring_rm: CALL: STRERROR`, exit 1.",
           {"error-paths"}},
          {"ring_rm/finish", "3. Otherwise exit 0. It prints nothing.", {"cleanup"}},
          {"ring_rm/unnamed",
           "With `-u` there are no named semaphores, and only the object is removed.",
           {"cleanup"}},
          {"ring_rm/usage", "- Usage line: `usage: ring_rm [-u] NAME` (exit 2).", {"error-paths"}},
          {"ring_rm/no-ring",
           "- No such ring: exit 1, `ring_rm: shm_unlink: No such file or directory` (also when "
           "only the object was missing: the semaphores are removed all the same).",
           {"error-paths"}},
          {"ring_rm/no-sems",
           "- The object but no semaphores (a `-u` ring removed without `-u`): the object is "
           "removed, then exit 1, `ring_rm: sem_unlink: No such file or directory`",
           {"error-paths"}},
          // svsem_hold.
          {"svsem_hold/semget", "1. `semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600)`.",
           {"sysv-undo", "error-paths"}},
          {"svsem_hold/setval",
           "2. `semctl(id, 0, SETVAL, arg)` with `arg.val` = 1 (`union semun` is in "
           "`semlab.hpp`).",
           {"sysv-undo"}},
          {"svsem_hold/semop",
           "3. `semop(id, &op, 1)` with `op` = `{sem_num 0, sem_op -1, sem_flg SEM_UNDO}`.",
           {"sysv-undo"}},
          {"svsem_hold/held", "4. Handshake `held`.", {"sysv-undo"}},
          {"svsem_hold/exit",
           "5. Exit 0, **without** releasing the semaphore and without `IPC_RMID`: the kernel's "
           "undo sets the value back to 1, and the set outlives the process (the grader removes "
           "it).",
           {"sysv-undo"}},
          {"svsem_hold/output", "- Output: `held\\n`, followed by a wait for a line on stdin.",
           {"sysv-undo"}},
          {"svsem_hold/usage",
           "- Usage line: `usage: svsem_hold KEY` (exit 2), also for a KEY that is not a number "
           "or is 0.",
           {"error-paths"}},
          {"svsem_hold/exists",
           "- KEY has a set already: exit 1, `svsem_hold: semget: File exists`", {"error-paths"}},
      },
      {
          "This section is exact. The grader checks precisely what it says, byte for byte.",
          // The skeleton's stub, not a promise of a finished program.
          "- Exit 70: the skeleton's unimplemented parts call `todo(\"Step N: ...\")`, which "
          "prints `PROG: not implemented yet (Step N: ...)\\n` to stderr and exits 70, exactly "
          "as in labs 01 to 03.",
          "| 70 | reached a `todo(\"Step N: ...\")` | `PROG: not implemented yet (Step N: ...)\\n` |",
          // Table headings.
          "Summary of exit codes: | Exit | Meaning | stderr |",
          "The data errors (exit 1): | Program | Condition | stderr |",
          // What the grader does, not what a program must do.
          "The grader plays either side with exactly these steps, through the same semaphores.",
          // The given print_item(): a broken ring only, never a correct ring_put's.
          "- (The given `print_item()` also refuses an item whose `len` is more than 60, which "
          "only a broken ring can hold: `ring_get: item N is L bytes long, longer than 60`, "
          "exit 1.)",
      },
  };
}

}  // namespace ipcg
