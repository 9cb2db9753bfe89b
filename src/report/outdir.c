/* Result folders built beside their target and swapped into place; run locks. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
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

/* The process's umask, read without changing it where /proc tells it (umask(2) can only
 * read it by setting it, which races with threads creating files). */
static mode_t current_umask(void) {
  FILE *fp = fopen("/proc/self/status", "r");
  if (fp != NULL) {
    char line[256];
    unsigned mask;
    while (fgets(line, sizeof line, fp) != NULL)
      if (sscanf(line, "Umask: %o", &mask) == 1) {
        fclose(fp);
        return (mode_t)mask;
      }
    fclose(fp);
  }
  mode_t m = umask(022);
  umask(m);
  return m;
}

/*
 * Removes the temporary folders that earlier runs of the same target left when killed:
 * only names of this program's own pattern "<target>.tmp-<pid>-XXXXXX", only when that
 * process is gone and no one holds the folder's lock (a live run holds it from creation to
 * the swap). Anything else beside the target is left alone.
 */
static void remove_stale(const char *target) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", target);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : target;
  if (slash == dir)
    dir[1] = '\0';
  else if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  char prefix[4200];
  int plen = snprintf(prefix, sizeof prefix, "%s.tmp-", base);
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
      continue;
    const char *p = e->d_name + plen;
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (end == p || *end != '-' || strlen(end + 1) != 6 || pid <= 0 || errno != 0)
      continue;
    if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
      continue;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
      remove_tree(path);
    close(fd);
  }
  closedir(d);
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
  remove_stale(od->target);
  snprintf(od->tmp, sizeof od->tmp, "%s.tmp-%ld-%s", od->target, (long)getpid(), six_x);
  if (mkdtemp(od->tmp) == NULL)
    return mdt_error_set_at(err, MDT_ECANTWRITE, od->target, 0, 0,
                            "cannot create a folder beside it: %s", strerror(errno));
  od->active = 1;
  /* Held until the swap, so that no other run takes the folder for a stale one. */
  od->lock_fd = open(od->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (od->lock_fd < 0 || flock(od->lock_fd, LOCK_EX | LOCK_NB) != 0 ||
      /* mkdtemp makes it 0700; a result folder follows the umask like any other folder. */
      chmod(od->tmp, 0777 & ~current_umask()) != 0) {
    int e = errno;
    mdt__outdir_abort(od);
    return mdt_error_set_at(err, MDT_ECANTWRITE, od->target, 0, 0,
                            "cannot set up a folder beside it: %s", strerror(e));
  }
  return MDT_OK;
}

char *mdt__outdir_path(const mdt__outdir *od, const char *name, char *buf, size_t size) {
  if ((size_t)snprintf(buf, size, "%s/%s", od->tmp, name) >= size)
    return NULL;
  return buf;
}

/* Calls fn on every entry of folder dfd, each on a read-only descriptor of its own (the
 * folder's own entry too), and on those of its subfolders (a period's years). */
static void each_file(int dfd, void (*fn)(int fd)) {
  int dup_fd = dup(dfd); /* closedir closes the descriptor it was opened on */
  DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  if (d == NULL) {
    if (dup_fd >= 0)
      close(dup_fd);
    return;
  }
  rewinddir(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int fd = openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    fn(fd);
    struct stat st;
    int dir = e->d_type == DT_DIR ||
              (e->d_type == DT_UNKNOWN && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
    if (dir && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      each_file(fd, fn);
    close(fd);
  }
  closedir(d);
}

static void start_writeback(int fd) {
#if defined(SYNC_FILE_RANGE_WRITE)
  (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
  (void)fd;
#endif
}

static void make_durable(int fd) { (void)fsync(fd); }

mdt_status mdt__outdir_commit(mdt__outdir *od, mdt_error *err) {
  /* Make the files durable before the folder becomes visible under its name: every file's
   * writing started first, so that the disk takes them together, then each waited for. */
  int dfd = open(od->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    each_file(dfd, start_writeback);
    each_file(dfd, make_durable);
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
  if (od->lock_fd >= 0)
    close(od->lock_fd);
  od->lock_fd = -1;
  return MDT_OK;
}

void mdt__outdir_abort(mdt__outdir *od) {
  if (od->active)
    remove_tree(od->tmp);
  od->active = 0;
  if (od->lock_fd > 0)
    close(od->lock_fd);
  od->lock_fd = -1;
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
