/*
 * mandat/response_status.h: who has answered the Debatthefte, per stratum (region) and
 * nationally, and who has not, as the regional directors follow it before the deadline.
 *
 * Ownership: mdt_response_status_compute returns counts the caller frees with
 * mdt_response_status_free; the table builders return mdt_table objects the caller frees
 * with mdt_table_free. Nothing here keeps a pointer to the respondents table.
 *
 * A member has answered when responded[i] is non-zero (one answer of any type, numbers or
 * text, is enough). Employees are respondents.csv's `employees`; the share of employees
 * covered is the answering members' employees over all members' employees. Adoption
 * (respondents.csv's `adopted`) is counted among the members that answered only.
 */
#ifndef MANDAT_RESPONSE_STATUS_H
#define MANDAT_RESPONSE_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "mandat/error.h"
#include "mandat/model.h"
#include "mandat/respondents.h"
#include "mandat/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counts per stratum in columns: entry l < nlevels is level l of the grouping, entry
 * nlevels the nation (every member). */
typedef struct mdt_response_status {
  long grouping;             /* index into the respondents' groupings, or -1 (nation only) */
  size_t nlevels;            /* levels of the grouping (0 when grouping is -1) */
  size_t *members;           /* nlevels + 1 */
  size_t *answered;          /* nlevels + 1 */
  double *employees;         /* nlevels + 1: persons, all members */
  double *employees_answered;/* nlevels + 1: persons, the members that answered */
  size_t *adopted[MDT_ADOPTION_N]; /* [mdt_adoption][nlevels + 1]: answered members by
                                      how they adopted the answer */
} mdt_response_status;

/*
 * Counts the members of r that answered (responded has r->n entries), per level of
 * grouping (an index into r->groupings, or -1 for the nation only) and nationally.
 */
mdt_status mdt_response_status_compute(const mdt_respondents *r, const unsigned char *responded,
                                       long grouping, mdt_response_status **out,
                                       mdt_error *err);
void mdt_response_status_free(mdt_response_status *s);

/*
 * The table `response_status`: one row per level (level < 0: every level, then the nation as
 * scope/stratum "all"; level >= 0: that level's row only, for a region's own pack).
 * Columns: scope, stratum, members, answered, response_rate (share), employees,
 * employees_answered, employee_share (share), political, administrative, unknown,
 * political_share (share of the answers adopted politically).
 */
mdt_status mdt_response_status_table(const mdt_response_status *s, const mdt_respondents *r,
                                     long level, mdt_table **out, mdt_error *err);

/*
 * The table `status_missing`: the members that have not answered, in respondents.csv's
 * order, within level of grouping (level < 0 or grouping < 0: all). Columns: scope,
 * stratum, respondent (member number), name, kind, employees.
 */
mdt_status mdt_response_missing_table(const mdt_respondents *r, const unsigned char *responded,
                                      long grouping, long level, mdt_table **out,
                                      mdt_error *err);

/* Fills responded (m->respondents->n bytes): 1 for a member with a numeric answer or a
 * text answer (m->text_answers), else 0. Numeric answers: answered (per member, e.g. an
 * mdt_aggregate's answered when the answers were streamed), or m->answers->responded when
 * answered is NULL (the model loaded with MDT_MODEL_ANSWERS). */
void mdt_response_status_responded(const mdt_model *m, const unsigned char *answered,
                                   unsigned char *responded);

/*
 * Both tables for a model: a member has answered when it gave a numeric answer or a text
 * answer (as mdt_response_status_responded; answered may be NULL when the model was loaded
 * with MDT_MODEL_ANSWERS); by names the grouping column (NULL: "region"). What `mandat
 * status` prints and `mandat run` adds to its results (there: answered = the aggregate's
 * answered, and the model loaded with MDT_MODEL_TEXT_ANSWERS).
 */
mdt_status mdt_response_status_tables(const mdt_model *m, const unsigned char *answered,
                                      const char *by, mdt_table **status, mdt_table **missing,
                                      mdt_error *err);

/* The two tables as text for a terminal or a daily mail: the status table aligned (its
 * last row the nation's, as mdt_response_status_table makes it with level < 0), then the
 * missing members per stratum; either may be NULL to leave it out. lang "nb" writes the
 * headings and sentences in Norwegian; NULL or "en" in English. */
mdt_status mdt_response_status_write_text(FILE *fp, const mdt_table *status,
                                          const mdt_table *missing, const char *lang,
                                          mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
