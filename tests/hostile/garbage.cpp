// hostile: binary garbage, NULs and terminal escapes (clear screen, colours, title) on stdout and stderr
// replaces: mqueue/mq_recv
// grade: mqueue/recv-exact-bytes mqueue/bad-input shm/reader
// loses: mqueue/recv-exact-bytes mqueue/bad-input
// says: it printed
#include <string>

#include "hostile.hpp"

// Everything a terminal might obey, and bytes that are not UTF-8.
std::string garbage() {
  std::string g;
  g += "\033[2J\033[H";                             // clear the screen, cursor home
  g += "\033[31;1mRED\033[0m \033[42mGREEN\033[0m";  // colours
  g += "\033]0;pwned title\007";                    // OSC: the window title
  g += "\033]8;;http://example.invalid/\033\\link\033]8;;\033\\";  // OSC 8 hyperlink
  g += "\033[6n\033[?1049h\033[?25l";               // cursor query, alternate screen, hide cursor
  g += std::string("nul\0nul\0", 8);
  g += "\r\b\b\b\a\f\v\x7f";                        // carriage return, backspaces, bell, DEL
  g += "\xc2\x9b" "2J";                              // CSI as a UTF-8 C1 control (U+009B)
  g += "\xe2\x80\xae" "reversed";                   // U+202E RIGHT-TO-LEFT OVERRIDE
  g += "\xff\xfe\xc0\xaf\xed\xa0\x80\x80";          // invalid UTF-8, overlong, surrogate
  for (int c = 0; c < 256; ++c) g += static_cast<char>(c);
  return g + "\n";
}

// Write the garbage on both streams; exit 0 when receiving (-c), 1 otherwise.
int main(int argc, char **argv) {
  std::string g = garbage();
  hostile::write_all(1, g);
  hostile::write_all(2, g);
  return hostile::option_value(argc, argv, "-c").empty() ? 1 : 0;
}
