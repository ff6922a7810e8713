// measure.cpp: the batch protocol between ipcbench and its helper, the
// rigs, warm-up and calibration, and the alternating trials. See measure.hpp.
#include "measure.hpp"

#include "sys.hpp"

#include <fmt/format.h>
#include <semaphore.h>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>

namespace ipcbench {

namespace {

// What ipcbench tells its helper, in a shared anonymous mapping: run a batch
// of `count` messages (or quit), announced by a post on `go`.
struct Control {
  sem_t go;
  uint64_t count = 0;
  int quit = 0;
};

// sem_wait, retried when a signal handler interrupts it.
void wait_go(sem_t *s) {
  while (sem_wait(s) == -1)
    if (errno != EINTR) throw_errno("sem_wait");
}

// Place the control block in its shared mapping, its semaphore at 0.
Control *make_control(const Mapping &m) {
  auto *c = new (m.data()) Control;
  check(sem_init(&c->go, 1, 0), "sem_init");
  return c;
}

// Stamp message i in its first 8 bytes (when it has 8), so the receiver can
// tell a lost, repeated or torn message from the right one.
void stamp(std::byte *msg, size_t n, uint64_t i) {
  if (n >= sizeof i) std::memcpy(msg, &i, sizeof i);
}

// Throw if a received message is not message i.
void check_stamp(const std::byte *msg, size_t n, uint64_t i, const char *mechanism) {
  uint64_t got = i;
  if (n >= sizeof got) std::memcpy(&got, msg, sizeof got);
  if (got != i)
    throw std::runtime_error(
        fmt::format("{}: message {} arrived as message {} (lost, repeated or torn)", mechanism, i, got));
}

// A helper process that runs batches until told to quit, and the shared
// control block that drives it.
class Session {
 public:
  // Fork the helper: it runs setup() once, then batch(count) for each batch.
  // (The child runs inside this constructor and never returns from it, so
  // the references it holds stay valid for its whole life.)
  Session(int cpu, const std::function<void()> &setup, const std::function<void(uint64_t)> &batch)
      : ctl_mem_(Mapping::shared_memory(sizeof(Control))),
        ctl_(make_control(ctl_mem_)),
        helper_(cpu, [this, &setup, &batch] {
          setup();
          for (;;) {
            wait_go(&ctl_->go);
            if (ctl_->quit) return;
            batch(ctl_->count);
          }
        }) {}
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  ~Session() { sem_destroy(&ctl_->go); }

  // Tell the helper to run a batch of `count` messages.
  void start(uint64_t count) {
    ctl_->count = count;
    check(sem_post(&ctl_->go), "sem_post");
  }
  // Tell the helper to exit, and wait for it.
  void finish() {
    helper_.expect_exit();
    ctl_->quit = 1;
    check(sem_post(&ctl_->go), "sem_post");
    helper_.join();
  }

 private:
  Mapping ctl_mem_;
  Control *ctl_;
  Helper helper_;
};

// One subject, ready to be timed.
class Rig {
 public:
  virtual ~Rig() = default;
  // Seconds for `count` round trips, messages or copies (one batch).
  virtual double batch(uint64_t count) = 0;
  // The sample a batch of `count` that took `seconds` gives (µs or GB/s).
  virtual double value(uint64_t count, double seconds) const = 0;
  // Let the helper exit (before the rig is destroyed, when all went well).
  virtual void finish() {}
};

// Round trips through two links of a mechanism; the helper echoes.
class LatencyRig : public Rig {
 public:
  LatencyRig(const Mechanism &m, size_t n, const Plan &plan)
      : m_(m),
        n_(n),
        there_(m.make(n, plan.link)),
        back_(m.make(n, plan.link)),
        out_(Mapping::private_memory(std::max<size_t>(n, 64))),
        in_(Mapping::private_memory(std::max<size_t>(n, 64))),
        session_(plan.cpu_helper, [this] { echo_setup(); }, [this](uint64_t c) { echo(c); }) {
    there_->keep_sender();
    back_->keep_receiver();
  }
  // An untimed first round trip (the helper wakes up), then count timed ones.
  double batch(uint64_t count) override {
    session_.start(count + 1);
    double t0 = 0;
    for (uint64_t i = 0; i <= count; ++i) {
      if (i == 1) t0 = now_seconds();
      stamp(out_.data(), n_, i);
      there_->send(out_.data(), n_);
      back_->recv(in_.data(), n_);
      check_stamp(in_.data(), n_, i, m_.name);
    }
    return now_seconds() - t0;
  }
  double value(uint64_t count, double seconds) const override {
    return seconds / static_cast<double>(count) * 1e6;
  }
  void finish() override { session_.finish(); }

 private:
  // In the helper: keep only its ends.
  void echo_setup() {
    there_->keep_receiver();
    back_->keep_sender();
  }
  // In the helper: receive n bytes and send them back, count times.
  void echo(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
      there_->recv(in_.data(), n_);
      back_->send(in_.data(), n_);
    }
  }
  const Mechanism &m_;
  size_t n_;
  std::unique_ptr<Link> there_, back_;  // ipcbench -> helper, helper -> ipcbench
  Mapping out_, in_;
  Session session_;
};

// Bulk transfer through one link: the helper sends, ipcbench receives.
class ThroughputRig : public Rig {
 public:
  ThroughputRig(const Mechanism &m, size_t n, const Plan &plan)
      : m_(m),
        n_(n),
        link_(m.make(n, plan.link)),
        out_(Mapping::private_memory(std::max<size_t>(n, 64))),
        in_(Mapping::private_memory(std::max<size_t>(n, 64))),
        session_(plan.cpu_helper, [this] { link_->keep_sender(); }, [this](uint64_t c) { send(c); }) {
    link_->keep_receiver();
  }
  // The first message untimed (the helper wakes up), then count timed ones.
  double batch(uint64_t count) override {
    session_.start(count + 1);
    double t0 = 0;
    for (uint64_t i = 0; i <= count; ++i) {
      link_->recv(in_.data(), n_);
      if (i == 0) t0 = now_seconds();
      check_stamp(in_.data(), n_, i, m_.name);
    }
    return now_seconds() - t0;
  }
  double value(uint64_t count, double seconds) const override {
    return static_cast<double>(count) * static_cast<double>(n_) / seconds / 1e9;
  }
  void finish() override { session_.finish(); }

 private:
  // In the helper: send count messages as fast as the link takes them.
  void send(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
      stamp(out_.data(), n_, i);
      link_->send(out_.data(), n_);
    }
  }
  const Mechanism &m_;
  size_t n_;
  std::unique_ptr<Link> link_;
  Mapping out_, in_;
  Session session_;
};

// A copy routine on ipcbench's own CPU, between two private buffers.
class CopyRig : public Rig {
 public:
  CopyRig(CopyFn copy, size_t n)
      : copy_(copy),
        n_(n),
        src_(Mapping::private_memory(std::max<size_t>(n, 64))),
        dst_(Mapping::private_memory(std::max<size_t>(n, 64))) {
    std::memset(src_.data(), 0x5a, n);
  }
  double batch(uint64_t count) override { return copy_seconds(copy_, src_.data(), dst_.data(), n_, count); }
  double value(uint64_t count, double seconds) const override {
    return static_cast<double>(count) * static_cast<double>(n_) / seconds / 1e9;
  }

 private:
  CopyFn copy_;
  size_t n_;
  Mapping src_, dst_;
};

// The rig for a subject.
std::unique_ptr<Rig> make_rig(const Subject &s, const Plan &plan) {
  switch (s.kind) {
    case Subject::latency: return std::make_unique<LatencyRig>(*s.mechanism, s.n, plan);
    case Subject::throughput: return std::make_unique<ThroughputRig>(*s.mechanism, s.n, plan);
    case Subject::copy: return std::make_unique<CopyRig>(s.copy_fn, s.n);
  }
  throw std::logic_error("unknown subject kind");
}

// Warm the rig up with batches that grow until one lasts an eighth of a
// trial; returns the count that makes a batch last about trial_seconds.
uint64_t calibrate(Rig &rig, double trial_seconds) {
  uint64_t count = 4;
  for (;;) {
    double t = rig.batch(count);
    if (t >= trial_seconds / 8 || count >= (uint64_t{1} << 40)) {
      double per = std::max(t, 1e-9) / static_cast<double>(count);
      return std::max<uint64_t>(8, static_cast<uint64_t>(trial_seconds / per));
    }
    count *= t > 0 ? std::clamp<uint64_t>(static_cast<uint64_t>(trial_seconds / 8 / t), 2, 16) : 16;
  }
}

}  // namespace

Stats summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  // The value at fraction q of the sorted samples, interpolated.
  auto at = [&](double q) {
    double pos = q * static_cast<double>(v.size() - 1);
    size_t lo = static_cast<size_t>(pos);
    size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
  };
  Stats s;
  s.trials = static_cast<int>(v.size());
  s.min = v.front();
  s.max = v.back();
  s.median = at(0.5);
  s.q1 = at(0.25);
  s.q3 = at(0.75);
  return s;
}

std::vector<Stats> measure_together(const std::vector<Subject> &subjects, const Plan &plan) {
  std::vector<std::unique_ptr<Rig>> rigs;
  for (const auto &s : subjects) rigs.push_back(make_rig(s, plan));
  std::vector<uint64_t> counts;
  for (auto &rig : rigs) counts.push_back(calibrate(*rig, plan.trial_seconds));
  std::vector<std::vector<double>> samples(rigs.size());
  for (int t = 0; t < plan.trials; ++t)
    for (size_t i = 0; i < rigs.size(); ++i)
      samples[i].push_back(rigs[i]->value(counts[i], rigs[i]->batch(counts[i])));
  std::vector<Stats> out;
  for (size_t i = 0; i < rigs.size(); ++i) {
    rigs[i]->finish();
    out.push_back(summarize(samples[i]));
  }
  return out;
}

Stats measure(const Subject &subject, const Plan &plan) { return measure_together({subject}, plan)[0]; }

}  // namespace ipcbench
