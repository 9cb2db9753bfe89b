/*
 * Internal to the mandat program: shared helpers for the subcommands (errors, number
 * parsing, logging, output files written atomically).
 */
#ifndef MANDAT_CLI_H
#define MANDAT_CLI_H

#include <stdio.h>

#include "mandat/error.h"

/* Settings that hold for every subcommand (set by main before dispatch or by a command). */
typedef struct {
  int quiet;      /* --quiet: no log lines, no progress */
  int bar;        /* a progress bar is on stderr (a terminal): log lines would break it */
} cli_globals;
extern cli_globals cli_g;

/* The subcommands (argv[0] is the command's name); each returns the process exit status. */
int cmd_aggregate(int argc, char **argv);
int cmd_frame(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Worker threads to use by default: the cores online (1 to 64). */
int cli_default_threads(void);

/* Prints "mandat: file:line:column: message" on stderr; returns the exit status for err. */
int cli_report_error(const mdt_error *err);
/* Prints "mandat CMD: message" and a hint to --help on stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing for option values; 0 on success, -1 otherwise. */
int cli_parse_double(const char *s, double *out);
int cli_parse_long(const char *s, long *out);
int cli_parse_ulong(const char *s, unsigned long *out);

/* --threads: 1 to 64 into *out; 0, or the usage error's status 2 for command cmd. */
int cli_parse_threads(const char *cmd, const char *s, int *out);
/* --lang: "en" or "nb" into *out (pointing at s); 0, or the usage error's status 2. */
int cli_parse_lang(const char *cmd, const char *s, const char **out);
/* --format of a command writing text, csv or json: 0 when s is one of them, else the usage
 * error's status 2. */
int cli_check_format(const char *cmd, const char *s);

/* A log line "2026-11-23T14:46:00Z mandat: message" on stderr, unless --quiet or a progress
 * bar stands in for it. */
void cli_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * An output that is either stdout (path NULL or "-") or a file written beside its target
 * and renamed into place on commit, so that a failed run never leaves a partial file.
 */
typedef struct {
  FILE *fp;
  char *path;      /* final path, or NULL for stdout */
  char *tmp_path;  /* temporary sibling */
  char *buf;       /* stdio's buffer for fp (CLI_OUTPUT_BUFFER bytes), or NULL */
} cli_output;

mdt_status cli_output_open(cli_output *out, const char *path, mdt_error *err);
/* Flushes, closes and renames into place. */
mdt_status cli_output_commit(cli_output *out, mdt_error *err);
/* Writes out what is buffered and closes the file without putting it in place yet (so that
 * several outputs go in place only when all are written); commit then only renames. */
mdt_status cli_output_finish(cli_output *out, mdt_error *err);
/* Closes and removes the temporary file (safe to call after commit). */
void cli_output_abort(cli_output *out);

#endif
