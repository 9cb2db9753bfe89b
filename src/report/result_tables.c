#include "mandat/result_tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *name;
  mdt_col_kind kind;
} col;

static mdt_table *make(const char *name, const char *title, const col *cols, size_t n) {
  const char *names[64];
  mdt_col_kind kinds[64];
  for (size_t k = 0; k < n && k < 64; k++) {
    names[k] = cols[k].name;
    kinds[k] = cols[k].kind;
  }
  mdt_table *t = NULL;
  mdt_error err;
  if (mdt_table_new(name, title, n, names, kinds, &t, &err) != MDT_OK)
    return NULL;
  return t;
}

#define MAKE(name, title, cols) make(name, title, cols, sizeof cols / sizeof cols[0])

static int suppressed(const mdt_microsim_row *row) {
  return row->employees < MDT_REPORT_MIN_EMPLOYEES;
}

/* Adds a row; on failure frees the table and returns -1 (callers then return NULL). */
#define ROW(t, r)                                                                              \
  long r = mdt_table_add_row(t);                                                               \
  if (r < 0) {                                                                                 \
    mdt_table_free(t);                                                                         \
    return NULL;                                                                               \
  }

#define TEXT(t, r, c, s)                                                                       \
  do {                                                                                         \
    if (mdt_table_set_text(t, (size_t)(r), c, s) != 0) {                                       \
      mdt_table_free(t);                                                                       \
      return NULL;                                                                             \
    }                                                                                          \
  } while (0)

#define NUM(t, r, c, v) mdt_table_set_num(t, (size_t)(r), c, v)

/* ----------------------------------------------------------- aggregate -- */

mdt_table *mdt_tables_aggregate(const mdt_aggregate *agg, const mdt_report_context *ctx) {
  static const col cols[] = {{"scope", MDT_COL_TEXT},     {"stratum", MDT_COL_TEXT},
                             {"question", MDT_COL_TEXT},  {"option", MDT_COL_TEXT},
                             {"statistic", MDT_COL_TEXT}, {"value", MDT_COL_NUMBER},
                             {"ci_low", MDT_COL_NUMBER},  {"ci_high", MDT_COL_NUMBER},
                             {"n", MDT_COL_INT},          {"n_eff", MDT_COL_NUMBER}};
  mdt_table *t = MAKE("aggregate", "The members' answers, weighted: every estimate", cols);
  if (t == NULL)
    return NULL;
  const mdt_respondents *resp = ctx->respondents;
  const mdt_questionnaire *q = ctx->questionnaire;
  for (size_t k = 0; k < agg->nrows; k++) {
    const mdt_estimate *e = &agg->rows[k];
    ROW(t, r);
    TEXT(t, r, 0, e->scope < 0 ? "all" : resp->groupings[e->scope].name);
    TEXT(t, r, 1, e->stratum < 0 ? "all" : resp->groupings[e->scope].levels[e->stratum]);
    TEXT(t, r, 2, e->question < 0 ? "profile" : q->questions[e->question].id);
    if (e->option >= 0)
      TEXT(t, r, 3, e->question < 0 ? ctx->groups->id[e->option] : q->options[e->option].id);
    TEXT(t, r, 4, mdt_statistic_name(e->statistic));
    NUM(t, r, 5, e->value);
    NUM(t, r, 6, e->ci_low);
    NUM(t, r, 7, e->ci_high);
    NUM(t, r, 8, e->n);
    NUM(t, r, 9, e->n_eff);
  }
  /* as mdt_report_aggregate_csv: the draws dropped, out of those asked for */
  if (agg->bootstrap + agg->draws_dropped > 0) {
    ROW(t, r);
    TEXT(t, r, 0, "all");
    TEXT(t, r, 1, "all");
    TEXT(t, r, 2, "bootstrap");
    TEXT(t, r, 4, "dropped_draws");
    NUM(t, r, 5, (double)agg->draws_dropped);
    NUM(t, r, 8, (double)(agg->bootstrap + agg->draws_dropped));
  }
  return t;
}

/* The profile of scopes [from, to) (0 national, 1 + l stratum l) as rows. */
static mdt_table *profile_rows(mdt_table *t, const mdt_aggregate *agg,
                               const mdt_report_context *ctx, size_t from, size_t to) {
  if (t == NULL || ctx->groups == NULL)
    return t;
  for (size_t s = from; s < to; s++) {
    const mdt_profile *p = &agg->profiles[s];
    for (size_t g = 0; g < agg->ngroups; g++) {
      if (!isfinite(agg->profiles[0].priority[g]))
        continue;
      ROW(t, r);
      TEXT(t, r, 0, s == 0 ? "all" : ctx->respondents->groupings[agg->breakdown].name);
      TEXT(t, r, 1, s == 0 ? "all" : ctx->respondents->groupings[agg->breakdown].levels[s - 1]);
      TEXT(t, r, 2, ctx->groups->id[g]);
      TEXT(t, r, 3, ctx->groups->name[g]);
      NUM(t, r, 4, p->priority[g]);
      NUM(t, r, 5, p->ci_low[g]);
      NUM(t, r, 6, p->ci_high[g]);
      NUM(t, r, 7, p->top3_frequency[g]);
    }
  }
  return t;
}

static const col profile_cols[] = {{"scope", MDT_COL_TEXT},          {"stratum", MDT_COL_TEXT},
                                   {"group", MDT_COL_TEXT},          {"name", MDT_COL_TEXT},
                                   {"priority", MDT_COL_NUMBER},     {"ci_low", MDT_COL_NUMBER},
                                   {"ci_high", MDT_COL_NUMBER},      {"top3_frequency", MDT_COL_SHARE}};

mdt_table *mdt_tables_profile(const mdt_aggregate *agg, const mdt_report_context *ctx) {
  mdt_table *t = MAKE("profile", "The mandate profile: each group's priority from 0 to 1",
                      profile_cols);
  return profile_rows(t, agg, ctx, 0, 1);
}

mdt_table *mdt_tables_profile_strata(const mdt_aggregate *agg, const mdt_report_context *ctx) {
  mdt_table *t = MAKE("profile_strata", "The mandate profile of each stratum (region)",
                      profile_cols);
  return profile_rows(t, agg, ctx, 1, 1 + agg->nstrata);
}

/* ---------------------------------------------------------------- frame -- */

/* ----------------------------------------------------------- settlement -- */


mdt_table *mdt_tables_settlement(const mdt_microsim_report *rep,
                                 const mdt_allocation_result *res,
                                 const mdt_settlement_context *ctx) {
  static const col cols[] = {
      {"group", MDT_COL_TEXT},           {"name", MDT_COL_TEXT},
      {"chapter", MDT_COL_TEXT},         {"covered", MDT_COL_INT},
      {"pct", MDT_COL_PCT},              {"employees", MDT_COL_INT},
      {"fte", MDT_COL_INT},              {"wage_bill_nok", MDT_COL_NOK},
      {"rise_nok", MDT_COL_NOK},         {"nok_per_fte", MDT_COL_NOK},
      {"rise_pct", MDT_COL_PCT},         {"annual_effect_pct", MDT_COL_PCT},
      {"area_effect_pct", MDT_COL_PCT},  {"carryover_pct", MDT_COL_PCT},
      {"overheng_pct", MDT_COL_PCT},     {"glidning_pct", MDT_COL_PCT},
      {"annual_growth_pct", MDT_COL_PCT}, {"real_growth_pct", MDT_COL_PCT},
      {"cost_nok", MDT_COL_NOK},         {"rise_p10_nok", MDT_COL_NOK},
      {"rise_p50_nok", MDT_COL_NOK},     {"rise_p90_nok", MDT_COL_NOK},
      {"carryover_nok", MDT_COL_NOK},    {"step_effect_pct", MDT_COL_PCT},
      {"step_employees", MDT_COL_INT},   {"suppressed", MDT_COL_INT}};
  mdt_table *t = MAKE("settlement", "The settlement per employee group", cols);
  if (t == NULL)
    return NULL;
  const mdt_groups *g = ctx->groups;
  for (size_t k = 0; k <= rep->ngroups; k++) {
    const mdt_microsim_row *row = k < rep->ngroups ? &rep->groups[k] : &rep->total;
    ROW(t, r);
    TEXT(t, r, 0, k < rep->ngroups ? g->id[k] : "total");
    if (k < rep->ngroups) {
      TEXT(t, r, 1, g->name[k]);
      TEXT(t, r, 2, g->chapter[k]);
      NUM(t, r, 3, row->covered);
    }
    if (suppressed(row)) {
      NUM(t, r, 25, 1);
      continue;
    }
    NUM(t, r, 4, k < rep->ngroups && row->covered ? mdt_allocation_group_pct(res, k) : NAN);
    const double v[] = {row->employees,         row->fte,
                        row->wage_bill_nok,     row->rise_nok,
                        row->nok_per_fte,       row->rise_pct,
                        row->annual_effect_pct, row->area_effect_pct,
                        row->carryover_pct,     row->overheng_pct,
                        row->glidning_pct,      row->annual_growth_pct,
                        row->real_growth_pct,   row->cost_nok,
                        row->rise_p10_nok,      row->rise_p50_nok,
                        row->rise_p90_nok,      row->carryover_nok,
                        row->step_effect_pct,   row->step_employees};
    for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
      NUM(t, r, 5 + c, v[c]);
    NUM(t, r, 25, 0);
  }
  return t;
}

mdt_table *mdt_tables_guarantee(const mdt_step_table *old_table,
                                const mdt_step_table *new_table, const mdt_groups *groups) {
  static const col cols[] = {{"group", MDT_COL_TEXT},         {"step_years", MDT_COL_INT},
                             {"annual_nok", MDT_COL_NOK},     {"new_annual_nok", MDT_COL_NOK},
                             {"increase_nok", MDT_COL_NOK}};
  mdt_table *t = MAKE("guarantee", "Guarantee pay per group and seniority, before and after",
                      cols);
  if (t == NULL || old_table == NULL)
    return t;
  for (size_t g = 0; g < groups->n; g++)
    for (size_t k = 0; k < old_table->nsteps[g]; k++) {
      double years = old_table->years[g * MDT_STEPS_MAX + k];
      double before = (double)old_table->nok[g * MDT_STEPS_MAX + k];
      double after = NAN;
      if (new_table != NULL)
        for (size_t j = 0; j < new_table->nsteps[g]; j++)
          if (new_table->years[g * MDT_STEPS_MAX + j] == years)
            after = (double)new_table->nok[g * MDT_STEPS_MAX + j];
      ROW(t, r);
      TEXT(t, r, 0, groups->id[g]);
      NUM(t, r, 1, years);
      NUM(t, r, 2, before);
      NUM(t, r, 3, after);
      NUM(t, r, 4, after - before);
    }
  return t;
}

mdt_table *mdt_tables_exchange(const mdt_microsim_report *rep, const mdt_groups *groups) {
  static const col cols[] = {{"from_group", MDT_COL_TEXT},
                             {"to_group", MDT_COL_TEXT},
                             {"points_per_point", MDT_COL_NUMBER},
                             {"nok_per_fte_per_nok", MDT_COL_NUMBER}};
  mdt_table *t = MAKE("exchange_rates",
                      "What one more point (or NOK per FTE) for one group costs another", cols);
  if (t == NULL)
    return NULL;
  size_t G = rep->ngroups;
  double points[64 * 64], nok[64 * 64];
  if (G > 64)
    return t;
  mdt_tradeoff_exchange(rep, points, nok);
  for (size_t a = 0; a < G; a++)
    for (size_t b = 0; b < G; b++) {
      if (a == b || suppressed(&rep->groups[a]) || suppressed(&rep->groups[b]))
        continue;
      ROW(t, r);
      TEXT(t, r, 0, groups->id[a]);
      TEXT(t, r, 1, groups->id[b]);
      NUM(t, r, 2, points[a * G + b]);
      NUM(t, r, 3, nok[a * G + b]);
    }
  return t;
}

/* --------------------------------------------------------------- sweeps -- */

mdt_table *mdt_tables_sweep(const mdt_sweep *s, const mdt_microsim_report *point,
                            const mdt_groups *groups) {
  static const col cols[] = {{"value", MDT_COL_NUMBER},
                             {"group", MDT_COL_TEXT},
                             {"name", MDT_COL_TEXT},
                             {"annual_growth_pct", MDT_COL_PCT},
                             {"rise_pct", MDT_COL_PCT},
                             {"binding", MDT_COL_TEXT}};
  char name[64], title[160];
  snprintf(name, sizeof name, "sweep_%s",
           s->setting == MDT_SWEEP_LOCAL_POT ? "local_pot" : mdt_sweep_name(s->setting));
  snprintf(title, sizeof title, "Each group's annual growth as %s varies (every point on the frame)",
           mdt_sweep_name(s->setting));
  mdt_table *t = make(name, title, cols, sizeof cols / sizeof cols[0]);
  if (t == NULL)
    return NULL;
  /* Grouped by group, so that each group's points form one series. */
  for (size_t g = 0; g < s->ngroups; g++) {
    if (point != NULL && suppressed(&point->groups[g]))
      continue;
    for (size_t k = 0; k < s->npoints; k++) {
      ROW(t, r);
      const mdt_sweep_point *p = &s->points[k];
      NUM(t, r, 0, p->value);
      TEXT(t, r, 1, groups->id[g]);
      TEXT(t, r, 2, groups->name[g]);
      /* A point off the room is no point of the curve "on the frame": blank, with why. */
      NUM(t, r, 3, p->feasible ? s->group_growth_pct[k * s->ngroups + g] : NAN);
      NUM(t, r, 4, p->feasible ? s->group_rise_pct[k * s->ngroups + g] : NAN);
      TEXT(t, r, 5, p->binding);
    }
  }
  return t;
}

mdt_table *mdt_tables_sweep_summary(void) {
  static const col cols[] = {{"setting", MDT_COL_TEXT},           {"value", MDT_COL_NUMBER},
                             {"binding", MDT_COL_TEXT},           {"scalar", MDT_COL_NUMBER},
                             {"total_growth_pct", MDT_COL_PCT},   {"satisfaction", MDT_COL_SHARE},
                             {"low_pay_ratio_pct", MDT_COL_PCT},  {"real_fall_share", MDT_COL_SHARE}};
  return MAKE("sweep_summary",
              "Every sweep point: the total, the mandate's satisfaction, low pay and real wages",
              cols);
}

int mdt_tables_sweep_summary_add(mdt_table *t, const mdt_sweep *s) {
  for (size_t k = 0; k < s->npoints; k++) {
    long r = mdt_table_add_row(t);
    if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, mdt_sweep_name(s->setting)) != 0)
      return -1;
    const mdt_sweep_point *p = &s->points[k];
    NUM(t, r, 1, p->value);
    if (mdt_table_set_text(t, (size_t)r, 2, p->binding) != 0)
      return -1;
    /* the rule's number means nothing when the bounds alone settle the point */
    NUM(t, r, 3, p->attainable ? p->scalar : NAN);
    NUM(t, r, 4, p->total_growth_pct);
    NUM(t, r, 5, p->satisfaction);
    NUM(t, r, 6, p->low_pay_ratio_pct);
    NUM(t, r, 7, p->real_fall_share);
  }
  return 0;
}

/* ----------------------------------------------------------- Monte Carlo -- */

mdt_table *mdt_tables_uncertainty(const mdt_mc_result *mc, double frame_pct) {
  static const col cols[] = {{"statistic", MDT_COL_TEXT}, {"value", MDT_COL_NUMBER}};
  mdt_table *t = MAKE("uncertainty", "Monte Carlo: the area's annual growth", cols);
  if (t == NULL)
    return NULL;
  char label[64];
  ROW(t, r0);
  TEXT(t, r0, 0, "draws");
  NUM(t, r0, 1, (double)mc->draws);
  ROW(t, r1);
  TEXT(t, r1, 0, "frame_pct");
  NUM(t, r1, 1, frame_pct);
  ROW(t, r2);
  TEXT(t, r2, 0, "p_growth_above_frame");
  NUM(t, r2, 1, mc->p_above_frame);
  ROW(t, r3);
  TEXT(t, r3, 0, "mean_growth_pct");
  NUM(t, r3, 1, mc->mean_growth_pct);
  ROW(t, r4);
  TEXT(t, r4, 0, "sd_growth_pct");
  NUM(t, r4, 1, mc->sd_growth_pct);
  for (int q = 0; q < MDT_MC_NQUANTILES; q++) {
    ROW(t, r);
    snprintf(label, sizeof label, "growth_q%02.0f_pct", mdt_mc_quantile_levels[q] * 100);
    TEXT(t, r, 0, label);
    NUM(t, r, 1, mc->quantiles[q]);
  }
  return t;
}

mdt_table *mdt_tables_uncertainty_groups(const mdt_mc_result *mc, const mdt_microsim_report *rep,
                                         const mdt_groups *groups) {
  static const col cols[] = {{"group", MDT_COL_TEXT},          {"name", MDT_COL_TEXT},
                             {"p_real_fall", MDT_COL_SHARE},   {"growth_q05_pct", MDT_COL_PCT},
                             {"growth_q50_pct", MDT_COL_PCT},  {"growth_q95_pct", MDT_COL_PCT}};
  mdt_table *t = MAKE("uncertainty_groups",
                      "Monte Carlo: each group's growth and the chance its real wage falls", cols);
  if (t == NULL)
    return NULL;
  for (size_t g = 0; g < mc->ngroups; g++) {
    if (suppressed(&rep->groups[g]))
      continue;
    ROW(t, r);
    TEXT(t, r, 0, groups->id[g]);
    TEXT(t, r, 1, groups->name[g]);
    NUM(t, r, 2, mc->p_real_fall[g]);
    NUM(t, r, 3, mc->group_q05[g]);
    NUM(t, r, 4, mc->group_q50[g]);
    NUM(t, r, 5, mc->group_q95[g]);
  }
  return t;
}

mdt_table *mdt_tables_growth_distribution(const mdt_mc_result *mc) {
  static const col cols[] = {{"bin_low_pct", MDT_COL_PCT},
                             {"bin_high_pct", MDT_COL_PCT},
                             {"share", MDT_COL_SHARE}};
  mdt_table *t = MAKE("growth_distribution",
                      "Monte Carlo: the distribution of the area's annual growth", cols);
  if (t == NULL)
    return NULL;
  for (size_t b = 0; b < mc->nbins; b++) {
    ROW(t, r);
    NUM(t, r, 0, mc->bin_low[b]);
    NUM(t, r, 1, mc->bin_high[b]);
    NUM(t, r, 2, mc->bin_share[b]);
  }
  return t;
}

mdt_table *mdt_tables_mandate_uncertainty(const mdt_mandate_uncertainty *u,
                                          const mdt_microsim_report *rep,
                                          const mdt_groups *groups) {
  static const col cols[] = {{"group", MDT_COL_TEXT},
                             {"name", MDT_COL_TEXT},
                             {"pct", MDT_COL_PCT},
                             {"pct_low", MDT_COL_PCT},
                             {"pct_high", MDT_COL_PCT},
                             {"annual_growth_pct", MDT_COL_PCT},
                             {"growth_low_pct", MDT_COL_PCT},
                             {"growth_high_pct", MDT_COL_PCT}};
  mdt_table *t = MAKE("mandate_uncertainty",
                      "How uncertain the members' priorities make each group's increase", cols);
  if (t == NULL)
    return NULL;
  for (size_t g = 0; g < u->ngroups; g++) {
    if (suppressed(&rep->groups[g]) || !rep->groups[g].covered)
      continue;
    ROW(t, r);
    TEXT(t, r, 0, groups->id[g]);
    TEXT(t, r, 1, groups->name[g]);
    NUM(t, r, 2, u->pct[g]);
    NUM(t, r, 3, u->pct_low[g]);
    NUM(t, r, 4, u->pct_high[g]);
    NUM(t, r, 5, u->growth[g]);
    NUM(t, r, 6, u->growth_low[g]);
    NUM(t, r, 7, u->growth_high[g]);
  }
  return t;
}

/* -------------------------------------------------------------- regions -- */

static double stratum_respondents(const mdt_aggregate *agg, const mdt_grouping *regions,
                                  size_t level) {
  double n = 0;
  for (size_t i = 0; i < agg->nmembers; i++)
    n += agg->responded[i] && (size_t)regions->code[i] == level;
  return n;
}

mdt_table *mdt_tables_regions(const mdt_region_allocations *r, const mdt_grouping *regions,
                              const mdt_aggregate *agg) {
  static const col cols[] = {{"region", MDT_COL_TEXT},
                             {"respondents", MDT_COL_INT},
                             {"status", MDT_COL_TEXT},
                             {"l1_distance_pp", MDT_COL_PCT}};
  mdt_table *t = MAKE("regions",
                      "Each region's own mandate on the same frame: distance from the national "
                      "allocation",
                      cols);
  if (t == NULL)
    return NULL;
  for (size_t k = 0; k < r->nregions; k++) {
    ROW(t, row);
    TEXT(t, row, 0, regions->levels[k]);
    NUM(t, row, 1, stratum_respondents(agg, regions, k));
    /* "" for a region without respondents: nothing was solved */
    TEXT(t, row, 2, r->solved[k] ? mdt_report_settlement_status(1, r->feasible[k]) : "");
    NUM(t, row, 3, r->l1_distance_pp[k]);
  }
  return t;
}

mdt_table *mdt_tables_region_allocations(const mdt_region_allocations *r,
                                         const mdt_grouping *regions,
                                         const mdt_microsim_report *rep,
                                         const mdt_groups *groups) {
  static const col cols[] = {{"region", MDT_COL_TEXT},
                             {"group", MDT_COL_TEXT},
                             {"pct", MDT_COL_PCT},
                             {"national_pct", MDT_COL_PCT},
                             {"difference_pp", MDT_COL_PCT}};
  mdt_table *t = MAKE("region_allocations", "Each region's allocation against the national one",
                      cols);
  if (t == NULL)
    return NULL;
  for (size_t k = 0; k < r->nregions; k++) {
    if (!r->solved[k])
      continue;
    for (size_t g = 0; g < r->ngroups; g++) {
      if (!rep->groups[g].covered || suppressed(&rep->groups[g]))
        continue;
      ROW(t, row);
      TEXT(t, row, 0, regions->levels[k]);
      TEXT(t, row, 1, groups->id[g]);
      double p = r->pct[k * r->ngroups + g], np = r->national_pct[g];
      NUM(t, row, 2, p);
      NUM(t, row, 3, np);
      NUM(t, row, 4, p - np);
    }
  }
  return t;
}
