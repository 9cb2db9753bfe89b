/* Result folders built beside their target and swapped into place; run locks. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/outdir.h"

static const char six_x[] = {'X', 'X', 'X', 'X', 'X', 'X', '\0'};

/* Removes a folder of plain files (what a result folder holds), then the folder. */
static int remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : -1;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
      rc |= remove_tree(path);
    else
      rc |= unlink(path);
  }
  closedir(d);
  return rc | rmdir(dir);
}

mdt_status mdt__outdir_begin(mdt__outdir *od, const char *target, mdt_error *err) {
  memset(od, 0, sizeof *od);
  size_t n = strlen(target);
  while (n > 1 && target[n - 1] == '/')
    n--;
  if (n == 0 || n + 32 > sizeof od->target)
    return mdt_error_set(err, MDT_EUSAGE, "--out: expected a folder name, found '%s'", target);
  memcpy(od->target, target, n);
  od->target[n] = '\0';
  struct stat st;
  if (stat(od->target, &st) == 0 && !S_ISDIR(st.st_mode))
    return mdt_error_set_at(err, MDT_ECANTWRITE, od->target, 0, 0,
                            "expected a folder for the results, found a file");
  snprintf(od->tmp, sizeof od->tmp, "%s.tmp-%s", od->target, six_x);
  if (mkdtemp(od->tmp) == NULL)
    return mdt_error_set_at(err, MDT_ECANTWRITE, od->target, 0, 0,
                            "cannot create a folder beside it: %s", strerror(errno));
  od->active = 1;
  return MDT_OK;
}

char *mdt__outdir_path(const mdt__outdir *od, const char *name, char *buf, size_t size) {
  if ((size_t)snprintf(buf, size, "%s/%s", od->tmp, name) >= size)
    return NULL;
  return buf;
}

mdt_status mdt__outdir_commit(mdt__outdir *od, mdt_error *err) {
  /* Make the files durable before the folder becomes visible under its name. */
  int dfd = open(od->tmp, O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
      int fd = openat(dfd, e->d_name, O_RDONLY);
      if (fd >= 0) {
        fsync(fd);
        close(fd);
      }
    }
    if (d)
      closedir(d);
    else
      close(dfd);
  }
  if (rename(od->tmp, od->target) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY)
      return mdt_error_set_at(err, MDT_ECANTWRITE, od->target, 0, 0, "cannot rename into place: %s",
                              strerror(errno));
    /* The target exists: swap the two folders in one step, then remove the old one. */
    if (renameat2(AT_FDCWD, od->tmp, AT_FDCWD, od->target, RENAME_EXCHANGE) != 0)
      return mdt_error_set_at(err, MDT_ECANTWRITE, od->target, 0, 0,
                              "cannot swap the new results into place: %s", strerror(errno));
    /* If this fails, the previous results stay in the temporary folder (a later run of the
     * same target removes it); the new ones are in place either way. */
    (void)remove_tree(od->tmp);
  }
  od->active = 0;
  return MDT_OK;
}

void mdt__outdir_abort(mdt__outdir *od) {
  if (od->active)
    remove_tree(od->tmp);
  od->active = 0;
}

mdt_status mdt__lock_acquire(mdt__lock *lk, const char *path, mdt_error *err) {
  lk->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lk->fd < 0)
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot open the lock file: %s",
                            strerror(errno));
  if (flock(lk->fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    char pid[32] = "";
    ssize_t n = pread(lk->fd, pid, sizeof pid - 1, 0);
    if (n > 0) {
      pid[n] = '\0';
      pid[strcspn(pid, "\n")] = '\0';
    }
    close(lk->fd);
    lk->fd = -1;
    if (e == EWOULDBLOCK)
      return mdt_error_set_at(err, MDT_ELOCKED, path, 0, 0,
                              "another run holds the lock%s%s%s", pid[0] ? " (process " : "",
                              pid, pid[0] ? ")" : "");
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot lock: %s", strerror(e));
  }
  char pid[32];
  int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  /* The process id is only a courtesy for a second run's message: a failure to write it is
   * not an error. */
  if (ftruncate(lk->fd, 0) == 0)
    (void)!pwrite(lk->fd, pid, (size_t)len, 0);
  return MDT_OK;
}

void mdt__lock_release(mdt__lock *lk) {
  if (lk->fd >= 0)
    close(lk->fd); /* closing drops the flock */
  lk->fd = -1;
}
