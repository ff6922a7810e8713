// shmlab.hpp: helpers shared by the programs of lab 03-shm: the mailbox
// layout, error exits, the usage line, argument parsing, the handshake with
// the grader and the "not implemented yet" stub.
// Usage: #include "shmlab.hpp"; then, first thing in main(), set prog_name
// and prog_usage, e.g. prog_name = "shm_read"; prog_usage = "NAME OFFSET LENGTH";
#pragma once

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/types.h>
#include <unistd.h>

// The mailbox that shm_mailbox keeps in a shared memory object: one message,
// the newest. It holds bytes and numbers only, never a pointer: an address
// in one process means nothing in another. Numbers are in the machine's
// byte order.
struct Mailbox {
  char magic[4];  // offset 0: "MBOX", without a NUL
  uint32_t seq;   // offset 4: the number of the last message posted; 0 before the first
  uint32_t len;   // offset 8: how many bytes of text[] the message uses
  char text[244]; // offset 12: the message's bytes, not NUL-terminated
};
static_assert(sizeof(Mailbox) == 256, "a mailbox is 256 bytes, with no padding");

constexpr size_t MAX_TEXT = sizeof(Mailbox::text); // the longest message, in bytes

inline const char *prog_name = "shmlab"; // the program's fixed name (not argv[0])
inline const char *prog_usage = "";      // its synopsis, after the name

// Prints "PROG: CALL: strerror(errno)" to stderr and exits 1.
// Call it right after CALL failed, before anything else can change errno.
[[noreturn]] inline void die(const char *call)
{
  fprintf(stderr, "%s: %s: %s\n", prog_name, call, strerror(errno));
  exit(1);
}

// Prints "PROG: " and the message that FORMAT makes (as printf() does) to
// stderr and exits 1: a data error, e.g. die_data("%s shrank to %ld bytes", name, size).
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
// line, e.g. "PROG: SIZE must be at least 1": exits 2, a usage error.
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

// Parses a decimal number in [min, max], e.g. an OFFSET or a LENGTH.
inline long parse_long(const char *text, long min, long max)
{
  return parse_number(text, 10, min, max);
}

// Parses an octal MODE such as 0640 (permission bits only).
inline mode_t parse_mode(const char *text) { return (mode_t) parse_number(text, 8, 0, 0777); }

// Parses a System V KEY: decimal, 0x hexadecimal or 0 octal (strtol base 0).
// Keys above INT_MAX, such as 0xdeadbeef, wrap around as key_t does. KEY 0
// is IPC_PRIVATE, which always makes a new segment: a usage error here.
inline key_t parse_key(const char *text)
{
  key_t key = (key_t) parse_number(text, 0, INT_MIN, UINT_MAX);
  if (key == 0)
    usage();
  return key;
}

// Checks a POSIX object NAME: it must start with '/'. glibc would take
// "demo" as "/demo", but portable programs (and this lab) always write the '/'.
inline const char *parse_name(const char *text)
{
  if (text[0] != '/')
    bad_argument("NAME must start with '/': %s", text);
  return text;
}

// Parses a SIZE in bytes: a decimal number, at least 1. A number below 1
// gets its own line, "PROG: SIZE must be at least 1"; what is not a number
// at all is a usage error.
inline size_t parse_size(const char *text)
{
  long size = parse_long(text, LONG_MIN, LONG_MAX);
  if (size < 1)
    bad_argument("SIZE must be at least 1");
  return (size_t) size;
}

// Prints WORD and a newline to stdout and flushes it, then waits until a
// whole line (or end of file) arrives on stdin. The grader looks at this
// process in between: at its mappings, its descriptors and the objects.
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
