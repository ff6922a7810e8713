// copy.cpp: libc memcpy and ipcbench's vector loop, and the single-core
// timing loop. See copy.hpp.
#include "copy.hpp"

#include <time.h>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define IPCBENCH_X86 1
#endif

namespace ipcbench {

double now_seconds() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // cannot fail with this clock
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// glibc's memcpy, called through a real function so every copy is a call,
// as it is in the transfers.
__attribute__((noinline)) static void copy_libc(void *dst, const void *src, size_t n) {
  std::memcpy(dst, src, n);
}

// The last n < 32 bytes, in fixed-size pieces the compiler turns into moves.
static inline void copy_tail(char *d, const char *s, size_t n) {
  if (n & 16) { __builtin_memcpy(d, s, 16); d += 16; s += 16; }
  if (n & 8) { __builtin_memcpy(d, s, 8); d += 8; s += 8; }
  if (n & 4) { __builtin_memcpy(d, s, 4); d += 4; s += 4; }
  if (n & 2) { __builtin_memcpy(d, s, 2); d += 2; s += 2; }
  if (n & 1) *d = *s;
}

#ifdef IPCBENCH_X86
// 128 bytes per step as four 32-byte unaligned loads, then four stores;
// then 32-byte steps; then the tail.
__attribute__((target("avx2"), noinline)) static void copy_avx2(void *dst, const void *src,
                                                                  size_t n) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  for (; n >= 128; n -= 128, d += 128, s += 128) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + 32));
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + 64));
    __m256i e = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + 96));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + 32), b);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + 64), c);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + 96), e);
  }
  for (; n >= 32; n -= 32, d += 32, s += 32)
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s)));
  copy_tail(d, s, n);
}

// The same with 16-byte SSE2 moves (every x86-64 CPU has SSE2).
__attribute__((noinline)) static void copy_sse2(void *dst, const void *src, size_t n) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  for (; n >= 64; n -= 64, d += 64, s += 64) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 16));
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 32));
    __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 48));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d), a);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + 16), b);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + 32), c);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + 48), e);
  }
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    __builtin_memcpy(d, s, 32);
  }
  copy_tail(d, s, n);
}

// True if the CPU and the kernel support AVX2.
static bool have_avx2() { return __builtin_cpu_supports("avx2"); }
#else
// Elsewhere: fixed 64-byte pieces, which the compiler turns into vector moves.
__attribute__((noinline, optimize("no-tree-loop-distribute-patterns"))) static void copy_generic(
    void *dst, const void *src, size_t n) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  for (; n >= 64; n -= 64, d += 64, s += 64) __builtin_memcpy(d, s, 64);
  for (; n >= 32; n -= 32, d += 32, s += 32) __builtin_memcpy(d, s, 32);
  copy_tail(d, s, n);
}
#endif

CopyFn copy_routine(CopyKind kind) {
  if (kind == CopyKind::libc) return copy_libc;
#ifdef IPCBENCH_X86
  return have_avx2() ? copy_avx2 : copy_sse2;
#else
  return copy_generic;
#endif
}

const char *copy_name(CopyKind kind) { return kind == CopyKind::libc ? "libc" : "vector"; }

std::string copy_description(CopyKind kind) {
  if (kind == CopyKind::libc) return "libc memcpy";
#ifdef IPCBENCH_X86
  return have_avx2() ? "vector loop (AVX2, 32-byte loads/stores)"
                     : "vector loop (SSE2, 16-byte loads/stores)";
#else
  return "vector loop (64-byte __builtin_memcpy pieces)";
#endif
}

double copy_seconds(CopyFn copy, const std::byte *src, std::byte *dst, size_t n, uint64_t count) {
  double t0 = now_seconds();
  for (uint64_t i = 0; i < count; ++i) {
    copy(dst, src, n);
    asm volatile("" : : "r"(dst) : "memory");  // every copy really happens
  }
  return now_seconds() - t0;
}

}  // namespace ipcbench
