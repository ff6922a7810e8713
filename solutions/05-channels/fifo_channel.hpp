// fifo_channel.hpp: a request channel made of two FIFO files in the
// current directory: NAME.c2s (client to server) and NAME.s2c (server to
// client). A message is a 4-byte length (uint32_t) followed by its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "channel.hpp"

class FifoChannel : public RequestChannel
{
public:
  // Makes both FIFO files (if the other side has not yet). They are opened
  // on first use: open() of a FIFO waits until the other side opens it too.
  FifoChannel(const std::string &name, Side side);
  ~FifoChannel() override;
  void cwrite(const void *msg, size_t len) override;
  size_t cread(void *buf, size_t cap) override;

  // Removes the FIFO files of the channel NAME (ENOENT ignored).
  static void remove(const std::string &name);

private:
  void open_fifos();

  std::string name_; // the channel's name, e.g. "ctl"
  Side side_;        // which end we hold
  int in_fd_ = -1;   // the FIFO we read: NAME.c2s (server) or NAME.s2c (client)
  int out_fd_ = -1;  // the FIFO we write: NAME.s2c (server) or NAME.c2s (client)
};
