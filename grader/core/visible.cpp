// visible.cpp: escaping bytes for humans.
#include "visible.hpp"

#include <fmt/format.h>

namespace ipcg {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
size_t utf8_length(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

// One byte, escaped as it would be written in a C string literal.
std::string escape_byte(unsigned char c) {
  switch (c) {
    case '\0':
      return "\\0";
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
  }
  if (c < 0x20 || c == 0x7F || c >= 0x80) return fmt::format("\\x{:02x}", c);
  return std::string(1, static_cast<char>(c));
}

// The code point of a valid UTF-8 sequence of n bytes.
char32_t code_point(std::string_view s) {
  auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[k])); };
  if (s.size() == 2) return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
  if (s.size() == 3) return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
  return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
}

// Whether a code point could steer a terminal or reorder text: the C1
// controls (U+0080..U+009F, 8-bit escapes such as CSI) and the bidirectional
// embeddings, overrides and isolates; these are escaped like bad bytes.
bool steers(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

}  // namespace

std::string visible(std::string_view bytes, size_t max) {
  std::string r = "\"";
  size_t i = 0;
  while (i < bytes.size() && i < max) {
    auto c = static_cast<unsigned char>(bytes[i]);
    size_t n = c >= 0x80 ? utf8_length(bytes, i) : 0;
    if (n && steers(code_point(bytes.substr(i, n)))) {
      for (size_t k = 0; k < n; ++k) r += escape_byte(static_cast<unsigned char>(bytes[i + k]));
      i += n;
    } else if (n) {
      r.append(bytes.substr(i, n));
      i += n;
    } else {
      r += escape_byte(c);
      ++i;
    }
  }
  r += '"';
  if (i < bytes.size()) r += fmt::format(" ... ({} more bytes)", bytes.size() - i);
  return r;
}

std::string first_difference(std::string_view expected, std::string_view observed) {
  size_t i = 0;
  while (i < expected.size() && i < observed.size() && expected[i] == observed[i]) ++i;
  if (i == expected.size() && i == observed.size()) return "";
  auto at = [](std::string_view s, size_t k) {
    return k < s.size() ? "'" + escape_byte(static_cast<unsigned char>(s[k])) + "'"
                        : std::string("the end");
  };
  return fmt::format("they differ at byte {} (expected {}, got {})", i, at(expected, i),
                     at(observed, i));
}

}  // namespace ipcg
