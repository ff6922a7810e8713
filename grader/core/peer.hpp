// peer.hpp: the grader's own side of the IPC: RAII owners of the kernel
// objects it creates or adopts, whose every blocking call is bounded in time.
// This code is the grader's, written apart from the reference solutions, so
// that one bug cannot hide behind the same bug in the other.
#pragma once
#include "clock.hpp"

#include <mqueue.h>
#include <semaphore.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcg {

// A message as it came off a POSIX queue.
struct QueueMessage {
  std::string bytes;
  unsigned prio = 0;
};

// A POSIX message queue descriptor; unlinks the name on destruction when owned.
class PosixQueue {
 public:
  // Create `name` (O_EXCL) with these attributes, open for reading and
  // writing, and owned by `owner` (the student's uid) when given, as if the
  // student had made it: then the student may unlink it. While the IPC
  // namespace holds its limit of queues (ENOSPC: without namespaces, another
  // check's programs may have made them, until its sweep), it tries again
  // until `until`.
  static PosixQueue create(std::string name, long maxmsg, long msgsize, std::optional<uid_t> owner,
                           Deadline until, mode_t mode = 0666);
  // Open an existing queue read-write; `owned` makes the grader unlink it at the end.
  static PosixQueue open(std::string name, bool owned = true);
  // True if a queue of this name exists now (mq_open O_RDONLY does not fail with ENOENT).
  static bool exists(const std::string &name);

  PosixQueue(PosixQueue &&o) noexcept;
  PosixQueue &operator=(PosixQueue &&) = delete;
  PosixQueue(const PosixQueue &) = delete;
  ~PosixQueue();

  const std::string &name() const { return name_; }
  mq_attr attr() const;
  // The permission bits of the queue (fstat on the descriptor).
  mode_t mode() const;
  // Send, waiting at most until `until` for room; false if the queue stayed full.
  [[nodiscard]] bool send(std::string_view bytes, unsigned prio, Deadline until);
  // Receive, waiting at most until `until`; nullopt if nothing came.
  std::optional<QueueMessage> receive(Deadline until);
  // Everything queued now, without waiting.
  std::vector<QueueMessage> drain();

 private:
  PosixQueue(std::string name, mqd_t q, bool owned)
      : name_(std::move(name)), q_(q), owned_(owned) {}
  std::string name_;
  mqd_t q_ = -1;
  bool owned_ = false;
};

// A System V message queue the grader created; removed on destruction.
class SysvQueue {
 public:
  // Create the queue of `key`, owned by `owner` when given (see PosixQueue::create).
  static SysvQueue create(key_t key, std::optional<uid_t> owner, int mode = 0666);
  // Attach to an existing queue by key (owned: removed at the end).
  static SysvQueue open(key_t key);
  SysvQueue(SysvQueue &&o) noexcept;
  SysvQueue &operator=(SysvQueue &&) = delete;
  SysvQueue(const SysvQueue &) = delete;
  ~SysvQueue();

  int id() const { return id_; }
  key_t key() const { return key_; }
  // Send without waiting (the grader never blocks on a student's queue).
  void send(long type, std::string_view text);
  // IPC_STAT; nullopt when the queue is gone (EINVAL or EIDRM).
  std::optional<msqid_ds> stat() const;

 private:
  SysvQueue(key_t key, int id) : key_(key), id_(id) {}
  key_t key_ = 0;
  int id_ = -1;
};

// A read-only MAP_SHARED view of a file: the grader's window on a file the
// student maps too. Unmapped on destruction.
class FileMap {
 public:
  explicit FileMap(const std::string &path);
  FileMap(FileMap &&o) noexcept;
  FileMap &operator=(FileMap &&) = delete;
  FileMap(const FileMap &) = delete;
  ~FileMap();
  // The mapped bytes (the file's size when it was mapped).
  std::string_view bytes() const { return {static_cast<const char *>(addr_), len_}; }

 private:
  void *addr_ = nullptr;
  size_t len_ = 0;
};

// The whole content of the file at `path`, read with pread (not through a mapping).
std::string read_file(const std::string &path);

// A POSIX shared memory object: its descriptor, and its name unlinked on
// destruction when owned.
class ShmObject {
 public:
  // Create `name` (O_EXCL) holding `bytes`, mode 0644, owned by `owner` when given.
  static ShmObject create(std::string name, std::string_view bytes, std::optional<uid_t> owner);
  // Open an existing object read-write; `owned` makes the grader unlink it at the end.
  static ShmObject open(std::string name, bool owned = true);
  // True if an object of this name exists now.
  static bool exists(const std::string &name);

  ShmObject(ShmObject &&o) noexcept;
  ShmObject &operator=(ShmObject &&) = delete;
  ShmObject(const ShmObject &) = delete;
  ~ShmObject();

  const std::string &name() const { return name_; }
  // Its size and permission bits (fstat).
  size_t size() const;
  mode_t mode() const;
  // All its bytes, read with pread.
  std::string bytes() const;
  // Its inode (fstat): what futex_wait_of() reports for a wait inside it.
  unsigned long inode() const;
  // Set its size (the grader as a hostile peer).
  void truncate(size_t n);

 private:
  ShmObject(std::string name, int fd, bool owned)
      : name_(std::move(name)), fd_(fd), owned_(owned) {}
  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
};

// The System V segment of `key`: IPC_STAT, its first bytes, removal. The
// grader never keeps it attached, so that shm_nattch counts the student only.
struct SysvShm {
  // IPC_STAT of the segment of `key`; nullopt when there is none.
  static std::optional<shmid_ds> stat(key_t key);
  // Its first n bytes (attached read-only for the moment of reading).
  static std::string read(key_t key, size_t n);
  // IPC_RMID, if it exists.
  static void remove(key_t key);
};

// A read-write MAP_SHARED mapping of a whole shared memory object: the
// grader's side of a structure it shares with the student. Unmapped on destruction.
class SharedMap {
 public:
  explicit SharedMap(const ShmObject &o);
  SharedMap(SharedMap &&o) noexcept;
  SharedMap &operator=(SharedMap &&) = delete;
  SharedMap(const SharedMap &) = delete;
  ~SharedMap();
  char *data() const { return static_cast<char *>(addr_); }
  size_t size() const { return len_; }

 private:
  void *addr_ = nullptr;
  size_t len_ = 0;
};

// Waits on a semaphore until `until` (CLOCK_MONOTONIC), resuming after
// signals; false if the deadline came first.
bool sem_wait_until(sem_t *s, Deadline until);
// Its value now (sem_getvalue).
int sem_value(sem_t *s);

// A POSIX named semaphore the grader made or opened: closed on destruction,
// and unlinked then when owned.
class NamedSemaphore {
 public:
  // Create `name` (O_EXCL) with this value, owned by `owner` (the student's
  // uid) when given, as if the student had made it.
  static NamedSemaphore create(std::string name, unsigned value, std::optional<uid_t> owner);
  // Open an existing one; `owned` makes the grader unlink it at the end.
  static NamedSemaphore open(std::string name, bool owned = true);
  // True if a semaphore of this name exists now.
  static bool exists(const std::string &name);
  // The file that holds it: "/dev/shm/sem.ring-empty" for "/ring-empty".
  static std::string file_of(const std::string &name);
  // The inode of that file now (0 if there is none): what futex_wait_of() reports.
  static unsigned long inode_of(const std::string &name);

  NamedSemaphore(NamedSemaphore &&o) noexcept;
  NamedSemaphore &operator=(NamedSemaphore &&) = delete;
  NamedSemaphore(const NamedSemaphore &) = delete;
  ~NamedSemaphore();

  const std::string &name() const { return name_; }
  sem_t *get() const { return sem_; }
  int value() const { return sem_value(sem_); }

 private:
  NamedSemaphore(std::string name, sem_t *s, bool owned)
      : name_(std::move(name)), sem_(s), owned_(owned) {}
  std::string name_;
  sem_t *sem_ = nullptr;
  bool owned_ = false;
};

// The System V semaphore set of `key`, for looking at it from outside:
// values, the last pid to operate, removal. The grader never operates on it.
struct SysvSem {
  // Value and sempid of semaphore n; nullopt when there is no set.
  static std::optional<int> value(key_t key, int n = 0);
  static std::optional<pid_t> last_pid(key_t key, int n = 0);
  // The set's permission bits (IPC_STAT sem_perm.mode & 0777); nullopt when there is none.
  static std::optional<int> mode(key_t key);
  // IPC_RMID, if it exists.
  static void remove(key_t key);
};

}  // namespace ipcg
