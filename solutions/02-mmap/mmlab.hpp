// mmlab.hpp: helpers shared by the programs of lab 02-mmap: the record
// layout, error exits, the usage line, argument parsing, the handshake with
// the grader and the "not implemented yet" stub.
// Usage: #include "mmlab.hpp"; then, first thing in main(), set prog_name
// and prog_usage, e.g. prog_name = "mm_edit"; prog_usage = "[-w] FILE ...";
#pragma once

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

// One record of a record file. Record i starts at byte i * sizeof(Record);
// the file has no header, and its numbers are in the machine's byte order.
struct Record {
  uint32_t id;     // offset 0: the record's number
  int32_t balance; // offset 4: what mm_edit set and mm_private change
  char name[24];   // offset 8: NUL-padded text, at most 23 bytes
};
static_assert(sizeof(Record) == 32, "a record is 32 bytes, with no padding");

constexpr size_t MAX_NAME = sizeof(Record::name) - 1; // the longest NAME, in bytes

inline const char *prog_name = "mmlab"; // the program's fixed name (not argv[0])
inline const char *prog_usage = "";     // its synopsis, after the name

// Prints "PROG: CALL: strerror(errno)" to stderr and exits 1.
// Call it right after CALL failed, before anything else can change errno.
[[noreturn]] inline void die(const char *call)
{
  fprintf(stderr, "%s: %s: %s\n", prog_name, call, strerror(errno));
  exit(1);
}

// Prints "PROG: " and the message that FORMAT makes (as printf() does) to
// stderr and exits 1: a data error, e.g. die_data("%s: file is empty", path).
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

// Parses all of TEXT as a decimal number and checks that it lies in
// [min, max]; anything else is a usage error.
inline long parse_long(const char *text, long min, long max)
{
  if (*text == '\0' || isspace((unsigned char) *text))
    usage();
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    usage();
  return value;
}

// Parses a record INDEX: 0 or more. Whether the file holds that record is
// for the program to check, once it knows the file's size.
inline long parse_index(const char *text) { return parse_long(text, 0, LONG_MAX); }

// Parses a BALANCE: any int32_t.
inline int32_t parse_balance(const char *text)
{
  return (int32_t) parse_long(text, INT32_MIN, INT32_MAX);
}

// Checks that NAME fits in a record's name[] with its NUL: at most MAX_NAME
// bytes; a longer one is a usage error.
inline const char *parse_name(const char *text)
{
  if (strlen(text) > MAX_NAME)
    usage();
  return text;
}

// Prints WORD and a newline to stdout and flushes it, then waits until a
// whole line (or end of file) arrives on stdin. The grader looks at this
// process in between: at its mappings, its descriptors and the file.
inline void handshake(const char *word)
{
  printf("%s\n", word);
  if (fflush(stdout) == EOF)
    die("fflush");
  for (;;) {
    char c;
    ssize_t n = read(STDIN_FILENO, &c, 1); // one byte at a time: read no further than the line
    if (n == -1)
      die("read");
    if (n == 0 || c == '\n')
      return;
  }
}

// Stands in for code the student has not written yet: prints
// "PROG: not implemented yet (STEP)" and exits 70 (EX_SOFTWARE).
// The other arguments are ignored; passing them marks them as used.
template <class... Args> [[noreturn]] void todo(const char *step, const Args &...)
{
  fprintf(stderr, "%s: not implemented yet (%s)\n", prog_name, step);
  exit(70);
}
