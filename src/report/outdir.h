/*
 * Internal to libmandat's report layer: a result folder written beside its target and swapped
 * into place only when complete (a killed or failed run leaves the previous result and no
 * partial folder under the target's name), and the run lock (--lock FILE).
 */
#ifndef MANDAT_REPORT_OUTDIR_H
#define MANDAT_REPORT_OUTDIR_H

#include <stddef.h>

#include "mandat/error.h"

typedef struct {
  char target[4096];
  char tmp[4200];  /* the folder being written: "<target>.tmp-<pid>-" and six characters of
                     mkdtemp */
  int active;
  int lock_fd;     /* the folder, flock'ed until the swap (0 or -1: none) */
} mdt__outdir;

/* Creates the temporary sibling of target (after removing those of killed runs). */
mdt_status mdt__outdir_begin(mdt__outdir *od, const char *target, mdt_error *err);
/* Path of file name inside the folder being written; NULL when it does not fit. */
char *mdt__outdir_path(const mdt__outdir *od, const char *name, char *buf, size_t size);
/* fsyncs the files and renames the folder to target, atomically replacing an old one. */
mdt_status mdt__outdir_commit(mdt__outdir *od, mdt_error *err);
/* Removes the temporary folder (after a failure). */
void mdt__outdir_abort(mdt__outdir *od);

typedef struct {
  int fd;
} mdt__lock;

/* Takes an exclusive lock on path without waiting: MDT_ELOCKED when another run holds it. */
mdt_status mdt__lock_acquire(mdt__lock *lk, const char *path, mdt_error *err);
void mdt__lock_release(mdt__lock *lk);

#endif
