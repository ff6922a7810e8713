// clock.hpp: deadlines on the monotonic clock.
#pragma once
#include <chrono>

namespace ipcg {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;
using Deadline = Clock::time_point;

// Milliseconds left until d, at least 0 and at most max_ms (for poll(2)).
inline int ms_left(Deadline d, int max_ms = 1 << 30) {
  auto left = std::chrono::duration_cast<Millis>(d - Clock::now()).count();
  if (left < 0) return 0;
  return left > max_ms ? max_ms : static_cast<int>(left);
}

// Seconds elapsed since t, as a double.
inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace ipcg
