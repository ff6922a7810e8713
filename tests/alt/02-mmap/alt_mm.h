/* alt_mm.h: small C-style helpers for the second, independently written
 * implementation of lab 02-mmap (tests/alt/). Written from the handout's
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
#error "define PROG before including alt_mm.h"
#endif

/* The record file's layout, as byte offsets (no struct: 32 bytes per record). */
enum { REC_SIZE = 32, REC_ID = 0, REC_BALANCE = 4, REC_NAME = 8, NAME_FIELD = 24 };

/* A system call failed: "PROG: CALL: strerror(errno)", exit 1. */
[[noreturn]] static inline void fail_call(const char *call)
{
  int err = errno;
  dprintf(STDERR_FILENO, "%s: %s: %s\n", PROG, call, strerror(err));
  exit(1);
}

/* A data error: "PROG: " + the formatted message + "\n", exit 1. */
[[noreturn]] __attribute__((format(printf, 1, 2))) static inline void fail_data(const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  dprintf(STDERR_FILENO, "%s: %s\n", PROG, msg);
  exit(1);
}

/* The usage line, then exit 2. */
[[noreturn]] static inline void bad_usage(void)
{
  dprintf(STDERR_FILENO, "usage: %s %s\n", PROG, SYNOPSIS);
  exit(2);
}

/* A decimal number in [LO, HI] (the whole string), or the usage error. */
static inline long long decimal_or_usage(const char *s, long long lo, long long hi)
{
  if (s == NULL || *s == '\0')
    bad_usage();
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi)
    bad_usage();
  return v;
}

/* A NAME of at most 23 bytes, or the usage error. */
static inline const char *name_or_usage(const char *s)
{
  if (strlen(s) > NAME_FIELD - 1)
    bad_usage();
  return s;
}

/* Writes all LEN bytes of BUF to FD (after short writes too), or fails. */
static inline void write_all(int fd, const char *buf, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      fail_call("write");
    }
    buf += n;
    len -= (size_t) n;
  }
}

/* Waits for one line on stdin (or its end), one byte at a time. */
static inline void await_line(void)
{
  for (;;) {
    char c;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      fail_call("read");
    }
    if (n == 0 || c == '\n')
      return;
  }
}

/* The handshake: WORD and a newline straight to fd 1, then one line of stdin. */
static inline void handshake(const char *word)
{
  char line[64];
  int n = snprintf(line, sizeof line, "%s\n", word);
  write_all(STDOUT_FILENO, line, (size_t) n);
  await_line();
}
