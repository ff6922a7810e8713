// chanlab.hpp: helpers shared by the programs of lab 05-channels: error
// exits, the usage line, argument parsing and the "not implemented yet" stub.
// Usage: #include "chanlab.hpp"; then, first thing in main(), set prog_name
// and prog_usage, e.g. prog_name = "server"; prog_usage = "-i f|q|s -n NAME ...";
#pragma once

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

inline const char *prog_name = "chanlab"; // the program's fixed name (not argv[0])
inline const char *prog_usage = "";       // its synopsis, after the name

// Prints "PROG: CALL: strerror(errno)" to stderr and exits 1.
// Call it right after CALL failed, before anything else can change errno.
[[noreturn]] inline void die(const char *call)
{
  fprintf(stderr, "%s: %s: %s\n", prog_name, call, strerror(errno));
  exit(1);
}

// Prints "PROG: " and the message that FORMAT makes (as printf() does) to
// stderr and exits 1: a data error, e.g. die_data("%s: line %ld: not a number", path, n).
[[noreturn, gnu::format(printf, 1, 2)]] inline void die_data(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", prog_name);
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  exit(1);
}

// Prints "usage: PROG SYNOPSIS" to stderr and exits 2.
[[noreturn]] inline void usage()
{
  fprintf(stderr, "usage: %s %s\n", prog_name, prog_usage);
  exit(2);
}

// Like die_data(), but for an argument that the contract gives its own
// line, e.g. "PROG: -c N must be between 1 and 16": exits 2, a usage error.
[[noreturn, gnu::format(printf, 1, 2)]] inline void bad_argument(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", prog_name);
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
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

// Parses a decimal number in [min, max], e.g. a ROW or a CAP.
inline long parse_long(const char *text, long min, long max)
{
  return parse_number(text, 10, min, max);
}

// Parses the TYPE of -i: "f" (FIFOs), "q" (POSIX message queues) or "s"
// (shared memory and named semaphores); anything else has its own line.
inline char parse_type(const char *text)
{
  if (strcmp(text, "f") != 0 && strcmp(text, "q") != 0 && strcmp(text, "s") != 0)
    bad_argument("-i TYPE must be f, q or s");
  return text[0];
}

// Parses the NAME of -n, a channel name such as "ctl": it becomes part of
// file and object names ("ctl.c2s", "/ctl.c2s"), so it may not be empty
// or hold a '/'.
inline const char *parse_channel_name(const char *text)
{
  if (*text == '\0' || strchr(text, '/') != nullptr)
    bad_argument("-n NAME must be a name without '/'");
  return text;
}

// Stands in for code the student has not written yet: prints
// "PROG: not implemented yet (STEP)" and exits 70 (EX_SOFTWARE).
// The other arguments are ignored; passing them marks them as used.
template <class... Args> [[noreturn]] void todo(const char *step, const Args &...)
{
  fprintf(stderr, "%s: not implemented yet (%s)\n", prog_name, step);
  exit(70);
}
