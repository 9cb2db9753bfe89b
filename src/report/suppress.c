#include "mandat/suppress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mdt_suppression_free(mdt_suppression *plan) {
  if (plan == NULL)
    return;
  free(plan->rows);
  free(plan->primary);
  free(plan->hidden);
  memset(plan, 0, sizeof *plan);
}

/* Groups in the same sum as g in every published margin: the total (all groups), the frame's
 * local pot and central elements (the covered groups) and its named increases (the named
 * groups). Differences of those margins give the sum over each class of groups alike in
 * being covered and named, so that class is what has to hide a small group. */
static int same_class(const mdt_microsim_report *rep, size_t a, size_t b) {
  return rep->groups[a].covered == rep->groups[b].covered &&
         rep->groups[a].named == rep->groups[b].named;
}

/* A small group whose class has fewer than threshold rows hidden beside it, or -1. Beside a
 * small group counts what its class hides besides it: another small group's members know
 * their own pay, so two single persons do not hide each other. */
static long exposed(const mdt_suppression *p, const mdt_microsim_report *rep) {
  for (size_t g = 0; g < p->ngroups; g++) {
    if (!p->primary[g])
      continue;
    size_t beside = 0;
    for (size_t h = 0; h < p->ngroups; h++)
      if (h != g && p->hidden[h] && same_class(rep, g, h))
        beside += p->rows[h];
    if (beside < p->threshold)
      return (long)g;
  }
  return -1;
}

mdt_status mdt_suppression_plan(const mdt_register *reg, const mdt_microsim_report *rep,
                                size_t threshold, mdt_suppression *plan, mdt_error *err) {
  size_t ngroups = rep->ngroups;
  memset(plan, 0, sizeof *plan);
  size_t n1 = ngroups ? ngroups : 1;
  plan->ngroups = ngroups;
  plan->threshold = threshold;
  plan->rows = calloc(n1, sizeof *plan->rows);
  plan->primary = calloc(n1, 1);
  plan->hidden = calloc(n1, 1);
  if (!plan->rows || !plan->primary || !plan->hidden) {
    mdt_suppression_free(plan);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory planning the suppression");
  }
  for (size_t i = 0; i < reg->n; i++) {
    if (reg->group[i] < 0 || (size_t)reg->group[i] >= ngroups) {
      mdt_suppression_free(plan);
      return mdt_error_set(err, MDT_EINTERNAL, "register row %zu: group %d outside the table",
                           i, (int)reg->group[i]);
    }
    plan->rows[reg->group[i]]++;
  }
  /* Groups with no rows add nothing to any sum: they neither need nor give protection. */
  for (size_t g = 0; g < ngroups; g++)
    if (plan->rows[g] > 0 && plan->rows[g] < threshold)
      plan->primary[g] = plan->hidden[g] = 1;
  long small;
  while ((small = exposed(plan, rep)) >= 0) {
    long next = -1;
    for (size_t g = 0; g < ngroups; g++)
      if (!plan->hidden[g] && plan->rows[g] > 0 && same_class(rep, g, (size_t)small) &&
          (next < 0 || plan->rows[g] < plan->rows[next]))
        next = (long)g;
    if (next < 0) {
      /* Nothing left to hide it among: the margins themselves are withheld. */
      plan->withhold_total = 1;
      break;
    }
    plan->hidden[next] = 1;
  }
  for (size_t g = 0; g < ngroups; g++)
    plan->nhidden += plan->hidden[g];
  return MDT_OK;
}

/* Every number of the row NaN and its counts 0, keeping whether the group is covered and
 * named; fields added to the row later start at 0, never at the group's value. */
static void blank_row(mdt_microsim_row *row) {
  int covered = row->covered, named = row->named;
  memset(row, 0, sizeof *row);
  row->covered = covered;
  row->named = named;
  double *nan_fields[] = {
      &row->fte,           &row->wage_bill_nok,      &row->rise_nok,
      &row->nok_per_fte,   &row->rise_pct,           &row->annual_effect_pct,
      &row->central_effect_pct, &row->local_effect_pct, &row->named_effect_pct,
      &row->area_effect_pct, &row->carryover_pct,    &row->overheng_pct,
      &row->glidning_pct,  &row->annual_growth_pct,  &row->real_growth_pct,
      &row->cost_nok,      &row->rise_p10_nok,       &row->rise_p50_nok,
      &row->rise_p90_nok,  &row->rise_p10_pct,       &row->rise_p50_pct,
      &row->rise_p90_pct,  &row->rise_frac_e8};
  for (size_t k = 0; k < sizeof nan_fields / sizeof nan_fields[0]; k++)
    *nan_fields[k] = NAN;
  row->employees = 0; /* what every writer takes for a suppressed group */
}

mdt_status mdt_suppression_apply(const mdt_suppression *plan, mdt_microsim_report *rep,
                                 mdt_microsim_effect *effect, mdt_error *err) {
  if (rep->ngroups != plan->ngroups)
    return mdt_error_set(err, MDT_EINTERNAL, "suppression planned for %zu groups, report has %zu",
                         plan->ngroups, rep->ngroups);
  for (size_t g = 0; g < rep->ngroups; g++)
    if (plan->hidden[g])
      blank_row(&rep->groups[g]);
  if (plan->withhold_total) {
    mdt_microsim_row *t = &rep->total;
    t->employees_e4 = 0;
    t->fte_e8 = 0;
    t->wage_bill_e8 = 0;
    t->rise_e8 = 0;
    t->rise_frac_e8 = NAN;
    t->employees = NAN;
    t->fte = NAN;
    t->wage_bill_nok = NAN;
    t->rise_nok = NAN;
    t->nok_per_fte = NAN;
    t->cost_nok = NAN;
    for (size_t g = 0; g < rep->ngroups; g++)
      rep->groups[g].area_effect_pct = NAN;
    if (effect != NULL)
      effect->central_pct = effect->local_pct = effect->named_pct = NAN;
  }
  return MDT_OK;
}
