/* alt_mq.h: small C-style helpers for the second, independently written
 * implementation of lab 01-mqueue (tests/alt/). Written from the handout's
 * Contract alone; it shares nothing with solutions/ or labs/.
 * Each program defines PROG and SYNOPSIS before including this file. */
#pragma once

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef PROG
#error "define PROG before including alt_mq.h"
#endif

/* Writes "PROG: CALL: strerror(err)\n" to stderr in one write. */
static inline void report(const char *call, int err)
{
  dprintf(STDERR_FILENO, "%s: %s: %s\n", PROG, call, strerror(err));
}

/* A system call failed: report it and exit 1 (3 when it would have blocked
 * and the caller asked for that distinction). */
[[noreturn]] static inline void fail_call(const char *call, int would_block_exit3)
{
  int err = errno;
  report(call, err);
  if (would_block_exit3 && (err == EAGAIN || err == ENOMSG))
    _exit(3);
  _exit(1);
}

/* The usage line, then exit 2. */
[[noreturn]] static inline void bad_usage(void)
{
  dprintf(STDERR_FILENO, "usage: %s %s\n", PROG, SYNOPSIS);
  _exit(2);
}

/* Parses all of S with strtol in BASE into *OUT; 0 on success, -1 otherwise. */
static inline int parse_whole(const char *s, int base, long *out)
{
  if (s == NULL || *s == '\0')
    return -1;
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, base);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

/* A decimal number in [LO, HI], or the usage error. */
static inline long number_or_usage(const char *s, long lo, long hi)
{
  long v;
  if (parse_whole(s, 10, &v) != 0 || v < lo || v > hi)
    bad_usage();
  return v;
}

/* An octal mode of at most 07777, or the usage error. */
static inline unsigned mode_or_usage(const char *s)
{
  long v;
  if (parse_whole(s, 8, &v) != 0 || v < 0 || v > 07777)
    bad_usage();
  return (unsigned) v;
}

/* Writes every byte of the IOV array to FD, going on after short writes. */
static inline int writev_all(int fd, struct iovec *iov, int n)
{
  while (n > 0) {
    ssize_t done = writev(fd, iov, n);
    if (done == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    while (n > 0 && (size_t) done >= iov->iov_len) {
      done -= (ssize_t) iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *) iov->iov_base + done;
      iov->iov_len -= (size_t) done;
    }
  }
  return 0;
}

/* Prints one record, "NUM LEN " + LEN raw bytes + "\n", straight to fd 1
 * (unbuffered, so it is out as soon as this returns). */
static inline void print_record(long num, const char *bytes, size_t len)
{
  char head[64];
  int hl = snprintf(head, sizeof head, "%ld %zu ", num, len);
  char nl = '\n';
  struct iovec iov[3] = {
    {head, (size_t) hl},
    {(void *) bytes, len},
    {&nl, 1},
  };
  if (writev_all(STDOUT_FILENO, iov, 3) == -1)
    fail_call("writev", 0);
}
