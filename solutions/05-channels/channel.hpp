// channel.hpp: a request channel, one two-way connection between the client
// and the server, named NAME (e.g. "ctl", or "ctl.ch1" for a channel that a
// NEWCHANNEL request makes). It has two directions:
// c2s (client to server) and s2c (server to client), and carries messages
// of 1 to CAP bytes, each received whole, with its length. Three classes
// implement it: FifoChannel (FIFO files), MqChannel (POSIX message queues)
// and ShmChannel (POSIX shared memory and named semaphores).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

// Which end of the channel this process holds.
enum class Side { server, client };

// One two-way channel. Both sides create or open its objects (whoever
// comes first creates them) and both sides, when done, close and remove
// them: whoever comes second finds them gone (ENOENT), which is fine.
class RequestChannel
{
public:
  RequestChannel() = default;
  RequestChannel(const RequestChannel &) = delete;
  RequestChannel &operator=(const RequestChannel &) = delete;

  // Closes AND unlinks every object of the channel (ENOENT ignored).
  virtual ~RequestChannel();

  // Sends one message of LEN bytes (1..CAP) to the other side. Exits via
  // die() on failure.
  virtual void cwrite(const void *msg, size_t len) = 0;

  // Receives one message into BUF (CAP bytes) and returns its length (not
  // the capacity). Returns 0 when the peer has gone (FIFO: end of file);
  // dies on failure.
  virtual size_t cread(void *buf, size_t cap) = 0;
};

// Makes this process's end SIDE of the channel NAME of TYPE ('f', 'q' or
// 's'), for messages of at most CAP bytes.
std::unique_ptr<RequestChannel> make_channel(char type, const std::string &name, Side side,
                                             size_t cap);

// Removes every object that a channel NAME of TYPE may have left behind
// (files, queues, objects, semaphores); those that do not exist are fine.
void remove_channel(char type, const std::string &name);
