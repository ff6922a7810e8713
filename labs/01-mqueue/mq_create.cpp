// mq_create.cpp: create a POSIX message queue, with the kernel's default
// attributes or with the ones given by -m and -s.
// Usage: mq_create [-x] [-m MAXMSG] [-s MSGSIZE] NAME [MODE]
// See also mq_send.cpp, mq_recv.cpp and mq_unlink.cpp.

#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqlab.hpp"

// What the command line asked for.
struct Options {
  bool exclusive = false;     // -x: fail if NAME exists (O_EXCL)
  long maxmsg = 0;            // -m: most messages queued; 0 when not given
  long msgsize = 0;           // -s: longest message in bytes; 0 when not given
  const char *name = nullptr; // the queue's name, such as /demo
  mode_t mode = 0600;         // permission bits of the new queue
};

// Reads the options and arguments, or exits 2 with the usage line.
Options parse_args(int argc, char *argv[])
{
  Options o;
  opterr = 0; // we print our own usage line
  int opt;
  while ((opt = getopt(argc, argv, "+xm:s:")) != -1) {
    switch (opt) {
    case 'x': o.exclusive = true; break;
    case 'm': o.maxmsg = parse_long(optarg, 1, INT_MAX); break;
    case 's': o.msgsize = parse_long(optarg, 1, INT_MAX); break;
    default: usage();
    }
  }
  int left = argc - optind;
  if (left < 1 || left > 2)
    usage();
  o.name = argv[optind];
  if (left == 2)
    o.mode = parse_mode(argv[optind + 1]);
  return o;
}

// Creates the queue as the options say, then closes it again.
// Without -m and -s the attributes pointer is NULL: the kernel's defaults.
void create_queue(const Options &o)
{
  todo("Step 1: create the queue NAME with MODE and the attributes asked for (the kernel's defaults without -m and -s), and leave it for the other programs (see Step 1 and 'Attributes: struct mq_attr')", o);
}

// Parses the command line, then creates the queue.
int main(int argc, char *argv[])
{
  prog_name = "mq_create";
  prog_usage = "[-x] [-m MAXMSG] [-s MSGSIZE] NAME [MODE]";
  Options o = parse_args(argc, argv);
  create_queue(o);
  return 0;
}
