/*
 * mandat/synth.h: synthetic data drawn by a seeded generator (gsl_rng_mt19937) and written
 * as CSV: members in the shape of models/ks-2024, answers to a model's questionnaire, and
 * employee registers (a weighted sample calibrated to the published totals, or any number of
 * rows streamed for benchmarks).
 *
 * Ownership: every function writes to FILE*s the caller opened and closes, borrows its
 * inputs and keeps nothing. The same inputs and seed give the same bytes. Members, answers
 * and streamed registers use memory that does not grow with the rows written; the calibrated
 * register holds its rows (about 50 bytes each) to calibrate them.
 *
 * A seed of 0 is GSL's default seed and gives the same data as 4357. The assumptions and
 * their parameter values are listed in models/ks-2024/README.md.
 */
#ifndef MANDAT_SYNTH_H
#define MANDAT_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"
#include "mandat/steptable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ members -- */

/*
 * Writes respondents.csv (id,name,kind,region,population,employees,fte,size_class) for
 * count synthetic members: about 14 in 370 are fylkeskommuner; regions are the 14 fylker of
 * the KS area, drawn in proportion to their number of kommuner; log-population is normal
 * with the mean and spread of the real kommuner (fylker); employees follow population as in
 * models/ks-2024 with a little noise. ids are the region's two-digit number followed by the
 * row number (at least two digits), so they are unique. count >= 1.
 */
mdt_status mdt_synth_members_write(size_t count, unsigned long seed, FILE *fp, mdt_error *err);

/* ------------------------------------------------------------------ answers -- */

typedef struct {
  unsigned long seed;
  double response_rate; /* expected share of members that answer, in (0, 1]; default 0.75 */
} mdt_synth_answers_options;

void mdt_synth_answers_options_init(mdt_synth_answers_options *o);

typedef struct {
  size_t members;    /* members in the respondents table */
  size_t responding; /* members that answered at least one question */
  size_t rows;       /* answer rows written */
} mdt_synth_answers_summary;

/*
 * Writes answers.csv (respondent,question,option,value) for the members of r and the
 * questionnaire q (whose option groups index groups g). Each member answers with a
 * probability that rises with its size (logistic in standardised log employees, centred so
 * that the mean probability is response_rate). An answering member has a latent utility per
 * employee group (group base + low-pay orientation x group loading + kind, region and
 * northern effects + noise); rank questions order the options by it (a share of members rank
 * only their top 3-5; ties only where the question allows them), score questions map it onto
 * the question's range, share questions draw a local share that rises with size, and choice
 * questions pick an option by a logit on the low-pay orientation. Every value passes
 * mdt_answers_load. summary may be NULL.
 */
mdt_status mdt_synth_answers_write(const mdt_respondents *r, const mdt_groups *g,
                                   const mdt_questionnaire *q,
                                   const mdt_synth_answers_options *o, FILE *fp,
                                   mdt_synth_answers_summary *summary, mdt_error *err);

/* ----------------------------------------------------------------- register -- */

typedef struct {
  unsigned long seed;
  /* Calibrated area (employees == 0): the share of the area's employees written as rows,
   * in (0, 1]. Each full row stands for W = round(1 / sample) employees; each (member, group)
   * cell of h employees gets floor(h / W) rows of weight W and one row for the rest. Default
   * 0.1. */
  double sample;
  /* 0: the calibrated area. N > 0: exactly N rows of weight 1, streamed in constant memory,
   * in the same shape but matching the targets only in expectation. */
  size_t employees;
  int weight_column; /* non-zero (default): write the weight column */
} mdt_synth_register_options;

void mdt_synth_register_options_init(mdt_synth_register_options *o);

/* What was written for one employee group (or, summed, a chapter or the whole area). */
typedef struct {
  int64_t rows;
  int64_t headcount;       /* sum of weights: employees represented */
  int64_t fte_e4;          /* sum of weight x fte, in 1/10 000 FTE */
  int64_t wage_bill_e4;    /* sum of weight x fte x annual salary, NOK in 1/10 000 */
  int64_t below_guarantee; /* rows paid under the guarantee for their group and step */
} mdt_synth_totals;

/* FTE-weighted mean annual salary of t in NOK (NaN when t has no FTE). */
double mdt_synth_totals_mean_salary(const mdt_synth_totals *t);

/*
 * Writes register.csv (id,respondent,group,seniority_years,fte,annual_salary[,weight]) for
 * members r and groups g. guarantee (may be NULL) gives the floors: every employee of a
 * group with guarantee steps is paid at least the guarantee for their step.
 *
 * Calibrated area: groups.csv must give headcount, fte and mean_salary for every group.
 * Employees are spread over the members in proportion to respondents.csv employees with a
 * group mix by member kind and size (raked so that every group's total is its headcount);
 * the written rows' weighted headcount and FTE per group equal groups.csv exactly and their
 * FTE-weighted mean salary is within 0.5 NOK of it. headcounts (may be NULL) receives
 * headcounts.csv (respondent,group,headcount) of the full area before sampling.
 *
 * Streamed (o->employees = N): N rows, members in proportion to employees, the unraked group
 * mix, FTE and salary drawn from the same distributions calibrated in expectation; headcounts
 * receives the counts of the rows written.
 *
 * totals (may be NULL) receives one entry per group.
 */
mdt_status mdt_synth_register_write(const mdt_respondents *r, const mdt_groups *g,
                                    const mdt_step_table *guarantee,
                                    const mdt_synth_register_options *o, FILE *fp,
                                    FILE *headcounts, mdt_synth_totals *totals,
                                    mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
