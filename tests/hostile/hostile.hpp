// hostile.hpp: small helpers shared by the hostile submissions. Each program
// in this folder stands in for one lab program and misbehaves in one way; the
// header of its .cpp says how, and what the grader must make of it
// (tests/hostile.py reads it). Never run these outside the grader.
#pragma once
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace hostile {

// Whether to say what it did on stderr: only with HOSTILE_VERBOSE set (the
// grader gives its programs a clean environment), because the contracts want
// a program that succeeds silent, and these stand in for ones that do.
inline bool verbose() { return std::getenv("HOSTILE_VERBOSE") != nullptr; }

// Report a failed call on stderr ("hostile: CALL: strerror"), when verbose, and go on.
inline void complain(const char *call) {
  if (verbose()) std::fprintf(stderr, "hostile: %s: %s\n", call, std::strerror(errno));
}

// Write all of `s` to descriptor fd; false when a write fails.
inline bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Sleep until killed: pause() in a loop.
[[noreturn]] inline void sleep_forever() {
  for (;;) pause();
}

// The first argument that starts with `prefix` ("/" for an object name, "0x"
// for a System V key), or "" when there is none.
inline std::string arg_starting(int argc, char **argv, std::string_view prefix) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]).starts_with(prefix)) return argv[i];
  return "";
}

// The argument after option `opt` ("-n"), or "" when there is none.
inline std::string option_value(int argc, char **argv, std::string_view opt) {
  for (int i = 1; i + 1 < argc; ++i)
    if (opt == argv[i]) return argv[i + 1];
  return "";
}

// Read one line from stdin (a handshake answer); false at end of input.
inline bool read_line() {
  char c;
  for (;;) {
    ssize_t n = ::read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (c == '\n') return true;
  }
}

}  // namespace hostile
