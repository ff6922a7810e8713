// observe.cpp: parsing /proc/PID/{syscall,task/*/stat,task/*/schedstat}.
#include "observe.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace ipcg {
namespace fs = std::filesystem;

std::optional<long> blocked_syscall(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/syscall");
  std::string first;
  if (!(f >> first)) return std::nullopt;
  if (first == "running") return -1;
  try {
    return std::stol(first);
  } catch (const std::exception &) {
    return -1;
  }
}

// The state letter of one task, from its stat line (after the ")" of comm).
static char task_state(const fs::path &stat) {
  std::ifstream f(stat);
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return '?';
  return line[close + 2];
}

bool all_threads_asleep(pid_t pid) {
  std::error_code ec;
  fs::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return false;
  bool any = false;
  for (const auto &task : it) {
    char s = task_state(task.path() / "stat");
    if (s != 'S' && s != 'D') return false;
    any = true;
  }
  return any;
}

double cpu_ms_so_far(pid_t pid) {
  std::error_code ec;
  double ns = 0;
  fs::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return 0;
  for (const auto &task : it) {
    std::ifstream f(task.path() / "schedstat");
    double run = 0;
    if (f >> run) ns += run;
  }
  return ns / 1e6;
}

}  // namespace ipcg
