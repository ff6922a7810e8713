// svshm_attach.cpp: create a System V shared memory segment for KEY,
// attach it and write into it, then detach it and remove it, stopping after
// each stage so that the grader can look at the segment with IPC_STAT.
// Usage: svshm_attach KEY SIZE
// See also shm_life.cpp, the same life story for a POSIX object.

#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "shmlab.hpp"

// What the command line asked for.
struct Options {
  key_t key = 0;   // KEY, such as 0x5348; never IPC_PRIVATE
  size_t size = 0; // SIZE: the segment's size in bytes, at least 1
};

// The segment, created and attached.
struct Segment {
  int id = -1;          // its identifier, from shmget()
  char *addr = nullptr; // where shmat() attached it
};

// Reads the two arguments, or exits 2 with the usage line (or with the line
// of its own that a bad SIZE gets).
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 2)
    usage();
  o.key = parse_key(argv[optind]);
  o.size = parse_size(argv[optind + 1]);
  return o;
}

// Creates a new segment of SIZE bytes for KEY (KEY must have none yet),
// attaches it wherever the kernel likes, and stores "attached" and its NUL
// at its start. A new segment is all zero bytes.
Segment create_and_attach(const Options &o)
{
  todo("Step 5: create a new segment of SIZE bytes for KEY (it must have none yet), mode 0600, attach it where the kernel likes, and store \"attached\" and its NUL at its start (see Step 5 and 'System V shared memory')", o);
}

// Detaches the segment and removes it. Removal is immediate here because
// nothing else is attached; otherwise the segment would go with the last detach.
void detach_and_remove(const Segment &seg)
{
  todo("Step 5: detach the segment and remove it, so that KEY finds no segment any more (see Step 5 and 'System V shared memory')", seg);
}

// Parses the command line, then creates, attaches, detaches and removes the
// segment, with a handshake while it is attached and one once it is gone.
int main(int argc, char *argv[])
{
  prog_name = "svshm_attach";
  prog_usage = "KEY SIZE";
  Options o = parse_args(argc, argv);
  Segment seg = create_and_attach(o);
  handshake("attached"); // IPC_STAT shows one attach, and us as the creator
  detach_and_remove(seg);
  handshake("removed"); // the key finds no segment any more
  return 0;
}
