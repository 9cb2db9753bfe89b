#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/numparse.h"

cli_globals cli_g;

static const char mkstemp_template[] = {'X', 'X', 'X', 'X', 'X', 'X', '\0'};

int cli_report_error(const mdt_error *err) {
  char buf[2048];
  fprintf(stderr, "mandat: %s\n", mdt_error_format(err, buf, sizeof buf));
  return mdt_status_exit_code(err->status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mandat %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'mandat %s --help'.\n", cmd);
  va_end(ap);
  return mdt_status_exit_code(MDT_EUSAGE);
}

int cli_parse_double(const char *s, double *out) {
  if (s == NULL || *s == '\0')
    return -1;
  double v;
  if (mdt_parse_double(s, strlen(s), 0, &v) != 0 || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

int cli_parse_long(const char *s, long *out) {
  if (s == NULL || *s == '\0')
    return -1;
  errno = 0;
  char *end;
  long v = strtol(s, &end, 10);
  if (errno || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

int cli_parse_threads(const char *cmd, const char *s, int *out) {
  long l;
  if (cli_parse_long(s, &l) != 0 || l < 1 || l > 64)
    return cli_usage_error(cmd, "--threads: expected 1 to 64, found '%s'", s);
  *out = (int)l;
  return 0;
}

int cli_parse_lang(const char *cmd, const char *s, const char **out) {
  if (strcmp(s, "en") != 0 && strcmp(s, "nb") != 0)
    return cli_usage_error(cmd, "--lang: expected en or nb, found '%s'", s);
  *out = s;
  return 0;
}

int cli_check_format(const char *cmd, const char *s) {
  if (strcmp(s, "text") != 0 && strcmp(s, "csv") != 0 && strcmp(s, "json") != 0)
    return cli_usage_error(cmd, "--format: expected text, csv or json, found '%s'", s);
  return 0;
}

int cli_parse_ulong(const char *s, unsigned long *out) {
  if (s == NULL || *s == '\0' || *s == '-')
    return -1;
  errno = 0;
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

void cli_log(const char *fmt, ...) {
  if (cli_g.quiet || cli_g.bar)
    return;
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s mandat: ", stamp);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

#define CLI_OUTPUT_BUFFER ((size_t)1 << 18)

mdt_status cli_output_open(cli_output *out, const char *path, mdt_error *err) {
  memset(out, 0, sizeof *out);
  if (path == NULL || strcmp(path, "-") == 0) {
    out->fp = stdout;
    return MDT_OK;
  }
  size_t n = strlen(path) + 32;
  out->path = strdup(path);
  out->tmp_path = malloc(n);
  if (out->path == NULL || out->tmp_path == NULL) {
    cli_output_abort(out);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  /* mkstemp replaces the template's last six characters (all 'X') with a unique suffix. */
  snprintf(out->tmp_path, n, "%s.tmp-%.6s", path, mkstemp_template);
  int fd = mkstemp(out->tmp_path);
  if (fd < 0) {
    mdt_status st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write: %s",
                                     strerror(errno));
    free(out->tmp_path);
    out->tmp_path = NULL;
    cli_output_abort(out);
    return st;
  }
  /* mkstemp creates the file for the owner only; give it the usual umask-based mode. */
  mode_t um = umask(0);
  umask(um);
  if (fchmod(fd, 0666 & ~um) != 0)
    cli_log("note: could not set the mode of %s", out->tmp_path);
  out->fp = fdopen(fd, "w");
  if (out->fp == NULL) {
    close(fd);
    cli_output_abort(out);
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write: %s",
                            strerror(errno));
  }
  /* One thread writes the file: stdio need not lock it for every field written. */
  __fsetlocking(out->fp, FSETLOCKING_BYCALLER);
  /* A large buffer: stdio's own is a block (4 KiB), a write(2) for every 4 KiB of a result
   * (187 for the 10 M answers' aggregate). Without it, stdio's. */
  if ((out->buf = malloc(CLI_OUTPUT_BUFFER)) != NULL &&
      setvbuf(out->fp, out->buf, _IOFBF, CLI_OUTPUT_BUFFER) != 0) {
    free(out->buf);
    out->buf = NULL;
  }
  return MDT_OK;
}

mdt_status cli_output_finish(cli_output *out, mdt_error *err) {
  if (out->fp == NULL)
    return MDT_OK;
  if (out->fp == stdout) {
    out->fp = NULL;
    if (fflush(stdout) != 0 || ferror(stdout))
      return mdt_error_set(err, MDT_ECANTWRITE, "cannot write to standard output: %s",
                           strerror(errno));
    return MDT_OK;
  }
  int bad = ferror(out->fp) != 0;
  bad |= fflush(out->fp) != 0;
  bad |= fsync(fileno(out->fp)) != 0;
  bad |= fclose(out->fp) != 0;
  out->fp = NULL;
  free(out->buf);
  out->buf = NULL;
  if (bad) {
    mdt_status st = mdt_error_set_at(err, MDT_ECANTWRITE, out->path, 0, 0, "cannot write: %s",
                                     strerror(errno));
    cli_output_abort(out);
    return st;
  }
  return MDT_OK;
}

mdt_status cli_output_commit(cli_output *out, mdt_error *err) {
  mdt_status st = cli_output_finish(out, err);
  if (st != MDT_OK || out->path == NULL)
    return st;
  if (rename(out->tmp_path, out->path) != 0) {
    st = mdt_error_set_at(err, MDT_ECANTWRITE, out->path, 0, 0, "cannot write: %s",
                                     strerror(errno));
    cli_output_abort(out);
    return st;
  }
  free(out->tmp_path);
  out->tmp_path = NULL;
  free(out->path);
  out->path = NULL;
  return MDT_OK;
}

void cli_output_abort(cli_output *out) {
  if (out->fp != NULL && out->fp != stdout)
    fclose(out->fp);
  out->fp = NULL;
  free(out->buf);
  out->buf = NULL;
  if (out->tmp_path != NULL)
    unlink(out->tmp_path);
  free(out->tmp_path);
  free(out->path);
  out->tmp_path = NULL;
  out->path = NULL;
}

int cli_default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
