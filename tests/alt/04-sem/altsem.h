/* altsem.h: what the six programs of the second, independently written
   implementation of lab 04 share. Written in C from handouts/04-sem.md's
   Contract alone (not from semlab.hpp or the reference solution). */
#ifndef ALTSEM_H
#define ALTSEM_H

#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_MAX 60
#define SLOTS_MAX 64

/* One slot of the ring: 64 bytes. */
struct item {
  uint32_t len;
  char text[TEXT_MAX];
};

/* The ring's 128-byte header; the slots follow it. */
struct ring {
  char magic[4];
  uint32_t slots;
  uint32_t in;
  uint32_t out;
  sem_t empty;
  sem_t full;
  sem_t mutex;
  char pad[16];
};

_Static_assert(sizeof(struct item) == 64, "item is 64 bytes");
_Static_assert(sizeof(struct ring) == 128, "header is 128 bytes");

/* The three semaphores of a ring, named or in its header. */
struct ringsems {
  sem_t *empty, *full, *mutex;
};

extern const char *prog;                  /* the program's fixed name */
extern const char *synopsis;              /* its usage line after the name */
extern volatile sig_atomic_t usr1_seen;   /* SIGUSR1s counted by the handler */

/* Prints "PROG: CALL: STRERROR" and exits 1. */
_Noreturn void fail_call(const char *call);
/* Prints "PROG: " and the formatted message, exits CODE. */
_Noreturn void fail_msg(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the usage line and exits 2. */
_Noreturn void usage_exit(void);
/* Exits 2 with the NAME line unless NAME starts with '/'. */
void need_slash(const char *name);
/* Parses a decimal number of digits only into *out; 0 if it does not parse
   (a value too large saturates to UINT64_MAX). */
int decimal(const char *text, uint64_t *out);
/* "/ring" + "-" + role into BUF (of SIZE bytes); exits 2 if too long. */
const char *role_name(char *buf, size_t size, const char *name, const char *role);
/* Says WORD on stdout with write(2) and waits for a line (or EOF) on stdin. */
void handshake(const char *word);
/* Installs the counting SIGUSR1 handler, sa_flags 0. */
void count_usr1(void);
/* Waits on SEM: a try first, then sem_wait, again after EINTR. */
void take(sem_t *sem);
/* Posts SEM or exits 1. */
void give(sem_t *sem);
/* Opens ring NAME: checks its header with pread before mapping it.
   Returns the mapping; *size is its length. */
struct ring *open_ring(const char *name, size_t *size);
/* Opens the named semaphores of ring NAME (never O_CREAT), or points to the
   header's with UNNAMED. */
void ring_sems(struct ringsems *s, struct ring *r, const char *name, int unnamed);
/* Closes the named semaphores (nothing with UNNAMED). */
void close_sems(struct ringsems *s, int unnamed);
/* The slots after the header. */
struct item *slots_of(struct ring *r);

#endif
