// peer.cpp: the grader's POSIX and System V message queue handles.
#include "peer.hpp"

#include "access.hpp"
#include "fd.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cstring>
#include <thread>

namespace ipcg {
namespace {

// A Deadline as the CLOCK_REALTIME timespec the mq_timed* calls want.
timespec realtime(Deadline until) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(until - Clock::now()).count();
  if (ns < 0) ns = 0;
  long long total = now.tv_nsec + ns % 1000000000;
  return {now.tv_sec + static_cast<time_t>(ns / 1000000000 + total / 1000000000),
          static_cast<long>(total % 1000000000)};
}

// Text of a System V message, at most this long.
constexpr size_t sysv_max = 8192;
struct SysvBuf {
  long mtype;
  char mtext[sysv_max];
};

}  // namespace

PosixQueue PosixQueue::create(std::string name, long maxmsg, long msgsize,
                              std::optional<uid_t> owner, Deadline until, mode_t mode) {
  mq_attr a{};
  a.mq_maxmsg = maxmsg;
  a.mq_msgsize = msgsize;
  mqd_t q;
  while ((q = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, mode, &a)) == (mqd_t)-1 &&
         (errno == EINTR || (errno == ENOSPC && Clock::now() < until)))
    if (errno == ENOSPC) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (q == (mqd_t)-1) throw_errno("mq_open " + name);
  PosixQueue pq(std::move(name), q, true);
  if (owner) check(fchown(q, *owner, *owner), "fchown");
  return pq;
}

PosixQueue PosixQueue::open(std::string name, bool owned) {
  mqd_t q = mq_open(name.c_str(), O_RDWR);
  if (q == (mqd_t)-1) throw_errno("mq_open " + name);
  return PosixQueue(std::move(name), q, owned);
}

bool PosixQueue::exists(const std::string &name) {
  mqd_t q = mq_open(name.c_str(), O_RDONLY);
  if (q == (mqd_t)-1) return errno != ENOENT;
  mq_close(q);
  return true;
}

PosixQueue::PosixQueue(PosixQueue &&o) noexcept
    : name_(std::move(o.name_)), q_(std::exchange(o.q_, -1)), owned_(o.owned_) {}

PosixQueue::~PosixQueue() {
  if (q_ == (mqd_t)-1) return;
  mq_close(q_);
  if (owned_) mq_unlink(name_.c_str());  // ENOENT is fine: the student unlinked it
}

mq_attr PosixQueue::attr() const {
  mq_attr a{};
  check(mq_getattr(q_, &a), "mq_getattr");
  return a;
}

mode_t PosixQueue::mode() const {
  struct stat st {};
  check(fstat(q_, &st), "fstat");
  return st.st_mode & 07777;
}

bool PosixQueue::send(std::string_view bytes, unsigned prio, Deadline until) {
  timespec ts = realtime(until);
  while (mq_timedsend(q_, bytes.data(), bytes.size(), prio, &ts) == -1) {
    if (errno == ETIMEDOUT) return false;
    if (errno != EINTR) throw_errno("mq_timedsend");
  }
  return true;
}

std::optional<QueueMessage> PosixQueue::receive(Deadline until) {
  std::string buf(static_cast<size_t>(attr().mq_msgsize), '\0');
  timespec ts = realtime(until);
  unsigned prio = 0;
  ssize_t n;
  while ((n = mq_timedreceive(q_, buf.data(), buf.size(), &prio, &ts)) == -1) {
    if (errno == ETIMEDOUT) return std::nullopt;
    if (errno != EINTR) throw_errno("mq_timedreceive");
  }
  buf.resize(static_cast<size_t>(n));
  return QueueMessage{std::move(buf), prio};
}

std::vector<QueueMessage> PosixQueue::drain() {
  std::vector<QueueMessage> all;
  while (attr().mq_curmsgs > 0) {
    auto m = receive(Clock::now());
    if (!m) break;
    all.push_back(std::move(*m));
  }
  return all;
}

SysvQueue SysvQueue::create(key_t key, std::optional<uid_t> owner, int mode) {
  int id = msgget(key, IPC_CREAT | IPC_EXCL | mode);
  if (id < 0) throw_errno("msgget");
  SysvQueue q(key, id);
  if (owner) {
    msqid_ds ds = q.stat().value();
    ds.msg_perm.uid = *owner;
    ds.msg_perm.gid = *owner;
    check(msgctl(id, IPC_SET, &ds), "msgctl(IPC_SET)");
  }
  return q;
}

SysvQueue SysvQueue::open(key_t key) {
  int id = msgget(key, 0);
  if (id < 0) throw_errno("msgget");
  return SysvQueue(key, id);
}

SysvQueue::SysvQueue(SysvQueue &&o) noexcept : key_(o.key_), id_(std::exchange(o.id_, -1)) {}

SysvQueue::~SysvQueue() {
  if (id_ < 0) return;
  auto as = owner_of_sysv("msg", id_, CAP_SYS_ADMIN);  // a student's queue, without CAP_SYS_ADMIN
  msgctl(id_, IPC_RMID, nullptr);  // EINVAL is fine: the student removed it
}

void SysvQueue::send(long type, std::string_view text) {
  SysvBuf b{};
  b.mtype = type;
  size_t n = std::min(text.size(), sysv_max);
  memcpy(b.mtext, text.data(), n);
  auto as = owner_of_sysv("msg", id_, CAP_IPC_OWNER);  // a student's queue, without CAP_IPC_OWNER
  check(msgsnd(id_, &b, n, IPC_NOWAIT), "msgsnd");
}

std::optional<msqid_ds> SysvQueue::stat() const {
  msqid_ds ds{};
  auto as = owner_of_sysv("msg", id_, CAP_IPC_OWNER);
  if (msgctl(id_, IPC_STAT, &ds) == 0) return ds;
  if (errno == EINVAL || errno == EIDRM) return std::nullopt;
  throw_errno("msgctl(IPC_STAT)");
}

FileMap::FileMap(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  struct stat st {};
  check(fstat(fd.get(), &st), "fstat");
  len_ = static_cast<size_t>(st.st_size);
  if (len_ == 0) return;
  addr_ = mmap(nullptr, len_, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (addr_ == MAP_FAILED) {
    addr_ = nullptr;
    throw_errno("mmap " + path);
  }
}

FileMap::FileMap(FileMap &&o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)), len_(std::exchange(o.len_, 0)) {}

FileMap::~FileMap() {
  if (addr_) munmap(addr_, len_);
}

std::string read_file(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  std::string all;
  char buf[65536];
  for (off_t off = 0;;) {
    ssize_t n = pread(fd.get(), buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pread " + path);
    if (n == 0) return all;
    all.append(buf, static_cast<size_t>(n));
    off += n;
  }
}

ShmObject ShmObject::create(std::string name, std::string_view bytes, std::optional<uid_t> owner) {
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("shm_open " + name);
  ShmObject o(std::move(name), fd, true);
  check(fchmod(fd, 0644), "fchmod");
  if (owner) check(fchown(fd, *owner, *owner), "fchown");
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
    throw_errno("write " + o.name_);
  return o;
}

ShmObject ShmObject::open(std::string name, bool owned) {
  int fd = shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) throw_errno("shm_open " + name);
  return ShmObject(std::move(name), fd, owned);
}

bool ShmObject::exists(const std::string &name) {
  int fd = shm_open(name.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return errno != ENOENT;
  ::close(fd);
  return true;
}

ShmObject::ShmObject(ShmObject &&o) noexcept
    : name_(std::move(o.name_)), fd_(std::exchange(o.fd_, -1)), owned_(o.owned_) {}

ShmObject::~ShmObject() {
  if (fd_ < 0) return;
  ::close(fd_);
  if (owned_) shm_unlink(name_.c_str());  // ENOENT is fine: the student unlinked it
}

size_t ShmObject::size() const {
  struct stat st {};
  check(fstat(fd_, &st), "fstat");
  return static_cast<size_t>(st.st_size);
}

unsigned long ShmObject::inode() const {
  struct stat st {};
  check(fstat(fd_, &st), "fstat");
  return st.st_ino;
}

mode_t ShmObject::mode() const {
  struct stat st {};
  check(fstat(fd_, &st), "fstat");
  return st.st_mode & 07777;
}

std::string ShmObject::bytes() const {
  std::string all(size(), '\0');
  size_t done = 0;
  while (done < all.size()) {
    ssize_t n = pread(fd_, all.data() + done, all.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pread " + name_);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  all.resize(done);
  return all;
}

void ShmObject::truncate(size_t n) { check(ftruncate(fd_, static_cast<off_t>(n)), "ftruncate"); }

// A student's segment, set or queue: the grader reaches it as its owner where
// it lacks CAP_IPC_OWNER (see owner_of_sysv); if even that is refused, it
// says what it could not observe.
static void sysv_refused(const char *what, key_t key) {
  if (errno != EACCES || has_capability(CAP_IPC_OWNER)) return;
  throw Unobservable{fmt::format("the System V {} of key {:#x}", what, static_cast<unsigned>(key)),
                     "CAP_IPC_OWNER"};
}

std::optional<shmid_ds> SysvShm::stat(key_t key) {
  int id = shmget(key, 0, 0);
  if (id < 0 && errno == ENOENT) return std::nullopt;
  if (id < 0) throw_errno("shmget");
  shmid_ds ds{};
  auto as = owner_of_sysv("shm", id, CAP_IPC_OWNER);
  if (shmctl(id, IPC_STAT, &ds) < 0) {
    sysv_refused("shared memory segment", key);
    if (errno == EINVAL || errno == EIDRM) return std::nullopt;
    throw_errno("shmctl(IPC_STAT)");
  }
  return ds;
}

std::string SysvShm::read(key_t key, size_t n) {
  int id = check(shmget(key, 0, 0), "shmget");
  shmid_ds ds{};
  auto as = owner_of_sysv("shm", id, CAP_IPC_OWNER);
  if (shmctl(id, IPC_STAT, &ds) < 0) sysv_refused("shared memory segment", key);
  check(shmctl(id, IPC_STAT, &ds), "shmctl(IPC_STAT)");
  n = std::min(n, static_cast<size_t>(ds.shm_segsz));
  void *at = shmat(id, nullptr, SHM_RDONLY);
  if (at == reinterpret_cast<void *>(-1)) sysv_refused("shared memory segment", key);
  if (at == reinterpret_cast<void *>(-1)) throw_errno("shmat");
  std::string bytes(static_cast<const char *>(at), n);
  shmdt(at);
  return bytes;
}

void SysvShm::remove(key_t key) {
  int id = shmget(key, 0, 0);
  if (id < 0) return;
  auto as = owner_of_sysv("shm", id, CAP_SYS_ADMIN);
  shmctl(id, IPC_RMID, nullptr);
}

SharedMap::SharedMap(const ShmObject &o) : len_(o.size()) {
  int fd = shm_open(o.name().c_str(), O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) throw_errno("shm_open " + o.name());
  Fd owner(fd);
  addr_ = mmap(nullptr, len_ ? len_ : 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr_ == MAP_FAILED) throw_errno("mmap " + o.name());
}

SharedMap::SharedMap(SharedMap &&o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)), len_(o.len_) {}

SharedMap::~SharedMap() {
  if (addr_) munmap(addr_, len_ ? len_ : 1);
}

bool sem_wait_until(sem_t *s, Deadline until) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(until - Clock::now());
    if (left.count() <= 0) return sem_trywait(s) == 0;
    timespec abs{};
    check(clock_gettime(CLOCK_MONOTONIC, &abs), "clock_gettime");
    long long ns = abs.tv_nsec + left.count();
    abs.tv_sec += static_cast<time_t>(ns / 1000000000);
    abs.tv_nsec = static_cast<long>(ns % 1000000000);
    if (sem_clockwait(s, CLOCK_MONOTONIC, &abs) == 0) return true;
    if (errno == ETIMEDOUT) return false;
    if (errno != EINTR) throw_errno("sem_clockwait");
  }
}

int sem_value(sem_t *s) {
  int v = 0;
  check(sem_getvalue(s, &v), "sem_getvalue");
  return v;
}

NamedSemaphore NamedSemaphore::create(std::string name, unsigned value,
                                      std::optional<uid_t> owner) {
  sem_t *s = sem_open(name.c_str(), O_CREAT | O_EXCL, 0600, value);
  if (s == SEM_FAILED) throw_errno("sem_open " + name);
  NamedSemaphore sem(std::move(name), s, true);
  if (owner) check(chown(file_of(sem.name_).c_str(), *owner, *owner), "chown");
  return sem;
}

NamedSemaphore NamedSemaphore::open(std::string name, bool owned) {
  sem_t *s = sem_open(name.c_str(), 0);
  if (s == SEM_FAILED) throw_errno("sem_open " + name);
  return NamedSemaphore(std::move(name), s, owned);
}

bool NamedSemaphore::exists(const std::string &name) {
  return access(file_of(name).c_str(), F_OK) == 0;
}

unsigned long NamedSemaphore::inode_of(const std::string &name) {
  struct stat st {};
  return stat(file_of(name).c_str(), &st) == 0 ? st.st_ino : 0;
}

std::string NamedSemaphore::file_of(const std::string &name) {
  return "/dev/shm/sem." + name.substr(name.find_first_not_of('/'));
}

NamedSemaphore::NamedSemaphore(NamedSemaphore &&o) noexcept
    : name_(std::move(o.name_)), sem_(std::exchange(o.sem_, nullptr)), owned_(o.owned_) {}

NamedSemaphore::~NamedSemaphore() {
  if (!sem_) return;
  sem_close(sem_);
  if (owned_) sem_unlink(name_.c_str());
}

// The set of `key`, or -1 when there is none.
static int sem_set_of(key_t key) { return semget(key, 0, 0); }

std::optional<int> SysvSem::value(key_t key, int n) {
  int id = sem_set_of(key);
  if (id < 0) return std::nullopt;
  auto as = owner_of_sysv("sem", id, CAP_IPC_OWNER);
  int v = semctl(id, n, GETVAL);
  if (v < 0) sysv_refused("semaphore set", key);
  if (v < 0) return std::nullopt;
  return v;
}

std::optional<pid_t> SysvSem::last_pid(key_t key, int n) {
  int id = sem_set_of(key);
  if (id < 0) return std::nullopt;
  auto as = owner_of_sysv("sem", id, CAP_IPC_OWNER);
  int p = semctl(id, n, GETPID);
  if (p < 0) sysv_refused("semaphore set", key);
  if (p < 0) return std::nullopt;
  return p;
}

std::optional<int> SysvSem::mode(key_t key) {
  int id = sem_set_of(key);
  if (id < 0) return std::nullopt;
  auto as = owner_of_sysv("sem", id, CAP_IPC_OWNER);
  semid_ds ds{};
  union {
    int val;
    semid_ds *buf;
  } arg{};
  arg.buf = &ds;
  if (semctl(id, 0, IPC_STAT, arg) < 0) {
    sysv_refused("semaphore set", key);
    return std::nullopt;
  }
  return ds.sem_perm.mode & 0777;
}

void SysvSem::remove(key_t key) {
  int id = sem_set_of(key);
  if (id < 0) return;
  auto as = owner_of_sysv("sem", id, CAP_SYS_ADMIN);
  semctl(id, 0, IPC_RMID);
}

}  // namespace ipcg
