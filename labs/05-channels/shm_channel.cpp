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
  todo("Step 6: create or open the semaphore SNAME with the initial VALUE and return it (see Step 6 and 'Shared memory as a channel')", sname, value);
}

// Creates or opens direction DIR of the channel NAME: the object
// /NAME.DIR, 8 + CAP bytes long and mapped shared, and its two semaphores,
// empty (initially 1: the slot is free) and full (initially 0).
ShmDirection open_direction(const std::string &name, const char *dir, size_t cap)
{
  ShmDirection d;
  todo("Step 6: create or open direction DIR of NAME: its slot of 8 + CAP bytes, mapped, and its empty and full semaphores (see Step 6 and 'Shared memory as a channel')", d, name, dir, cap);
}

// Waits on SEM: sem_wait(), again whenever a signal handler interrupts it.
void wait_semaphore(sem_t *sem)
{
  todo("Step 6: take SEM, even when a signal interrupts the wait (see Step 6 and lab 04)", sem);
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
  todo("Step 6: put MSG into the out_ slot as its writer, once the slot is free (see Step 6 and 'Shared memory as a channel')", msg, len);
}

// Receives one message into BUF (CAP bytes): waits until the slot is full,
// copies it out, then announces it empty. Returns its length.
size_t ShmChannel::cread(void *buf, size_t cap)
{
  todo("Step 6: take one message out of the in_ slot as its reader and return its length (see Step 6 and 'Shared memory as a channel')", buf, cap);
}

// Closes what this process has of direction D: its semaphores, its mapping
// of the object (8 + CAP bytes) and the object's descriptor.
void close_direction(const ShmDirection &d, size_t cap)
{
  todo("Step 6: let go of everything this process holds of direction D (see Step 6 and 'Clean-up in destructors')", d, cap);
}

// Closes both directions, then removes their objects and semaphores.
ShmChannel::~ShmChannel()
{
  close_direction(in_, cap_);
  close_direction(out_, cap_);
  // Step 8: remove(name_): a channel leaves nothing behind
}

// Removes the objects and semaphores of both directions of the channel
// NAME; those that are gone already are fine.
void ShmChannel::remove(const std::string &name)
{
  todo("Step 8: remove the objects and semaphores of both directions of NAME; names gone already are fine (see Step 8 and 'Clean-up in destructors')", name);
}
