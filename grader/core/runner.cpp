// runner.cpp: one forked process per check; a poll loop over their result
// pipes, their pidfds and the grader's own signals; deadlines; leftovers.
#include "runner.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <nlohmann/json.hpp>

namespace ipcg {
using nlohmann::json;

std::string_view status_word(Status s) {
  switch (s) {
    case Status::passed:
      return "passed";
    case Status::failed:
      return "failed";
    case Status::error:
      return "error";
    case Status::not_built:
      return "did not build";
  }
  return "?";
}

NLOHMANN_JSON_SERIALIZE_ENUM(Status, {{Status::passed, "passed"},
                                      {Status::failed, "failed"},
                                      {Status::error, "error"},
                                      {Status::not_built, "not_built"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Result, lab, id, title, section, handout, score, max, status,
                                   expected, observed, cause, log, leftovers, seconds)

namespace {

// A Result with the job's names filled in and nothing else.
Result blank(const Job &j) {
  Result r;
  r.lab = j.lab->id;
  r.id = j.check->id;
  r.title = j.check->title;
  r.section = j.check->section;
  r.handout = fmt::format("handouts/{}.md", j.lab->dir);
  r.max = j.check->points;
  return r;
}

// Run the check's function in its sandbox and say how it went.
Result run_here(const Job &j, int slot, const RunOptions &opt) {
  Result r = blank(j);
  auto started = Clock::now();
  std::string tag = fmt::format("{}.{}.{}", getppid(), j.lab->id, j.check->id);
  Sandbox sb(opt.isolation, opt.uid_base + static_cast<uid_t>(slot), tag);
  {
    auto budget = std::chrono::duration_cast<Clock::duration>(j.check->deadline * opt.slow);
    Context cx(sb, j.bindir, opt.slow, started + budget);
    try {
      j.check->fn(cx);
      r.status = Status::passed;
      r.score = r.max;
    } catch (const Failure &f) {
      r.status = Status::failed;
      r.expected = f.expected, r.observed = f.observed, r.cause = f.cause;
    } catch (const std::exception &e) {
      r.status = Status::error;
      r.observed = fmt::format("the grader itself failed: {}", e.what());
      r.cause = "a bug in the grader or a broken machine, not in your code: please report it";
    }
    r.log = cx.log();
  }
  sb.end_processes();
  // A failed check that cut its programs short gave them no chance to clean
  // up: what they left is removed and noted, but not charged again.
  bool excused = r.status != Status::passed && processes_cut_short() > 0;
  for (const auto &l : sb.sweep()) {
    if (excused)
      r.log.push_back(
          "removed after the check (not charged: the grader had stopped the "
          "programs): " +
          l.describe());
    else
      r.leftovers.push_back(l.describe());
  }
  r.seconds = seconds_since(started);
  return r;
}

// The child side: run, send the Result as JSON down `out`, exit.
[[noreturn]] void child_main(const Job &j, int slot, const RunOptions &opt, int out) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a student that exits early must not take the check along
  std::string text;
  try {
    text = json(run_here(j, slot, opt)).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception &e) {
    Result r = blank(j);
    r.observed = fmt::format("the grader could not set up the check: {}", e.what());
    r.cause = "a bug in the grader or a machine without what it needs: please report it";
    text = json(r).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(out, text.data() + done, text.size() - done);
    if (n <= 0) _exit(1);
    done += static_cast<size_t>(n);
  }
  _exit(0);
}

// A check process the runner is waiting for.
struct Running {
  size_t job;
  int slot;
  pid_t pid;
  Fd pidfd, pipe;
  std::string text;
  Deadline deadline;
  bool exited = false, eof = false;
};

// Turn what a finished check process sent into its Result.
Result collect(const Job &j, Running &r, int status, bool killed) {
  if (!killed && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    try {
      return json::parse(r.text).get<Result>();
    } catch (const std::exception &) {
    }
  }
  Result res = blank(j);
  res.status = Status::error;
  res.observed = killed ? "the grader's own process for this check did not finish in time"
                 : WIFSIGNALED(status) ? "the grader's own process for this check was killed by " +
                                             signal_name(WTERMSIG(status))
                                       : "the grader's own process for this check sent no result";
  res.cause = "a bug in the grader, not in your code: please report it";
  return res;
}

// A signalfd for the signals that should stop the grader cleanly.
Fd stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  return Fd(check(signalfd(-1, &set, SFD_CLOEXEC), "signalfd"));
}

// Show "[done/total] lab/check" on stderr, or clear the line when `text` is empty.
void progress(const RunOptions &opt, size_t done, size_t total, std::string_view text) {
  if (!opt.progress) return;
  if (text.empty())
    fmt::print(stderr, "\r\033[K");
  else
    fmt::print(stderr, "\r\033[K[{}/{}] {}", done, total, text);
  std::fflush(stderr);
}

}  // namespace

std::vector<Result> run_jobs(const std::vector<Job> &jobs, const RunOptions &opt,
                             bool &interrupted) {
  std::vector<std::optional<Result>> results(jobs.size());
  std::vector<Running> running;
  std::vector<int> free_slots;
  for (int s = opt.jobs - 1; s >= 0; --s) free_slots.push_back(s);
  Fd sigs = stop_signals();
  size_t next = 0, finished = 0;
  interrupted = false;
  while (finished < jobs.size() && !interrupted) {
    // Start checks while there are free slots; a lab that did not build needs no process.
    while (next < jobs.size() && !free_slots.empty()) {
      const Job &j = jobs[next];
      if (j.build_error) {
        Result r = blank(j);
        r.status = Status::not_built;
        r.observed = *j.build_error;
        results[next++] = r;
        ++finished;
        continue;
      }
      Pipe p = Pipe::make();
      int slot = free_slots.back();
      free_slots.pop_back();
      pid_t pid = check(fork(), "fork");
      if (pid == 0) child_main(j, slot, opt, p.write.get());
      p.write.reset();
      auto grace = std::chrono::duration_cast<Clock::duration>(j.check->deadline * opt.slow) +
                   std::chrono::seconds(5);
      running.push_back(
          {next++, slot, pid, Fd(open_pidfd(pid)), std::move(p.read), "", Clock::now() + grace});
      progress(opt, finished, jobs.size(), fmt::format("{}/{}", j.lab->id, j.check->id));
    }
    if (running.empty()) continue;
    std::vector<pollfd> fds{{sigs.get(), POLLIN, 0}};
    Deadline soonest = running.front().deadline;
    for (auto &r : running) {
      fds.push_back({r.eof ? -1 : r.pipe.get(), POLLIN, 0});
      fds.push_back({r.exited ? -1 : r.pidfd.get(), POLLIN, 0});
      soonest = std::min(soonest, r.deadline);
    }
    if (poll(fds.data(), fds.size(), ms_left(soonest)) < 0 && errno != EINTR) throw_errno("poll");
    if (fds[0].revents) interrupted = true;
    for (size_t i = 0; i < running.size(); ++i) {
      Running &r = running[i];
      if (fds[1 + 2 * i].revents) {
        char buf[65536];
        ssize_t n = read(r.pipe.get(), buf, sizeof buf);
        if (n > 0)
          r.text.append(buf, static_cast<size_t>(n));
        else
          r.eof = true;
      }
      if (fds[2 + 2 * i].revents) r.exited = true;
    }
    // Reap what ended; kill what overran or everything when interrupted.
    for (size_t i = 0; i < running.size();) {
      Running &r = running[i];
      bool late = Clock::now() >= r.deadline;
      if (!(r.exited && r.eof) && !late && !interrupted) {
        ++i;
        continue;
      }
      bool killed = !(r.exited && r.eof);
      if (killed) kill(r.pid, SIGKILL);
      int status = 0;
      while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
      }
      results[r.job] = collect(jobs[r.job], r, status, killed);
      free_slots.push_back(r.slot);
      ++finished;
      running.erase(running.begin() + static_cast<long>(i));
    }
  }
  progress(opt, 0, 0, "");
  std::vector<Result> out;
  for (auto &r : results)
    if (r) out.push_back(std::move(*r));
  return out;
}

void charge_leftovers(std::vector<Result> &results, const std::vector<Job> &jobs) {
  for (size_t c = 0; c < results.size(); ++c) {
    if (!jobs[c].check->cleanup || results[c].status == Status::not_built) continue;
    std::vector<std::string> found;
    for (size_t k = 0; k < results.size(); ++k)
      if (jobs[k].lab == jobs[c].lab)
        for (const auto &l : results[k].leftovers)
          found.push_back(fmt::format("{} (left by {}/{})", l, results[k].lab, results[k].id));
    if (found.empty()) continue;
    Result &r = results[c];
    std::string list = fmt::format("{}", fmt::join(found, "; "));
    if (r.status == Status::passed) {
      r.status = Status::failed;
      r.score = 0;
      r.expected = "no IPC object is left behind when the lab's programs have finished";
      r.observed = "left behind: " + list;
      r.cause =
          "a program created an object and never removed it, or removed it only on "
          "its success path";
    } else if (r.status == Status::failed) {
      r.observed += "; also left behind: " + list;
    }
  }
}

}  // namespace ipcg
