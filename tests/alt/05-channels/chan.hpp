// chan.hpp: what the server and the client of the second, independently
// written implementation of lab 05 share: the messages, error exits, and the
// three kinds of channel. Written from handouts/05-channels.md's Contract alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace alt {

enum : uint32_t { DATA = 1, FILE_REQ = 2, NEWCHANNEL = 3, QUIT = 4 };
struct DataReq { uint32_t type, row, col; };
struct FileReq { uint32_t type, length; uint64_t offset; };
static_assert(sizeof(DataReq) == 12 && sizeof(FileReq) == 16, "wire sizes");
constexpr int64_t NO_VALUE = INT64_MIN;
constexpr uint64_t NO_DATA = UINT64_MAX;

extern const char *prog;                 // "server" or "client"
// Called by a client-side FIFO channel when the server has gone (EOF, EPIPE);
// null in the server, where that cannot be handled.
extern void (*peer_gone)();

// Prints "PROG: CALL: STRERROR" and exits 1.
[[noreturn]] void die(const char *call);
// Prints "PROG: " and the message; exits CODE.
[[noreturn]] void fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum class Side { server, client };

// One two-way channel; the destructor closes and unlinks its objects.
class Channel {
 public:
  Channel() = default;
  Channel(const Channel &) = delete;
  Channel &operator=(const Channel &) = delete;
  virtual ~Channel() = default;
  // Sends one message of LEN bytes.
  virtual void send(const void *msg, size_t len) = 0;
  // Receives one message into BUF (CAP bytes); its length, 0 at a FIFO's EOF.
  virtual size_t recv(void *buf, size_t cap) = 0;
};

// This process's end of channel NAME of type T ('f', 'q' or 's').
std::unique_ptr<Channel> open_channel(char t, const std::string &name, Side side, size_t cap);
// Unlinks every name of channel NAME of type T (ENOENT ignored).
void unlink_channel(char t, const std::string &name);

}  // namespace alt
