// protocol.hpp: the messages that the client and the server exchange over a
// request channel (see channel.hpp). Every request starts with its type;
// numbers are in the machine's byte order. A reply has no header: it is the
// data alone, and its length is the length of the message.
#pragma once

#include <cstddef>
#include <cstdint>

// The type of a request, its first 4 bytes.
enum MsgType : uint32_t { DATA_MSG = 1, FILE_MSG = 2, NEWCHANNEL_MSG = 3, QUIT_MSG = 4 };

// DATA: asks for the value at (row, col) of the table, both 0-based. The
// reply: the value, an int64_t (8 bytes); NO_VALUE if the cell is outside
// the table.
struct DataMsg {
  uint32_t type; // DATA_MSG
  uint32_t row;  // 0-based row of the table
  uint32_t col;  // 0-based column of the table
};
static_assert(sizeof(DataMsg) == 12, "a DATA request is 12 bytes");

// FILE: asks for LENGTH bytes of the file DATADIR/NAME from OFFSET; NAME
// follows the struct, NUL included. The reply: exactly LENGTH bytes; or,
// for offset 0 and length 0, the file's size as a uint64_t (8 bytes); or
// NO_DATA if the file cannot be read or the range is not inside it.
struct FileMsg {
  uint32_t type;   // FILE_MSG
  uint32_t length; // how many bytes, 1..CAP; 0 (with offset 0): the size
  uint64_t offset; // where they start in the file
  // then the file's name, NUL-terminated, without a '/'
};
static_assert(sizeof(FileMsg) == 16, "a FILE request is 16 bytes before the name");

// NEWCHANNEL and QUIT: the type alone. The reply to NEWCHANNEL is the new
// channel's name, NUL included: the control channel's name + ".ch1", ".ch2",
// ... ("ctl.ch1" for -n ctl); QUIT has no reply.
struct TypeMsg {
  uint32_t type; // NEWCHANNEL_MSG or QUIT_MSG
};
static_assert(sizeof(TypeMsg) == 4, "a NEWCHANNEL or QUIT request is 4 bytes");

constexpr int64_t NO_VALUE = INT64_MIN;  // DATA's reply for a cell outside the table
constexpr uint64_t NO_DATA = UINT64_MAX; // FILE's reply when it cannot be answered

constexpr long MIN_CAP = 64;      // the smallest CAP (-m): the longest message, in bytes
constexpr long MAX_CAP = 65536;   // the largest CAP
constexpr long MAX_MQ_CAP = 8192; // with -i q: /proc/sys/fs/mqueue/msgsize_max for a user
