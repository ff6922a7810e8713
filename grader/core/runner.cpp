// runner.cpp: one forked process per check; a poll loop over their result
// pipes, their pidfds and the grader's own signals; deadlines; leftovers.
#include "runner.hpp"

#include "process.hpp"
#include "tree.hpp"

#include "visible.hpp"
#include "access.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <set>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csetjmp>
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
    case Status::unobserved:
      return "not observed";
  }
  return "?";
}

NLOHMANN_JSON_SERIALIZE_ENUM(Status, {{Status::passed, "passed"},
                                      {Status::failed, "failed"},
                                      {Status::error, "error"},
                                      {Status::not_built, "not_built"},
                                      {Status::unobserved, "unobserved"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Leftover, kind, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Result, lab, id, title, section, handout, score, max, status,
                                   expected, observed, cause, log, leftovers, seconds,
                                   not_started, program_stderr, not_built)

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

// SIGBUS in a check process: the grader touched a mapping of an object that
// a student's program truncated under it. The check's function is left with
// a jump back to run_guarded(); its programs are killed by the sandbox.
sigjmp_buf bus_jump;
volatile sig_atomic_t bus_armed = 0;

void on_bus(int sig, siginfo_t *, void *) {
  if (!bus_armed) {  // not inside a check's function: a crash, as without the handler
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  bus_armed = 0;
  siglongjmp(bus_jump, 1);
}

// Run the check's function; a SIGBUS in the grader becomes its Failure.
void run_guarded(const Check &c, Context &cx) {
  struct sigaction sa {};
  sa.sa_sigaction = on_bus;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  check(sigaction(SIGBUS, &sa, nullptr), "sigaction(SIGBUS)");
  if (sigsetjmp(bus_jump, 1))
    fail("the shared memory the grader has mapped keeps its size while the grader uses it",
         "the grader's own access to it failed with SIGBUS: the object was truncated under it",
         "one of your programs truncated (ftruncate) or shrank a shared memory object or file "
         "that the grader had mapped");
  struct Disarm {
    ~Disarm() { bus_armed = 0; }
  } disarm;  // also when the check fails (throws)
  bus_armed = 1;
  c.fn(cx);
}

// What a failed system call of the grader's says about the student's
// programs: an object removed, unlinked or taken under the grader is
// their doing, not the grader's. Nothing when it says nothing.
std::optional<std::string> interference(const std::system_error &e) {
  int err = e.code().value();
  std::string what = e.what();
  bool sysv = what.starts_with("msg") || what.starts_with("sem") || what.starts_with("shm");
  if (err == EIDRM || (err == EINVAL && sysv))
    return "it was removed (IPC_RMID) while the grader used it: " + what;
  if (err == ENOENT && (what.starts_with("mq_") || what.starts_with("shm_open") ||
                        what.starts_with("sem_open")))
    return "it was removed (unlinked) while the grader used it: " + what;
  if (err == EEXIST) return "its name was taken before the grader made it: " + what;
  if (err == ENOSPC && what.starts_with("mq_open"))
    return "the system's limit of POSIX queues (queues_max) stayed reached while the grader "
           "made one: " + what;
  return std::nullopt;
}

// Does the verdict name command `cmd` (in backquotes, as every verdict quotes one)?
bool names_command(const Result &r, const std::string &cmd) {
  std::string quoted = "`" + cmd;
  return r.expected.find(quoted) != std::string::npos ||
         r.observed.find(quoted) != std::string::npos;
}

// A failed program's stderr, for the report, unless the verdict already
// quotes it, or is about another command of the check (the failed one may
// have failed as it had to, on bad input): "`cmd` wrote: ..." (made visible, capped).
std::string unseen_stderr(const Context &cx, const Result &r) {
  const auto &[cmd, err] = cx.failed_stderr();
  if (err.empty()) return "";
  if (!names_command(r, cmd))
    for (const auto &[pid, other] : cx.commands())
      if (other != cmd && names_command(r, other)) return "";
  std::string shown = visible(err, 300);
  std::string first = visible(err.substr(0, err.find('\n')), 300);
  if (first.size() >= 2) first = first.substr(1, first.size() - 2);  // without visible()'s quotes
  if (r.observed.find(first) != std::string::npos || r.expected.find(first) != std::string::npos)
    return "";
  return fmt::format("`{}` wrote {}", cmd, shown);
}

// Run the check's function in its sandbox and say how it went.
Result run_here(const Job &j, int slot, const RunOptions &opt, const std::string &tag) {
  Result r = blank(j);
  auto started = Clock::now();
  Sandbox sb(opt.isolation, opt.uid_base + static_cast<uid_t>(slot), tag, opt.hidden,
             opt.staging);
  // Without namespaces another grader's students see this one's command lines.
  std::optional<PrivatePrograms> own;
  if (opt.isolation == Isolation::unique_names && sb.student_uid() && !opt.staging.empty() &&
      !j.bindir.empty())
    own.emplace(opt.staging, j.bindir, *sb.student_uid());
  {
    auto budget = std::chrono::duration_cast<Clock::duration>(j.check->deadline * opt.slow);
    Context cx(sb, own ? own->bindir() : j.bindir, opt.slow, started + budget);
    for (const auto &l : sb.stale())
      cx.note("removed before the check (a dead grader's, not charged): " + l.describe());
    try {
      run_guarded(*j.check, cx);
      r.status = Status::passed;
      r.score = r.max;
    } catch (const Failure &f) {
      r.status = Status::failed;
      r.expected = f.expected, r.observed = f.observed, r.cause = f.cause;
      r.not_started = cx.not_started();
      r.program_stderr = unseen_stderr(cx, r);
    } catch (const NotBuilt &n) {
      r.status = Status::not_built;
      r.not_built = n.program;
      auto e = j.broken.find(n.program);
      r.observed = e != j.broken.end() ? e->second : "there is no program " + n.program;
    } catch (const Unobservable &u) {
      r.status = Status::unobserved;
      r.score = r.max;
      r.observed = fmt::format("the grader could not observe {} here (missing {})", u.what, u.missing);
      r.cause = "not your code: the grader was not granted " + u.missing +
                ", so this check is not charged";
    } catch (const std::system_error &e) {
      if (auto why = interference(e)) {
        bool full = e.code().value() == ENOSPC;
        r.status = Status::failed;
        r.expected = full ? "room for the grader's queue under the system's limit of queues"
                          : "the grader's own IPC objects stay as the grader made them";
        r.observed = "an object of the grader's: " + *why;
        r.cause = full ? "one of your programs made queues until the system's limit, and kept "
                         "them"
                       : "one of your programs removed, unlinked or took an object it was only "
                         "meant to use";
      } else {
        r.status = Status::error;
        r.observed = fmt::format("the grader itself failed: {}", e.what());
        r.cause = "a bug in the grader or a broken machine, not in your code: please report it";
      }
    } catch (const std::exception &e) {
      r.status = Status::error;
      r.observed = fmt::format("the grader itself failed: {}", e.what());
      r.cause = "a bug in the grader or a broken machine, not in your code: please report it";
    }
    r.log = cx.log();
    if (!sb.unbounded().empty())  // a user namespace on an older kernel
      r.log.push_back("note: these System V bounds could not be set in the sandbox: " +
                      sb.unbounded());
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
      r.leftovers.push_back(l);
  }
  r.seconds = seconds_since(started);
  return r;
}

// Write all of `text` to `fd`; false if it could not.
bool write_whole(int fd, const std::string &text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The child side: run, send the Result as JSON down `out`, exit.
[[noreturn]] void child_main(const Job &j, int slot, const RunOptions &opt, int out,
                             const std::string &tag) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a student that exits early must not take the check along
  std::string text;
  try {
    text = json(run_here(j, slot, opt, tag)).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception &e) {
    Result r = blank(j);
    r.observed = fmt::format("the grader could not set up the check: {}", e.what());
    r.cause = "a bug in the grader or a machine without what it needs: please report it";
    text = json(r).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  _exit(write_whole(out, text) ? 0 : 1);
}

// The names of a check's objects without namespaces: "GRADERPID.RANDOM.LAB.CHECK"
// (random too, so that no student can guess, and take, another check's names).
// The runner makes it, to clean up after a check process it had to kill.
std::string check_tag(const Job &j) {
  return fmt::format("{}.{:08x}.{}.{}", getpid(), random_u32(), j.lab->id, j.check->id);
}

// A check process the runner is waiting for.
struct Running {
  size_t job;
  int slot;
  std::string tag;
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

// Show "[done/total] lab/check" on stderr, or clear the line when `text` is empty.
void progress(const RunOptions &opt, size_t done, size_t total, std::string_view text) {
  if (!opt.progress) return;
  if (text.empty())
    fmt::print(stderr, "\r\033[K");
  else
    fmt::print(stderr, "\r\033[K[{}/{}] {}", done, total, text);
  std::fflush(stderr);
}

// Kill and reap the grader's children that are not check processes still
// running: the students of a killed check, orphaned to it, and their
// children, orphaned in turn as their parents die (a fork loop included).
void reap_orphans(const RunOptions &opt, const std::vector<Running> &running) {
  for (int round = 0; round < 10000; ++round) {
    std::vector<pid_t> orphans;
    for (pid_t pid : children_of(getpid()))
      if (pid != opt.uid_holder &&
          std::none_of(running.begin(), running.end(), [&](auto &r) { return r.pid == pid; }))
        orphans.push_back(pid);
    if (orphans.empty()) return;
    for (pid_t pid : orphans) kill(pid, SIGKILL);
    for (pid_t pid : orphans)
      while (waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {
      }
  }
}

// Without namespaces, after check process `r` was killed (it overran, or the
// grader was stopped) before its own sweep: its students' processes are
// killed, and what it left on the host is removed by a process of its own
// (see Sandbox::clean_up_killed). What it did, as lines for the check's log.
std::vector<std::string> clean_up_after(const RunOptions &opt, const Running &r,
                                        const std::vector<Running> &running) {
  reap_orphans(opt, running);  // (r itself is reaped: no longer a child)
  Pipe p = Pipe::make();
  pid_t pid = check(fork(), "fork");
  if (pid == 0) {
    p.read.reset();
    json done;
    try {
      done["removed"] = Sandbox::clean_up_killed(opt.uid_base + static_cast<uid_t>(r.slot), r.tag);
    } catch (const std::exception &e) {
      done["error"] = e.what();
    }
    _exit(write_whole(p.write.get(), done.dump(-1, ' ', false, json::error_handler_t::replace))
              ? 0
              : 1);
  }
  p.write.reset();
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(p.read.get(), buf, sizeof buf)) != 0;)
    if (n > 0)
      text.append(buf, static_cast<size_t>(n));
    else if (errno != EINTR)
      break;
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  reap_orphans(opt, running);  // those its sweep killed
  std::vector<std::string> lines;
  json done = json::parse(text, nullptr, false);
  if (!done.is_object()) done = json::object();  // it died before it wrote
  if (done.contains("error") || !done.contains("removed"))
    lines.push_back("the grader could not clean up after the check process it stopped: " +
                    done.value("error", std::string("its cleaner sent nothing")));
  else
    for (const auto &l : done["removed"].get<std::vector<Leftover>>())
      lines.push_back("removed after the grader stopped the check process (not charged): " +
                      l.describe());
  return lines;
}

// The order to start the jobs in: the longest deadlines first (a check that
// waits seconds by design, such as a timed wait, overlaps the quick ones
// instead of ending the run alone), the registry's order among equals. The
// results stay in the jobs' order.
std::vector<size_t> start_order(const std::vector<Job> &jobs) {
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return jobs[a].check->deadline > jobs[b].check->deadline;
  });
  return order;
}

// Lab ids.
using LabSet = std::set<std::string, std::less<>>;

// Whether result `r` says its lab's programs hang: it failed after waiting
// longer than a program that works ever makes a check wait.
bool hung(const Result &r, double slow) {
  return r.status == Status::failed && r.seconds > 2.0 * slow;
}

// The next job to start, from `pending` (in start order): the first of a lab
// none of whose checks hung, else the first.
size_t take_next(std::vector<size_t> &pending, const std::vector<Job> &jobs,
                 const LabSet &hanging) {
  auto it = std::find_if(pending.begin(), pending.end(),
                         [&](size_t j) { return !hanging.count(jobs[j].lab->id); });
  if (it == pending.end()) it = pending.begin();
  size_t job = *it;
  pending.erase(it);
  return job;
}

// The result of a check not run because the grading's time (--time-limit)
// would have run out before its own could.
Result out_of_time(const Job &j, const RunOptions &opt, const LabSet &hanging) {
  Result r = blank(j);
  r.status = Status::failed;
  r.expected = "the check runs within the grading's time";
  r.observed = fmt::format("not run: the grading had {} s in all, and this check could have "
                           "needed more than what was left",
                           opt.time_limit);
  r.cause = hanging.empty()
                ? std::string("the checks before it used the time: programs that run until the "
                              "grader gives up on them")
                : fmt::format("programs that hang until the grader gives up on them, in {}: "
                              "they used the time (their checks ran last, and this one did not "
                              "fit)",
                              fmt::join(hanging, ", "));
  return r;
}

}  // namespace

std::vector<Result> run_jobs(const std::vector<Job> &jobs, const RunOptions &opt,
                             bool &interrupted) {
  std::vector<std::optional<Result>> results(jobs.size());
  std::vector<Running> running;
  std::vector<int> free_slots;
  for (int s = opt.jobs - 1; s >= 0; --s) free_slots.push_back(s);
  Fd sigs = stop_signal_fd();
  // Without namespaces the students of a check process that had to be killed
  // are orphaned to the grader, to be killed and reaped (see clean_up_after).
  bool reaper = opt.isolation == Isolation::unique_names;
  if (reaper) check(prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl(PR_SET_CHILD_SUBREAPER)");
  std::vector<size_t> pending = start_order(jobs);
  LabSet hanging;  // labs with a check that hung
  size_t finished = 0;
  interrupted = false;
  while (finished < jobs.size() && !interrupted) {
    // Start checks while there are free slots; a lab that did not build needs no process.
    while (!pending.empty() && !free_slots.empty()) {
      size_t job = take_next(pending, jobs, hanging);
      const Job &j = jobs[job];
      auto budget = std::chrono::duration_cast<Clock::duration>(j.check->deadline * opt.slow);
      if (!j.build_error && opt.finish_by && Clock::now() + budget > *opt.finish_by) {
        results[job] = out_of_time(j, opt, hanging);
        ++finished;
        continue;
      }
      if (j.build_error) {
        Result r = blank(j);
        r.status = Status::not_built;
        r.observed = *j.build_error;
        results[job] = r;
        ++finished;
        continue;
      }
      Pipe p = Pipe::make();
      int slot = free_slots.back();
      free_slots.pop_back();
      std::string tag = check_tag(j);
      pid_t pid = check(fork(), "fork");
      if (pid == 0) child_main(j, slot, opt, p.write.get(), tag);
      p.write.reset();
      auto grace = std::chrono::duration_cast<Clock::duration>(j.check->deadline * opt.slow) +
                   std::chrono::seconds(5);
      running.push_back({job, slot, std::move(tag), pid, Fd(open_pidfd(pid)), std::move(p.read), "",
                         Clock::now() + grace});
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
      if (hung(*results[r.job], opt.slow)) hanging.insert(results[r.job]->lab);
      if (killed && opt.isolation == Isolation::unique_names)
        for (auto &line : clean_up_after(opt, r, running)) results[r.job]->log.push_back(line);
      free_slots.push_back(r.slot);
      ++finished;
      running.erase(running.begin() + static_cast<long>(i));
    }
  }
  progress(opt, 0, 0, "");
  if (reaper) prctl(PR_SET_CHILD_SUBREAPER, 0);
  std::vector<Result> out;
  for (auto &r : results)
    if (r) out.push_back(std::move(*r));
  return out;
}

// "left 1000 objects behind: 400 POSIX message queues, 600 files (/a, /b, /c and 997 more)":
// a count by kind, and at most three of them by name.
static std::string summarize_leftovers(const std::vector<std::string> &found,
                                       const std::vector<std::string> &kinds) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto &k : kinds) {
    auto it = std::find_if(counts.begin(), counts.end(), [&](auto &c) { return c.first == k; });
    if (it == counts.end())
      counts.push_back({k, 1});
    else
      ++it->second;
  }
  std::vector<std::string> parts;
  for (auto &[k, n] : counts) parts.push_back(fmt::format("{} {}{}", n, k, n == 1 ? "" : "s"));
  std::vector<std::string> names(found.begin(), found.begin() + std::min<size_t>(3, found.size()));
  std::string more = found.size() > 3 ? fmt::format(" and {} more", found.size() - 3) : "";
  return fmt::format("left {} object{} behind: {} ({}{})", found.size(),
                     found.size() == 1 ? "" : "s", fmt::join(parts, ", "),
                     fmt::join(names, "; "), more);
}

void charge_leftovers(std::vector<Result> &results, const std::vector<Job> &jobs) {
  for (size_t c = 0; c < results.size(); ++c) {
    if (!jobs[c].check->cleanup || results[c].status == Status::not_built) continue;
    std::vector<std::string> found, kinds;
    bool others = false;  // objects left by the lab's other checks: only the lab reruns it
    for (size_t k = 0; k < results.size(); ++k)
      if (jobs[k].lab == jobs[c].lab)
        for (const auto &l : results[k].leftovers) {
          others |= k != c;
          found.push_back(
              fmt::format("{} (left by {}/{})", l.describe(), results[k].lab, results[k].id));
          kinds.push_back(l.kind);
        }
    if (found.empty()) continue;
    Result &r = results[c];
    if (others) r.rerun = r.lab;
    std::string list = summarize_leftovers(found, kinds);
    if (r.status == Status::passed) {
      r.status = Status::failed;
      r.score = 0;
      r.expected = "no IPC object is left behind when the lab's programs have finished";
      r.observed = "the lab's programs " + list;
      r.cause =
          "a program created an object and never removed it, or removed it only on "
          "its success path";
    } else if (r.status == Status::failed) {
      r.observed += "; also, the lab's programs " + list;
    }
  }
}

}  // namespace ipcg
