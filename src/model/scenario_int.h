/*
 * Internal: the parse state of a scenario file, shared by the reader (scenario.c) and the
 * key table with its value parsers (scenario_keys.c).
 */
#ifndef MANDAT_MODEL_SCENARIO_INT_H
#define MANDAT_MODEL_SCENARIO_INT_H

#include <stddef.h>
#include <stdio.h>

#include "mandat/scenario.h"

typedef struct parse_state parse_state;
typedef int (*setter)(parse_state *ps, const char *value);

typedef struct {
  const char *section;
  const char *key;
  setter set;
} key_desc;

struct parse_state {
  mdt_scenario *s;
  FILE *fp;
  long line;            /* lines read so far */
  char raw[4096];       /* the current raw line */
  int continuation;     /* the current line continues the previous key */
  char section[64];
  /* first error */
  mdt_status status;
  long err_line, err_col;
  char err_msg[600];
  /* the last key, applied once its continuation lines (if any) are in */
  char last_section[64], last_key[64];
  char *accum;
  int pending;
  long pending_line;
  char pending_raw[4096];
  /* two-year periods */
  int year;              /* the year being read (1 or 2) */
  mdt_scenario *scratch; /* year 1: [year2.*] keys are checked on it */
  size_t nstash;         /* year 2: [year2.*] keys, applied after the file */
  struct stash {
    char section[64], key[64];
    char *value;
    long line;
    char raw[4096];
  } *stash;
  char *line_buf; /* the reader's line, from getline */
  size_t line_cap;
  int read_errno;       /* set when the file could not be read */
};

/* scenario.c */
char *mdt__scn_dup_str(const char *s);
char *mdt__scn_join_path(const char *dir, const char *name);
void mdt__scn_trim(char *s);
int mdt__scn_parse_num(const char *s, double *out);
void mdt__scn_fail_here(parse_state *ps, long col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long mdt__scn_value_column(const parse_state *ps);
long mdt__scn_key_column(const parse_state *ps);

/* scenario_keys.c */
const key_desc *mdt__scn_lookup(const char *section, const char *key);
const char *mdt__scn_did_you_mean(const char *section, const char *name, char *buf, size_t size);

#endif
