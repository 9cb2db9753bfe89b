/*
 * mandat/answers.h: the members' answers, validated against members and questionnaire.
 *
 * Ownership: mdt_answers_load returns a table the caller frees with mdt_answers_free;
 * batches handed to an mdt_answers_fn belong to the reader and live for the call only.
 *
 * answers.csv: respondent, question, option, value; one row per (respondent, question,
 * option). Checked: known respondent, question, and option of that question; no duplicate
 * row; value within the question's range; a rank is a whole number 1..noptions and, unless
 * the question allows ties, no rank given twice by one respondent; a choice value is 0 or 1
 * and at most one option per respondent is chosen.
 */
#ifndef MANDAT_ANSWERS_H
#define MANDAT_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "mandat/error.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A run of validated answers in columns. */
typedef struct {
  size_t n;
  const int32_t *respondent; /* row in the respondents table */
  const int32_t *option;     /* global option index ("cell") */
  const double *value;
  /* An estimate of the answers in the whole file, a little over (0 when not known): to size
   * what a caller keeps of them once rather than growing it batch by batch. */
  size_t expected;
} mdt_answer_batch;

/* Called for each batch while streaming; returns MDT_OK to go on. */
typedef mdt_status (*mdt_answers_fn)(const mdt_answer_batch *batch, void *user, mdt_error *err);

/*
 * Streams path in batches, validating every row; memory stays bounded by the number of
 * respondents times options, whatever the number of answers.
 */
mdt_status mdt_answers_stream(const char *path, const mdt_respondents *r,
                              const mdt_questionnaire *q, mdt_answers_fn fn, void *user,
                              mdt_error *err);

/* As mdt_answers_stream, tokenising with threads threads; the batches still arrive in file
 * order, so the results do not depend on threads. */
mdt_status mdt_answers_stream_threads(const char *path, const mdt_respondents *r,
                                      const mdt_questionnaire *q, int threads,
                                      mdt_answers_fn fn, void *user, mdt_error *err);

typedef struct mdt_answers {
  size_t n;
  int32_t *respondent;
  int32_t *option;
  double *value;
  size_t nrespondents;
  unsigned char *responded;  /* per respondent: non-zero if it gave at least one answer */
  char *path;
} mdt_answers;

/* Reads all answers into memory. */
mdt_status mdt_answers_load(const char *path, const mdt_respondents *r,
                            const mdt_questionnaire *q, mdt_answers **out, mdt_error *err);
void mdt_answers_free(mdt_answers *a);

#ifdef __cplusplus
}
#endif

#endif
