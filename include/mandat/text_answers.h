/*
 * mandat/text_answers.h: the members' free-text answers (questions of type text), kept
 * verbatim, and the table a regional committee reads them from.
 *
 * Ownership: mdt_text_answers_load returns an object the caller frees with
 * mdt_text_answers_free; mdt_text_answers_table returns a table the caller frees with
 * mdt_table_free (it copies the texts).
 *
 * text_answers.csv: respondent, question, text; one row per (respondent, text question).
 * The text is UTF-8 as the CSV reader checks it, quoted when it holds the delimiter, a
 * quote ("" inside quotes) or a line break, and is never changed: not trimmed, not
 * normalised, line breaks (LF or CRLF) kept as written. Only spaces and tabs around an
 * unquoted field are dropped, as the CSV reader does for every field: quote a text to keep
 * them (the tables' CSV does). Checked: known respondent; a question of type
 * text (numeric answers go in answers.csv, text answers only here); one answer per
 * respondent and question; not empty; at most MDT_TEXT_ANSWER_MAX bytes.
 */
#ifndef MANDAT_TEXT_ANSWERS_H
#define MANDAT_TEXT_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "mandat/error.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"
#include "mandat/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest answer accepted, in bytes of UTF-8 (64 KiB: some twenty pages of prose). */
#define MDT_TEXT_ANSWER_MAX 65536

typedef struct mdt_text_answers {
  size_t n;
  int32_t *respondent;       /* row in the respondents table */
  int32_t *question;         /* index into the questionnaire's questions */
  char **text;               /* the answer as written, NUL-terminated */
  long *line;                /* line of the row in text_answers.csv */
  size_t nrespondents;
  unsigned char *responded;  /* per respondent: non-zero if it gave a text answer */
  char *path;
} mdt_text_answers;

/* Reads and checks path against the members r and the questionnaire q. */
mdt_status mdt_text_answers_load(const char *path, const mdt_respondents *r,
                                 const mdt_questionnaire *q, mdt_text_answers **out,
                                 mdt_error *err);
void mdt_text_answers_free(mdt_text_answers *a);

/*
 * The table `text_answers`: question, region (the level of grouping, an index into
 * r->groupings; -1 gives "all"), respondent (member number), name, adopted (political,
 * administrative, unknown), text. Ordered by question as in questions.csv, then by
 * region, then as in text_answers.csv. level >= 0 keeps that level of grouping only (a
 * region's own answers); question >= 0 keeps that question only.
 */
mdt_status mdt_text_answers_table(const mdt_text_answers *a, const mdt_respondents *r,
                                  const mdt_questionnaire *q, long grouping, long level,
                                  long question, mdt_table **out, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
