// sem.cpp: the checks of lab 04-sem (handouts/04-sem.md).
// The grader makes the semaphores and the ring for the student's programs,
// plays the other side of the ring through the same semaphores, takes the
// student's semaphore itself to prove that it is used, and reads from /proc
// where each process sleeps. When nothing moves, it says who waits on what.
#include "../core/observe.hpp"
#include "../core/peer.hpp"
#include "../core/registry.hpp"
#include "../core/syscalls.hpp"
#include "../core/visible.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <map>
#include <span>
#include <sys/syscall.h>

namespace ipcg {
namespace sem_checks {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view step1 = "Step 1: A named semaphore as a lock";
constexpr std::string_view step2 = "Step 2: Building the ring";
constexpr std::string_view step3 = "Step 3: The producer";
constexpr std::string_view step4 = "Step 4: The consumer";
constexpr std::string_view step5 = "Step 5: Many producers and consumers";
constexpr std::string_view step6 = "Step 6: Signals, EINTR and timeouts";
constexpr std::string_view step7 = "Step 7: Unnamed semaphores in the segment";
constexpr std::string_view step8 = "Step 8: Cleaning up";
constexpr std::string_view step9 = "Step 9: System V semaphores and SEM_UNDO";
constexpr std::string_view step10 = "Step 10: Errors and exit codes";

// How long the grader waits for a ring to move before it reports a stall
// (a proven deadlock is reported at once).
constexpr Millis stall_limit = 3s;

// ---------------------------------------------------------------- the ring

// The ring, as the handout lays it out.
struct Item {
  uint32_t len;
  char text[60];
};
struct RingHeader {
  char magic[4];
  uint32_t slots;
  uint32_t in;
  uint32_t out;
  sem_t empty, full, mutex;
  char pad[16];
};
static_assert(sizeof(Item) == 64 && sizeof(RingHeader) == 128);

// The size of a ring of n slots.
constexpr size_t ring_size(uint32_t slots) { return sizeof(RingHeader) + sizeof(Item) * slots; }

// The ring's three semaphores, by their role.
enum Role { empty_sem, full_sem, mutex_sem };
constexpr std::array<Role, 3> roles{empty_sem, full_sem, mutex_sem};
constexpr std::array<std::string_view, 3> role_names{"empty", "full", "mutex"};

// The named semaphore of a role: "/ring-empty".
std::string sem_name(const std::string &ring, Role r) {
  return ring + "-" + std::string(role_names[r]);
}

// A student process taking part in a ring, as reports name it.
struct Student {
  Process *p;
  std::string prog;  // "ring_put"
  std::string cmd;   // "ring_put /ring"
};

// Lines of random text for the ring's items: distinct, 1 to 60 bytes, one of 60.
std::vector<std::string> random_items(size_t n) {
  std::vector<std::string> items;
  for (size_t i = 0; i < n; ++i)
    items.push_back(i == 1 ? random_word(60) : random_word(8 + random_u32() % 40));
  return items;
}

// The items as ring_put reads them, or as ring_get prints them: one per line.
std::string as_lines(std::span<const std::string> items) {
  std::string s;
  for (const auto &i : items) s += i + "\n";
  return s;
}

// Fail unless a successful run printed nothing at all.
void expect_silent(const Outcome &o, const std::string &cmd) {
  expect_stdout(o, "", cmd, "this program prints nothing on stdout: no progress or debug lines");
  expect_stderr(o, "", cmd, "on success stderr stays empty: no progress or debug lines");
}

// Fail unless `what`, which `cmd` created, has the permissions 0600.
void expect_mode_0600(const std::string &what, mode_t mode, const std::string &cmd) {
  if ((mode & 0777) != 0600)
    fail(fmt::format("`{}` creates {} with mode 0600", cmd, what),
         fmt::format("its permissions are {:04o} (the program runs with umask 022)", mode & 0777),
         "pass the mode 0600 to the call that creates it (0666 or 0644 lets others read it)");
}

// The permission bits of the file at `path` (stat).
mode_t file_mode(const std::string &path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == -1) throw_errno("stat " + path);
  return st.st_mode & 07777;
}

// The grader's side of a ring: its object, mapped, and its three semaphores
// (named ones, or the header's). Whatever it made or adopted is removed at the end.
class GraderRing {
 public:
  // A fresh ring of `slots` that the grader makes, owned by the student.
  static GraderRing make(Context &cx, std::string_view base, uint32_t slots, bool unnamed);
  // The ring a student's ring_init made; fails unless it has the right size and header.
  static GraderRing adopt(const std::string &name, uint32_t slots, bool unnamed,
                          const std::string &cmd);

  const std::string &name() const { return name_; }
  RingHeader &header() const { return *reinterpret_cast<RingHeader *>(map_.data()); }
  sem_t *sem(Role r) const;
  int value(Role r) const { return sem_value(sem(r)); }
  // "/ring-empty" or "`empty` in the header of /ring".
  std::string label(Role r) const;
  // The text in slot i now.
  std::string item(uint32_t i) const;
  // The first n bytes of slot i's text, whatever its len says.
  std::string text_bytes(uint32_t i, size_t n) const;
  // The len field of slot i now.
  uint32_t item_len(uint32_t i) const;

  // The consumer's and the producer's steps, as the grader: fail, saying who
  // waits on what, when the ring stops moving. `doing`: "as consumer, taking item 2 of 8".
  std::string take(Context &cx, std::span<const Student> st, const std::string &doing);
  void put(Context &cx, std::string_view text, std::span<const Student> st,
           const std::string &doing);

  // The role of the semaphore a futex wait is on, if it is one of this ring's.
  std::optional<Role> role_of(const FutexWait &w) const;
  // True when, at this look, the students cannot post anything: each one still
  // alive sleeps on a semaphore of this ring whose value is 0 (and `waiting`,
  // the one the grader waits on, if any, is still 0 after that was seen). One
  // look is not proof: see StallWatch.
  bool stuck(std::span<const Student> st, std::optional<Role> waiting) const;
  // Fail with who waits on what: proven deadlock or `stall_limit` passed.
  [[noreturn]] void stalled(std::span<const Student> st, std::optional<Role> waiting,
                            const std::string &doing, bool proven) const;

 private:
  GraderRing(std::string name, uint32_t slots, bool unnamed, ShmObject obj)
      : name_(std::move(name)),
        slots_(slots),
        unnamed_(unnamed),
        obj_(std::move(obj)),
        map_(obj_) {}
  void acquire(Context &cx, Role r, std::span<const Student> st, const std::string &doing);
  std::string where(const Student &s) const;
  // A copy of slot i as it is now.
  Item slot(uint32_t i) const;
  std::string likely_cause(std::span<const Student> st, std::optional<Role> waiting) const;

  std::string name_;
  uint32_t slots_;
  bool unnamed_;
  ShmObject obj_;
  SharedMap map_;
  std::vector<NamedSemaphore> named_;
};

GraderRing GraderRing::make(Context &cx, std::string_view base, uint32_t slots, bool unnamed) {
  std::string name = cx.name(base);
  RingHeader h{};
  memcpy(h.magic, "RING", 4);
  h.slots = slots;
  std::string bytes(ring_size(slots), '\0');
  memcpy(bytes.data(), &h, sizeof h);
  auto uid = cx.sandbox().student_uid();
  GraderRing ring(name, slots, unnamed, ShmObject::create(name, bytes, uid));
  const std::array<unsigned, 3> start{slots, 0, 1};
  for (Role r : roles) {
    if (unnamed)
      check(sem_init(ring.sem(r), 1, start[r]), "sem_init");
    else
      ring.named_.push_back(NamedSemaphore::create(sem_name(name, r), start[r], uid));
  }
  return ring;
}

GraderRing GraderRing::adopt(const std::string &name, uint32_t slots, bool unnamed,
                             const std::string &cmd) {
  if (!ShmObject::exists(name))
    fail("a ring object named " + name + " after `" + cmd + "`", "there is none",
         "shm_open NAME with O_CREAT | O_EXCL, after removing any old one");
  ShmObject o = ShmObject::open(name);
  if (o.size() != ring_size(slots))
    fail(fmt::format("{} holds {} bytes (128 + 64 × {})", name, ring_size(slots), slots),
         fmt::format("it holds {} bytes", o.size()), "ftruncate the object to 128 + 64 × SLOTS");
  GraderRing ring(name, slots, unnamed, std::move(o));
  const RingHeader &h = ring.header();
  if (memcmp(h.magic, "RING", 4) != 0 || h.slots != slots || h.in != 0 || h.out != 0)
    fail(fmt::format("header: magic RING, slots {}, in 0, out 0", slots),
         fmt::format("magic {}, slots {}, in {}, out {}", visible(std::string_view(h.magic, 4)),
                     h.slots, h.in, h.out),
         "fill in the header through the mapping before exiting");
  if (!unnamed)
    for (Role r : roles) {
      std::string n = sem_name(name, r);
      if (!NamedSemaphore::exists(n))
        fail(fmt::format("a named semaphore {} after `{}`", n, cmd), "there is none",
             "sem_open each of NAME-empty, NAME-full and NAME-mutex with O_CREAT | O_EXCL");
      ring.named_.push_back(NamedSemaphore::open(n));
    }
  return ring;
}

sem_t *GraderRing::sem(Role r) const {
  if (!unnamed_) return named_.at(r).get();
  RingHeader &h = header();
  return r == empty_sem ? &h.empty : r == full_sem ? &h.full : &h.mutex;
}

std::string GraderRing::label(Role r) const {
  if (!unnamed_) return sem_name(name_, r);
  return fmt::format("`{}` in the header of {}", role_names[r], name_);
}

Item GraderRing::slot(uint32_t i) const {
  Item it;
  memcpy(&it, map_.data() + sizeof(RingHeader) + sizeof(Item) * i, sizeof it);
  return it;
}

std::string GraderRing::item(uint32_t i) const {
  Item it = slot(i);
  return std::string(it.text, std::min<size_t>(it.len, sizeof it.text));
}

uint32_t GraderRing::item_len(uint32_t i) const { return slot(i).len; }

std::string GraderRing::text_bytes(uint32_t i, size_t n) const {
  Item it = slot(i);
  return std::string(it.text, std::min(n, sizeof it.text));
}

std::optional<Role> GraderRing::role_of(const FutexWait &w) const {
  for (Role r : roles) {
    if (!unnamed_ && w.inode == NamedSemaphore::inode_of(sem_name(name_, r)) && w.offset == 0)
      return r;
    size_t at = reinterpret_cast<char *>(sem(r)) - map_.data();
    if (unnamed_ && w.inode == obj_.inode() && w.offset == at) return r;
  }
  return std::nullopt;
}

bool GraderRing::stuck(std::span<const Student> st, std::optional<Role> waiting) const {
  for (const auto &s : st) {
    if (s.p->done()) continue;
    auto w = futex_wait_of(s.p->pid());
    auto r = w ? role_of(*w) : std::nullopt;
    if (!r || value(*r) > 0) return false;
  }
  return !waiting || value(*waiting) == 0;
}

// A deadlock proven by looks that agree over time. A look at the processes
// one after another is no snapshot: it may see a consumer asleep on `full`
// at 0 and then the producer asleep on `empty` just after that producer
// posted `full` and woke it. A ring that is really stuck stays so: the same
// semaphore values and indices, stuck at every look, for `settle` and more.
class StallWatch {
 public:
  explicit StallWatch(double slow) : settle_(std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::milliseconds(100) * slow)) {}
  // True once the ring has looked stuck, unchanged, for at least `settle`.
  bool proven(const GraderRing &ring, std::span<const Student> st, std::optional<Role> waiting) {
    if (!ring.stuck(st, waiting)) return since_.reset(), false;
    const RingHeader &h = ring.header();
    std::array<int64_t, 5> now{ring.value(empty_sem), ring.value(full_sem),
                               ring.value(mutex_sem), h.in, h.out};
    if (!since_ || since_->first != now) since_ = {now, Clock::now()};
    return Clock::now() - since_->second >= settle_;
  }

 private:
  Clock::duration settle_;
  std::optional<std::pair<std::array<int64_t, 5>, Clock::time_point>> since_;
};

// Wait for semaphore r as the grader; fail when the ring stops moving.
void GraderRing::acquire(Context &cx, Role r, std::span<const Student> st,
                         const std::string &doing) {
  Deadline until = cx.within(stall_limit);
  StallWatch watch(cx.slow());
  auto slice = 1ms;
  for (;;) {
    if (sem_wait_until(sem(r), std::min(until, Clock::now() + slice))) return;
    for (const auto &s : st)
      if (!s.p->done()) s.p->pump(Clock::now());
    if (watch.proven(*this, st, r)) stalled(st, r, doing, true);
    if (Clock::now() >= until) stalled(st, r, doing, false);
    slice = std::min<Millis>(slice * 2, 20ms);
  }
}

std::string GraderRing::take(Context &cx, std::span<const Student> st, const std::string &doing) {
  acquire(cx, full_sem, st, doing);
  acquire(cx, mutex_sem, st, doing);
  RingHeader &h = header();
  uint32_t out = h.out;
  if (out >= slots_) {
    check(sem_post(sem(mutex_sem)), "sem_post");
    fail(fmt::format("`out` below {}", slots_), fmt::format("out is {}", out),
         "advance out with out = (out + 1) % slots");
  }
  std::string text = item(out);
  h.out = (out + 1) % slots_;
  check(sem_post(sem(mutex_sem)), "sem_post");
  check(sem_post(sem(empty_sem)), "sem_post");
  return text;
}

// Store `text` in slot i of the ring, as a producer's step does.
void write_item(const GraderRing &ring, uint32_t i, std::string_view text) {
  Item it{};
  it.len = static_cast<uint32_t>(text.size());
  memcpy(it.text, text.data(), text.size());
  memcpy(reinterpret_cast<char *>(&ring.header()) + sizeof(RingHeader) + sizeof(Item) * i, &it,
         sizeof it);
}

void GraderRing::put(Context &cx, std::string_view text, std::span<const Student> st,
                     const std::string &doing) {
  acquire(cx, empty_sem, st, doing);
  acquire(cx, mutex_sem, st, doing);
  RingHeader &h = header();
  uint32_t in = h.in;
  if (in >= slots_) {
    check(sem_post(sem(mutex_sem)), "sem_post");
    fail(fmt::format("`in` below {}", slots_), fmt::format("in is {}", in),
         "advance in with in = (in + 1) % slots");
  }
  write_item(*this, in, text);
  h.in = (in + 1) % slots_;
  check(sem_post(sem(mutex_sem)), "sem_post");
  check(sem_post(sem(full_sem)), "sem_post");
}

// Where a student is: "ring_put /ring (pid 7) sleeps in sem_wait on /ring-empty (value 0)".
std::string GraderRing::where(const Student &s) const {
  std::string who = fmt::format("`{}` (pid {})", s.cmd, s.p->pid());
  if (s.p->done()) return who + ": it " + s.p->outcome().describe();
  auto w = futex_wait_of(s.p->pid());
  if (auto r = w ? role_of(*w) : std::nullopt)
    return fmt::format("{} sleeps in sem_wait on {} (value {})", who, label(*r), value(*r));
  return who + " is " + what_it_does(s.p->pid());
}

[[noreturn]] void GraderRing::stalled(std::span<const Student> st, std::optional<Role> waiting,
                                      const std::string &doing, bool proven) const {
  std::string seen = proven ? "deadlock: nothing can move any more. "
                            : fmt::format("nothing moved for {} s. ", stall_limit.count() / 1000);
  if (waiting)
    seen += fmt::format("The grader, {}, waits on {} (value {}). ", doing, label(*waiting),
                        value(*waiting));
  for (const auto &s : st) seen += where(s) + ". ";
  seen += fmt::format("Semaphores: empty {}, full {}, mutex {}; in {}, out {}", value(empty_sem),
                      value(full_sem), value(mutex_sem), header().in, header().out);
  // Names a program removed under the grader (which still holds the objects).
  std::vector<std::string> gone;
  if (!ShmObject::exists(name_)) gone.push_back(name_);
  if (!unnamed_)
    for (Role r : roles)
      if (!NamedSemaphore::exists(sem_name(name_, r))) gone.push_back(sem_name(name_, r));
  if (!gone.empty())
    seen += fmt::format(". Removed (unlinked) under the grader: {}", fmt::join(gone, ", "));
  std::string expected =
      waiting ? "the grader, " + doing + ", gets its turn" : "every process finishes its items";
  fail(expected, seen, likely_cause(st, waiting));
}

// The likeliest reason for a stall, from who sleeps on what.
std::string GraderRing::likely_cause(std::span<const Student> st,
                                     std::optional<Role> waiting) const {
  std::map<std::string, Role> asleep;  // prog -> the role it sleeps on
  bool all_done = true, spinning = false;
  for (const auto &s : st) {
    if (s.p->done()) continue;
    all_done = false;
    auto w = futex_wait_of(s.p->pid());
    if (auto r = w ? role_of(*w) : std::nullopt) {
      if (value(*r) > 0)
        return fmt::format(
            "{} sleeps on {} although its value is {}: a wake-up was lost. A semaphore made "
            "with sem_init(sem, 0, value) is private to one process, and its posts never wake "
            "another; pass pshared 1",
            s.prog, label(*r), value(*r));
      asleep[s.prog] = *r;
    } else if (blocked_syscall(s.p->pid()) == -1) {
      spinning = true;
    }
  }
  auto sleeps_on = [&](const char *prog, Role r) {
    auto it = asleep.find(prog);
    return it != asleep.end() && it->second == r;
  };
  if (waiting == mutex_sem && value(mutex_sem) == 0)
    for (auto [prog, r] : asleep)
      if (r != mutex_sem)
        return fmt::format(
            "{} sleeps on {} while it holds mutex, so nobody else can ever take mutex: wait "
            "for {} first, and take mutex only then",
            prog, role_names[r], role_names[r]);
  if (sleeps_on("ring_put", full_sem))
    return "ring_put waits on full, which counts filled slots: empty and full are swapped";
  if (sleeps_on("ring_get", empty_sem))
    return "ring_get waits on empty, which counts free slots: empty and full are swapped";
  if (all_done && waiting == full_sem && header().in != header().out)
    return "the producer put an item into the ring (in moved on) but never posted full for "
           "it: check that every path posts full, the last item's too";
  if (all_done) return "the other side has exited without posting what the grader waits for";
  if (spinning)
    return "a process runs on the CPU instead of sleeping in sem_wait: a busy loop never "
           "lets the ring move for sure";
  return "nobody posts the semaphore that is waited on: every sem_wait needs its sem_post, "
         "on every path";
}

// Wait until every student has ended; fail, saying who waits on what, when they stall.
void finish_all(Context &cx, const GraderRing &ring, std::span<const Student> st) {
  std::vector<Process *> ps;
  for (const auto &s : st) ps.push_back(s.p);
  Deadline until = cx.within(10s);
  StallWatch watch(cx.slow());
  auto slice = 1ms;
  while (!Process::pump_all(ps, std::min(until, Clock::now() + slice))) {
    if (watch.proven(ring, st, std::nullopt)) ring.stalled(st, std::nullopt, "", true);
    if (Clock::now() >= until) ring.stalled(st, std::nullopt, "", false);
    slice = std::min<Millis>(slice * 2, 20ms);
  }
  for (const auto &s : st) {
    cx.finish(*s.p);
    expect_exit(s.p->outcome(), 0, s.cmd, "it failed while the others ran");
  }
}

// Wait until the process sleeps in sem_wait on semaphore r of the ring;
// false if it does not before `limit` (or ends).
bool wait_asleep_on(Context &cx, const GraderRing &ring, Process &p, Role r, Millis limit) {
  auto on_r = [&] {
    auto w = futex_wait_of(p.pid());
    return w && ring.role_of(*w) == r;
  };
  return cx.wait_until(on_r, &p, cx.within(limit));
}

// ---------------------------------------------------------------- forced windows

// A sleeper that is not there: glibc's sem_t counts the processes asleep on
// it in the upper half of its first 64-bit word, and sem_post makes a futex
// wake only when that count is not 0. Counting one more makes every sem_post
// on it a system call, which the grader can hold: the point between a
// program's post and what it does next. Undone when it goes.
class FakeSleeper {
 public:
  explicit FakeSleeper(sem_t *s) : word_(*reinterpret_cast<uint64_t *>(s)) {
    word_.fetch_add(uint64_t{1} << 32);
  }
  FakeSleeper(const FakeSleeper &) = delete;
  FakeSleeper &operator=(const FakeSleeper &) = delete;
  ~FakeSleeper() { word_.fetch_sub(uint64_t{1} << 32); }
  // Whether this libc keeps the value in the low half, as the count above needs.
  static bool layout_known(sem_t *s) {
    int v = sem_value(s);
    return static_cast<int>(std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t *>(s)).load() &
                            0xffffffff) == v;
  }

 private:
  std::atomic_ref<uint64_t> word_;
};

// The ring semaphore a held futex wake of process pid is on, if it is one.
std::optional<Role> woken_role(const GraderRing &ring, pid_t pid, const Syscall &c) {
  if (!wakes_shared_futex(c)) return std::nullopt;
  return ring.role_of(mapped_at(pid, c.args[0]));
}

// Wait until process p is held in a futex wake on a semaphore of the ring;
// the role, or nullopt when it ends or does not post in time.
std::optional<Role> await_held_post(Context &cx, const GraderRing &ring, Process &p) {
  std::optional<Role> r;
  cx.wait_until(
      [&] {
        for (const auto &c : p.syscalls()->held()) {
          if ((r = woken_role(ring, c.pid, c))) return true;
          p.syscalls()->release(c.pid);  // another futex: not ours to hold
        }
        return false;
      },
      &p, cx.within(2s));
  return r;
}

// Every held call of p goes on, and no more are held.
void let_go(Process &p) {
  if (p.syscalls()) p.syscalls()->stop_holding();
}

// ---------------------------------------------------------------- the counter

// The counter's semaphore and shared object, made by the grader for sem_counter.
struct Counter {
  NamedSemaphore sem;
  ShmObject shm;
  SharedMap map;
  uint64_t start;
  uint64_t value() const {
    return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t *>(map.data())).load();
  }
};

// A semaphore of value 1 and an 8-byte counter holding a random start value.
Counter make_counter(Context &cx) {
  uint64_t start = static_cast<uint64_t>(random_u32()) << 16;
  std::string bytes(8, '\0');
  memcpy(bytes.data(), &start, 8);
  auto uid = cx.sandbox().student_uid();
  NamedSemaphore sem = NamedSemaphore::create(cx.name("lock"), 1, uid);
  ShmObject shm = ShmObject::create(cx.name("counter"), bytes, uid);
  SharedMap map(shm);
  return Counter{std::move(sem), std::move(shm), std::move(map), start};
}

// Start n sem_counter processes, each on a CPU of its own where there are
// enough, and wait until all have said `ready`.
std::vector<Process> start_counters(Context &cx, const Counter &c, int n, int iterations,
                                    std::string &cmd) {
  std::vector<std::string> args{c.sem.name(), c.shm.name(), std::to_string(iterations)};
  cmd = command_line("sem_counter", args);
  std::vector<Process> ps;
  for (int i = 0; i < n; ++i) ps.push_back(cx.start_interactive("sem_counter", args, i));
  for (auto &p : ps) cx.expect_handshake(p, cmd, "ready");
  return ps;
}

// Let every process go on past its handshake, as close together as can be.
void release_all(std::vector<Process> &ps) {
  for (auto &p : ps) p.write_stdin("\n");
}

// The call process p is held in now (its sched_yield or a futex wake), if any.
std::optional<Syscall> held_call(Process &p) {
  auto held = p.syscalls()->held();
  if (held.empty()) return std::nullopt;
  return held.front();
}

// Is p settled while another process is inside: ended, held in a call, or
// asleep in a futex wait (sem_wait; on SEM or not: holds-semaphore judges which)?
bool settled(Process &p) {
  p.pump(Clock::now());
  return p.done() || held_call(p) || futex_wait_of(p.pid());
}

// Whether process pid maps the file of `inode` only privately (MAP_PRIVATE:
// its stores go to its own copies of the pages, never to the file).
bool maps_only_privately(pid_t pid, unsigned long inode) {
  bool mapped = false;
  for (const Mapping &m : mappings_of(pid))
    if (m.inode == inode) {
      if (m.perms.size() > 3 && m.perms[3] == 's') return false;
      mapped = true;
    }
  return mapped;
}

// Forces the window of step 6 open, `rounds` times: each sem_counter is held
// in its sched_yield, between its read and its store, and in the futex wake
// of its sem_post. While one is held inside, every other one must sleep in
// sem_wait (another one inside too is the race); when it posts, the counter
// must hold the value it read plus one (else it posted before its store, or
// read before it took the semaphore).
void force_counter_windows(Context &cx, const Counter &c, std::vector<Process> &ps,
                           const std::string &cmd, int rounds) {
  auto is_yield = [](const Syscall &s) { return s.nr == SYS_sched_yield; };
  for (int round = 1; round <= rounds; ++round) {
    Process *inside = nullptr;
    cx.wait_until(
        [&] {
          for (auto &p : ps) {
            if (p.pump(Clock::now()), p.done()) continue;
            auto h = held_call(p);
            if (h && is_yield(*h)) return inside = &p, true;
            if (h) p.syscalls()->release(p.pid());  // a post outside any window (no yield)
          }
          return std::all_of(ps.begin(), ps.end(), [](const Process &p) { return p.done(); });
        },
        nullptr, cx.within(3s));
    if (!inside) return;  // all ended, or none ever yields (judged after)
    uint64_t read = c.value();
    cx.wait_until([&] { return std::all_of(ps.begin(), ps.end(), [&](Process &p) {
                    return &p == inside || settled(p); }); },
                  nullptr, cx.within(1s));
    for (auto &p : ps)
      if (&p != inside && !p.done())
        if (auto h = held_call(p); h && is_yield(*h))
          fail(fmt::format("while pid {} is between its read and its store (the grader holds it "
                           "in its sched_yield), every other `{}` sleeps in sem_wait on {}",
                           inside->pid(), cmd, c.sem.name()),
               fmt::format("pid {} reached its sched_yield too: both read the counter ({}) and "
                           "both will store {} + 1 (window {} forced open)",
                           p.pid(), read, read, round),
               "sem_wait on SEM before reading the counter, and sem_post only after storing "
               "it: the read, sched_yield and store must all lie between them");
    inside->syscalls()->release(inside->pid());
    // Now it stores, then posts: its sem_post wakes a sleeper (a futex wake), held.
    auto h = std::optional<Syscall>();
    cx.wait_until([&] { return (h = held_call(*inside)) || inside->pump(Clock::now()); }, nullptr,
                  cx.within(2s));
    if (h && wakes_shared_futex(*h) && c.value() != read + 1)
      fail(fmt::format("when pid {} posts {} after its increment, the counter holds {} + 1",
                       inside->pid(), c.sem.name(), read),
           fmt::format("it holds {} (window {} forced open: the grader held pid {} in the "
                       "futex wake of its sem_post)",
                       c.value(), round, inside->pid()),
           c.value() == read && maps_only_privately(inside->pid(), c.shm.inode())
               ? "it maps SHM with MAP_PRIVATE, so its stores go to its own copy of the page, "
                 "never to the object: map it MAP_SHARED"
           : c.value() == read
               // Posting before the store, or storing a stale value + 1 (one
               // read before sem_wait), leave the same counter here.
               ? "sem_post only after storing the counter, and read the counter only after "
                 "sem_wait has returned: a post before the store lets another process read the "
                 "old value, and a value read before taking the semaphore may be stale"
               : "read the counter only after sem_wait has returned: a value read before "
                 "taking the semaphore may be stale");
    cx.note(fmt::format("window {}: pid {} held between its read ({}) and its store; the others "
                        "slept in sem_wait; it posted with the counter at {}",
                        round, inside->pid(), read, c.value()));
    if (h) inside->syscalls()->release(inside->pid());
  }
}

// Each process made one sched_yield per increment, as step 6 has it (the
// point where the grader holds it).
void expect_yields(std::vector<Process> &ps, int iterations, const std::string &cmd) {
  for (auto &p : ps) {
    size_t yields = p.syscalls()->calls({SYS_sched_yield}).size();
    if (yields < static_cast<size_t>(iterations))
      fail(fmt::format("`{}` calls sched_yield() {} times, between each read of the counter and "
                       "its store",
                       cmd, iterations),
           fmt::format("pid {} called it {} times", p.pid(), yields),
           "step 6 is exact: v = *counter; sched_yield(); *counter = v + 1");
  }
}

// Why a sem_counter failed, from its stderr: an unlink of a name the others
// still use, or a failed open.
std::string counter_exit_cause(const Outcome &o) {
  if (o.err.find(": sem_unlink: ") != std::string::npos ||
      o.err.find(": shm_unlink: ") != std::string::npos)
    return "its stderr names an unlink: sem_counter only opens SEM and SHM, which others still "
           "use: sem_close and munmap, never sem_unlink or shm_unlink";
  return "sem_open, shm_open or mmap failed, or a result went unchecked";
}

// Step 1: N processes, M increments each, under the semaphore: exactly N×M.
// Where the system calls can be held, the grader forces the window between a
// read and its store open, several times, rather than hoping for a race.
void counter(Context &cx) {
  constexpr int n = 3, iterations = 200, rounds = 6;
  Counter c = make_counter(cx);
  std::string cmd;
  auto ps = start_counters(cx, c, n, iterations, cmd);
  bool held = std::all_of(ps.begin(), ps.end(), [](Process &p) { return p.syscalls(); });
  for (auto &p : ps)
    if (held)
      p.syscalls()->hold([](const Syscall &s) {
        return s.nr == SYS_sched_yield || wakes_shared_futex(s);
      });
  if (!held) cx.note("no system-call record here: the increments race as the kernel schedules");
  release_all(ps);
  if (held) force_counter_windows(cx, c, ps, cmd, rounds);
  for (auto &p : ps)
    if (held) p.syscalls()->stop_holding();
  for (auto &p : ps) {
    const Outcome &o = cx.finish(p);
    expect_exit(o, 0, cmd, counter_exit_cause(o));
  }
  if (held) expect_yields(ps, iterations, cmd);
  uint64_t want = c.start + n * iterations, got = c.value();
  cx.note(fmt::format("counter: start {}, now {} (+{})", c.start, got, got - c.start));
  if (got != want)
    fail(fmt::format("the counter grows by {} × {} = {}", n, iterations, n * iterations),
         fmt::format("it grew by {}: {} updates were lost", static_cast<int64_t>(got - c.start),
                     static_cast<int64_t>(want - got)),
         "two processes read the same value and both wrote value + 1: read the counter only "
         "after sem_wait has returned, and sem_post only after storing the counter");
}

// Step 1: while the grader holds the semaphore, nobody makes progress.
void holds_semaphore(Context &cx) {
  constexpr int n = 3, iterations = 200;
  Counter c = make_counter(cx);
  std::string cmd;
  auto ps = start_counters(cx, c, n, iterations, cmd);
  if (!sem_wait_until(c.sem.get(), cx.within(1s)))
    fail("the grader can take " + c.sem.name() + " (value 1) before the processes go on",
         "its value is 0", "do not wait on the semaphore before the handshake");
  release_all(ps);
  unsigned long inode = NamedSemaphore::inode_of(c.sem.name());
  auto all_wait = [&] {
    for (auto &p : ps) {
      p.pump(Clock::now());
      auto w = futex_wait_of(p.pid());
      if (p.done() || !w || w->inode != inode) return false;
    }
    return true;
  };
  auto moved = [&] {
    return c.value() != c.start ||
           std::any_of(ps.begin(), ps.end(), [](const Process &p) { return p.done(); });
  };
  cx.wait_until([&] { return moved() || all_wait(); }, nullptr, cx.within(3s));
  std::string doing;
  for (auto &p : ps)
    doing += fmt::format("; pid {} {}", p.pid(),
                         p.done() ? p.outcome().describe() : what_it_does(p.pid()));
  cx.note("while the grader held the semaphore" + doing);
  if (moved() || !all_wait())
    fail(fmt::format("while the grader holds {}, every `{}` sleeps in sem_wait on it and the "
                     "counter stays at {}",
                     c.sem.name(), cmd, c.start),
         fmt::format("the counter is at {}{}", c.value(), doing),
         "each process must sem_wait on the semaphore named on its command line (SEM, argv[1]) "
         "before it touches the counter, not on one of its own");
  check(sem_post(c.sem.get()), "sem_post");
  // (What they count once it is posted is the counter check's to judge.)
  for (auto &p : ps) expect_exit(cx.finish(p), 0, cmd, "it failed after the grader posted");
}

// Step 1: sem_counter leaves SEM and SHM for the others, and prints only `ready`.
void keeps_names(Context &cx) {
  constexpr int iterations = 3;
  Counter c = make_counter(cx);
  std::string cmd;
  auto ps = start_counters(cx, c, 1, iterations, cmd);
  release_all(ps);
  const Outcome &o = cx.finish(ps[0]);
  expect_exit(o, 0, cmd, "sem_open, shm_open or mmap failed, or a result went unchecked");
  expect_stdout(o, "ready\n", cmd, "print the handshake word `ready` and nothing else");
  expect_stderr(o, "", cmd, "on success stderr stays empty: no progress or debug lines");
  for (const auto &[what, there] :
       {std::pair{"the semaphore " + c.sem.name(), NamedSemaphore::exists(c.sem.name())},
        std::pair{"the object " + c.shm.name(), ShmObject::exists(c.shm.name())}})
    if (!there)
      fail(fmt::format("after `{}`, {} still exists", cmd, what), "it was removed (unlinked)",
           "sem_counter only opens SEM and SHM, which others still use: sem_close and munmap, "
           "never sem_unlink or shm_unlink");
  if (c.value() != c.start + iterations)
    fail(fmt::format("the counter grows by {}", iterations),
         fmt::format("it grew by {}", static_cast<int64_t>(c.value() - c.start)),
         "map the object MAP_SHARED, so that the increments reach the object");
}

// ---------------------------------------------------------------- ring_init

// The fresh ring ring_init must leave: size, header, and semaphore values.
// `left_before`: an earlier run had left semaphores of that name.
void expect_fresh_ring(const std::string &name, uint32_t slots, const std::string &cmd,
                       bool left_before) {
  GraderRing ring = GraderRing::adopt(name, slots, false, cmd);
  std::string want = fmt::format("{}, 0, 1", slots);
  std::string got =
      fmt::format("{}, {}, {}", ring.value(empty_sem), ring.value(full_sem), ring.value(mutex_sem));
  if (got != want)
    fail(fmt::format("{}, {} and {} have the values {}", ring.label(empty_sem),
                     ring.label(full_sem), ring.label(mutex_sem), want),
         "they have " + got,
         left_before ? "a semaphore keeps its value from the run that made it: remove old ones "
                       "with sem_unlink first (or use O_EXCL), then create them with empty = "
                       "SLOTS, full = 0, mutex = 1"
                     : "no semaphore of these names existed before: create them with empty = "
                       "SLOTS, full = 0, mutex = 1 (sem_open's value argument)");
}

// What a student's ring_init made of the ring `name`, held so that it is
// removed when the check ends, whatever fails first.
struct MadeRing {
  std::optional<ShmObject> obj;
  std::vector<NamedSemaphore> sems;
};
MadeRing hold_made(const std::string &name) {
  MadeRing m;
  if (ShmObject::exists(name)) m.obj.emplace(ShmObject::open(name));
  for (Role r : roles)
    if (NamedSemaphore::exists(sem_name(name, r)))
      m.sems.push_back(NamedSemaphore::open(sem_name(name, r)));
  return m;
}

// Step 2: ring_init makes the object, its header and three semaphores.
void ring_init(Context &cx) {
  std::string name = cx.name("ring");
  std::vector<std::string> args{name, "5"};
  std::string cmd = command_line("ring_init", args);
  Outcome o = cx.run("ring_init", args);
  MadeRing made = hold_made(name);
  expect_exit(o, 0, cmd,
              o.exited && o.code != 0 && o.err.empty() && made.obj && made.sems.size() == 3
                  ? "it made the object and its three semaphores and wrote no error, yet "
                    "did not exit 0: exit 0 once the ring is made"
                  : "shm_open, ftruncate, mmap or sem_open failed");
  expect_silent(o, cmd);
  if (made.obj) expect_mode_0600("the object " + name, made.obj->mode(), cmd);
  for (const auto &sem : made.sems)
    expect_mode_0600("the semaphore " + sem.name(),
                     file_mode(NamedSemaphore::file_of(sem.name())), cmd);
  expect_fresh_ring(name, 5, cmd, false);
}

// Step 2: semaphores and an object left by an earlier run do not spoil a new ring.
void stale(Context &cx) {
  std::string name = cx.name("ring");
  auto uid = cx.sandbox().student_uid();
  ShmObject old = ShmObject::create(name, random_bytes(100), uid);
  std::vector<NamedSemaphore> olds;
  const std::array<unsigned, 3> wrong{0, 3, 0};
  for (Role r : roles) olds.push_back(NamedSemaphore::create(sem_name(name, r), wrong[r], uid));
  cx.note("left from an earlier run: " + name + " (100 bytes), semaphores 0, 3, 0");
  std::vector<std::string> args{name, "4"};
  std::string cmd = command_line("ring_init", args);
  expect_exit(cx.run("ring_init", args), 0, cmd,
              "remove what an earlier run left (ignoring ENOENT) before creating with O_EXCL");
  expect_fresh_ring(name, 4, cmd, true);
}

// ---------------------------------------------------------------- producer

// Whether the grader can hold a ring's posts here: a system-call record, and
// a sem_t laid out as FakeSleeper needs.
bool can_hold_posts(const GraderRing &ring) {
  return syscall_record_enabled() && FakeSleeper::layout_known(ring.sem(mutex_sem));
}

// Wait until p sleeps on a semaphore of the ring (or ends); true if it sleeps on r.
bool settles_on(Context &cx, const GraderRing &ring, Process &p, Role r) {
  std::optional<Role> on;
  cx.wait_until(
      [&] {
        auto w = futex_wait_of(p.pid());
        return (on = w ? ring.role_of(*w) : std::nullopt) || p.pump(Clock::now());
      },
      &p, cx.within(2s));
  return on == r;
}

// Step 3, the window forced open: while the grader holds mutex, ring_put
// (having waited on empty) must wait for it with nothing stored; then each
// of its posts, on mutex and on full, is held for the first `slots` items,
// and before either the item must be in slot `in` and `in` past it.
void force_producer_windows(Context &cx, GraderRing &ring, Process &p, const std::string &cmd,
                            std::span<const std::string> items, uint32_t slots) {
  bool asleep = settles_on(cx, ring, p, mutex_sem);
  const RingHeader &h = ring.header();
  if (h.in != 0 || !ring.item(0).empty() || ring.value(full_sem) != 0)
    fail(fmt::format("while the grader holds mutex, `{}` stores nothing, leaves in at 0 and "
                     "posts nothing", cmd),
         fmt::format("in is {}, full {}, slot 0 holds {}; it {}", h.in, ring.value(full_sem),
                     visible(ring.item(0)),
                     p.done() ? p.outcome().describe() : what_it_does(p.pid())),
         "wait on empty, then on mutex, and only then store the item and move in");
  if (!asleep) {  // it never took mutex: the stall checks say so
    check(sem_post(ring.sem(mutex_sem)), "sem_post");
    return;
  }
  p.syscalls()->hold(wakes_shared_futex);
  FakeSleeper on_mutex(ring.sem(mutex_sem)), on_full(ring.sem(full_sem));
  check(sem_post(ring.sem(mutex_sem)), "sem_post");  // ring_put takes it now
  for (uint32_t k = 1; k <= slots; ++k)
    for (int post = 0; post < 2; ++post) {
      std::optional<Role> r = await_held_post(cx, ring, p);
      if (!r) {
        cx.note(fmt::format("`{}` made no post the grader could hold", cmd));
        return let_go(p);
      }
      if (h.in != k % slots || ring.item(k - 1) != items[k - 1])
        fail(fmt::format("when `{}` posts {} for item {}, the item is in slot {} and in is {}",
                         cmd, ring.label(*r), k, k - 1, k % slots),
             fmt::format("in is {} and slot {} holds {} (the grader held the post, a futex "
                         "wake, before it returned)",
                         h.in, k - 1, visible(ring.item(k - 1))),
             h.in == k % slots && ring.text_bytes(k - 1, items[k - 1].size()) == items[k - 1]
                 ? fmt::format("slot {}'s text holds the item, but its len is {}: set len to "
                               "the line's length when storing it",
                               k - 1, ring.item_len(k - 1))
             : *r == mutex_sem ? "post mutex only after storing the item and moving in: once "
                                 "mutex is free, another producer takes the same slot"
                               : "post full only after the item is stored: a consumer may take "
                                 "it at once");
      cx.note(fmt::format("held `{}` in its post of {} for item {}: stored, in {}", cmd,
                          ring.label(*r), k, h.in));
      p.syscalls()->release(p.pid());
    }
  let_go(p);
}

// Step 3: the grader consumes everything ring_put puts, once each, in order;
// first it holds ring_put at its posts (see force_producer_windows).
void producer(Context &cx) {
  constexpr uint32_t slots = 4;
  GraderRing ring = GraderRing::make(cx, "ring", slots, false);
  auto items = random_items(20);
  std::vector<std::string> args{ring.name()};
  std::string cmd = command_line("ring_put", args);
  bool forced = can_hold_posts(ring);
  if (forced) check(sem_wait(ring.sem(mutex_sem)), "sem_wait");  // value 1: at once
  Process p = cx.start("ring_put", args, as_lines(items));
  std::vector<Student> st{{&p, "ring_put", cmd}};
  if (forced && p.syscalls()) force_producer_windows(cx, ring, p, cmd, items, slots);
  else if (forced) check(sem_post(ring.sem(mutex_sem)), "sem_post");
  for (size_t i = 0; i < items.size(); ++i) {
    std::string got = ring.take(cx, st, fmt::format("as consumer, taking item {} of 20", i + 1));
    if (got != items[i])
      fail(fmt::format("item {} is {}", i + 1, visible(items[i])), "it is " + visible(got),
           "put each line into slot `in`, then advance in; set len to the line's length");
  }
  expect_exit(cx.finish(p), 0, cmd, "it must exit 0 at the end of its input");
  if (ring.value(full_sem) != 0 || ring.value(empty_sem) != 4 || ring.value(mutex_sem) != 1)
    fail("after 20 items in and out: empty 4, full 0, mutex 1",
         fmt::format("empty {}, full {}, mutex {}", ring.value(empty_sem), ring.value(full_sem),
                     ring.value(mutex_sem)),
         "post each semaphore exactly once for each wait");
}

// True once p has ended, or sleeps in a futex wait (sem_wait, sem_timedwait)
// with all its threads asleep. Asleep alone is not enough: a process also
// sleeps while the system-call recorder records one of its calls (the openat
// of a semaphore), long before it reaches any wait the ring asks for.
bool waits_on_futex(Process &p) {
  return p.done() || (futex_wait_of(p.pid()) && all_threads_asleep(p.pid()));
}

// Step 3: with the ring full the producer sleeps, overwriting nothing, and goes on later.
void producer_full(Context &cx) {
  GraderRing ring = GraderRing::make(cx, "ring", 3, false);
  auto items = random_items(8);
  std::vector<std::string> args{ring.name()};
  std::string cmd = command_line("ring_put", args);
  Process p = cx.start("ring_put", args, as_lines(items));
  std::vector<Student> st{{&p, "ring_put", cmd}};
  cx.wait_until([&] { return ring.value(full_sem) >= 3 && waits_on_futex(p); }, &p,
                cx.within(2s));
  if (p.done())
    fail("`" + cmd + "` waits for a free slot once the 3 slots are full",
         fmt::format("it {} before the grader took any item (full is {})", p.outcome().describe(),
                     ring.value(full_sem)),
         "wait on empty before each item: without it the producer overwrites items nobody took");
  for (uint32_t i = 0; i < 3; ++i)
    if (ring.item(i) != items[i])
      fail(fmt::format("while the ring is full, slot {} holds item {}", i, i + 1),
           "it holds " + visible(ring.item(i)), "never write a slot before empty says it is free");
  for (size_t i = 0; i < items.size(); ++i) {
    std::string got = ring.take(cx, st, fmt::format("as consumer, taking item {} of 8", i + 1));
    if (got != items[i])
      fail(fmt::format("item {} is {}", i + 1, visible(items[i])), "it is " + visible(got),
           "put each item into slot `in` under mutex, then advance in");
  }
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, "it must exit 0 at the end of its input");
  expect_silent(o, cmd);
}

// ---------------------------------------------------------------- consumer

// Step 4, the window forced open, on a full ring: while the grader holds
// mutex, ring_get (having waited on full) must wait for it with nothing
// taken; then its posts are held: before mutex, out must be past the slot;
// at its post of empty the slot is free, so the grader, as a producer, puts
// the next item into it, and ring_get must print the item it took, not
// that one. Returns how many items the grader has put.
size_t force_consumer_windows(Context &cx, GraderRing &ring, Process &p, const std::string &cmd,
                              std::span<const std::string> items, uint32_t slots) {
  bool asleep = settles_on(cx, ring, p, mutex_sem);
  const RingHeader &h = ring.header();
  if (h.out != 0 || !p.stdout_so_far().empty() || ring.value(empty_sem) != 0)
    fail(fmt::format("while the grader holds mutex, `{}` takes nothing: out stays 0, empty 0, "
                     "nothing printed", cmd),
         fmt::format("out is {}, empty {}, it printed {}; it {}", h.out, ring.value(empty_sem),
                     visible(p.stdout_so_far()),
                     p.done() ? p.outcome().describe() : what_it_does(p.pid())),
         "wait on full, then on mutex, and only then read slot out and move out");
  if (!asleep) {  // it never took mutex: the stall checks say so
    check(sem_post(ring.sem(mutex_sem)), "sem_post");
    return slots;
  }
  size_t put = slots;
  p.syscalls()->hold(wakes_shared_futex);
  FakeSleeper on_mutex(ring.sem(mutex_sem)), on_empty(ring.sem(empty_sem));
  check(sem_post(ring.sem(mutex_sem)), "sem_post");  // ring_get takes it now
  for (int post = 0; post < 2; ++post) {
    std::optional<Role> r = await_held_post(cx, ring, p);
    if (!r) {
      cx.note(fmt::format("`{}` made no post the grader could hold", cmd));
      break;
    }
    if (h.out != 1 % slots)
      fail(fmt::format("when `{}` posts {} for item 1, out is {}", cmd, ring.label(*r), 1 % slots),
           fmt::format("out is {} (the grader held the post, a futex wake, before it returned)",
                       h.out),
           "post mutex and empty only after taking the item and moving out");
    // Slot 0 is free once empty is posted: a producer may fill it (if mutex is free).
    if (*r == empty_sem && sem_trywait(ring.sem(empty_sem)) == 0) {
      if (sem_trywait(ring.sem(mutex_sem)) == 0) {
        write_item(ring, h.in, items[put]);
        ring.header().in = (h.in + 1) % slots;
        check(sem_post(ring.sem(mutex_sem)), "sem_post");
        check(sem_post(ring.sem(full_sem)), "sem_post");
        cx.note(fmt::format("held `{}` in its post of {}; put item {} into the slot it freed",
                            cmd, ring.label(*r), ++put));
      } else {
        check(sem_post(ring.sem(empty_sem)), "sem_post");
      }
    }
    p.syscalls()->release(p.pid());
  }
  let_go(p);
  // The item it took from slot 0 is item 1, whatever the slot holds now.
  if (put > slots) {
    cx.wait_until([&] { return p.stdout_so_far().find('\n') != std::string::npos; }, &p,
                  cx.within(2s));
    std::string first = p.stdout_so_far().substr(0, p.stdout_so_far().find('\n'));
    if (first == items[put - 1])
      fail(fmt::format("`{}` prints item 1, {}, which it took from slot 0", cmd,
                       visible(items[0])),
           fmt::format("it printed {}, the item the grader put into slot 0 once ring_get had "
                       "posted empty (the grader held that post, a futex wake, and filled the "
                       "slot meanwhile, as any producer may)",
                       visible(first)),
           "copy the item out of slot out before posting empty: once empty is posted, the "
           "slot belongs to the producers");
  }
  return put;
}

// Step 4: ring_get prints every item the grader puts, once each, in order;
// first on a full ring with its posts held (see force_consumer_windows).
void consumer(Context &cx) {
  constexpr uint32_t slots = 4;
  GraderRing ring = GraderRing::make(cx, "ring", slots, false);
  auto items = random_items(20);
  std::vector<std::string> args{ring.name(), "20"};
  std::string cmd = command_line("ring_get", args);
  bool forced = can_hold_posts(ring);
  size_t put = 0;
  std::vector<Student> none;
  if (forced) {
    for (; put < slots; ++put) ring.put(cx, items[put], none, "as producer, filling the ring");
    check(sem_wait(ring.sem(mutex_sem)), "sem_wait");  // value 1: at once
  }
  Process p = cx.start("ring_get", args);
  std::vector<Student> st{{&p, "ring_get", cmd}};
  if (forced && p.syscalls()) put = force_consumer_windows(cx, ring, p, cmd, items, slots);
  else if (forced) check(sem_post(ring.sem(mutex_sem)), "sem_post");
  for (size_t i = put; i < items.size(); ++i)
    ring.put(cx, items[i], st, fmt::format("as producer, putting item {} of 20", i + 1));
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, "it must exit 0 after COUNT items");
  expect_stdout(o, as_lines(items), cmd,
                "take slot `out` under mutex, print len bytes of its text and a newline");
}

// Step 4: on an empty ring the consumer sleeps, and prints each item as it comes.
void consumer_empty(Context &cx) {
  GraderRing ring = GraderRing::make(cx, "ring", 3, false);
  auto items = random_items(3);
  std::vector<std::string> args{ring.name(), "3"};
  std::string cmd = command_line("ring_get", args);
  Process p = cx.start("ring_get", args);
  std::vector<Student> st{{&p, "ring_get", cmd}};
  cx.wait_until([&] { return waits_on_futex(p); }, &p, cx.within(2s));
  if (p.done() || !p.stdout_so_far().empty() || ring.value(full_sem) != 0 || ring.header().out)
    fail("`" + cmd + "` waits on the empty ring, taking and printing nothing",
         fmt::format("it {}printed {}; full is {}, out {}",
                     p.done() ? p.outcome().describe() + " and " : "", visible(p.stdout_so_far()),
                     ring.value(full_sem), ring.header().out),
         "wait on full (filled slots, 0 at first) before taking a slot; waiting on empty (free "
         "slots) takes from an empty ring");
  std::string want;
  for (size_t i = 0; i < items.size(); ++i) {
    ring.put(cx, items[i], st, fmt::format("as producer, putting item {} of 3", i + 1));
    want += items[i] + "\n";
    if (!cx.wait_for_output(p, want) || p.stdout_so_far() != want)
      fail(fmt::format("after item {}, `{}` has printed {}", i + 1, cmd, visible(want)),
           "it printed " + visible(p.stdout_so_far()),
           "print each item as soon as it is taken, and flush stdout");
  }
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, "it must exit 0 after COUNT items");
  expect_stdout(o, want, cmd, "print each item's text and a newline, and nothing else");
  expect_stderr(o, "", cmd, "on success stderr stays empty: no progress or debug lines");
}

// Why a process was not found asleep on its semaphore: it ended, or it
// kept running ("in 1.0 s it used 990 ms of CPU and is running on a CPU").
std::string never_slept(const Process &p, double cpu_before, Millis limit) {
  if (p.done()) return "it " + p.outcome().describe() + " without waiting at all";
  return fmt::format("in {:.1f} s it used {:.0f} ms of CPU and is {}", limit.count() / 1000.0,
                     std::max(0.0, cpu_ms_so_far(p.pid()) - cpu_before), what_it_does(p.pid()));
}

// Step 4: both sides sleep in sem_wait while they must wait; none burns the CPU.
void no_spinning(Context &cx) {
  GraderRing full_ring = GraderRing::make(cx, "full", 2, false);
  GraderRing empty_ring = GraderRing::make(cx, "empty", 2, false);
  auto items = random_items(4);
  std::vector<std::string> put_args{full_ring.name()}, get_args{empty_ring.name(), "1"};
  Process put = cx.start("ring_put", put_args, as_lines(items));
  Process get = cx.start("ring_get", get_args);
  std::vector<Student> putter{{&put, "ring_put", command_line("ring_put", put_args)}};
  std::vector<Student> getter{{&get, "ring_get", command_line("ring_get", get_args)}};
  struct Side {
    Student &s;
    const GraderRing &ring;
    Role role;
  };
  for (Side side : {Side{putter[0], full_ring, empty_sem}, Side{getter[0], empty_ring, full_sem}}) {
    double cpu0 = cpu_ms_so_far(side.s.p->pid());
    if (!wait_asleep_on(cx, side.ring, *side.s.p, side.role, 1s))
      fail(fmt::format("`{}` sleeps in sem_wait on {} while it must wait", side.s.cmd,
                       side.ring.label(side.role)),
           never_slept(*side.s.p, cpu0, 1s),
           side.s.p->done() ? "it must wait on " + std::string(role_names[side.role]) + " first"
                            : "wait with sem_wait, which sleeps until someone posts; a loop around "
                              "sem_trywait keeps a CPU busy for nothing");
  }
  for (size_t i = 0; i < items.size(); ++i)
    if (full_ring.take(cx, putter, "as consumer") != items[i])
      fail("the items in order", "another order", "advance in after each item");
  empty_ring.put(cx, items[0], getter, "as producer");
  expect_exit(cx.finish(put), 0, putter[0].cmd, "it must exit 0 at the end of its input");
  expect_exit(cx.finish(get), 0, getter[0].cmd, "it must exit 0 after COUNT items");
}

// ---------------------------------------------------------------- many

// Does `seen` keep the order of `sent` for the lines it holds from it?
bool keeps_order(const std::vector<std::string> &seen, const std::vector<std::string> &sent) {
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < sent.size(); ++i) at[sent[i]] = i;
  long last = -1;
  for (const auto &line : seen) {
    auto it = at.find(line);
    if (it == at.end()) continue;
    if (static_cast<long>(it->second) < last) return false;
    last = static_cast<long>(it->second);
  }
  return true;
}

// The lines of a consumer's output.
std::vector<std::string> lines_of(const std::string &out) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(out.substr(start, nl - start));
  return lines;
}

// Step 5: three producers and two consumers at once: nothing lost, nothing twice.
// The producers start first and fill the ring until all three sleep in sem_wait
// (a full ring, every producer waiting): then the consumers start, so every
// run meets producers that wait on a full ring while consumers take.
void many(Context &cx) {
  GraderRing ring = GraderRing::make(cx, "ring", 4, false);
  std::vector<std::vector<std::string>> sent;
  std::vector<Process> ps;
  std::vector<Student> st;
  ps.reserve(5);
  for (int k = 0; k < 3; ++k) {
    sent.push_back(random_items(30));
    ps.push_back(cx.start("ring_put", {ring.name()}, as_lines(sent.back()), k));
    st.push_back({&ps.back(), "ring_put", command_line("ring_put", {ring.name()})});
  }
  bool full = cx.wait_until(
      [&] {
        return std::all_of(ps.begin(), ps.end(), [](Process &p) {
          p.pump(Clock::now());
          return waits_on_futex(p);
        });
      },
      nullptr, cx.within(3s));
  cx.note(full ? "the ring is full and every producer waits: the consumers start now"
               : "not every producer waits after 3 s: the consumers start anyway");
  for (int k = 0; k < 2; ++k) {
    ps.push_back(cx.start("ring_get", {ring.name(), "45"}, "", k + 1));
    st.push_back({&ps.back(), "ring_get", command_line("ring_get", {ring.name(), "45"})});
  }
  finish_all(cx, ring, st);
  std::vector<std::string> all, got;
  for (const auto &s : sent) all.insert(all.end(), s.begin(), s.end());
  for (int k = 3; k < 5; ++k) {
    auto lines = lines_of(ps[k].outcome().out);
    for (const auto &s : sent)
      if (!keeps_order(lines, s))
        fail("each consumer sees each producer's items in the order they were put",
             fmt::format("consumer pid {} saw them out of order", ps[k].pid()),
             "take slot `out` and advance out under mutex");
    got.insert(got.end(), lines.begin(), lines.end());
  }
  std::sort(all.begin(), all.end());
  std::sort(got.begin(), got.end());
  if (got != all) {
    std::vector<std::string> lost, extra;
    std::set_difference(all.begin(), all.end(), got.begin(), got.end(), std::back_inserter(lost));
    std::set_difference(got.begin(), got.end(), all.begin(), all.end(), std::back_inserter(extra));
    fail("the two consumers print the 90 items between them, each once",
         fmt::format("{} items missing, {} printed twice or made up (first: {})", lost.size(),
                     extra.size(), visible(extra.empty() ? lost.front() : extra.front())),
         "in and out are shared by every producer and consumer: change them only while "
         "holding mutex");
  }
}

// ---------------------------------------------------------------- signals and timeouts

// Send SIGUSR1 three times to a process asleep in a wait; each time it must
// go back to waiting (it is asleep again with no signal pending).
void interrupt_thrice(Context &cx, Process &p, const std::string &cmd,
                      const std::string &call = "sem_wait") {
  // Asleep in a futex wait (sem_wait), not merely asleep: a process just started
  // sleeps too (in exec, a page fault, shm_open), before it has installed the
  // handler the contract has it install first, and SIGUSR1 would then kill it.
  auto waiting = [&] { return futex_wait_of(p.pid()) && all_threads_asleep(p.pid()); };
  bool sleeps = cx.wait_until(waiting, &p, cx.within(2s));
  if (p.done()) {
    const Outcome &o = cx.finish(p);
    fail("`" + cmd + "` waits: the ring gives it nothing to do yet",
         "it " + o.describe() + " before any signal",
         o.exited && o.code == 3 && o.wall_ms < 1000
             ? fmt::format("it gave up (exit 3) after {:.0f} ms, before one second had "
                           "passed: sem_timedwait takes an absolute CLOCK_REALTIME deadline, "
                           "now + SECONDS, not a duration",
                           o.wall_ms)
             : "it must wait on its semaphore (Steps 3 and 4) before signals can matter");
  }
  for (int k = 1; k <= 3 && !p.done(); ++k) {
    check(kill(p.pid(), SIGUSR1), "kill");
    cx.note(fmt::format("sent SIGUSR1 {} of 3 to pid {}", k, p.pid()));
    cx.wait_until(
        [&] {
          return !signal_pending(p.pid(), SIGUSR1) && (!sleeps || waiting());
        },
        &p, cx.within(2s));
  }
  if (!p.done()) return;
  const Outcome &o = cx.finish(p);
  fail("`" + cmd + "` goes on waiting when SIGUSR1 interrupts its " + call,
       "it " + o.describe() + (o.err.empty() ? "" : ", stderr " + visible(o.err, 200)),
       o.signal == SIGUSR1 ? "install the SIGUSR1 handler with sigaction before waiting"
                           : call + " returns -1 with errno EINTR when a signal handler runs: "
                             "call it again in a loop");
}

// Step 6: a signal during a wait does not end the wait.
void eintr(Context &cx) {
  GraderRing empty_ring = GraderRing::make(cx, "empty", 2, false);
  auto items = random_items(3);
  std::vector<std::string> get_args{empty_ring.name(), "2"};
  Student getter{nullptr, "ring_get", command_line("ring_get", get_args)};
  Process get = cx.start("ring_get", get_args);
  getter.p = &get;
  interrupt_thrice(cx, get, getter.cmd);
  for (int i = 0; i < 2; ++i) empty_ring.put(cx, items[i], {&getter, 1}, "as producer");
  const Outcome &o = cx.finish(get);
  expect_exit(o, 0, getter.cmd, "it must exit 0 after COUNT items");
  expect_stdout(o, as_lines(std::span(items).first(2)), getter.cmd,
                "after EINTR, wait again: the item is still to come");

  GraderRing full_ring = GraderRing::make(cx, "full", 1, false);
  std::vector<std::string> put_args{full_ring.name()};
  Student putter{nullptr, "ring_put", command_line("ring_put", put_args)};
  Process put = cx.start("ring_put", put_args, as_lines(items));
  putter.p = &put;
  cx.wait_until([&] { return full_ring.value(full_sem) == 1; }, &put, cx.within(2s));
  interrupt_thrice(cx, put, putter.cmd);
  for (size_t i = 0; i < items.size(); ++i)
    if (full_ring.take(cx, {&putter, 1}, "as consumer") != items[i])
      fail("the items in order", "another order", "after EINTR, wait again for the same item");
  expect_exit(cx.finish(put), 0, putter.cmd, "it must exit 0 at the end of its input");
}

// Step 6, signals: `ring_get -t 2 /ring 1` on an empty ring gets SIGUSR1 three
// times at once and once more 1.8 s into its wait. It must go on waiting each
// time with the same deadline, and so give up 2 s after its wait began: a
// deadline computed anew after EINTR would move to 3.8 s or later. It runs
// beside the other parts of timed-wait: tick() sends the late signal.
struct Interrupted {
  Process p;
  std::string cmd;
  Clock::time_point began, late;
  bool sent = false;

  // Reap the process if it has ended (so its Outcome times its end, not when the
  // other parts let the check look); send the late SIGUSR1 once its time has come.
  void tick(Context &cx) {
    p.pump(Clock::now());
    if (sent || Clock::now() < late) return;
    sent = true;
    if (p.done()) return;
    check(kill(p.pid(), SIGUSR1), "kill");
    cx.note(fmt::format("sent SIGUSR1 to pid {} 1.8 s into its wait", p.pid()));
  }
};

// Start the signals part: its process, interrupted three times, now waiting.
Interrupted start_interrupted(Context &cx, const GraderRing &ring) {
  std::vector<std::string> args{"-t", "2", ring.name(), "1"};
  Interrupted in{cx.start("ring_get", args), command_line("ring_get", args), {}, {}};
  interrupt_thrice(cx, in.p, in.cmd, "sem_timedwait");
  in.began = Clock::now();  // asleep in its wait by now: its deadline is at most began + 2 s
  in.late = in.began + 1800ms;
  return in;
}

// The moment process p ended (it has been reaped).
Clock::time_point ended_at(const Process &p) {
  return p.started() + std::chrono::microseconds(static_cast<long>(p.outcome().wall_ms * 1000));
}

// Finish the signals part: the late signal sent, it must time out as if none came.
void judge_interrupted(Context &cx, Interrupted &in) {
  cx.wait_until([&] { return in.tick(cx), in.sent; }, &in.p, in.late);
  in.tick(cx);
  const Outcome &o = cx.finish(in.p);
  std::string why = "EINTR is not a timeout: wait again until the deadline passes";
  expect_stderr(o, "ring_get: no item within 2 s\n", in.cmd, why);
  expect_exit(o, 3, in.cmd, why);
  auto after = std::chrono::duration<double>(ended_at(in.p) - in.began).count();
  cx.note(fmt::format("it gave up {:.2f} s after its wait began", after));
  if (after > 2.9)
    fail(fmt::format("`{}` gives up 2 s after its wait began, though signals interrupt it",
                     in.cmd),
         fmt::format("it gave up {:.1f} s after (a signal came 1.8 s in)", after),
         "after EINTR, call sem_timedwait again with the same absolute deadline, not a new one");
}

// Step 6, COUNT > 1: `ring_get -t 2 /ring 4` gets four items spaced 0.9 s apart
// (each put 0.9 s after the one before was printed). Each item's wait has a
// deadline of its own, computed before it: a deadline computed once, before
// the first item, passes before the fourth (put 2.7 s or more after the wait
// began). `tick` runs while it waits (the other parts' timed steps).
struct Spaced {
  Process p;
  std::string cmd;
  std::vector<std::string> items;
};
Spaced put_spaced(Context &cx, GraderRing &ring, const std::function<void()> &tick) {
  std::vector<std::string> args{"-t", "2", ring.name(), "4"};
  Spaced sp{cx.start("ring_get", args), command_line("ring_get", args), random_items(4)};
  Process &p = sp.p;
  Student st{&p, "ring_get", sp.cmd};
  cx.wait_until([&] { return tick(), futex_wait_of(p.pid()) && all_threads_asleep(p.pid()); },
                &p, cx.within(2s));
  for (size_t i = 0; i < sp.items.size() && !p.done(); ++i) {
    if (i > 0) {
      std::string printed = as_lines(std::span(sp.items).first(i));
      cx.wait_until([&] { return tick(), p.stdout_so_far() == printed; }, &p, cx.within(2s));
      auto put_at = Clock::now() + 900ms;  // the input's spacing, not a wait for an event
      cx.wait_until([&] { return tick(), Clock::now() >= put_at; }, &p, put_at);
      if (p.done()) break;
    }
    ring.put(cx, sp.items[i], {&st, 1}, fmt::format("as producer, putting item {} of 4", i + 1));
    cx.note(fmt::format("put item {} of 4", i + 1));
  }
  return sp;
}

// Judge the spaced part: all four items printed, exit 0.
void judge_spaced(Context &cx, Spaced &sp) {
  const Outcome &o = cx.finish(sp.p);
  std::string why = "each item's wait has its own deadline, now + SECONDS computed just before it";
  expect_stderr(o, "", sp.cmd, why + ": 0.9 s between items is well within 2 s");
  expect_exit(o, 0, sp.cmd, why);
  expect_stdout(o, as_lines(sp.items), sp.cmd, "print each item taken after sem_timedwait");
}

// Judge `ring_get -t 1 /ring 1` on an empty ring: exit 3 with its line, no
// sooner than 1 s after it started.
void judge_timeout(Context &cx, Process &p, const std::string &cmd) {
  const Outcome &o = cx.finish(p);
  expect_exit(o, 3, cmd, "use sem_timedwait, and exit 3 when it fails with ETIMEDOUT");
  if (o.wall_ms < 990)
    fail("`" + cmd + "` waits 1 s for an item before it gives up",
         fmt::format("it gave up after {:.0f} ms", o.wall_ms),
         "sem_timedwait takes an absolute CLOCK_REALTIME time: clock_gettime, then add SECONDS; "
         "a bare {SECONDS, 0} lies in 1970, long past");
  expect_stderr(o, "ring_get: no item within 1 s\n", cmd, "report the timeout exactly");
}

// Step 6: ring_get -t gives up after SECONDS, not before, and takes what comes
// in time. Its three parts run side by side, each on a ring of its own (they
// wait seconds by design), and are judged in order.
void timed_wait(Context &cx) {
  GraderRing ring = GraderRing::make(cx, "ring", 1, false);
  GraderRing spaced = GraderRing::make(cx, "spaced", 1, false);
  GraderRing signals = GraderRing::make(cx, "signals", 1, false);
  Interrupted in = start_interrupted(cx, signals);
  std::vector<std::string> args{"-t", "1", ring.name(), "1"};
  Process timeout = cx.start("ring_get", args);
  Spaced sp = put_spaced(cx, spaced, [&] { timeout.pump(Clock::now()), in.tick(cx); });
  judge_timeout(cx, timeout, command_line("ring_get", args));
  judge_spaced(cx, sp);
  judge_interrupted(cx, in);
}

// ---------------------------------------------------------------- unnamed

// The grader holds the -u ring's mutex while program p starts: p must come
// to sleep on that mutex (or spin: no-spinning judges that), having stored and
// taken nothing (in and out as they were). One that sem_inits the header's
// semaphores again resets mutex to 1 under the grader's feet and walks in.
// Then the grader lets the mutex go.
void expect_waits_for_held_mutex(Context &cx, GraderRing &ring, Process &p,
                                 const std::string &cmd) {
  uint32_t in = ring.header().in, out = ring.header().out;
  std::optional<Role> on;
  auto moved = [&] {
    p.pump(Clock::now());
    return ring.header().in != in || ring.header().out != out || !p.stdout_so_far().empty();
  };
  // Asleep on a semaphore of the ring, or spinning (no-spinning judges that): 100 ms of CPU.
  double cpu_then = cpu_ms_so_far(p.pid());
  cx.wait_until(
      [&] {
        auto w = futex_wait_of(p.pid());
        on = w ? ring.role_of(*w) : std::nullopt;
        return on || moved() || cpu_ms_so_far(p.pid()) - cpu_then >= 100 * cx.slow();
      },
      &p, cx.within(2s));
  if (p.done() || moved() || (on && on != mutex_sem))
    fail(fmt::format("`{}` waits for mutex, which the grader holds, storing and taking nothing",
                     cmd),
         fmt::format("{}; in {} (was {}), out {} (was {}), mutex reads {}",
                     p.done() ? "it " + p.outcome().describe()
                              : on ? "it sleeps on " + ring.label(*on) : "it never sleeps on mutex",
                     ring.header().in, in, ring.header().out, out, ring.value(mutex_sem)),
         "-u: use the header's semaphores as ring_init left them: a sem_init resets mutex "
         "under its holder's feet");
  check(sem_post(ring.sem(mutex_sem)), "sem_post");
}

// Step 7: `ring_put -u` starts on a ring that already holds an item (the
// grader's): it must use the header's semaphores as they are, so that item
// comes out first and its slot is never written over; then its own 6 items.
void unnamed_put_on_held_item(Context &cx, GraderRing &ring) {
  auto items = random_items(7);  // items[0] is the grader's own
  ring.put(cx, items[0], {}, "as producer, before ring_put -u starts");
  std::vector<std::string> put_args{"-u", ring.name()};
  check(sem_wait(ring.sem(mutex_sem)), "sem_wait");  // value 1: at once
  Process put = cx.start("ring_put", put_args, as_lines(std::span(items).subspan(1)));
  Student putter{&put, "ring_put", command_line("ring_put", put_args)};
  expect_waits_for_held_mutex(cx, ring, put, putter.cmd);
  cx.wait_until([&] { return ring.value(full_sem) >= 2 && all_threads_asleep(put.pid()); }, &put,
                cx.within(2s));
  for (size_t i = 0; i < items.size(); ++i)
    if (std::string t = ring.take(
            cx, {&putter, 1}, fmt::format("as consumer, taking item {} of 7", i + 1));
        t != items[i])
      fail(fmt::format("item {} is {}{}", i + 1, visible(items[i]),
                       i == 0 ? " (the grader's, in the ring before ring_put -u started)" : ""),
           "it is " + visible(t),
           "-u: use the header's semaphores as ring_init left them (never sem_init them "
           "again) and exactly as the named ones");
  expect_exit(cx.finish(put), 0, putter.cmd, "it must exit 0 at the end of its input");
}

// Step 7: `ring_get -u /ring 3` starts on a ring that already holds an item;
// the grader puts two more. It must print the three in order and exit 0, not
// sleep while an item is left in the ring.
void unnamed_get_on_held_item(Context &cx, GraderRing &ring) {
  auto items = random_items(3);
  ring.put(cx, items[0], {}, "as producer, before ring_get -u starts");
  std::vector<std::string> get_args{"-u", ring.name(), "3"};
  check(sem_wait(ring.sem(mutex_sem)), "sem_wait");  // value 1: at once
  Process get = cx.start("ring_get", get_args);
  Student getter{&get, "ring_get", command_line("ring_get", get_args)};
  expect_waits_for_held_mutex(cx, ring, get, getter.cmd);
  wait_asleep_on(cx, ring, get, full_sem, 2s);  // it took what it saw, and waits for more
  for (size_t i = 1; i < 3; ++i)
    ring.put(cx, items[i], {&getter, 1}, fmt::format("as producer, putting item {} of 3", i + 1));
  if (wait_asleep_on(cx, ring, get, full_sem, 3s) && !get.done()) {
    get.pump(Clock::now());
    auto printed = lines_of(get.stdout_so_far()).size();
    fail("`" + getter.cmd + "` takes the 3 items in the ring and exits 0",
         fmt::format("it sleeps on full (value {}) with {} item(s) left in the ring, having "
                     "printed {}",
                     ring.value(full_sem), 3 - std::min<size_t>(printed, 3),
                     visible(get.stdout_so_far())),
         "-u: use the header's semaphores as ring_init left them: never sem_init them again");
  }
  const Outcome &o = cx.finish(get);
  expect_exit(o, 0, getter.cmd, "it must exit 0 after COUNT items");
  expect_stdout(o, as_lines(items), getter.cmd,
                "use the header's semaphores exactly as the named ones");
}

// Step 7: -u puts process-shared semaphores in the header, and the ring works across processes.
void unnamed(Context &cx) {
  std::string name = cx.name("ring");
  std::vector<std::string> args{"-u", name, "2"};
  std::string cmd = command_line("ring_init", args);
  Outcome init = cx.run("ring_init", args);
  MadeRing made = hold_made(name);  // removed at the end, whatever fails
  expect_exit(init, 0, cmd, "shm_open, ftruncate, mmap or sem_init failed");
  for (Role r : roles)
    if (NamedSemaphore::exists(sem_name(name, r)))
      fail("no named semaphore with -u", sem_name(name, r) + " exists",
           "with -u the semaphores live in the ring's header: sem_init, not sem_open");
  GraderRing ring = GraderRing::adopt(name, 2, true, cmd);
  std::string got =
      fmt::format("{}, {}, {}", ring.value(empty_sem), ring.value(full_sem), ring.value(mutex_sem));
  if (got != "2, 0, 1")
    fail("the header's empty, full and mutex have the values 2, 0, 1", "they have " + got,
         "sem_init(&r->empty, 1, SLOTS), full 0, mutex 1, after mapping the object");

  unnamed_put_on_held_item(cx, ring);
  unnamed_get_on_held_item(cx, ring);
}

// ---------------------------------------------------------------- cleanup

// Step 8: ring_rm removes the object and its named semaphores; -u only the object.
void cleanup(Context &cx) {
  GraderRing named = GraderRing::make(cx, "ring", 2, false);
  std::vector<std::string> args{named.name()};
  std::string cmd = command_line("ring_rm", args);
  Outcome o = cx.run("ring_rm", args);
  expect_exit(o, 0, cmd, "shm_unlink or sem_unlink failed");
  expect_silent(o, cmd);
  std::vector<std::string> left;
  if (ShmObject::exists(named.name())) left.push_back(named.name());
  for (Role r : roles)
    if (NamedSemaphore::exists(sem_name(named.name(), r)))
      left.push_back(sem_name(named.name(), r));
  if (!left.empty())
    fail("`" + cmd + "` removes the ring and its three semaphores",
         fmt::format("still there: {}", fmt::join(left, ", ")),
         "sem_close only lets go of this process's handle; sem_unlink removes the name, as "
         "shm_unlink does for the object");
  GraderRing bare = GraderRing::make(cx, "bare", 2, true);
  std::vector<std::string> uargs{"-u", bare.name()};
  std::string ucmd = command_line("ring_rm", uargs);
  Outcome uo = cx.run("ring_rm", uargs);
  expect_exit(uo, 0, ucmd, "with -u there are no named semaphores to unlink: only the object");
  expect_silent(uo, ucmd);
  if (ShmObject::exists(bare.name()))
    fail("`" + ucmd + "` removes the object", "it still exists", "shm_unlink NAME");
}

// ---------------------------------------------------------------- System V

// Removes the semaphore set of a key when a check ends, whatever happened.
struct RemoveSetAtEnd {
  key_t key;
  ~RemoveSetAtEnd() { SysvSem::remove(key); }
};

// Step 9: SEM_UNDO gives the semaphore back when the process exits holding it.
void sysv_undo(Context &cx) {
  key_t key = cx.key(1);
  RemoveSetAtEnd guard{key};
  std::vector<std::string> args{key_arg(key)};
  std::string cmd = command_line("svsem_hold", args);
  Process p = cx.start_interactive("svsem_hold", args);
  cx.expect_handshake(p, cmd, "held", [&](const Outcome &o) {
    return o.timed_out && o.doing.find("semtimedop") != std::string::npos &&
                   SysvSem::value(key) == 0
               ? "it slept in semop on a set of value 0: a new set starts at 0; set it to 1 "
                 "(SETVAL) before taking it with semop -1"
               : "";
  });
  auto value = SysvSem::value(key);
  auto last = SysvSem::last_pid(key);
  pid_t own = own_pid_of(p.pid()).value_or(p.pid());
  if (!value)
    fail("a semaphore set for key " + key_arg(key) + " at `held`", "there is none",
         "semget with IPC_CREAT | IPC_EXCL");
  if (auto mode = SysvSem::mode(key); mode && *mode != 0600)
    fail(fmt::format("`{}` creates the set with mode 0600", cmd),
         fmt::format("its permissions are {:04o}", *mode),
         "semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600): System V ignores the umask");
  if (*value != 0 || !last || (*last != p.pid() && *last != own))
    fail(fmt::format("at `held`: value 0, last operated on by pid {}", own),
         fmt::format("value {}, last pid {}", *value, last.value_or(-1)),
         "set the value to 1 (SETVAL), then take it with semop -1");
  p.write_stdin("\n");
  const Outcome &o = cx.finish(p);
  expect_exit(o, 0, cmd, "it must exit 0 after the handshake");
  expect_stdout(o, "held\n", cmd, "print the handshake word and nothing else on stdout");
  expect_stderr(o, "", cmd, "on success stderr stays empty: no progress or debug lines");
  if (auto after = SysvSem::value(key); after != 1)
    fail("once svsem_hold has exited, the kernel has undone its -1: value 1",
         after ? fmt::format("value {}", *after) : std::string("the set is gone"),
         "pass SEM_UNDO in sem_flg, and leave the set in place (no IPC_RMID)");
}

// ---------------------------------------------------------------- errors

// Step 10: bad input gets the contract's line and exit code, and creates nothing.
void bad_input(Context &cx) {
  std::string r = cx.name("r"), nosem = cx.name("nosem"), c = cx.name("c");
  std::string missing = cx.name("missing");
  std::string plain = r.substr(r.rfind('/') + 1) + "x";
  expect_bad_calls(
      cx,
      {{"ring_init", {plain, "4"}, 2, "ring_init: NAME must start with '/': " + plain + "\n"},
       {"ring_init", {r, "0"}, 2, "ring_init: SLOTS must be between 1 and 64\n"},
       {"sem_counter", {nosem, c, "10"}, 1, "sem_counter: sem_open: No such file or directory\n"},
       {"ring_put", {missing}, 1, "ring_put: shm_open: No such file or directory\n"}});
  for (const auto &n : {r, "/" + plain, c, missing})
    if (ShmObject::exists(n))
      fail("no object named " + n, "a program created it",
           "check the arguments first; only ring_init creates, and only with O_CREAT");
  for (const auto &n : {nosem, sem_name(r, empty_sem), sem_name(missing, empty_sem)})
    if (NamedSemaphore::exists(n))
      fail("no semaphore named " + n, "a program created it",
           "sem_counter and ring_put open existing semaphores: no O_CREAT");
}

// Makes a System V semaphore set for `key`, as another program would have.
void make_sem_set(key_t key) {
  if (semget(key, 1, IPC_CREAT | IPC_EXCL | 0600) == -1)
    throw std::system_error(errno, std::generic_category(), "semget " + key_arg(key));
}

// Step 10: every usage line, every data error, and ring_rm's failures: the
// contract's line and exit code; ring_rm tries every removal.
void error_paths(Context &cx) {
  auto uid = cx.sandbox().student_uid();
  NamedSemaphore lock = NamedSemaphore::create(cx.name("lock"), 1, uid);
  ShmObject four = ShmObject::create(cx.name("c"), random_bytes(4), uid);
  ShmObject junk = ShmObject::create(cx.name("junk"), random_bytes(200), uid);
  GraderRing bare = GraderRing::make(cx, "bare", 2, true);  // no named semaphores
  std::string missing = cx.name("missing"), r = cx.name("r");
  std::string plain = r.substr(r.rfind('/') + 1) + "x";
  key_t key = cx.key(2);
  RemoveSetAtEnd guard{key};
  make_sem_set(key);
  std::string gone = cx.name("gone");  // semaphores but no object
  std::vector<NamedSemaphore> sems;
  for (Role role : roles) sems.push_back(NamedSemaphore::create(sem_name(gone, role), 1, uid));
  expect_bad_calls(
      cx,
      {{"sem_counter", {}, 2, "usage: sem_counter SEM SHM ITERATIONS\n"},
       {"sem_counter", {lock.name(), four.name(), "0"}, 2,
        "usage: sem_counter SEM SHM ITERATIONS\n"},
       {"sem_counter", {lock.name(), four.name(), "5x"}, 2,
        "usage: sem_counter SEM SHM ITERATIONS\n"},
       {"sem_counter", {lock.name(), plain, "1"}, 2,
        "sem_counter: NAME must start with '/': " + plain + "\n"},
       {"sem_counter", {lock.name(), missing, "1"}, 1,
        "sem_counter: shm_open: No such file or directory\n"},
       {"sem_counter", {lock.name(), four.name(), "1"}, 1,
        fmt::format("sem_counter: {} holds 4 bytes, fewer than 8\n", four.name())},
       {"ring_init", {}, 2, "usage: ring_init [-u] NAME SLOTS\n"},
       {"ring_init", {r, "65"}, 2, "ring_init: SLOTS must be between 1 and 64\n"},
       {"ring_init", {r, "4x"}, 2, "usage: ring_init [-u] NAME SLOTS\n"},
       {"ring_put", {}, 2, "usage: ring_put [-u] NAME\n"},
       {"ring_put", {junk.name()}, 1, fmt::format("ring_put: {} is not a ring\n", junk.name())},
       {"ring_put", {bare.name()}, 1, "ring_put: sem_open: No such file or directory\n"},
       {"ring_get", {}, 2, "usage: ring_get [-u] [-t SECONDS] NAME COUNT\n"},
       {"ring_get", {bare.name(), "0"}, 2, "usage: ring_get [-u] [-t SECONDS] NAME COUNT\n"},
       {"ring_get", {"-t", "0", bare.name(), "1"}, 2,
        "usage: ring_get [-u] [-t SECONDS] NAME COUNT\n"},
       {"ring_get", {"-t", "3601", bare.name(), "1"}, 2,
        "usage: ring_get [-u] [-t SECONDS] NAME COUNT\n"},
       {"ring_get", {junk.name(), "1"}, 1,
        fmt::format("ring_get: {} is not a ring\n", junk.name())},
       {"ring_rm", {}, 2, "usage: ring_rm [-u] NAME\n"},
       {"ring_rm", {missing}, 1, "ring_rm: shm_unlink: No such file or directory\n"},
       {"ring_rm", {gone}, 1, "ring_rm: shm_unlink: No such file or directory\n"},
       {"ring_rm", {bare.name()}, 1, "ring_rm: sem_unlink: No such file or directory\n"},
       {"svsem_hold", {}, 2, "usage: svsem_hold KEY\n"},
       {"svsem_hold", {"0"}, 2, "usage: svsem_hold KEY\n"},
       {"svsem_hold", {key_arg(key)}, 1, "svsem_hold: semget: File exists\n"}});
  for (Role role : roles)
    if (NamedSemaphore::exists(sem_name(gone, role)))
      fail("`ring_rm " + gone + "` removes " + sem_name(gone, role) + " although " + gone +
               " is missing",
           "it is still there", "try every removal, even after one has failed");
  if (ShmObject::exists(bare.name()))
    fail("`ring_rm " + bare.name() + "` removes the object before its sem_unlink fails",
         "it is still there", "shm_unlink first, then try every sem_unlink");
  for (const auto &n : {missing, r, "/" + plain})
    if (ShmObject::exists(n))
      fail("no object named " + n, "a program created it",
           "check the arguments first; only ring_init creates, and only with O_CREAT");
  // A line of 61 bytes is an error; the line before it has been put.
  GraderRing ring = GraderRing::make(cx, "ring", 4, false);
  std::vector<std::string> args{ring.name()};
  std::string cmd = command_line("ring_put", args);
  std::string first = random_word(60);
  Outcome out = cx.run("ring_put", args, first + "\n" + random_word(61) + "\nnever\n");
  expect_exit(out, 1, cmd, "a line of more than 60 bytes is a data error: exit 1");
  expect_stderr(out, "ring_put: line 2 is longer than 60 bytes\n", cmd,
                "report it exactly as the contract says, with the line's number");
  if (ring.value(full_sem) != 1 || ring.item(0) != first)
    fail("line 1 (60 bytes) put before line 2 is refused: full 1, slot 0 holds it",
         fmt::format("full {}, slot 0 holds {}", ring.value(full_sem), visible(ring.item(0))),
         "check each line's length as it comes; put the ones before it");
}

}  // namespace
}  // namespace sem_checks

Lab sem_lab() {
  using namespace sem_checks;
  return Lab{
      "sem",
      "04-sem",
      "POSIX and System V semaphores",
      {"sem_counter", "ring_init", "ring_put", "ring_get", "ring_rm", "svsem_hold"},
      {
          {"counter", "N processes × M increments under the semaphore: exactly N×M", 5, step1, 10s,
           counter,
           "makes SEM (value 1) and an 8-byte SHM with a random start value S; three `sem_counter "
           "SEM SHM 200`, spread over the CPUs, all `ready`, then released together. Six times "
           "the grader holds the process that reaches its `sched_yield` there (between its read "
           "and its store): every other one must sleep in `sem_wait` on SEM; then it holds its "
           "`sem_post` (the futex wake), and the counter must have grown by 1. All exit 0, each "
           "made 200 `sched_yield` calls, and the counter is S + 600.",
           "no `sem_wait`/`sem_post` around the counter; a `sem_post` before the store; the "
           "counter read before `sem_wait`."},
          {"holds-semaphore", "while the grader holds the semaphore, nobody moves", 4, step1, 10s,
           holds_semaphore,
           "the same setup with 3 processes; after `ready` the grader takes SEM itself and "
           "releases them: each must sleep in `sem_wait` on SEM (a futex wait inside "
           "`/dev/shm/sem.NAME`) and the counter must stay at S; the grader posts; all exit 0.",
           "a semaphore of its own (another name, `O_CREAT`); waiting before the handshake."},
          {"keeps-names", "sem_counter unlinks nothing and prints only ready", 1, step1, 5s,
           keeps_names,
           "makes SEM (value 1) and an 8-byte SHM with a random start value S; one `sem_counter "
           "SEM SHM 3`, released after `ready`: exit 0, stdout exactly `ready\\n`, stderr empty; "
           "SEM and SHM still exist, and the counter is S + 3.",
           "`sem_unlink` or `shm_unlink` at the end (others still use them); a progress line; "
           "`MAP_PRIVATE`."},
          {"ring-init", "ring_init: the object, its header, three semaphores", 3, step2, 5s,
           ring_init,
           "`ring_init /ring 5` (umask 022): exit 0, nothing printed; the object is 448 bytes, "
           "magic `RING`, slots 5, in 0, out 0; `/ring-empty` 5, `/ring-full` 0, `/ring-mutex` 1 "
           "(`sem_getvalue`); the object and the three semaphores have mode 0600.",
           "`ENOENT` from the unlinks treated as fatal (on a first run there is nothing to "
           "remove); the values in the wrong order; `ftruncate` to the wrong size; magic not "
           "written; mode 0666 (0644 under umask 022); a progress line."},
          {"stale", "objects left by an earlier run do not spoil a new ring", 3, step2, 5s, stale,
           "a stale `/ring` (100 bytes of garbage) and stale semaphores (empty 0, full 3, mutex 0) "
           "exist first; `ring_init /ring 4` must leave a fresh ring and the values 4, 0, 1.",
           "`O_CREAT` without unlinking first (the old values stay); `O_EXCL` without unlinking "
           "(`File exists`)."},
          {"producer", "every item ring_put puts arrives once, in order", 4, step3, 10s, producer,
           "grader-made ring (4 slots), whose `mutex` the grader holds first; `ring_put /ring` "
           "with 20 random lines must sleep on `mutex` having stored nothing. Then the grader "
           "holds each of its posts (the futex wakes of `mutex` and `full`) for the first 4 "
           "items: before each, the item must be in its slot and `in` past it. The grader "
           "consumes: every item once, in order; exit 0; values back at 4, 0, 1.",
           "a slot filled before `wait(mutex)` or after `post(mutex)`; `full` posted before the "
           "store; a post forgotten on one path (the last item); `in` not advanced or not "
           "wrapped; `len` not set."},
          {"producer-full", "a full ring makes ring_put wait, overwriting nothing", 4, step3, 10s,
           producer_full,
           "grader-made ring (3 slots), 8 lines; the grader does not consume until the producer is "
           "asleep: slots hold lines 1 to 3 (no overwrite), `full` = 3, producer still running; "
           "then the grader consumes one at a time and gets all 8 in order; exit 0, nothing "
           "printed. A deadlock is diagnosed: who is blocked on which semaphore.",
           "`wait(mutex)` before `wait(empty)` (deadlock); no `wait(empty)` at all (overwrites); "
           "a debug line on stderr."},
          {"consumer", "ring_get prints every item once, in order", 4, step4, 10s, consumer,
           "grader-made ring (4 slots), filled by the grader, whose `mutex` it holds; `ring_get "
           "/ring 20` must sleep on `mutex` having taken nothing. The grader holds its posts: "
           "`out` must be past slot 0 before `post(mutex)`; at `post(empty)` the grader puts "
           "item 5 into the freed slot, and ring_get must still print item 1. Then the grader "
           "produces the rest: 20 items printed once each, in order; exit 0.",
           "the slot copied after `post(empty)`, or read and `out` moved after `post(mutex)`; "
           "`out` not advanced; `%s` instead of `len` bytes; the wrong semaphore posted."},
          {"consumer-empty", "an empty ring makes ring_get wait, taking nothing", 3, step4, 10s,
           consumer_empty,
           "`ring_get /ring 3` on an empty ring: once asleep, it has printed nothing and taken "
           "nothing (`full` 0, `out` 0); the grader produces one item at a time, and each is "
           "printed before the next is produced; stderr empty.",
           "`empty` and `full` swapped; stdout not flushed after each item; the newline missing."},
          {"no-spinning", "both sides sleep in sem_wait, not on the CPU", 3, step4, 10s,
           no_spinning,
           "a producer on a full ring and a consumer on an empty ring must each sleep in "
           "`sem_wait` (a futex wait on the right semaphore) within 1 s; one that does not is "
           "reported with its CPU time.",
           "`sem_trywait` in a loop; a `usleep` polling loop."},
          {"many", "3 producers, 2 consumers: nothing lost, nothing twice", 4, step5, 15s, many,
           "grader-made ring (4 slots); 3 × `ring_put` (30 lines each) and 2 × `ring_get /ring 45` "
           "at once; the consumers' lines are exactly the 90 lines (nothing lost, nothing twice), "
           "and each consumer sees each producer's lines in order.",
           "`in`, `out` or a slot touched outside the mutex; the item copied after `post(empty)`."},
          {"eintr", "a signal during sem_wait does not end the wait", 3, step6, 15s, eintr,
           "`ring_get /ring 2` asleep on an empty ring gets `SIGUSR1` 3 times (each time the "
           "grader waits until it sleeps again), then 2 items: it prints both, exit 0. The same "
           "for `ring_put` on a full ring.",
           "no handler (killed by `SIGUSR1`); `EINTR` treated as fatal."},
          {"timed-wait", "ring_get -t gives up after SECONDS, not before", 2, step6, 20s,
           timed_wait,
           "`ring_get -t 1 /ring 1` on an empty ring exits 3 with `ring_get: no item within 1 s`, "
           "no sooner than 1 s after it started. `ring_get -t 2 /ring 4` gets four items the "
           "grader puts 0.9 s apart (each 0.9 s after the one before was printed). `ring_get -t 2 "
           "/ring 1` on an empty ring gets `SIGUSR1` three times at once and once more 1.8 s into "
           "its wait: it keeps waiting, and gives up (exit 3) within 2.9 s of when its wait began.",
           "a relative `{SECONDS, 0}` as the deadline; `CLOCK_MONOTONIC` for the deadline; one "
           "deadline for all the items instead of one before each; `EINTR` taken for the timeout "
           "or for an error; a new deadline after each `EINTR`."},
          {"unnamed", "-u: sem_init(pshared 1) semaphores in the header work across processes", 4,
           step7, 10s, unnamed,
           "`ring_init -u /ring 2`: no named semaphores; the header's semaphores read 2, 0, 1 "
           "through the grader's mapping. `ring_put -u` (6 lines) starts on a ring that already "
           "holds one item of the grader's, while the grader holds the header's mutex: it must "
           "sleep on mutex having stored nothing; then the grader consumes: its item first, then "
           "the 6. `ring_get -u /ring 3` starts on a ring holding one item, the mutex again held: "
           "it must sleep on mutex having taken nothing; the grader then puts two more: it prints "
           "the three and exits 0.",
           "`pshared` 0 (a lost wake-up); `sem_init` in `ring_put` or `ring_get`; named semaphores "
           "made anyway."},
          {"cleanup", "ring_rm removes everything; nothing is left behind", 3, step8, 5s, cleanup,
           "grader-made ring and semaphores; `ring_rm /ring` removes all four; `ring_rm -u` only "
           "the object; both exit 0 and print nothing. Also the lab's cleanup check: anything left in `/dev/shm` or any System V "
           "set left by the lab's programs costs these points.",
           "`sem_close` instead of `sem_unlink`; stopping at the first failure; a program that "
           "creates what it should only open; `-u` ignored; a progress line.",
           true},
          {"sysv-undo", "SEM_UNDO gives the semaphore back at exit", 3, step9, 5s, sysv_undo,
           "`svsem_hold KEY`: at `held`, `GETVAL` 0, `GETPID` its pid and mode 0600; after it "
           "exits (0, stdout `held\\n` only, stderr empty), `GETVAL` 1.",
           "no `SEM_UNDO`; `SETVAL` forgotten (the set starts at 0, and `semop` sleeps); "
           "`IPC_RMID` before exiting; mode 0666; `held` not flushed."},
          {"bad-input", "errors: exact messages and exit codes", 2, step10, 5s, bad_input,
           "`ring_init r 4`: exit 2, `ring_init: NAME must start with '/': r`; `ring_init /r 0`: "
           "exit 2, `ring_init: SLOTS must be between 1 and 64`; `sem_counter /nosem /c 10`: exit "
           "1, `sem_counter: sem_open: No such file or directory`; `ring_put /missing`: exit 1, "
           "`ring_put: shm_open: No such file or directory`; nothing created.",
           "`O_CREAT` where a program should only open; SHM opened before SEM; `perror` wording or "
           "`argv[0]`."},
          {"error-paths", "usage lines, data errors, ring_rm's failures", 3, step10, 10s,
           error_paths,
           "each program without arguments prints its usage line (exit 2), as do `sem_counter "
           "SEM SHM 0` and `5x`, `ring_init /r 4x`, `ring_get /ring 0`, `ring_get -t 0` and `-t "
           "3601`, `svsem_hold 0`; `ring_init /r 65`: the SLOTS line; `sem_counter` with SHM "
           "`lockx`, with a missing SHM, and with a 4-byte SHM (`holds 4 bytes, fewer than 8`); "
           "`ring_put` and `ring_get` on a 200-byte object: `NAME is not a ring`; `ring_put` on "
           "a ring without named semaphores: `sem_open` ENOENT; `ring_rm` of a missing ring, of "
           "semaphores without their object (all three removed all the same) and of an object "
           "without semaphores (removed, then `sem_unlink` ENOENT); `svsem_hold` on a KEY with a "
           "set: `semget: File exists`; `ring_put` with a line of 60 bytes, then one of 61: exit "
           "1, `line 2 is longer than 60 bytes`, line 1 in the ring.",
           "`ring_rm` stopping at its first failure; a missing length check or one off by one; "
           "the range of COUNT, SECONDS or ITERATIONS not checked; `IPC_EXCL` missing in "
           "`svsem_hold`; `O_CREAT` where a program should only open."},
      }};
}

}  // namespace ipcg
