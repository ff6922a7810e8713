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
  todo("Step 2: mkfifo() PATH with mode 0600; EEXIST is fine (the other side made it), other errors die(\"mkfifo\")", path);
}

// Opens the FIFO file PATH with FLAGS (O_RDONLY or O_WRONLY) and returns
// the file descriptor. This waits until the other side opens it too.
int open_fifo(const std::string &path, int flags)
{
  todo("Step 2: open() PATH with FLAGS; die(\"open\") on failure; return the descriptor", path, flags);
}

// Writes all LEN bytes of BUF to FD: write() again for the rest as long as
// it writes fewer bytes than asked for.
void write_all(int fd, const char *buf, size_t len)
{
  todo("Step 2: write() BUF to FD until all LEN bytes are written: a write() may write fewer; die(\"write\") on failure", fd, buf, len);
}

// Reads exactly LEN bytes from FD into BUF: read() again for the rest as
// long as it reads fewer bytes than asked for. Returns false if the end of
// file comes first, true otherwise.
bool read_all(int fd, char *buf, size_t len)
{
  todo("Step 2: read() from FD into BUF until all LEN bytes are read (a read() may read fewer); return false if read() returns 0 (end of file) first; die(\"read\") on failure", fd, buf, len);
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
  todo("Step 2: open NAME.c2s, then NAME.s2c: the server reads c2s (O_RDONLY) and writes s2c (O_WRONLY), the client the other way round; keep them in in_fd_ and out_fd_");
}

// Sends one message: its length as a uint32_t, then its LEN bytes.
void FifoChannel::cwrite(const void *msg, size_t len)
{
  open_fifos();
  todo("Step 2: write_all() the length as a uint32_t, then the LEN bytes of MSG, to out_fd_", msg, len);
}

// Receives one message: its length, then that many bytes into BUF. Returns
// the length, or 0 if the other side has closed its end.
size_t FifoChannel::cread(void *buf, size_t cap)
{
  open_fifos();
  todo("Step 2: read_all() a uint32_t length from in_fd_ (end of file: return 0), check it is 1..CAP, read_all() that many bytes into BUF and return the length", buf, cap);
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
  todo("Step 8: unlink() NAME.c2s and NAME.s2c; ENOENT is fine (the other side was first), other errors die(\"unlink\")", name);
}
