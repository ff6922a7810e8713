// main.cpp: doctest's main() for grader-unit, the grader core's unit tests.
// Every other file here holds the tests of one part of grader/core or grader/report.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "../core/sandbox.hpp"

// Run the tests with a /proc that shows this process's own children.
int main(int argc, char **argv) {
  ipcg::own_proc_view();
  return doctest::Context(argc, argv).run();
}
