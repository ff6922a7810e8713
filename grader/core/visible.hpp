// visible.hpp: bytes made readable for a report: quotes, escapes for NUL and
// control bytes, \xNN for bytes that are not valid UTF-8, and a length cap.
#pragma once
#include <string>
#include <string_view>

namespace ipcg {

// `bytes` as a double-quoted, escaped string, cut after `max` input bytes
// with a note of how many more there were.
std::string visible(std::string_view bytes, size_t max = 300);

// Where two byte strings first differ: "" when equal, else e.g.
// "they differ at byte 5 (expected '\n', got '\0')".
std::string first_difference(std::string_view expected, std::string_view observed);

}  // namespace ipcg
