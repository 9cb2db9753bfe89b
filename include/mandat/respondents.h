/*
 * mandat/respondents.h: the members (kommuner and fylkeskommuner) and their grouping columns.
 *
 * Ownership: mdt_respondents_load returns a table the caller frees with
 * mdt_respondents_free; every pointer inside it belongs to the table.
 *
 * respondents.csv: id, name, kind (kommune/fylkeskommune), region, population, employees
 * (required); fte, wagebill (optional numbers); adopted (optional: how the member's answer
 * was adopted, politisk/administrativt/ukjent or political/administrative/unknown, empty =
 * unknown; without the column every member is unknown); size_class and any further columns
 * are grouping columns. kind and region are grouping columns too.
 */
#ifndef MANDAT_RESPONDENTS_H
#define MANDAT_RESPONDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "mandat/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MDT_KIND_KOMMUNE = 0, MDT_KIND_FYLKESKOMMUNE = 1 } mdt_member_kind;

/* How a member adopted its answer: by the kommunestyre or fylkesting (KS asks for this), by
 * the administration, or not known. */
typedef enum {
  MDT_ADOPTED_UNKNOWN = 0,
  MDT_ADOPTED_POLITICAL = 1,
  MDT_ADOPTED_ADMINISTRATIVE = 2
} mdt_adoption;
#define MDT_ADOPTION_N 3

/* A categorical column: each respondent's level as an index into levels. */
typedef struct {
  char *name;        /* column name, e.g. "region" */
  size_t nlevels;
  char **levels;     /* level labels, sorted by strcmp (byte order) */
  int32_t *code;     /* per respondent: index into levels */
} mdt_grouping;

typedef struct mdt_respondents {
  size_t n;
  char **id;             /* member number as text, e.g. "0301", "46" */
  char **name;
  mdt_member_kind *kind;
  double *population;    /* persons */
  double *employees;     /* persons employed (may be an estimate) */
  double *fte;           /* full-time equivalents; NaN where not given */
  double *wagebill_nok;  /* NOK per year; NaN where not given */
  long *line;            /* line of each member in respondents.csv (for messages) */
  mdt_adoption *adopted; /* per member; MDT_ADOPTED_UNKNOWN where not given */
  size_t ngroupings;
  mdt_grouping *groupings; /* "kind", "region", then the other columns in file order */
  char *path;            /* the file read */
  void *index;           /* internal: id -> row */
  char *text;            /* internal: when not NULL, the block that id and name point into */
} mdt_respondents;

/* Loads and validates path (unique non-empty ids, known kinds, non-negative sizes). */
mdt_status mdt_respondents_load(const char *path, mdt_respondents **out, mdt_error *err);
/* As mdt_respondents_load, tokenising with threads threads (the same result for any). */
mdt_status mdt_respondents_load_threads(const char *path, int threads, mdt_respondents **out,
                                        mdt_error *err);
void mdt_respondents_free(mdt_respondents *r);

/* An adoption from its file spelling (see above) into *out; 0, or -1 if s is none of them. */
int mdt_adoption_parse(const char *s, mdt_adoption *out);
/* "political", "administrative" or "unknown". */
const char *mdt_adoption_name(mdt_adoption a);

/* Row of the member with the given id, or -1. */
long mdt_respondents_find(const mdt_respondents *r, const char *id);
/* The grouping column called name, or NULL. */
const mdt_grouping *mdt_respondents_grouping(const mdt_respondents *r, const char *name);
/* The index of the grouping column called name in r->groupings (what mdt_weights_options'
 * poststrata and rake and mdt_aggregate_options' breakdown take), or -1. */
long mdt_respondents_grouping_index(const mdt_respondents *r, const char *name);
/* Index of level label in grouping g, or -1. */
long mdt_grouping_level(const mdt_grouping *g, const char *label);

#ifdef __cplusplus
}
#endif

#endif
