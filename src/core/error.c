#include "mandat/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int exit_code;
  const char *text;
} status_table[] = {
#define MDT__STATUS_ROW(name, exit_status, text) {#name, exit_status, text},
    MDT_STATUS_MAP(MDT__STATUS_ROW)
#undef MDT__STATUS_ROW
};

static int status_known(mdt_status status) {
  return (int)status >= 0 && status < MDT_STATUS_COUNT;
}

const char *mdt_strerror(mdt_status status) {
  return status_known(status) ? status_table[status].text : "unknown status";
}

const char *mdt_status_name(mdt_status status) {
  return status_known(status) ? status_table[status].name : "EUNKNOWN";
}

int mdt_status_exit_code(mdt_status status) {
  return status_known(status) ? status_table[status].exit_code : 70;
}

void mdt_error_clear(mdt_error *err) {
  if (err == NULL)
    return;
  err->status = MDT_OK;
  err->message[0] = '\0';
  err->file[0] = '\0';
  err->line = 0;
  err->column = 0;
}

static void error_vset(mdt_error *err, mdt_status status, const char *file, long line,
                       long column, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void error_vset(mdt_error *err, mdt_status status, const char *file, long line,
                       long column, const char *fmt, va_list ap) {
  err->status = status;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  if (file != NULL)
    snprintf(err->file, sizeof err->file, "%s", file);
  else
    err->file[0] = '\0';
  err->line = line;
  err->column = column;
}

mdt_status mdt_error_set(mdt_error *err, mdt_status status, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, status, NULL, 0, 0, fmt, ap);
    va_end(ap);
  }
  return status;
}

mdt_status mdt_error_set_at(mdt_error *err, mdt_status status, const char *file, long line,
                            long column, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, status, file, line, column, fmt, ap);
    va_end(ap);
  }
  return status;
}

char *mdt_error_format(const mdt_error *err, char *buf, size_t bufsize) {
  if (bufsize == 0)
    return buf;
  if (err == NULL) {
    buf[0] = '\0';
    return buf;
  }
  const char *msg = err->message[0] ? err->message : mdt_strerror(err->status);
  if (err->file[0] && err->line > 0 && err->column > 0)
    snprintf(buf, bufsize, "%s:%ld:%ld: %s", err->file, err->line, err->column, msg);
  else if (err->file[0] && err->line > 0)
    snprintf(buf, bufsize, "%s:%ld: %s", err->file, err->line, msg);
  else if (err->file[0])
    snprintf(buf, bufsize, "%s: %s", err->file, msg);
  else
    snprintf(buf, bufsize, "%s", msg);
  return buf;
}
