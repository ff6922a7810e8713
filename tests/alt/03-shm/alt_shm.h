/* alt_shm.h: small C-style helpers for the second, independently written
 * implementation of lab 03-shm (tests/alt/). Written from the handout's
 * Contract alone; it shares nothing with solutions/ or labs/.
 * Each program defines PROG and SYNOPSIS before including this file. */
#pragma once

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PROG
#error "define PROG before including alt_shm.h"
#endif

/* The mailbox's layout, as byte offsets (256 bytes, native byte order). */
enum { MB_MAGIC = 0, MB_SEQ = 4, MB_LEN = 8, MB_TEXT = 12, MB_TEXT_MAX = 244, MB_SIZE = 256 };

/* A system call failed: "PROG: CALL: strerror(errno)", exit 1. */
[[noreturn]] static inline void fail_call(const char *call)
{
  int err = errno;
  dprintf(STDERR_FILENO, "%s: %s: %s\n", PROG, call, strerror(err));
  exit(1);
}

/* "PROG: " + the formatted message + "\n" on stderr, then exit STATUS. */
[[noreturn]] __attribute__((format(printf, 2, 3))) static inline void fail_msg(int status, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  dprintf(STDERR_FILENO, "%s: %s\n", PROG, msg);
  exit(status);
}

/* The usage line, then exit 2. */
[[noreturn]] static inline void bad_usage(void)
{
  dprintf(STDERR_FILENO, "usage: %s %s\n", PROG, SYNOPSIS);
  exit(2);
}

/* NAME must start with '/': otherwise its own line and exit 2. */
static inline const char *name_or_exit(const char *name)
{
  if (name[0] != '/')
    fail_msg(2, "NAME must start with '/': %s", name);
  return name;
}

/* All of S as a number in BASE within [LO, HI], or the usage error. */
static inline long long number_or_usage(const char *s, int base, long long lo, long long hi)
{
  if (s == NULL || *s == '\0')
    bad_usage();
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, base);
  if (errno != 0 || *end != '\0' || v < lo || v > hi)
    bad_usage();
  return v;
}

/* A SIZE: a decimal number (else usage), at least 1 (else its own line). */
static inline long long size_or_exit(const char *s)
{
  long long v = number_or_usage(s, 10, LLONG_MIN, LLONG_MAX);
  if (v < 1)
    fail_msg(2, "SIZE must be at least 1");
  return v;
}

/* Writes all LEN bytes of BUF to FD (after short writes too), or fails. */
static inline void write_all(int fd, const void *buf, size_t len)
{
  const char *p = (const char *) buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      fail_call("write");
    }
    p += n;
    len -= (size_t) n;
  }
}

/* The handshake: WORD and a newline straight to fd 1, then one line of stdin
 * (or its end), read a byte at a time so nothing past the line is taken. */
static inline void handshake(const char *word)
{
  char line[64];
  int n = snprintf(line, sizeof line, "%s\n", word);
  write_all(STDOUT_FILENO, line, (size_t) n);
  for (;;) {
    char c;
    ssize_t got = read(STDIN_FILENO, &c, 1);
    if (got == -1) {
      if (errno == EINTR)
        continue;
      fail_call("read");
    }
    if (got == 0 || c == '\n')
      return;
  }
}
