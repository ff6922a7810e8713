// copy.hpp: the two copy routines ipcbench can move bytes with, and how
// to time them on one core. The shm mechanisms copy with the routine chosen
// for the run, and the memcpy reference uses that same routine.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace ipcbench {

// Copy n bytes from src to dst (the buffers do not overlap).
using CopyFn = void (*)(void *dst, const void *src, size_t n);

enum class CopyKind { libc, vector };

// The routine of a kind: glibc's memcpy (which picks rep movsb for middle
// sizes on CPUs with ERMS/FSRM), or ipcbench's own loop of plain vector
// loads and stores (AVX2 when the CPU has it, else SSE2), which never uses
// rep movsb.
CopyFn copy_routine(CopyKind kind);

// Its short name ("libc", "vector") and its description for the report.
const char *copy_name(CopyKind kind);
std::string copy_description(CopyKind kind);

// Seconds `copy` takes to copy n bytes from src to dst `count` times.
double copy_seconds(CopyFn copy, const std::byte *src, std::byte *dst, size_t n, uint64_t count);

// The monotonic clock, in seconds.
double now_seconds();

}  // namespace ipcbench
