// hostile: a correct mq_create that then creates queues until mq_open fails (RLIMIT_MSGQUEUE, queues_max)
// replaces: mqueue/mq_create
// grade: mqueue/create-attributes mqueue/unlink-lifecycle channels/mq-data
// loses: mqueue/unlink-lifecycle
// says: objects behind
#include <fcntl.h>
#include <mqueue.h>

#include <string>

#include "hostile.hpp"

int solution_main(int argc, char **argv);  // the reference mq_create, renamed

// Create queues named "/hogN" with these attributes (nullptr: the defaults)
// until mq_open fails or `cap` queues exist; returns how many it made.
int hog(const char *prefix, const mq_attr *attr, int cap) {
  int made = 0;
  for (; made < cap; ++made) {
    std::string name = std::string(prefix) + std::to_string(made);
    mqd_t q = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, attr);
    if (q == (mqd_t)-1) {
      hostile::complain("mq_open");
      break;
    }
    mq_close(q);
  }
  return made;
}

// Do the real work first, then exhaust the per-user bytes and the queue count.
int main(int argc, char **argv) {
  int code = solution_main(argc, argv);
  mq_attr tiny{};
  tiny.mq_maxmsg = 1;
  tiny.mq_msgsize = 1;
  int big = hog("/hog-default-", nullptr, 2000);
  int small = hog("/hog-tiny-", &tiny, 2000);
  if (hostile::verbose()) std::fprintf(stderr, "hostile: %d default queues, %d tiny ones\n", big, small);
  return code;
}
