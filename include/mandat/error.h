/*
 * mandat/error.h: status codes and the error record every library call fills.
 *
 * Ownership: an mdt_error is owned by the caller (usually on its stack); the library only
 * writes into it and never allocates for it.
 */
#ifndef MANDAT_ERROR_H
#define MANDAT_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One table gives the status enum, its name, its description and the exit status the
 * program maps it to (sysexits.h numbering, as documented in the README).
 *   X(name, exit status, description)
 */
#define MDT_STATUS_MAP(X)                                                          \
  X(OK,          0,  "success")                                                   \
  X(ECHECK,      1,  "a check failed")                                            \
  X(EINFEASIBLE, 1,  "the frame or a bound cannot be met")                        \
  X(EUSAGE,      2,  "invalid usage")                                             \
  X(EDATA,       65, "invalid input data")                                        \
  X(ENOCONV,     65, "an iterative method did not converge")                      \
  X(ENOINPUT,    66, "input file missing or unreadable")                          \
  X(ENOMEM,      70, "out of memory")                                             \
  X(EINTERNAL,   70, "internal error")                                            \
  X(ECANTWRITE,  73, "cannot write output")                                       \
  X(ELOCKED,     75, "another run holds the lock")                                \
  X(ECANCELED,   130, "the run was cancelled")

typedef enum {
#define MDT__STATUS_ENUM(name, exit_status, text) MDT_##name,
  MDT_STATUS_MAP(MDT__STATUS_ENUM)
#undef MDT__STATUS_ENUM
  MDT_STATUS_COUNT
} mdt_status;

/* Where and why something failed. line and column are 1-based; 0 means "not known". */
typedef struct mdt_error {
  mdt_status status;
  char message[768];
  char file[512];
  long line;
  long column;
} mdt_error;

/* A short English description of status, e.g. "invalid input data". */
const char *mdt_strerror(mdt_status status);
/* The status's symbolic name without prefix, e.g. "EDATA". */
const char *mdt_status_name(mdt_status status);
/* The exit status the program uses for status (0, 1, 2, 65, 66, 70, 73, 75). */
int mdt_status_exit_code(mdt_status status);

/* Resets err to MDT_OK with empty message and no position. err may be NULL. */
void mdt_error_clear(mdt_error *err);

/*
 * Fills err (if not NULL) with status and a printf-style message, clearing the position.
 * Returns status so that callers can write `return mdt_error_set(err, MDT_EDATA, ...)`.
 */
mdt_status mdt_error_set(mdt_error *err, mdt_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Where the library's notices go: a model file read as Windows-1252 because it is not UTF-8.
 * fn is called with user and one line of text; NULL (the default) sends them nowhere. One
 * handler for the process: set it before loading anything. */
typedef void (*mdt_note_fn)(void *user, const char *message);
void mdt_set_note_handler(mdt_note_fn fn, void *user);

/* As mdt_error_set, with a position: file (may be NULL), line and column (0 = unknown). */
mdt_status mdt_error_set_at(mdt_error *err, mdt_status status, const char *file, long line,
                            long column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Writes "file:line:column: message" (omitting the parts that are unknown) into buf of size
 * bufsize, always NUL-terminated. Returns buf.
 */
char *mdt_error_format(const mdt_error *err, char *buf, size_t bufsize);

#ifdef __cplusplus
}
#endif

#endif
