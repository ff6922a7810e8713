// shm_life.cpp: follow a POSIX shared memory object through its life, one
// call at a time, and stop after each so that the grader can look: the
// descriptor, the name and the mapping each keep the object alive.
// Usage: shm_life NAME
// See also shm_write.cpp, whose object outlives it, and svshm_attach.cpp.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab.hpp"

constexpr size_t LIFE_SIZE = 4096; // the object's size: one page

// The object, open and mapped.
struct Object {
  int fd = -1;          // NAME, open for reading and writing
  char *addr = nullptr; // the mapping of all LIFE_SIZE bytes
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

// Creates NAME (it must not exist yet), LIFE_SIZE bytes long, maps it shared
// and stores "alive" and its NUL at offset 0.
Object create_object(const char *name)
{
  // BEGIN SOLUTION
  Object obj;
  obj.fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (obj.fd == -1)
    die("shm_open");
  if (ftruncate(obj.fd, LIFE_SIZE) == -1)
    die("ftruncate");
  void *addr = mmap(nullptr, LIFE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, obj.fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  obj.addr = static_cast<char *>(addr);
  memcpy(obj.addr, "alive", 6); // 6 bytes: the NUL too
  return obj;
  // END SOLUTION: todo("Step 3: create NAME (it must not exist yet), one page long, mapped shared, holding \"alive\" and its NUL at offset 0 (see Step 3 and 'An object's lifetime')", name, LIFE_SIZE);
}

// Parses the command line, then creates the object and lets go of it one
// hold at a time, with a handshake after each step.
int main(int argc, char *argv[])
{
  prog_name = "shm_life";
  prog_usage = "NAME";
  const char *name = parse_args(argc, argv);
  Object obj = create_object(name);
  handshake("mapped"); // the object exists, and we hold a descriptor and a mapping
  // BEGIN SOLUTION
  if (close(obj.fd) == -1)
    die("close");
  // END SOLUTION: todo("Step 3: close() the descriptor: the mapping stays usable", obj);
  handshake("closed"); // no descriptor; the name and the mapping remain
  // BEGIN SOLUTION
  if (shm_unlink(name) == -1)
    die("shm_unlink");
  // END SOLUTION: todo("Step 3: take away the object's name; the memory stays mapped (see Step 3 and 'An object's lifetime')", name);
  handshake("unlinked"); // no name: only our mapping keeps the memory alive
  // BEGIN SOLUTION
  if (munmap(obj.addr, LIFE_SIZE) == -1)
    die("munmap");
  // END SOLUTION: todo("Step 3: give up the last hold on the object, so that its memory is freed (see Step 3 and 'An object's lifetime')", obj, LIFE_SIZE);
  handshake("unmapped"); // nothing is left
  return 0;
}
