// shm_channel.cpp: a request channel over shared memory and named
// semaphores (see shm_channel.hpp). Each direction is a bounded buffer of
// one slot: the writer waits until the slot is empty, fills it and posts
// full; the reader waits until it is full, empties it and posts empty.

#include "shm_channel.hpp"

#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chanlab.hpp"

// Returns the name of the object of channel NAME for direction DIR ("c2s"
// or "s2c"), or with a ROLE ("empty" or "full"), of one of its semaphores:
// "/ctl.c2s", "/ctl.c2s.empty".
std::string shm_name(const std::string &name, const char *dir, const char *role = nullptr)
{
  std::string s = "/" + name + "." + dir;
  if (role != nullptr)
    s = s + "." + role;
  return s;
}

// Creates the semaphore SNAME with the initial VALUE, or opens it if the
// other side was first (it keeps the value it has then).
sem_t *open_semaphore(const std::string &sname, unsigned int value)
{
  // BEGIN SOLUTION
  sem_t *sem = sem_open(sname.c_str(), O_CREAT, 0600, value);
  if (sem == SEM_FAILED)
    die("sem_open");
  return sem;
  // END SOLUTION: todo("Step 6: create or open the semaphore SNAME with the initial VALUE and return it (see Step 6 and 'Shared memory as a channel')", sname, value);
}

// Creates or opens direction DIR of the channel NAME: the object
// /NAME.DIR, 8 + CAP bytes long and mapped shared, and its two semaphores,
// empty (initially 1: the slot is free) and full (initially 0).
ShmDirection open_direction(const std::string &name, const char *dir, size_t cap)
{
  ShmDirection d;
  // BEGIN SOLUTION
  d.fd = shm_open(shm_name(name, dir).c_str(), O_RDWR | O_CREAT, 0600);
  if (d.fd == -1)
    die("shm_open");
  if (ftruncate(d.fd, sizeof(Slot) + cap) == -1) // both sides: the same size
    die("ftruncate");
  void *addr = mmap(nullptr, sizeof(Slot) + cap, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
  if (addr == MAP_FAILED)
    die("mmap");
  d.slot = static_cast<Slot *>(addr);
  d.empty = open_semaphore(shm_name(name, dir, "empty"), 1);
  d.full = open_semaphore(shm_name(name, dir, "full"), 0);
  return d;
  // END SOLUTION: todo("Step 6: create or open direction DIR of NAME: its slot of 8 + CAP bytes, mapped, and its empty and full semaphores (see Step 6 and 'Shared memory as a channel')", d, name, dir, cap);
}

// Waits on SEM: sem_wait(), again whenever a signal handler interrupts it.
void wait_semaphore(sem_t *sem)
{
  // BEGIN SOLUTION
  while (sem_wait(sem) == -1) {
    if (errno != EINTR)
      die("sem_wait");
  }
  // END SOLUTION: todo("Step 6: take SEM, even when a signal interrupts the wait (see Step 6 and lab 04)", sem);
}

// Creates or opens both directions of the channel NAME.
ShmChannel::ShmChannel(const std::string &name, Side side, size_t cap) : name_(name), cap_(cap)
{
  ShmDirection c2s = open_direction(name, "c2s", cap);
  ShmDirection s2c = open_direction(name, "s2c", cap);
  in_ = side == Side::server ? c2s : s2c;
  out_ = side == Side::server ? s2c : c2s;
}

// Sends one message of LEN bytes: waits until the slot is empty, fills it,
// then announces it full.
void ShmChannel::cwrite(const void *msg, size_t len)
{
  // BEGIN SOLUTION
  wait_semaphore(out_.empty);
  out_.slot->len = len;
  memcpy(slot_data(out_.slot), msg, len);
  if (sem_post(out_.full) == -1)
    die("sem_post");
  // END SOLUTION: todo("Step 6: put MSG into the out_ slot as its writer, once the slot is free (see Step 6 and 'Shared memory as a channel')", msg, len);
}

// Receives one message into BUF (CAP bytes): waits until the slot is full,
// copies it out, then announces it empty. Returns its length.
size_t ShmChannel::cread(void *buf, size_t cap)
{
  // BEGIN SOLUTION
  wait_semaphore(in_.full);
  size_t len = in_.slot->len;
  if (len == 0 || len > cap || len > cap_)
    die_data("a message of %zu bytes on %s: not 1 to %zu", len, name_.c_str(), cap);
  memcpy(buf, slot_data(in_.slot), len);
  if (sem_post(in_.empty) == -1)
    die("sem_post");
  return len;
  // END SOLUTION: todo("Step 6: take one message out of the in_ slot as its reader and return its length (see Step 6 and 'Shared memory as a channel')", buf, cap);
}

// Closes what this process has of direction D: its semaphores, its mapping
// of the object (8 + CAP bytes) and the object's descriptor.
void close_direction(const ShmDirection &d, size_t cap)
{
  // BEGIN SOLUTION
  for (sem_t *sem : {d.empty, d.full}) {
    if (sem_close(sem) == -1)
      die("sem_close");
  }
  if (munmap(d.slot, sizeof(Slot) + cap) == -1)
    die("munmap");
  if (close(d.fd) == -1)
    die("close");
  // END SOLUTION: todo("Step 6: let go of everything this process holds of direction D (see Step 6 and 'Clean-up in destructors')", d, cap);
}

// Closes both directions, then removes their objects and semaphores.
ShmChannel::~ShmChannel()
{
  close_direction(in_, cap_);
  close_direction(out_, cap_);
  // BEGIN SOLUTION
  remove(name_);
  // END SOLUTION: // Step 8: remove(name_): a channel leaves nothing behind
}

// Removes the objects and semaphores of both directions of the channel
// NAME; those that are gone already are fine.
void ShmChannel::remove(const std::string &name)
{
  // BEGIN SOLUTION
  for (const char *dir : {"c2s", "s2c"}) {
    for (const char *role : {"empty", "full"}) {
      if (sem_unlink(shm_name(name, dir, role).c_str()) == -1 && errno != ENOENT)
        die("sem_unlink");
    }
    if (shm_unlink(shm_name(name, dir).c_str()) == -1 && errno != ENOENT)
      die("shm_unlink");
  }
  // END SOLUTION: todo("Step 8: remove the objects and semaphores of both directions of NAME; names gone already are fine (see Step 8 and 'Clean-up in destructors')", name);
}
