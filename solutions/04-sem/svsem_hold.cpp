// svsem_hold.cpp: create a System V semaphore set of one semaphore for KEY,
// set it to 1, take it with SEM_UNDO, and exit without giving it back:
// the kernel undoes the take when the process ends, and the set outlives it.
// Usage: svsem_hold KEY
// See also sem_counter.cpp, which takes and gives back a POSIX semaphore.

#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#include "semlab.hpp"

// Reads the one argument, KEY, or exits 2 with the usage line.
key_t parse_args(int argc, char *argv[])
{
  opterr = 0; // we print our own usage line
  if (getopt(argc, argv, "+") != -1)
    usage(); // this program takes no options
  if (argc - optind != 1)
    usage();
  return parse_key(argv[optind]);
}

// Creates a new set of one semaphore for KEY (KEY must have none yet) and
// sets its value to 1 (a new set's values are not defined by the standard).
int create_set(key_t key)
{
  // BEGIN SOLUTION
  int id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
  if (id == -1)
    die("semget");
  union semun arg;
  arg.val = 1;
  if (semctl(id, 0, SETVAL, arg) == -1)
    die("semctl");
  return id;
  // END SOLUTION: todo("Step 9: create a new System V set of one semaphore for KEY, mode 0600, and give the semaphore the value 1 (see Step 9 and 'System V semaphores')", key);
}

// Takes semaphore 0 of set ID (1 -> 0) with SEM_UNDO: the kernel records
// the +1 that gives it back when this process ends, however it ends.
void take_with_undo(int id)
{
  // BEGIN SOLUTION
  struct sembuf op = {};
  op.sem_num = 0;
  op.sem_op = -1;
  op.sem_flg = SEM_UNDO;
  if (semop(id, &op, 1) == -1)
    die("semop");
  // END SOLUTION: todo("Step 9: take the semaphore (1 to 0) so that the kernel gives it back when this process ends, however it ends (see Step 9 and 'SEM_UNDO: what the kernel does at exit')", id);
}

// Parses the command line, creates the set and takes its semaphore, then
// exits holding it: no semop() +1, no IPC_RMID.
int main(int argc, char *argv[])
{
  prog_name = "svsem_hold";
  prog_usage = "KEY";
  key_t key = parse_args(argc, argv);
  int id = create_set(key);
  take_with_undo(id);
  handshake("held"); // the value is 0, and we are the last to have changed it
  return 0;          // and now the kernel's undo sets it back to 1
}
