// shm_mailbox.cpp: keep a Mailbox (see shmlab.hpp) in a new POSIX shared
// memory object and post each line of stdin into it, for any process that
// maps the object to read; remove the object at the end of input.
// Usage: shm_mailbox NAME
// See also shm_read.cpp, which can print a mailbox's bytes.

#include <atomic>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab.hpp"

// The mailbox object, open and mapped.
struct Box {
  int fd = -1;           // NAME, kept open: fstat() on it shows what a peer did to the size
  Mailbox *mb = nullptr; // the mapping of sizeof(Mailbox) bytes
};

// Reads the one argument, NAME, or exits 2 with the usage line (or with the
// line of its own that a bad NAME gets).
const char *parse_args(int argc, char *argv[])
{
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 1)
    usage();
  return parse_name(argv[optind]);
}

// Reads line N of stdin into *LINE (getline() makes the buffer big enough)
// and returns its length without the '\n', or -1 at the end of input.
// A line longer than MAX_TEXT bytes is a data error.
ssize_t read_line(char **line, size_t *capacity, uint32_t n)
{
  ssize_t len = getline(line, capacity, stdin);
  if (len == -1) {
    if (ferror(stdin))
      die("getline");
    return -1;
  }
  if (len > 0 && (*line)[len - 1] == '\n')
    len--;
  if ((size_t) len > MAX_TEXT)
    die_data("line %u is longer than %zu bytes", (unsigned) n, MAX_TEXT);
  return len;
}

// Creates NAME (it must not exist yet), makes it exactly one Mailbox long,
// maps it shared and sets up an empty mailbox: magic "MBOX", seq 0, len 0.
Box create_mailbox(const char *name)
{
  // BEGIN SOLUTION
  Box box;
  box.fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (box.fd == -1)
    die("shm_open");
  if (ftruncate(box.fd, sizeof(Mailbox)) == -1)
    die("ftruncate");
  void *addr = mmap(nullptr, sizeof(Mailbox), PROT_READ | PROT_WRITE, MAP_SHARED, box.fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  box.mb = static_cast<Mailbox *>(addr);
  memcpy(box.mb->magic, "MBOX", sizeof box.mb->magic); // no NUL: exactly 4 bytes
  box.mb->seq = 0;
  box.mb->len = 0;
  return box;
  // END SOLUTION: todo("Step 4: create NAME (it must not exist yet), exactly one Mailbox long and mapped shared, and set up an empty mailbox; keep the descriptor open (see Step 4 and 'Laying out a shared structure')", name);
}

// Exits 1 if a peer has made the object smaller than a Mailbox since we
// mapped it: the mapping is still there, but touching a page that now lies
// past the end of the object would raise SIGBUS. So ask the descriptor
// before every use of the mapping.
void check_size(const Box &box, const char *name)
{
  // BEGIN SOLUTION
  struct stat sb;
  if (fstat(box.fd, &sb) == -1)
    die("fstat");
  if ((size_t) sb.st_size < sizeof(Mailbox))
    die_data("%s shrank to %ld bytes", name, (long) sb.st_size);
  // END SOLUTION: todo("Step 4: stop with the contract's \"shrank\" data error if a peer has made the object smaller than a Mailbox, without touching the mapping (see Step 4 and 'When the peer truncates the object')", box, name);
}

// Posts message N: the LEN bytes of TEXT themselves (a pointer to them would
// mean nothing to another process), then len, and seq last, with release
// order: a reader that sees seq N (loading it with acquire order) is sure
// to see the text and len of message N too.
void post(Mailbox *mb, const char *text, size_t len, uint32_t n)
{
  // BEGIN SOLUTION
  memcpy(mb->text, text, len);
  mb->len = len;
  std::atomic_ref<uint32_t>(mb->seq).store(n, std::memory_order_release);
  // END SOLUTION: todo("Step 4: publish message N, the LEN bytes of TEXT themselves, so that a reader who sees seq N sees all of message N (see Step 4 and 'Publishing a message: seq last, and why that is not enough')", mb, text, len, n);
}

// Undoes create_mailbox(): unmaps the mailbox, closes it and removes its name.
void remove_mailbox(const Box &box, const char *name)
{
  // BEGIN SOLUTION
  if (munmap(box.mb, sizeof(Mailbox)) == -1)
    die("munmap");
  if (close(box.fd) == -1)
    die("close");
  if (shm_unlink(name) == -1)
    die("shm_unlink");
  // END SOLUTION: todo("Step 4: undo create_mailbox() and leave nothing behind (see Step 4 and 'Objects outlive programs')", box, name);
}

// Parses the command line, creates the mailbox, posts each line of stdin
// as the next message and says so, and removes the mailbox at the end.
int main(int argc, char *argv[])
{
  prog_name = "shm_mailbox";
  prog_usage = "NAME";
  const char *name = parse_args(argc, argv);
  Box box = create_mailbox(name);
  char *line = nullptr; // getline()'s buffer, reused for every line
  size_t capacity = 0;
  ssize_t len;
  for (uint32_t n = 1; (len = read_line(&line, &capacity, n)) != -1; n++) {
    check_size(box, name);
    post(box.mb, line, len, n);
    printf("posted %u\n", (unsigned) n);
    if (fflush(stdout) == EOF)
      die("fflush");
  }
  free(line);
  remove_mailbox(box, name);
  return 0;
}
