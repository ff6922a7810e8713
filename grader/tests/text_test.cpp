// text_test.cpp: the texts a report is made of: visible() and
// first_difference() (grader/core/visible.hpp) and first_compiler_error()
// (grader/core/tree.hpp).
#include "../core/tree.hpp"
#include "../core/visible.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace ipcg;
using namespace std::string_literals;

TEST_CASE("visible() quotes bytes and escapes what cannot be seen") {
  SUBCASE("plain text is only quoted") { CHECK(visible("hello, queue") == R"("hello, queue")"); }
  SUBCASE("NUL") { CHECK(visible("a\0b"s) == R"("a\0b")"); }
  SUBCASE("newline, tab and carriage return") { CHECK(visible("a\n\tb\r") == R"("a\n\tb\r")"); }
  SUBCASE("double quotes and backslashes") { CHECK(visible(R"(say "\")") == R"("say \"\\\"")"); }
  SUBCASE("other control bytes and DEL as \\xNN") {
    CHECK(visible("\x01\x1b\x7f") == R"("\x01\x1b\x7f")");
  }
  SUBCASE("the empty string") { CHECK(visible("") == R"("")"); }
}

TEST_CASE("visible() keeps valid UTF-8 and escapes invalid bytes as \\xNN") {
  SUBCASE("two, three and four byte sequences") {
    CHECK(visible("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  }
  SUBCASE("a byte that starts no sequence") { CHECK(visible("a\xff") == R"("a\xff")"); }
  SUBCASE("a lone continuation byte") { CHECK(visible("\x80z") == R"("\x80z")"); }
  SUBCASE("a sequence cut short") { CHECK(visible("\xe2\x82") == R"("\xe2\x82")"); }
  SUBCASE("a lead byte followed by ASCII") { CHECK(visible("\xc3(") == R"("\xc3(")"); }
}

TEST_CASE("visible() escapes byte sequences that only look like UTF-8") {
  SUBCASE("0xFF before two continuation bytes") {
    CHECK(visible("\xff\x80\x80") == R"("\xff\x80\x80")");
  }
  SUBCASE("a 5-byte form") {
    CHECK(visible("\xf8\x88\x80\x80\x80") == R"("\xf8\x88\x80\x80\x80")");
  }
  SUBCASE("a UTF-16 surrogate") { CHECK(visible("\xed\xa0\x80") == R"("\xed\xa0\x80")"); }
  SUBCASE("an overlong '/'") { CHECK(visible("\xe0\x80\xaf") == R"("\xe0\x80\xaf")"); }
  SUBCASE("beyond U+10FFFF") { CHECK(visible("\xf4\x90\x80\x80") == R"("\xf4\x90\x80\x80")"); }
}

TEST_CASE("visible() cuts long input and says how many bytes it left out") {
  CHECK(visible(std::string(10, 'a'), 4) == R"("aaaa" ... (6 more bytes))");
  CHECK(visible(std::string(4, 'a'), 4) == R"("aaaa")");
  std::string big(1000, 'x');
  CHECK(visible(big).ends_with(" ... (700 more bytes)"));  // the default cap is 300
}

TEST_CASE("first_difference() is empty for equal strings and names the first differing byte") {
  SUBCASE("equal") {
    CHECK(first_difference("", "") == "");
    CHECK(first_difference("a\0b"s, "a\0b"s) == "");
  }
  SUBCASE("a different byte") {
    CHECK(first_difference("hello", "help!") == "they differ at byte 3 (expected 'l', got 'p')");
  }
  SUBCASE("an invisible byte is escaped") {
    CHECK(first_difference("ab\n", "ab\0"s) ==
          R"(they differ at byte 2 (expected '\n', got '\0'))");
  }
  SUBCASE("one is a prefix of the other") {
    CHECK(first_difference("7\n", "7") == R"(they differ at byte 1 (expected '\n', got the end))");
    CHECK(first_difference("", "x") == "they differ at byte 0 (expected the end, got 'x')");
  }
}

namespace {

// What `ninja` printed for a lab whose mq_send.cpp calls an undeclared function
// (g++ 12, colours off).
const std::string gcc_output =
    "[1/4] Compiling C++ object labs/01-mqueue/mq_send.p/mq_send.cpp.o\n"
    "FAILED: labs/01-mqueue/mq_send.p/mq_send.cpp.o \n"
    "c++ -Ilabs/01-mqueue/mq_send.p -Ilabs/01-mqueue -I../labs/01-mqueue -std=c++20 -O2 -g "
    "-MD -MQ labs/01-mqueue/mq_send.p/mq_send.cpp.o -MF labs/01-mqueue/mq_send.p/mq_send.cpp.o.d "
    "-o labs/01-mqueue/mq_send.p/mq_send.cpp.o -c ../labs/01-mqueue/mq_send.cpp\n"
    "../labs/01-mqueue/mq_send.cpp: In function 'int main(int, char**)':\n"
    "../labs/01-mqueue/mq_send.cpp:31:5: error: 'mq_sned' was not declared in this scope; "
    "did you mean 'mq_send'?\n"
    "   31 |     mq_sned(q, argv[2], strlen(argv[2]), prio);\n"
    "      |     ^~~~~~~\n"
    "      |     mq_send\n"
    "../labs/01-mqueue/mq_send.cpp:40:1: error: expected ';' before '}' token\n"
    "   40 | }\n"
    "      | ^\n"
    "ninja: build stopped: subcommand failed.\n";

}  // namespace

TEST_CASE("first_compiler_error() picks the first error and the source line under it") {
  std::string e = first_compiler_error(gcc_output);
  CHECK(e ==
        "\"labs/01-mqueue/mq_send.cpp:31:5: error: 'mq_sned' was not declared in this scope; "
        "did you mean 'mq_send'?\"\n"
        "                \"   31 |     mq_sned(q, argv[2], strlen(argv[2]), prio);\"");
  CHECK_FALSE(e.starts_with("\"../"));
  CHECK(e.find("expected ';'") == std::string::npos);  // only the first error
}

TEST_CASE("first_compiler_error() takes a fatal error without a source line as it is") {
  std::string out =
      "FAILED: x.o\n"
      "../../labs/01-mqueue/mq_recv.cpp:3:10: fatal error: mqueu.h: No such file or directory\n"
      "compilation terminated.\n";
  CHECK(first_compiler_error(out) ==
        "\"labs/01-mqueue/mq_recv.cpp:3:10: fatal error: mqueu.h: No such file or directory\"");
}

TEST_CASE("first_compiler_error() shows the undefined reference, not collect2's summary") {
  std::string out =
      "FAILED: labs/04-sem/ring_put\n"
      "/usr/bin/ld: labs/04-sem/ring_put.p/ring_put.cpp.o: in function `main':\n"
      "/work/kit/build/../labs/04-sem/ring_put.cpp:40: undefined reference to `wait_slot()'\n"
      "collect2: error: ld returned 1 exit status\n";
  CHECK(first_compiler_error(out) ==
        "\"labs/04-sem/ring_put.cpp:40: undefined reference to `wait_slot()'\"");
}

TEST_CASE("first_compiler_error() falls back to the last lines when no line says error:") {
  SUBCASE("some output") {
    CHECK(first_compiler_error("one\ntwo\nthree\nfour\n") == "\"two\" / \"three\" / \"four\"");
    CHECK(first_compiler_error("only line") == "\"only line\"");
  }
  SUBCASE("no output at all") {
    CHECK(first_compiler_error("") == "the build failed without a message");
  }
}

// The kit's build keeps meson's default b_colorout=always, so g++ writes ANSI
// colour codes even into ninja's pipe.
TEST_CASE("first_compiler_error() drops the colour codes g++ writes for meson") {
  std::string coloured =
      "\x1b[01m\x1b[K../labs/01-mqueue/mq_send.cpp:\x1b[m\x1b[K In function "
      "'\x1b[01m\x1b[Kint main()\x1b[m\x1b[K':\n"
      "\x1b[01m\x1b[K../labs/01-mqueue/mq_send.cpp:2:5:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: "
      "\x1b[m\x1b[K'\x1b[01m\x1b[Kfoo\x1b[m\x1b[K' was not declared in this scope\n"
      "    2 |     \x1b[01;31m\x1b[Kfoo\x1b[m\x1b[K(1);\n"
      "      |     \x1b[01;31m\x1b[K^~~\x1b[m\x1b[K\n";
  std::string e = first_compiler_error(coloured);
  CHECK(e.find('\x1b') == std::string::npos);
  CHECK(e.starts_with("\"labs/01-mqueue/mq_send.cpp:2:5: error: 'foo' was not declared"));
}

// A source line the compiler quotes is the student's text: no control byte
// of it reaches a terminal or the gradebook.
TEST_CASE("first_compiler_error() escapes the control bytes a student's source carries") {
  std::string out =
      "../labs/01-mqueue/mq_send.cpp:1:1: error: stray '\\33' in program \x08\x7f\a\n"
      "    1 | \x1b]0;owned\x07 \xc2\x9b" "2J\n";
  std::string e = first_compiler_error(out);
  for (char c : e) CHECK((c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)));
  CHECK(e.find("\xc2\x9b") == std::string::npos);
}
