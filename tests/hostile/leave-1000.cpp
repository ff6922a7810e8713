// hostile: a correct shm_write that leaves 1000 shm objects, semaphores, queues and System V objects behind, some named as the grader's next ones
// replaces: shm/shm_write
// grade: shm/writer shm/lifetime sem/producer
// loses: shm/lifetime
// says: objects behind
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <string>

#include "hostile.hpp"

int solution_main(int argc, char **argv);  // the reference shm_write, renamed

constexpr int count = 1000;

// Make one shared memory object of `name`; false when shm_open fails.
bool leave_shm(const std::string &name) {
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0) return false;
  if (ftruncate(fd, 4096) < 0) hostile::complain("ftruncate");
  close(fd);
  return true;
}

// Make one named semaphore of `name`; false when sem_open fails.
bool leave_sem(const std::string &name) {
  sem_t *s = sem_open(name.c_str(), O_CREAT, 0600, 0);
  if (s == SEM_FAILED) return false;
  sem_close(s);
  return true;
}

// Make one POSIX queue of `name`; false when mq_open fails.
bool leave_queue(const std::string &name) {
  mq_attr a{};
  a.mq_maxmsg = 1;
  a.mq_msgsize = 1;
  mqd_t q = mq_open(name.c_str(), O_RDWR | O_CREAT, 0600, &a);
  if (q == (mqd_t)-1) return false;
  mq_close(q);
  return true;
}

// The grader's unique-name prefix ("/ipcg.PID.") if NAME carries one, else "/".
std::string grader_prefix(const std::string &name) {
  if (!name.starts_with("/ipcg.")) return "/";
  return name.substr(0, name.find('.', 6) + 1);
}

// Squat on the names a later check (sem/producer) will give its ring, as a
// grader with predictable unique names would name it ("/ipcg.PID." + lab.check).
void squat_next_check(const std::string &name) {
  std::string ring = grader_prefix(name) + (name.starts_with("/ipcg.") ? "sem.producer." : "") + "ring";
  leave_shm(ring);
  for (const char *role : {"-empty", "-full", "-mutex"}) leave_sem(ring + role);
}

// Do the real work, then leave everything behind.
int main(int argc, char **argv) {
  int code = solution_main(argc, argv);
  int made[6] = {};
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i);
    made[0] += leave_shm("/leak.shm." + n);
    made[1] += leave_sem("/leak.sem." + n);
    made[2] += leave_queue("/leak.mq." + n);
    made[3] += msgget(IPC_PRIVATE, IPC_CREAT | 0600) >= 0;
    made[4] += shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) >= 0;
    made[5] += semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) >= 0;
  }
  if (argc > 1) squat_next_check(argv[1]);
  if (hostile::verbose()) std::fprintf(stderr, "hostile: left %d shm, %d sem, %d mq, %d msg, %d shmseg, %d semset\n",
               made[0], made[1], made[2], made[3], made[4], made[5]);
  return code;
}
