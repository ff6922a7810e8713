// channel.cpp: the channel factory (see channel.hpp): picks the class that
// implements a channel TYPE.

#include "channel.hpp"

#include "chanlab.hpp"
#include "fifo_channel.hpp"
#include "mq_channel.hpp"
#include "shm_channel.hpp"

// Nothing to do here: each class's own destructor closes and unlinks its objects.
RequestChannel::~RequestChannel() = default;

// Makes SIDE's end of the channel NAME of TYPE with messages of at most CAP bytes.
std::unique_ptr<RequestChannel> make_channel(char type, const std::string &name, Side side,
                                             size_t cap)
{
  todo("Step 1: return this side's end of the channel NAME as the class that TYPE names (see Step 1 and 'One interface, three classes')", type, name, side, cap);
}

// Removes what a channel NAME of TYPE may have left behind.
void remove_channel(char type, const std::string &name)
{
  todo("Step 8: remove every name that a channel NAME of TYPE may have left, through that class's remove() (see Step 8 and 'Clean-up in destructors')", type, name);
}
