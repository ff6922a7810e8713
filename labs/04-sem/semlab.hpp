// semlab.hpp: helpers shared by the programs of lab 04-sem: the ring
// layout, error exits, the usage line, argument parsing, the handshake with
// the grader and the "not implemented yet" stub.
// Usage: #include "semlab.hpp"; then, first thing in main(), set prog_name
// and prog_usage, e.g. prog_name = "ring_get"; prog_usage = "[-u] [-t SECONDS] NAME COUNT";
#pragma once

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <semaphore.h>
#include <string>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

// One item of the ring: a line of text of at most 60 bytes.
struct Item {
  uint32_t len;  // how many bytes of text[] the item uses, 0..60
  char text[60]; // the item's bytes, not NUL-terminated
};
static_assert(sizeof(Item) == 64, "an item is 64 bytes, with no padding");

// The header of a ring, a bounded buffer that ring_init makes in a POSIX
// shared memory object NAME: the header (128 bytes), then SLOTS items. It
// holds bytes and numbers only, never a pointer. Numbers are in the
// machine's byte order. In named mode the three semaphores are the named
// semaphores NAME-empty, NAME-full and NAME-mutex, and the three sem_t
// fields stay zero; in unnamed mode (-u) they are those fields themselves.
struct Ring {
  char magic[4];  // offset 0: "RING", without a NUL
  uint32_t slots; // offset 4: how many items the ring holds, 1..64
  uint32_t in;    // offset 8: the next slot a producer fills, 0..slots-1
  uint32_t out;   // offset 12: the next slot a consumer empties, 0..slots-1
  sem_t empty;    // offset 16: unnamed mode: free slots, starts at SLOTS
  sem_t full;     // offset 48: unnamed mode: filled slots, starts at 0
  sem_t mutex;    // offset 80: unnamed mode: guards in and out, starts at 1
  char pad[16];   // offset 112: zero
  // offset 128: the SLOTS items; ring_slots() finds them
};
static_assert(sizeof(sem_t) == 32, "the ring's layout assumes a 32-byte sem_t");
static_assert(offsetof(Ring, empty) == 16 && offsetof(Ring, full) == 48 &&
                  offsetof(Ring, mutex) == 80 && sizeof(Ring) == 128,
              "the header is 128 bytes, laid out as the contract says");

constexpr size_t MAX_TEXT = sizeof(Item::text); // the longest item, in bytes
constexpr long MAX_SLOTS = 64;                  // the most items a ring holds

// Returns the size in bytes of a ring object with SLOTS items.
inline size_t ring_size(size_t slots) { return sizeof(Ring) + sizeof(Item) * slots; }

// Returns the ring's items, which follow the header: ring_slots(r)[0] to
// ring_slots(r)[r->slots - 1].
inline Item *ring_slots(Ring *r) { return reinterpret_cast<Item *>(r + 1); }

// Returns the name of the named semaphore ROLE ("empty", "full" or "mutex")
// of the ring NAME: for NAME "/ring", "/ring-empty" and so on.
inline std::string sem_name(const char *name, const char *role)
{
  return std::string(name) + "-" + role;
}

// The three semaphores of a ring, wherever they live: named semaphores
// (from sem_open()) or the fields of the ring's header (unnamed mode).
struct RingSems {
  sem_t *empty = nullptr; // counts the free slots
  sem_t *full = nullptr;  // counts the filled slots
  sem_t *mutex = nullptr; // 1 while nobody uses in, out and the slots
};

// The fourth argument of semctl(), which the caller must define (SUSv3).
union semun {
  int val;               // SETVAL
  struct semid_ds *buf;  // IPC_STAT, IPC_SET
  unsigned short *array; // GETALL, SETALL
};

inline const char *prog_name = "semlab"; // the program's fixed name (not argv[0])
inline const char *prog_usage = "";      // its synopsis, after the name

// Prints "PROG: CALL: strerror(errno)" to stderr and exits 1.
// Call it right after CALL failed, before anything else can change errno.
[[noreturn]] inline void die(const char *call)
{
  fprintf(stderr, "%s: %s: %s\n", prog_name, call, strerror(errno));
  exit(1);
}

// Prints "PROG: " and the message that FORMAT makes (as printf() does) to
// stderr and exits 1: a data error, e.g. die_data("%s is not a ring", name).
[[noreturn, gnu::format(printf, 1, 2)]] inline void die_data(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", prog_name);
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  exit(1);
}

// Prints "usage: PROG SYNOPSIS" to stderr and exits 2.
[[noreturn]] inline void usage()
{
  fprintf(stderr, "usage: %s %s\n", prog_name, prog_usage);
  exit(2);
}

// Like die_data(), but for an argument that the contract gives its own
// line, e.g. "PROG: SLOTS must be between 1 and 64": exits 2, a usage error.
[[noreturn, gnu::format(printf, 1, 2)]] inline void bad_argument(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", prog_name);
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  exit(2);
}

// Parses all of TEXT as a number in BASE (as strtol() does) and checks
// that it lies in [min, max]; anything else is a usage error.
inline long parse_number(const char *text, int base, long min, long max)
{
  if (*text == '\0' || isspace((unsigned char) *text))
    usage();
  char *end;
  errno = 0;
  long value = strtol(text, &end, base);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    usage();
  return value;
}

// Parses a decimal number in [min, max], e.g. a COUNT or ITERATIONS.
inline long parse_long(const char *text, long min, long max)
{
  return parse_number(text, 10, min, max);
}

// Parses a System V KEY: decimal, 0x hexadecimal or 0 octal (strtol base 0).
// Keys above INT_MAX, such as 0xdeadbeef, wrap around as key_t does. KEY 0
// is IPC_PRIVATE, which always makes a new set: a usage error here.
inline key_t parse_key(const char *text)
{
  key_t key = (key_t) parse_number(text, 0, INT_MIN, UINT_MAX);
  if (key == 0)
    usage();
  return key;
}

// Checks a POSIX NAME, of an object or of a semaphore: it must start with
// '/'. glibc would take "demo" as "/demo", but portable programs (and this
// lab) always write the '/'.
inline const char *parse_name(const char *text)
{
  if (text[0] != '/')
    bad_argument("NAME must start with '/': %s", text);
  return text;
}

// Opens the ring NAME (made by ring_init) for reading and writing, maps all
// of it shared, and stores its size in *SIZE. Exits 1 with "PROG: NAME is
// not a ring" unless it holds a header with the magic "RING" and SLOTS
// between 1 and 64, and is exactly ring_size(SLOTS) bytes long.
inline Ring *map_ring(const char *name, size_t *size)
{
  int fd = shm_open(name, O_RDWR, 0);
  if (fd == -1)
    die("shm_open");
  struct stat sb;
  if (fstat(fd, &sb) == -1)
    die("fstat");
  if ((size_t) sb.st_size < sizeof(Ring)) // checked first: mmap() refuses length 0
    die_data("%s is not a ring", name);
  void *addr = mmap(nullptr, sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  if (close(fd) == -1) // the mapping keeps the object open
    die("close");
  Ring *r = static_cast<Ring *>(addr);
  if (memcmp(r->magic, "RING", sizeof r->magic) != 0 || r->slots < 1 || r->slots > MAX_SLOTS ||
      (size_t) sb.st_size != ring_size(r->slots))
    die_data("%s is not a ring", name);
  *size = sb.st_size;
  return r;
}

// Undoes map_ring(): unmaps the SIZE bytes of the ring R.
inline void unmap_ring(Ring *r, size_t size)
{
  if (munmap(r, size) == -1)
    die("munmap");
}

// Prints WORD and a newline to stdout and flushes it, then waits until a
// whole line (or end of file) arrives on stdin. The grader looks at this
// process in between: at what it holds and where it sleeps.
inline void handshake(const char *word)
{
  printf("%s\n", word);
  if (fflush(stdout) == EOF)
    die("fflush");
  for (;;) {
    char c;
    ssize_t n = read(STDIN_FILENO, &c, 1); // one byte at a time: read no further than the line
    if (n == -1)
      die("read");
    if (n == 0 || c == '\n')
      return;
  }
}

// Stands in for code the student has not written yet: prints
// "PROG: not implemented yet (STEP)" and exits 70 (EX_SOFTWARE).
// The other arguments are ignored; passing them marks them as used.
template <class... Args> [[noreturn]] void todo(const char *step, const Args &...)
{
  fprintf(stderr, "%s: not implemented yet (%s)\n", prog_name, step);
  exit(70);
}
