// observe.hpp: what the kernel says about a live process, read from /proc:
// is it asleep, which system call is it blocked in, how much CPU has it used.
#pragma once
#include <sys/types.h>
#include <optional>

namespace ipcg {

// The system call the process's main thread is blocked in (for example
// SYS_mq_timedreceive), -1 while it runs on a CPU, nullopt if it is gone.
std::optional<long> blocked_syscall(pid_t pid);

// True when every thread of the process is asleep (state S or D): none runs
// or waits for a CPU.
bool all_threads_asleep(pid_t pid);

// CPU time used so far by all threads of the process, in milliseconds.
double cpu_ms_so_far(pid_t pid);

}  // namespace ipcg
