/*
 * process.h - what a process that holds registry keys does first.
 *
 * Keys live in guarded memory, but a core dump or a debugger attached by
 * another local user would still see them. sr_process_harden turns core
 * dumps off (RLIMIT_CORE 0) and makes the process non-dumpable
 * (PR_SET_DUMPABLE 0), which also keeps other users' ptrace and
 * /proc/PID/mem away. Every front end calls it before it reads a passphrase.
 */
#ifndef SIGREG_PROCESS_H
#define SIGREG_PROCESS_H

#include "sigreg/status.h"

sr_status sr_process_harden(sr_error *err);
/* 1 when core dumps are off and the process is not dumpable. */
int sr_process_is_hardened(void);

#endif
