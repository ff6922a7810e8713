// watch.cpp: CreationLog over inotify (IN_CREATE, IN_MOVED_TO).
#include "watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace ipcg {

CreationLog::CreationLog(const std::vector<std::string> &dirs)
    : fd_(static_cast<int>(check(inotify_init1(IN_NONBLOCK | IN_CLOEXEC), "inotify_init1"))) {
  for (const auto &d : dirs) {
    int wd = inotify_add_watch(fd_.get(), d.c_str(), IN_CREATE | IN_MOVED_TO);
    if (wd < 0) throw_errno("inotify_add_watch " + d);
    watches_.push_back({wd, d});
  }
}

std::vector<Created> CreationLog::read() {
  std::vector<Created> out;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return out;
    if (n <= 0) throw_errno("read inotify");
    for (char *p = buf; p < buf + n;) {
      auto *e = reinterpret_cast<inotify_event *>(p);
      for (const auto &[wd, dir] : watches_)
        if (wd == e->wd && e->len > 0) out.push_back({dir, e->name});
      p += sizeof(inotify_event) + e->len;
    }
  }
}

}  // namespace ipcg
