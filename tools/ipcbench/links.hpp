// links.hpp: every mechanism ipcbench measures, as a Link: one direction of
// a channel between two processes, made before fork. After fork one process
// only sends on it and the other only receives. A round trip uses two links,
// a bulk transfer one. See measure.hpp for how they are timed.
#pragma once
#include "copy.hpp"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ipcbench {

// One direction of a channel: n-byte messages, each send matched by one recv.
class Link {
 public:
  virtual ~Link() = default;
  // Send the n bytes at msg; blocks while the channel is full.
  virtual void send(const std::byte *msg, size_t n) = 0;
  // Receive one message into msg (n bytes); blocks while the channel is empty.
  virtual void recv(std::byte *msg, size_t n) = 0;
  // After fork, in the sending or the receiving process: close what this side
  // does not use, so that a peer's death reads as end-of-file, not a hang.
  virtual void keep_sender() {}
  virtual void keep_receiver() {}
};

// A mechanism cannot carry messages of this size here (a kernel limit):
// the cell is reported as n/a with this reason.
struct NotAvailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What every link of a run shares.
struct LinkOptions {
  CopyFn copy = nullptr;  // how the shm links copy in and out
  int ring_slots = 16;      // slots of shm-ring and spin
  double sem_spin = 0;      // seconds of sem_trywait before sem_wait sleeps (0: none)
  bool two_cpus = true;     // the two processes run on CPUs of their own
};

// A mechanism: its name, what it is, which measurements apply, and how to
// make one link for n-byte messages (throws NotAvailable for a limit).
struct Mechanism {
  const char *name;
  const char *what;
  bool reference;      // a physical reference, not an IPC mechanism
  bool copies_in_user; // the copy routine matters (the shm mechanisms)
  bool latency;        // measured as round trips
  bool throughput;     // measured as one-way bulk transfer
  bool payload;        // carries bytes (the futex reference carries none)
  std::unique_ptr<Link> (*make)(size_t n, const LinkOptions &options);
};

// Every mechanism, in report order: the IPC mechanisms, then the references
// that are links too (spin, futex). memcpy is measured apart (copy.hpp).
const std::vector<Mechanism> &all_mechanisms();

// The mechanism called `name`, or nullptr.
const Mechanism *find_mechanism(const std::string &name);

// Make the RLIMIT_MSGQUEUE soft limit as large as the hard one allows (for
// POSIX queues of large messages); returns a line saying what it did.
std::string raise_mqueue_limit();

}  // namespace ipcbench
