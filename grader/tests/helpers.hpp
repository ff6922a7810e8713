// helpers.hpp: what several unit-test files share.
#pragma once
#include "../core/clock.hpp"

#include <functional>
#include <thread>

namespace ipcg {

// Poll `ready` (1 ms, backing off to 20 ms) until it holds or `limit` passes.
inline bool eventually(const std::function<bool()> &ready, Millis limit) {
  Deadline end = Clock::now() + limit;
  Millis pause{1};
  while (!ready()) {
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, Millis(20));
  }
  return true;
}

}  // namespace ipcg
