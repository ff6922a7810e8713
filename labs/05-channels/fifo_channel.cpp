// fifo_channel.cpp: a request channel over two FIFO files (see
// fifo_channel.hpp). A FIFO is a byte stream, not a message queue: a read()
// may return fewer bytes than asked for, and a write() that a signal
// interrupts may have written only part of its bytes; so a message carries
// its length, and both directions loop until all the bytes have moved.

#include "fifo_channel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chanlab.hpp"

// Returns the path of the FIFO of channel NAME for direction DIR ("c2s" or "s2c").
std::string fifo_path(const std::string &name, const char *dir) { return name + "." + dir; }

// Makes the FIFO file PATH, mode 0600, unless it exists already.
void make_fifo(const std::string &path)
{
  todo("Step 2: make the FIFO file PATH unless the other side has made it already (see Step 2 and 'FIFOs: a pipe with a name')", path);
}

// Opens the FIFO file PATH with FLAGS (O_RDONLY or O_WRONLY) and returns
// the file descriptor. This waits until the other side opens it too.
int open_fifo(const std::string &path, int flags)
{
  todo("Step 2: open the FIFO PATH with FLAGS and return its descriptor (see Step 2 and 'The order of open')", path, flags);
}

// Writes all LEN bytes of BUF to FD: write() again for the rest as long as
// it writes fewer bytes than asked for.
void write_all(int fd, const char *buf, size_t len)
{
  todo("Step 2: write all LEN bytes of BUF to FD, however few each write takes (see Step 2 and 'Short writes and short reads')", fd, buf, len);
}

// Reads exactly LEN bytes from FD into BUF: read() again for the rest as
// long as it reads fewer bytes than asked for. Returns false if the end of
// file comes first, true otherwise.
bool read_all(int fd, char *buf, size_t len)
{
  todo("Step 2: read exactly LEN bytes from FD into BUF; false if the writer has gone first (see Step 2 and 'Short writes and short reads')", fd, buf, len);
}

// Makes both FIFO files of the channel NAME: whichever side comes first
// makes them, the other finds them there.
FifoChannel::FifoChannel(const std::string &name, Side side) : name_(name), side_(side)
{
  make_fifo(fifo_path(name_, "c2s"));
  make_fifo(fifo_path(name_, "s2c"));
}

// Opens both FIFOs, on the first cwrite() or cread(). Both sides open
// NAME.c2s first, then NAME.s2c: an open() waits for the other side to open
// the same FIFO, so if one side began with the other FIFO, each would wait
// for the other forever.
void FifoChannel::open_fifos()
{
  if (in_fd_ != -1)
    return; // opened already
  todo("Step 2: open both FIFOs in the contract's order, the way round that this side needs (see Step 2 and 'The order of open, and a deadlock')");
}

// Sends one message: its length as a uint32_t, then its LEN bytes.
void FifoChannel::cwrite(const void *msg, size_t len)
{
  open_fifos();
  todo("Step 2: send MSG as one message that the reader can find the end of (see Step 2 and 'Messages on a byte stream')", msg, len);
}

// Receives one message: its length, then that many bytes into BUF. Returns
// the length, or 0 if the other side has closed its end.
size_t FifoChannel::cread(void *buf, size_t cap)
{
  open_fifos();
  todo("Step 2: receive one whole message into BUF and return its length, or 0 if the peer has gone (see Step 2 and 'Messages on a byte stream')", buf, cap);
}

// Closes both FIFOs and removes their files.
FifoChannel::~FifoChannel()
{
  // Step 2: close() in_fd_ and out_fd_ (if they are open)
  // Step 8: remove(name_): a channel leaves nothing behind
}

// Removes both FIFO files of the channel NAME; those that are gone already are fine.
void FifoChannel::remove(const std::string &name)
{
  todo("Step 8: remove both FIFO files of NAME; files gone already are fine (see Step 8 and 'Clean-up in destructors')", name);
}
