// main.cpp: doctest's main() for grader-unit, the grader core's unit tests.
// Every other file here holds the tests of one part of grader/core or grader/report.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "../core/process.hpp"
#include "../core/sandbox.hpp"

#include <unistd.h>
#include <cstdio>

// Run the tests with a /proc that shows this process's own children; as
// root, only where the uids they run programs as can reach them.
int main(int argc, char **argv) {
  if (geteuid() == 0 && ipcg::closed_root()) {
    std::fprintf(stderr,
                 "grader-unit: / is closed to other users (mode 0700): the tests run programs "
                 "as other uids; make it searchable (chmod 755 /; ./kit does that)\n");
    return 2;
  }
  ipcg::own_proc_view();
  return doctest::Context(argc, argv).run();
}
