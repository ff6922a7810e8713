// mqlab.hpp: helpers shared by the programs of lab 01-mqueue: error exits,
// the usage line, number parsing and the "not implemented yet" stub.
// Usage: #include "mqlab.hpp"; then, first thing in main(), set prog_name
// and prog_usage, e.g. prog_name = "mq_send"; prog_usage = "[-n] NAME MSG [PRIO]";
#pragma once

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/types.h>

inline const char *prog_name = "mqlab"; // the program's fixed name (not argv[0])
inline const char *prog_usage = "";     // its synopsis, after the name

// Prints "PROG: CALL: strerror(errno)" to stderr and exits 1.
// Call it right after CALL failed, before anything else can change errno.
[[noreturn]] inline void die(const char *call)
{
  fprintf(stderr, "%s: %s: %s\n", prog_name, call, strerror(errno));
  exit(1);
}

// Like die(), but exits 3 when errno says that CALL would have blocked
// (EAGAIN: O_NONBLOCK or IPC_NOWAIT; ENOMSG: msgrcv() with IPC_NOWAIT).
[[noreturn]] inline void die_or_would_block(const char *call)
{
  int status = (errno == EAGAIN || errno == ENOMSG) ? 3 : 1;
  fprintf(stderr, "%s: %s: %s\n", prog_name, call, strerror(errno));
  exit(status);
}

// Prints "usage: PROG SYNOPSIS" to stderr and exits 2.
[[noreturn]] inline void usage()
{
  fprintf(stderr, "usage: %s %s\n", prog_name, prog_usage);
  exit(2);
}

// Parses all of TEXT as a number in BASE (as strtol() does) and checks
// that it lies in [min, max]; anything else is a usage error.
inline long parse_number(const char *text, int base, long min, long max)
{
  if (*text == '\0' || isspace((unsigned char) *text))
    usage();
  char *end;
  errno = 0;
  long value = strtol(text, &end, base);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    usage();
  return value;
}

// Parses a decimal number in [min, max], e.g. a COUNT or a PRIO.
inline long parse_long(const char *text, long min, long max)
{
  return parse_number(text, 10, min, max);
}

// Parses an octal MODE such as 0640 (permission bits only).
inline mode_t parse_mode(const char *text) { return (mode_t) parse_number(text, 8, 0, 0777); }

// Parses a System V KEY: decimal, 0x hexadecimal or 0 octal (strtol base 0).
// Keys above INT_MAX, such as 0xdeadbeef, wrap around as key_t does.
inline key_t parse_key(const char *text)
{
  return (key_t) parse_number(text, 0, INT_MIN, UINT_MAX);
}

// Stands in for code the student has not written yet: prints
// "PROG: not implemented yet (STEP)" and exits 70 (EX_SOFTWARE).
// The other arguments are ignored; passing them marks them as used.
template <class... Args> [[noreturn]] void todo(const char *step, const Args &...)
{
  fprintf(stderr, "%s: not implemented yet (%s)\n", prog_name, step);
  exit(70);
}
