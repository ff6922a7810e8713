// mq_channel.hpp: a request channel made of two POSIX message queues,
// /NAME.c2s (client to server) and /NAME.s2c (server to client), each
// holding at most one message of at most CAP bytes. A queue keeps message
// boundaries: one mq_receive() gets one whole message, and its length.
#pragma once

#include <cstddef>
#include <mqueue.h>
#include <string>

#include "channel.hpp"

class MqChannel : public RequestChannel
{
public:
  // Creates or opens both queues, for messages of at most CAP bytes.
  MqChannel(const std::string &name, Side side, size_t cap);
  ~MqChannel() override;
  void cwrite(const void *msg, size_t len) override;
  size_t cread(void *buf, size_t cap) override;

  // Removes both queues of the channel NAME (ENOENT ignored).
  static void remove(const std::string &name);

private:
  std::string name_;       // the channel's name, e.g. "ctl"
  mqd_t in_ = (mqd_t) -1;  // the queue we receive from: /NAME.c2s (server) or /NAME.s2c (client)
  mqd_t out_ = (mqd_t) -1; // the queue we send to: /NAME.s2c (server) or /NAME.c2s (client)
};
