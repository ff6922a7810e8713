// mq_channel.cpp: a request channel over two POSIX message queues (see
// mq_channel.hpp). Each queue holds one message of at most CAP bytes: an
// unprivileged user may not ask for more than /proc/sys/fs/mqueue/msg_max
// (10) messages or msgsize_max (8192) bytes, and one is all we need, as
// each side waits for the other's answer before it sends again.

#include "mq_channel.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>

#include "chanlab.hpp"

// Returns the name of the queue of channel NAME for direction DIR ("c2s" or "s2c").
std::string queue_name(const std::string &name, const char *dir) { return "/" + name + "." + dir; }

// Creates the queue QNAME, or opens it if the other side was first, for
// reading and writing; it holds one message of at most CAP bytes.
mqd_t open_queue(const std::string &qname, size_t cap)
{
  todo("Step 5: create or open the queue QNAME for both sending and receiving, with room for one message of CAP bytes (see Step 5 and 'Queue limits')", qname, cap);
}

// Opens both queues of the channel NAME: SIDE receives on one and sends on the other.
MqChannel::MqChannel(const std::string &name, Side side, size_t cap) : name_(name)
{
  mqd_t c2s = open_queue(queue_name(name, "c2s"), cap);
  mqd_t s2c = open_queue(queue_name(name, "s2c"), cap);
  in_ = side == Side::server ? c2s : s2c;
  out_ = side == Side::server ? s2c : c2s;
}

// Sends one message of LEN bytes: it waits while the queue is full.
void MqChannel::cwrite(const void *msg, size_t len)
{
  todo("Step 5: send MSG as one message to out_ (see Step 5 and 'Message queues as a channel')", msg, len);
}

// Receives one message into BUF (CAP bytes, at least the queue's
// mq_msgsize) and returns its length, which mq_receive() returns.
size_t MqChannel::cread(void *buf, size_t cap)
{
  todo("Step 5: receive one message from in_ into BUF and return its real length (see Step 5 and 'Message queues as a channel')", buf, cap);
}

// Closes both queues and removes them.
MqChannel::~MqChannel()
{
  // Step 5: mq_close() in_ and out_
  // Step 8: remove(name_): a channel leaves nothing behind
}

// Removes both queues of the channel NAME; those that are gone already are fine.
void MqChannel::remove(const std::string &name)
{
  todo("Step 8: remove both queues of NAME; queues gone already are fine (see Step 8 and 'Clean-up in destructors')", name);
}
