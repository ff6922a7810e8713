// mq_unlink.cpp: remove the name of a POSIX message queue; the queue itself
// goes away once the last process that has it open closes it.
// Usage: mq_unlink NAME
// See also mq_create.cpp.

#include <mqueue.h>
#include <unistd.h>

#include "mqlab.hpp"

// Reads the one argument, NAME, or exits 2 with the usage line.
const char *parse_args(int argc, char *argv[])
{
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 1)
    usage();
  return argv[optind];
}

// Removes the name NAME.
void unlink_queue(const char *name)
{
  todo("Step 7: remove the name NAME; the queue itself lives on while someone has it open (see Step 7 and 'Voicemail, not a phone call')", name);
}

// Parses the command line, then removes the name.
int main(int argc, char *argv[])
{
  prog_name = "mq_unlink";
  prog_usage = "NAME";
  const char *name = parse_args(argc, argv);
  unlink_queue(name);
  return 0;
}
