// hostile: a sender that blocks for ever in mq_receive on the (empty) queue
// replaces: mqueue/mq_send
// grade: mqueue/send-exact-bytes shm/reader
// loses: mqueue/send-exact-bytes
// says: killed after 5.0 s: blocked in mq_timedreceive
#include <mqueue.h>

#include <vector>

#include "hostile.hpp"

// Open the queue named on the command line and wait for a message that never comes.
int main(int argc, char **argv) {
  std::string name = hostile::arg_starting(argc, argv, "/");
  mqd_t q = mq_open(name.c_str(), O_RDWR);
  if (q == (mqd_t)-1) {
    hostile::complain("mq_open");
    hostile::sleep_forever();
  }
  mq_attr a{};
  if (mq_getattr(q, &a) < 0) hostile::complain("mq_getattr");
  std::vector<char> buf(static_cast<size_t>(a.mq_msgsize > 0 ? a.mq_msgsize : 8192));
  for (;;)
    if (mq_receive(q, buf.data(), buf.size(), nullptr) < 0 && errno != EINTR) {
      hostile::complain("mq_receive");
      hostile::sleep_forever();
    }
}
