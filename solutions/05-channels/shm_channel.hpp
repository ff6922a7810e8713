// shm_channel.hpp: a request channel made of POSIX shared memory and named
// semaphores. Each direction D ("c2s" and "s2c") of channel NAME has a
// shared memory object /NAME.D that holds one Slot, and two semaphores:
// /NAME.D.empty (1 while the slot is free) and /NAME.D.full (1 while it
// holds a message nobody has taken yet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <semaphore.h>
#include <string>

#include "channel.hpp"

// The start of a direction's shared memory object, which is 8 + CAP bytes:
// struct Slot { uint32_t len; uint32_t pad; char data[CAP]; }. C++ has no
// arrays whose size is only known at run time, so slot_data() finds data[].
struct Slot {
  uint32_t len; // how many bytes of data[] the message uses, 1..CAP
  uint32_t pad; // zero
};
static_assert(sizeof(Slot) == 8, "a slot is 8 bytes before its data");

// Returns the CAP bytes of data that follow the slot's header.
inline char *slot_data(Slot *slot) { return reinterpret_cast<char *>(slot + 1); }

// One direction of a ShmChannel, as this process has it open.
struct ShmDirection {
  int fd = -1;            // the shared memory object /NAME.D
  Slot *slot = nullptr;   // the object, mapped
  sem_t *empty = nullptr; // /NAME.D.empty: 1 while the slot is free
  sem_t *full = nullptr;  // /NAME.D.full: 1 while the slot holds a message
};

class ShmChannel : public RequestChannel
{
public:
  // Creates or opens both directions' objects and semaphores, for messages
  // of at most CAP bytes.
  ShmChannel(const std::string &name, Side side, size_t cap);
  ~ShmChannel() override;
  void cwrite(const void *msg, size_t len) override;
  size_t cread(void *buf, size_t cap) override;

  // Removes the objects and semaphores of both directions of the channel
  // NAME (ENOENT ignored).
  static void remove(const std::string &name);

private:
  std::string name_; // the channel's name, e.g. "ctl"
  size_t cap_;       // the most bytes a message may have
  ShmDirection in_;  // where we receive: c2s (server) or s2c (client)
  ShmDirection out_; // where we send: s2c (server) or c2s (client)
};
