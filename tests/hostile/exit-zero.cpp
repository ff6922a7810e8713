// hostile: exits 0 and does nothing at all
// replaces: mqueue/svmsg_rm
// grade: mqueue/sysv-rmid shm/reader
// loses: mqueue/sysv-rmid
// says: IPC_STAT still works
// Exit 0 at once.
int main() { return 0; }
