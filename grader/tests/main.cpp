// main.cpp: doctest's main() for grader-unit, the grader core's unit tests.
// Every other file here holds the tests of one part of grader/core or grader/report.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
