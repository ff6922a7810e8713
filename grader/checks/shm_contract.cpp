// shm_contract.cpp: the Contract section of handouts/03-shm.md as data,
// clause by clause, with the checks that fail when a program breaks it.
// tests/contract.py proves the map (see Clause in core/check.hpp).
#include "../core/registry.hpp"

namespace ipcg {

Contract shm_contract() {
  return Contract{
      {
          // Conventions for every program.
          {"all/exit-0", "- Exit 0: success.",
           {"writer", "reader", "lifetime", "mailbox", "sysv-rmid"}},
          {"all/exit-1",
           "- Exit 1: a system call failed: stderr is exactly `PROG: CALL: STRERROR\\n`, e.g. "
           "`shm_read: shm_open: No such file or directory\\n` (PROG is the program's fixed "
           "name, not argv[0]; CALL is the failing call's name; STRERROR is strerror(errno)).",
           {"bad-input", "exists"}},
          {"all/data-error",
           "Or a data error: stderr is exactly the message given below for it, followed by "
           "`\\n`.",
           {"bad-input", "mailbox-lines", "peer-truncate"}},
          {"all/usage",
           "- Exit 2: usage error: stderr is one line starting with `usage: PROG `, followed by "
           "the synopsis (each program's usage line is given below); except for the two NAME "
           "and SIZE errors below, which have their own exact lines (still exit 2).",
           {"bad-input"}},
          {"all/name",
           "- NAME must start with `/` (glibc would accept it without, but the contract does "
           "not). Otherwise stderr is `PROG: NAME must start with '/': ` followed by NAME "
           "exactly as given and `\\n`, e.g. `shm_read: NAME must start with '/': demo\\n`, "
           "and the exit code is 2.",
           {"bad-input"}},
          {"all/decimal", "- Numbers are decimal, and the whole string must parse.",
           {"bad-input"}},
          {"all/mode", "MODE is octal (default 0600).", {"writer"}},
          {"all/key",
           "KEY is parsed with strtol base 0 (so `0x5348` works), and must not be 0.",
           {"sysv-attach", "bad-input"}},
          {"all/handshake",
           "- **Handshake:** the program prints the word and `\\n` to stdout, flushed, then "
           "reads one line from stdin (end of file counts as a line) before it goes on.",
           {"lifetime", "sysv-attach", "sysv-rmid"}},
          {"all/quiet",
           "- Apart from the handshake words and the output named below, the programs print "
           "nothing on stdout, and nothing on stderr when they succeed.",
           {"writer", "reader"}},
          {"all/summary-0", "| 0 | success | nothing |", {"writer", "reader"}},
          {"all/summary-1",
           "| 1 | a system call failed, or a data error | `PROG: CALL: STRERROR\\n`, or the "
           "data error's message |",
           {"bad-input", "exists"}},
          {"all/summary-2",
           "| 2 | usage error | `usage: PROG SYNOPSIS\\n` (one line); or `PROG: NAME must "
           "start with '/': ` and NAME as given; or `PROG: SIZE must be at least 1\\n` |",
           {"bad-input"}},
          {"shm_write/too-long-row",
           "| `shm_write` | stdin holds more than SIZE bytes | `shm_write: input is longer "
           "than SIZE bytes` |",
           {"bad-input"}},
          {"shm_read/range-row",
           "| `shm_read` | OFFSET + LENGTH is more than the object's size | `shm_read: NAME "
           "holds SIZE bytes, fewer than OFFSET + LENGTH` |",
           {"bad-input"}},
          {"shm_mailbox/long-row",
           "| `shm_mailbox` | line N is longer than 244 bytes | `shm_mailbox: line N is longer "
           "than 244 bytes` |",
           {"mailbox-lines"}},
          {"shm_mailbox/shrank-row",
           "| `shm_mailbox` | the object has become smaller than a `Mailbox` | `shm_mailbox: "
           "NAME shrank to S bytes` |",
           {"peer-truncate"}},
          {"all/data-numbers",
           "with the numbers in decimal, for example `shm_read: /r holds 100 bytes, fewer than "
           "64 + 50` and `shm_mailbox: /m shrank to 0 bytes`.",
           {"bad-input", "peer-truncate"}},
          // The mailbox.
          {"shm_mailbox/layout",
           "The fields lie at offsets 0, 4, 8 and 12. On x86-64 (little endian) this is "
           "Python's `struct` format `<4sII244s`.",
           {"mailbox", "mailbox-lines"}},
          // shm_write.
          {"shm_write/size",
           "1. SIZE must be at least 1; otherwise stderr is `shm_write: SIZE must be at least "
           "1` and the exit code 2.",
           {"bad-input"}},
          {"shm_write/read-first", "2. Read **all** of stdin first.", {"writer", "bad-input"}},
          {"shm_write/too-long",
           "More than SIZE bytes is the data error `shm_write: input is longer than SIZE bytes` "
           "(with SIZE as a number, e.g. `shm_write: input is longer than 5 bytes`), exit 1, "
           "and nothing is created.",
           {"bad-input"}},
          {"shm_write/open",
           "3. `shm_open(NAME, O_CREAT | O_RDWR, MODE)`, with `O_EXCL` added for `-x`.",
           {"writer", "exists"}},
          {"shm_write/ftruncate", "4. `ftruncate(fd, SIZE)`.", {"writer", "exists"}},
          {"shm_write/mmap",
           "5. `mmap` SIZE bytes, `PROT_READ | PROT_WRITE`, `MAP_SHARED`, offset 0.",
           {"writer"}},
          {"shm_write/copy",
           "6. Copy the input to offset 0 (the rest stays zero); the input may hold any bytes, "
           "NULs included.",
           {"writer"}},
          {"shm_write/finish", "7. `munmap`; `close`; exit 0.", {"writer"}},
          {"shm_write/no-unlink", "It never unlinks the object, and prints nothing.",
           {"writer"}},
          {"shm_write/usage",
           "- Usage line: `usage: shm_write [-x] NAME SIZE [MODE]` (exit 2), also for a SIZE "
           "that is not a decimal number and a MODE that is not an octal number of at most "
           "0777.",
           {"bad-input"}},
          {"shm_write/name",
           "- NAME without `/`, such as `demo`: exit 2, `shm_write: NAME must start with '/': "
           "demo`",
           {"bad-input"}},
          {"shm_write/excl",
           "- With `-x` when NAME exists: exit 1, `shm_write: shm_open: File exists`",
           {"exists"}},
          // shm_read.
          {"shm_read/open", "1. `shm_open(NAME, O_RDONLY)`; never `O_CREAT`.",
           {"reader", "bad-input"}},
          {"shm_read/range",
           "2. `fstat` for the size. If OFFSET + LENGTH is more than the size: `shm_read: NAME "
           "holds SIZE bytes, fewer than OFFSET + LENGTH`, with the numbers (e.g. `shm_read: /r "
           "holds 100 bytes, fewer than 64 + 50`), exit 1, checked **before** mapping.",
           {"bad-input", "reader"}},
          {"shm_read/length-0",
           "3. LENGTH 0 is allowed and prints nothing; no mapping is made then.", {"reader"}},
          {"shm_read/mmap",
           "4. `mmap` the whole object (its size from `fstat`), `PROT_READ`, `MAP_SHARED`.",
           {"reader"}},
          {"shm_read/write",
           "5. Write exactly LENGTH raw bytes, starting at byte OFFSET, to stdout, with "
           "`fwrite` or `write` (the bytes may contain NULs).",
           {"reader"}},
          {"shm_read/finish", "6. `munmap`; `close`; exit 0.", {"reader"}},
          {"shm_read/usage",
           "- Usage line: `usage: shm_read NAME OFFSET LENGTH` (exit 2), also for an OFFSET or "
           "LENGTH that is not a decimal number of 0 or more.",
           {"bad-input"}},
          {"shm_read/name",
           "- NAME without `/`, such as `demo`: exit 2, `shm_read: NAME must start with '/': "
           "demo`",
           {"bad-input"}},
          {"shm_read/missing",
           "- No such object: exit 1, `shm_read: shm_open: No such file or directory`",
           {"bad-input"}},
          // shm_life.
          {"shm_life/open", "1. `shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600)`.",
           {"lifetime", "exists"}},
          {"shm_life/ftruncate", "2. `ftruncate` to 4096.", {"lifetime"}},
          {"shm_life/mmap", "3. `mmap` 4096 bytes, `MAP_SHARED` (`PROT_READ | PROT_WRITE`).",
           {"lifetime"}},
          {"shm_life/store", "4. Store the 6 bytes `alive\\0` at offset 0.", {"lifetime"}},
          {"shm_life/mapped", "5. Handshake `mapped`.", {"lifetime"}},
          {"shm_life/close", "6. `close(fd)`; handshake `closed`.", {"lifetime"}},
          {"shm_life/unlink", "7. `shm_unlink(NAME)`; handshake `unlinked`.", {"lifetime"}},
          {"shm_life/munmap", "8. `munmap`; handshake `unmapped`. 9. Exit 0.", {"lifetime"}},
          {"shm_life/output",
           "- Output: `mapped\\nclosed\\nunlinked\\nunmapped\\n`, each word followed by a wait "
           "for a line on stdin.",
           {"lifetime"}},
          {"shm_life/usage", "- Usage line: `usage: shm_life NAME` (exit 2).", {"bad-input"}},
          {"shm_life/exists", "- NAME exists already: exit 1, `shm_life: shm_open: File exists`",
           {"exists"}},
          // shm_mailbox.
          {"shm_mailbox/open", "1. `shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600)`.",
           {"mailbox", "exists"}},
          {"shm_mailbox/ftruncate", "2. `ftruncate` to `sizeof(Mailbox)` (256).", {"mailbox"}},
          {"shm_mailbox/mmap", "3. `mmap` it `MAP_SHARED` (`PROT_READ | PROT_WRITE`).",
           {"mailbox", "mailbox-lines"}},
          {"shm_mailbox/init", "4. Set `magic` = `MBOX`, `seq` = 0, `len` = 0.",
           {"mailbox", "mailbox-lines"}},
          {"shm_mailbox/lines",
           "5. For each line N = 1, 2, ... read from stdin (the line without its `\\n`):",
           {"mailbox", "mailbox-lines"}},
          {"shm_mailbox/too-long",
           "1. A line of more than 244 bytes is the data error `shm_mailbox: line N is longer "
           "than 244 bytes`, exit 1.",
           {"mailbox-lines"}},
          {"shm_mailbox/fstat",
           "2. `fstat` the descriptor (kept open for this). If the object is now smaller than "
           "the mailbox: `shm_mailbox: NAME shrank to S bytes`, where S is the size `fstat` "
           "gave, exit 1.",
           {"peer-truncate"}},
          {"shm_mailbox/no-touch",
           "**Never touch the mapping then** (that would be `SIGBUS`).", {"peer-truncate"}},
          {"shm_mailbox/post",
           "3. Copy the line's bytes into `text`, set `len`, then set `seq` = N, last: a reader "
           "that sees `seq` = N sees the text of message N.",
           {"mailbox", "mailbox-lines"}},
          {"shm_mailbox/posted", "4. Print `posted N\\n`, flushed.",
           {"mailbox", "mailbox-lines", "peer-truncate"}},
          {"shm_mailbox/end",
           "6. At end of input: `munmap`, `close`, `shm_unlink(NAME)`, exit 0.", {"mailbox"}},
          {"shm_mailbox/output", "- Output, for two lines of input: `posted 1\\nposted 2\\n`",
           {"mailbox"}},
          {"shm_mailbox/usage", "- Usage line: `usage: shm_mailbox NAME` (exit 2).",
           {"bad-input"}},
          {"shm_mailbox/exists",
           "- NAME exists already: exit 1, `shm_mailbox: shm_open: File exists`", {"exists"}},
          // svshm_attach.
          {"svshm_attach/shmget", "1. `shmget(KEY, SIZE, IPC_CREAT | IPC_EXCL | 0600)`.",
           {"sysv-attach"}},
          {"svshm_attach/shmat", "2. `shmat(id, NULL, 0)`.", {"sysv-attach", "sysv-rmid"}},
          {"svshm_attach/store", "3. Store the 9 bytes `attached\\0` at offset 0.",
           {"sysv-attach"}},
          {"svshm_attach/attached", "4. Handshake `attached`.", {"sysv-attach"}},
          {"svshm_attach/remove", "5. `shmdt`; then `shmctl(id, IPC_RMID, NULL)`.",
           {"sysv-rmid"}},
          {"svshm_attach/removed", "6. Handshake `removed`. 7. Exit 0.", {"sysv-rmid"}},
          {"svshm_attach/output",
           "- Output: `attached\\nremoved\\n`, each word followed by a wait for a line on "
           "stdin.",
           {"sysv-attach", "sysv-rmid"}},
          {"svshm_attach/usage",
           "- Usage line: `usage: svshm_attach KEY SIZE` (exit 2), also for a KEY that is not "
           "a number or is 0.",
           {"bad-input"}},
          {"svshm_attach/size", "- SIZE below 1: exit 2, `svshm_attach: SIZE must be at least 1`",
           {"bad-input"}},
          {"svshm_attach/exists",
           "- KEY has a segment already: exit 1, `svshm_attach: shmget: File exists`",
           {"exists"}},
      },
      {
          "This section is exact. The grader checks precisely what it says, byte for byte.",
          // The skeleton's stub, not a promise of a finished program.
          "- Exit 70: the skeleton's unimplemented parts call `todo(\"Step N: ...\")`, which "
          "prints `PROG: not implemented yet (Step N: ...)\\n` to stderr and exits 70 "
          "(EX_SOFTWARE), exactly as in labs 01 and 02.",
          "| 70 | reached a `todo(\"Step N: ...\")` | `PROG: not implemented yet (Step N: ...)\\n` |",
          // Table headings.
          "Summary of exit codes: | Exit | Meaning | stderr |",
          "The data errors (exit 1): | Program | Condition | stderr |",
          // Explicitly unspecified.
          "The bytes of `text` past `len` are unspecified (in practice, what older messages "
          "left there).",
      },
  };
}

}  // namespace ipcg
