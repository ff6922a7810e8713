// observe.hpp: what the kernel says about a live process, read from /proc:
// is it asleep, which system call is it blocked in, how much CPU has it used.
// Where the grader lacks CAP_SYS_PTRACE it reads a student's files as the
// student's uid (core/access.hpp); a read the kernel still refuses throws
// Unobservable, which the runner turns into a check that is not charged.
#pragma once
#include <sys/types.h>
#include <optional>
#include <string>
#include <vector>

namespace ipcg {

// The system call the process's main thread is blocked in (for example
// SYS_mq_timedreceive), -1 while it runs on a CPU, nullopt if it is gone.
std::optional<long> blocked_syscall(pid_t pid);

// The system call each thread of the process is blocked in (-1 for a thread
// that runs); empty if it is gone. A contract rarely says which thread does
// the work: a server may serve its channel from any thread.
std::vector<long> blocked_syscalls(pid_t pid);

// True for a system call that writes the caller's bytes to a descriptor:
// write, writev, pwrite64, pwritev, pwritev2, sendto, sendmsg, sendmmsg,
// sendfile, splice and vmsplice. A process asleep in any of them on a full
// pipe is "blocked writing": the handouts ask for a write that loops on short
// counts, not for write(2) itself.
bool is_write_call(long nr);

// What a live process is doing, for a report: "blocked in mq_timedreceive
// (wchan do_mq_timedreceive)", "running on a CPU", or "" if it is gone.
// Never throws Unobservable: it is only ever part of a verdict.
std::string what_it_does(pid_t pid);

// The process's state letter from /proc/PID/stat ('R', 'S', 'D', 'T' for
// stopped, 'Z'...); '?' if it is gone.
char process_state(pid_t pid);

// True when every thread of the process is asleep (state S or D): none runs
// or waits for a CPU.
bool all_threads_asleep(pid_t pid);

// CPU time used so far by all threads of the process, in milliseconds.
double cpu_ms_so_far(pid_t pid);

// One line of /proc/PID/maps: its permissions ("rw-s") and path ("" if anonymous).
struct Mapping {
  unsigned long start = 0;  // first address
  std::string perms;
  std::string path;
  unsigned long end = 0;     // one past the last address
  unsigned long offset = 0;  // the file offset that `start` maps
  unsigned long inode = 0;   // the file's inode (0 if anonymous)
};
// The process's mappings, in address order (empty if it is gone).
std::vector<Mapping> mappings_of(pid_t pid);

// Where a process blocked in futex (sem_wait, a lock) waits: the file its
// futex word lies in ("/dev/shm/sem.ring-empty"; "" for anonymous memory),
// that file's inode, and the word's offset in it. Compare inodes, not paths:
// the process that made a named semaphore maps it under glibc's temporary
// name ("/dev/shm/sem.zOVPN4 (deleted)").
struct FutexWait {
  std::string path;
  unsigned long offset = 0;
  unsigned long inode = 0;
};
// nullopt unless the process's main thread is blocked in futex now.
std::optional<FutexWait> futex_wait_of(pid_t pid);
// What address `addr` of process pid's memory maps: the file, and the offset
// in it (path "" and offset addr when no mapping holds it).
FutexWait mapped_at(pid_t pid, unsigned long addr);

// True if signal `sig` is pending for the process (queued, not yet handled).
bool signal_pending(pid_t pid, int sig);

// Up to n bytes of the process's memory at address `at` (/proc/PID/mem);
// empty if they cannot be read.
std::string read_memory(pid_t pid, unsigned long at, size_t n);

// What each of the process's open descriptors refers to (readlink of /proc/PID/fd/N).
std::vector<std::string> open_files_of(pid_t pid);

// The pid as the process sees itself (the last NSpid of /proc/PID/status).
std::optional<pid_t> own_pid_of(pid_t pid);

}  // namespace ipcg
