/* The microsimulation's reports: the full report per group and in total (its percentiles of
 * individual rises: microsim_pct.c), the spread over pay, the new guarantee table, the
 * register a year later, and exact amounts as text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/microsim_int.h"
#include "mandat/frame.h"

/* The bucket of v among nbuckets equal slices of [vmin, vmax]: non-decreasing in v, so
 * every value of a later bucket is larger than every value of an earlier one. */
static size_t pct_bucket(double v, double vmin, double scale, size_t nbuckets) {
  size_t b = (size_t)((v - vmin) * scale);
  return b < nbuckets ? b : nbuckets - 1;
}

/* ------------------------------------------------------------------------------------------
 * The report
 * ------------------------------------------------------------------------------------------ */

void mdt_microsim_report_free(mdt_microsim_report *r) {
  if (r == NULL)
    return;
  free(r->groups);
  free(r);
}

static int rate_ok(double pct) { return isnan(pct) || (isfinite(pct) && pct > -100.0); }

static mdt_status options_check(const mdt_microsim_report_options *opt,
                                const mdt_groups *groups, size_t ngroups, mdt_error *err) {
  if (!rate_ok(opt->overheng_pct))
    return mdt_error_set(err, MDT_EDATA,
                         "the area's overheng: expected a percentage above -100 or none, found "
                         "%.15g",
                         opt->overheng_pct);
  if (!rate_ok(opt->glidning_pct))
    return mdt_error_set(err, MDT_EDATA,
                         "the area's glidning: expected a percentage above -100 or none, found "
                         "%.15g",
                         opt->glidning_pct);
  if (opt->group_overheng_pct != NULL || opt->group_glidning_pct != NULL)
    for (size_t g = 0; g < ngroups; g++) {
      double o = opt->group_overheng_pct != NULL ? opt->group_overheng_pct[g] : 0.0;
      double gl = opt->group_glidning_pct != NULL ? opt->group_glidning_pct[g] : 0.0;
      if (!rate_ok(o) || !rate_ok(gl))
        return mdt_error_set(err, MDT_EDATA,
                             "group '%s': its %s: expected a percentage above -100 or none, "
                             "found %.15g",
                             mdt__microsim_group_id(groups, g), !rate_ok(o) ? "overheng" : "glidning",
                             !rate_ok(o) ? o : gl);
    }
  if (!rate_ok(opt->price_forecast_pct))
    return mdt_error_set(err, MDT_EDATA,
                         "the price forecast: expected a percentage above -100 or none, found "
                         "%.15g",
                         opt->price_forecast_pct);
  if (!(isfinite(opt->payroll_overhead_pct) && opt->payroll_overhead_pct >= 0.0 &&
        opt->payroll_overhead_pct <= MDT_FRAME_MAX_PCT))
    return mdt_error_set(err, MDT_EDATA,
                         "the payroll overhead: expected a percentage from 0 to %g, found %.15g",
                         MDT_FRAME_MAX_PCT, opt->payroll_overhead_pct);
  return MDT_OK;
}

/* The overheng and the glidning estimate of group g under opt. */
static void group_og(const mdt_microsim_report_options *opt, size_t g, double *o, double *gl) {
  *o = opt->group_overheng_pct != NULL ? opt->group_overheng_pct[g] : opt->overheng_pct;
  *gl = opt->group_glidning_pct != NULL ? opt->group_glidning_pct[g] : opt->glidning_pct;
}

/* Growth and real growth of a row from its effect and the overheng and glidning used. */
static void row_growth(mdt_microsim_row *row, double overheng, double glidning, double price) {
  row->overheng_pct = overheng;
  row->glidning_pct = glidning;
  row->annual_growth_pct = overheng + row->annual_effect_pct + row->step_effect_pct + glidning;
  row->real_growth_pct =
      ((1.0 + row->annual_growth_pct / 100.0) / (1.0 + price / 100.0) - 1.0) * 100.0;
}

/* Head counts, wage bill and rise of a row from exact sums; the rates that divide by them. */
static void row_money(mdt_microsim_row *row, int64_t employees_e4, mdt_i128 fte_e8,
                      mdt_i128 wage_bill_e8, mdt_i128 rise_e8, double rise_frac_e8) {
  row->employees_e4 = employees_e4;
  row->fte_e8 = fte_e8;
  row->wage_bill_e8 = wage_bill_e8;
  row->rise_e8 = rise_e8;
  row->rise_frac_e8 = rise_frac_e8;
  row->employees = (double)employees_e4 / 1e4;
  row->fte = (double)fte_e8 / 1e8;
  row->wage_bill_nok = (double)wage_bill_e8 / 1e8;
  double rise = (double)rise_e8 + rise_frac_e8;
  row->rise_nok = rise / 1e8;
  row->nok_per_fte = fte_e8 > 0 ? rise / (double)fte_e8 : NAN;
  row->rise_pct = wage_bill_e8 > 0 ? rise / (double)wage_bill_e8 * 100.0 : NAN;
}

void mdt__report_rows(const mdt_microsim_work *w, const mdt_microsim_report_options *opt,
                      const mdt_microsim_effect *effect, mdt_microsim_report *r) {
  const mdt_microsim *sim = w->sim;
  const double W = sim->total_wage_bill_d;
  const double overhead = 1.0 + opt->payroll_overhead_pct / 100.0;
  double cost_total = 0.0, frac_total = 0.0, carry_total = 0.0;
  double step_year_total = 0.0, step_full_total = 0.0;
  double o_total = 0.0, gl_total = 0.0; /* sums of W_g x the group's figure */
  int64_t step_emp_total = 0;
  mdt_i128 whole_total = 0;
  for (size_t g = 0; g < sim->ngroups; g++) {
    mdt_microsim_row *row = &r->groups[g];
    double Wg = sim->wage_bill_d[g], S = w->group_sum[g];
    double central = S * w->central_year;
    double local = Wg * w->group_local_year[g];
    double named = Wg * w->group_named_year[g];
    double cost = central + local + named;
    double step_year = w->group_step_year[g], step_full = w->group_step_full[g];
    double carry = S * w->central_carry + Wg * (w->group_local_carry[g] + w->group_named_carry[g]);
    double step_carry = step_full - step_year;
    row->covered = w->covered[g];
    row->named = w->group_named_year[g] > 0.0 || w->group_named_carry[g] > 0.0;
    row_money(row, sim->employees_e4[g], sim->fte_e8[g], sim->wage_bill_e8[g],
              w->group_whole[g], w->group_frac[g]);
    double per = Wg > 0.0 ? 100.0 / Wg : NAN;
    row->central_effect_pct = central * per;
    row->local_effect_pct = local * per;
    row->named_effect_pct = named * per;
    row->annual_effect_pct = row->central_effect_pct + row->local_effect_pct +
                             row->named_effect_pct;
    row->area_effect_pct = cost / W * 100.0;
    row->carryover_pct = (carry + step_carry) * per;
    row->carryover_nok = (carry + step_carry) / 1e8;
    row->step_effect_pct = step_year * per;
    row->step_carryover_pct = step_carry * per;
    row->step_rise_nok = step_full / 1e8;
    row->step_employees = (double)w->group_step_emp[g] / 1e4;
    double o, gl;
    group_og(opt, g, &o, &gl);
    if (opt->step_moves && opt->glidning_includes_step_moves)
      gl -= row->step_effect_pct;
    row_growth(row, o, gl, opt->price_forecast_pct);
    row->cost_nok = (cost + step_year) / 1e8 * overhead;
    cost_total += cost + step_year;
    carry_total += carry + step_carry;
    step_year_total += step_year;
    step_full_total += step_full;
    step_emp_total += w->group_step_emp[g];
    o_total += Wg * o;
    gl_total += Wg * gl;
    whole_total += w->group_whole[g];
    frac_total += w->group_frac[g];
  }
  mdt_microsim_row *t = &r->total;
  row_money(t, sim->total_employees_e4, sim->total_fte_e8, sim->total_wage_bill_e8, whole_total,
            frac_total);
  t->central_effect_pct = effect->central_pct;
  t->local_effect_pct = effect->local_pct;
  t->named_effect_pct = effect->named_pct;
  t->annual_effect_pct = effect->annual_pct;
  t->area_effect_pct = effect->annual_pct;
  t->carryover_pct = carry_total / W * 100.0;
  t->carryover_nok = carry_total / 1e8;
  t->step_effect_pct = step_year_total / W * 100.0;
  t->step_carryover_pct = (step_full_total - step_year_total) / W * 100.0;
  t->step_rise_nok = step_full_total / 1e8;
  t->step_employees = (double)step_emp_total / 1e4;
  /* The area's overheng and glidning are its groups', weighted by their wage bills. */
  row_growth(t, o_total / W, gl_total / W, opt->price_forecast_pct);
  t->cost_nok = cost_total / 1e8 * overhead;
}

void mdt__report_no_percentiles(mdt_microsim_report *r) {
  for (size_t g = 0; g <= r->ngroups; g++) {
    mdt_microsim_row *row = g < r->ngroups ? &r->groups[g] : &r->total;
    row->rise_p10_nok = row->rise_p50_nok = row->rise_p90_nok = NAN;
    row->rise_p10_pct = row->rise_p50_pct = row->rise_p90_pct = NAN;
  }
}

mdt_status mdt__report_begin(const char *fn, mdt_microsim_work *w, const void *out,
                             const mdt_settlement *s, const mdt_microsim_report_options **opt,
                             mdt_microsim_report_options *defaults, mdt_error *err) {
  if (w == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "%s: no %s given", fn,
                         w == NULL ? "work area" : "result");
  if (*opt == NULL) {
    mdt_microsim_report_options_init(defaults);
    *opt = defaults;
  }
  mdt_status st = options_check(*opt, w->sim->groups, w->sim->ngroups, err);
  if (st != MDT_OK || (st = mdt__microsim_prepare(w, s, err)) != MDT_OK)
    return st;
  mdt__microsim_central(w, s);
  return MDT_OK;
}

mdt_status mdt_microsim_apply(mdt_microsim_work *w, const mdt_settlement *s,
                              const mdt_microsim_report_options *opt,
                              mdt_microsim_report **out, mdt_error *err) {
  mdt_microsim_report_options defaults;
  mdt_status st = mdt__report_begin("mdt_microsim_apply", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  const mdt_microsim *sim = w->sim;
  mdt_microsim_report *r = calloc(1, sizeof *r);
  if (r == NULL || (r->groups = calloc(sim->ngroups, sizeof *r->groups)) == NULL)
    goto nomem;
  r->ngroups = sim->ngroups;

  w->step_moves = opt->step_moves;
  w->extremes = opt->percentiles != 0;
  mdt__run_job(w, mdt__unit_exact);
  w->step_moves = 0;
  mdt__combine_sums(w, 1);
  mdt_microsim_effect effect;
  mdt__microsim_effect_from_sums(w, &effect);
  mdt__report_rows(w, opt, &effect, r);
  mdt__report_no_percentiles(r);
  int pct_failed =
      opt->percentiles && mdt__report_percentiles(w, w->threads, MDT__PCT_REFINE_MIN, r) != 0;
  w->extremes = 0;
  if (pct_failed)
    goto nomem;
  *out = r;
  return MDT_OK;

nomem:
  mdt_microsim_report_free(r);
  return mdt_error_set(err, MDT_ENOMEM, "out of memory for the settlement's report");
}

/* ------------------------------------------------------------------------------------------
 * The spread over pay
 * ------------------------------------------------------------------------------------------ */

typedef struct {
  double pay;
  int32_t w;
} pay_weight;

static int cmp_pay(const void *a, const void *b) {
  double x = ((const pay_weight *)a)->pay, y = ((const pay_weight *)b)->pay;
  return x < y ? -1 : x > y;
}

/* Buckets of the pays' histogram in find_pay_fifths. */
#define PAY_BUCKETS 4096

/* The smallest pay whose cumulative weight (pays ascending) reaches target, given the
 * histogram bw of the pays over PAY_BUCKETS slices of [lo, hi]: only the bucket where the
 * weight crosses the target is sorted. The largest pay when the target is never reached. */
static int pay_reaching(const mdt_microsim *sim, const int64_t *bw, double lo, double hi,
                        double target, double *out) {
  const double scale = (double)PAY_BUCKETS / (hi - lo);
  int64_t cum = 0;
  size_t b = 0;
  while (b < PAY_BUCKETS && !((double)(cum + bw[b]) >= target))
    cum += bw[b++];
  *out = hi;
  if (b == PAY_BUCKETS)
    return 0;
  size_t m = 0;
  for (size_t i = 0; i < sim->n; i++)
    m += pct_bucket(sim->old_nok[i], lo, scale, PAY_BUCKETS) == b;
  pay_weight *a = malloc((m ? m : 1) * sizeof *a);
  if (a == NULL)
    return -1;
  m = 0;
  for (size_t i = 0; i < sim->n; i++)
    if (pct_bucket(sim->old_nok[i], lo, scale, PAY_BUCKETS) == b)
      a[m++] = (pay_weight){sim->old_nok[i], sim->weight_e4[i]};
  qsort(a, m, sizeof *a, cmp_pay);
  for (size_t i = 0; i < m; i++) {
    cum += a[i].w;
    if ((double)cum >= target) {
      *out = a[i].pay;
      break;
    }
  }
  free(a);
  return 0;
}

/* The two fifths' searches (pay_reaching), each alone: as parts on threads (mdt__run_parts)
 * or one after the other. */
typedef struct {
  const mdt_microsim *sim;
  const int64_t *bw;
  double lo, hi;
  double target[2], out[2];
  int fail[2];
} fifths_job;

static void fifths_part(void *arg, int part, int nparts) {
  fifths_job *job = arg;
  for (int k = part; k < 2; k += nparts)
    job->fail[k] = pay_reaching(job->sim, job->bw, job->lo, job->hi, job->target[k],
                                &job->out[k]) != 0;
}

/* The employee-weighted 20th and 80th percentile of full-time pay (the smallest pay whose
 * cumulative weight reaches the share), found once per work area: a histogram of the pays
 * and a sort of the two buckets the shares fall in, not of every pay. */
static int find_pay_fifths(mdt_microsim_work *w) {
  const mdt_microsim *sim = w->sim;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < sim->n; i++) {
    lo = sim->old_nok[i] < lo ? sim->old_nok[i] : lo;
    hi = sim->old_nok[i] > hi ? sim->old_nok[i] : hi;
  }
  w->pay_p20 = w->pay_p80 = sim->n > 0 ? hi : NAN;
  if (sim->n > 0 && hi > lo) {
    int64_t *bw = calloc(PAY_BUCKETS, sizeof *bw);
    if (bw == NULL)
      return -1;
    const double scale = (double)PAY_BUCKETS / (hi - lo);
    for (size_t i = 0; i < sim->n; i++)
      bw[pct_bucket(sim->old_nok[i], lo, scale, PAY_BUCKETS)] += sim->weight_e4[i];
    double total = (double)sim->total_employees_e4;
    fifths_job job = {sim, bw, lo, hi, {0.2 * total, 0.8 * total}, {hi, hi}, {0, 0}};
    mdt__run_parts(w->threads > 1 ? 2 : 1, fifths_part, &job);
    free(bw);
    if (job.fail[0] || job.fail[1])
      return -1;
    w->pay_p20 = job.out[0];
    w->pay_p80 = job.out[1];
  }
  w->have_pay_fifths = 1;
  return 0;
}

int mdt__pay_fifths(mdt_microsim_work *w) {
  return w->have_pay_fifths ? 0 : find_pay_fifths(w);
}

mdt_status mdt_microsim_spread_of(mdt_microsim_work *w, const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt,
                                  mdt_microsim_spread *out, mdt_error *err) {
  mdt_microsim_report_options defaults;
  mdt_status st = mdt__report_begin("mdt_microsim_spread_of", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  const mdt_microsim *sim = w->sim;
  if (mdt__pay_fifths(w) != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the pay percentiles");
  /* The rises of the low- and the high-paid as the report sums the rise (mdt__unit_exact):
   * whole kroner as exact integers and the remainders beside them; their wage bills exact
   * (pay is whole kroner and wfte_e8 a whole number). So the sums are the exact sums of the
   * employees' rises but for far below 1e-15 relative, whatever the order, and the spread
   * per cell (microsim_cellreport.c) agrees with them to about 1e-16. */
  mdt_i128 low_whole = 0, high_whole = 0, low_bill = 0, high_bill = 0;
  double low_frac = 0, high_frac = 0;
  double falls = 0;
  int unknown = 0; /* a group's overheng or glidning is unknown: so is its real growth */
  for (size_t g = 0; g < sim->ngroups; g++) {
    double own_o, own_g;
    group_og(opt, g, &own_o, &own_g);
    double base = own_o + own_g;
    if (isnan(base) && sim->group_cell[g + 1] > sim->group_cell[g])
      unknown = 1;
    double frac = w->group_frac_full[g];
    double later_year = w->group_local_year[g] + w->group_named_year[g];
    for (size_t c = sim->group_cell[g]; c < sim->group_cell[g + 1]; c++)
      for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
        double old = sim->old_nok[i], wf = sim->wfte_e8[i];
        double central = cell_central(w, c, old);
        double rise = central + frac * old;
        if (old <= w->pay_p20 || old >= w->pay_p80) {
          double kroner = rint(rise);
          mdt_i128 whole = (mdt_i128)(int64_t)wf * (int64_t)kroner;
          mdt_i128 bill = (mdt_i128)(int64_t)wf * (int64_t)old;
          double part = wf * (rise - kroner);
          if (old <= w->pay_p20) {
            low_whole += whole;
            low_frac += part;
            low_bill += bill;
          }
          if (old >= w->pay_p80) {
            high_whole += whole;
            high_frac += part;
            high_bill += bill;
          }
        }
        double effect = (central * w->central_year + old * later_year) / old * 100;
        if (base + effect < opt->price_forecast_pct)
          falls += sim->weight_e4[i];
      }
  }
  out->low_rise_pct =
      low_bill > 0 ? ((double)low_whole + low_frac) / (double)low_bill * 100 : NAN;
  out->high_rise_pct =
      high_bill > 0 ? ((double)high_whole + high_frac) / (double)high_bill * 100 : NAN;
  out->low_pay_ratio_pct =
      out->high_rise_pct > 0 ? out->low_rise_pct / out->high_rise_pct * 100 : NAN;
  out->real_fall_share = isnan(opt->price_forecast_pct) || unknown
                             ? NAN
                             : falls / (double)sim->total_employees_e4;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * The new guarantee table
 * ------------------------------------------------------------------------------------------ */

static void copy_group(mdt_step_table *out, const mdt_step_table *from, size_t g) {
  size_t k = from != NULL ? from->nsteps[g] : 0;
  for (size_t j = 0; j < k; j++) {
    out->years[g * MDT_STEPS_MAX + j] = from->years[g * MDT_STEPS_MAX + j];
    out->nok[g * MDT_STEPS_MAX + j] = from->nok[g * MDT_STEPS_MAX + j];
  }
  out->nsteps[g] = k;
}

mdt_status mdt_microsim_guarantee(const mdt_microsim *sim, const mdt_settlement *s,
                                  mdt_step_table *out, mdt_error *err) {
  if (sim == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_guarantee: no %s given",
                         sim == NULL ? "microsim" : "table to fill");
  mdt_status st = mdt__settlement_check(sim, s, err);
  if (st != MDT_OK)
    return st;
  if (out->ngroups != sim->ngroups || out->nsteps == NULL || out->years == NULL ||
      out->nok == NULL)
    return mdt_error_set(err, MDT_EUSAGE,
                         "mdt_microsim_guarantee: expected a table of %zu groups to fill, found "
                         "one of %zu",
                         sim->ngroups, out->ngroups);
  for (size_t g = 0; g < sim->ngroups; g++) {
    int covered = mdt__is_covered(sim, s, g);
    if (covered && s->new_guarantee != NULL) {
      copy_group(out, s->new_guarantee, g);
      continue;
    }
    copy_group(out, s->guarantee, g);
    if (!covered)
      continue;
    double p = (s->pct_by_group != NULL ? s->pct_by_group[g] : s->pct) / 100.0;
    for (size_t k = 0; k < out->nsteps[g]; k++) {
      size_t at = g * MDT_STEPS_MAX + k;
      double table = s->table != NULL ? mdt__amount_at(s->table, g, out->years[at]) : 0.0;
      double fixed = s->base_table != NULL ? mdt__amount_at(s->base_table, g, out->years[at]) : 0.0;
      double raised = mdt__raised_guarantee((double)out->nok[at], p, s->krone_nok + fixed,
                                       s->table_scale, table, s->min_krone_nok);
      out->nok[at] = (int64_t)llround(raised);
    }
  }
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * The register a year later
 * ------------------------------------------------------------------------------------------ */

mdt_status mdt_microsim_next_year(mdt_microsim_work *w, const mdt_register *reg,
                                  const mdt_settlement *s,
                                  const mdt_microsim_report_options *opt, mdt_register **out,
                                  mdt_error *err) {
  mdt_microsim_report_options defaults;
  if (reg == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_next_year: no register given");
  mdt_status st = mdt__report_begin("mdt_microsim_next_year", w, out, s, &opt, &defaults, err);
  if (st != MDT_OK)
    return st;
  const mdt_microsim *sim = w->sim;
  if (reg->n != sim->n)
    return mdt_error_set(err, MDT_EUSAGE,
                         "mdt_microsim_next_year: expected the register of %zu rows the "
                         "microsim was compiled from, found %zu rows",
                         sim->n, reg->n);
  mdt_register *next = NULL;
  if ((st = mdt_register_new(reg->n, &next, err)) != MDT_OK)
    return st;
  if (reg->path != NULL && (next->path = strdup(reg->path)) == NULL) {
    mdt_register_free(next);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for next year's register");
  }
  next->has_weight = reg->has_weight;
  for (size_t i = 0; i < reg->n; i++) {
    next->respondent[i] = reg->respondent[i];
    next->group[i] = reg->group[i];
    next->seniority_years[i] = reg->seniority_years[i] + 1.0;
    next->fte_e4[i] = reg->fte_e4[i];
    next->weight_e4[i] = reg->weight_e4[i];
  }
  for (size_t c = 0; c < sim->ncells; c++) {
    double frac = w->group_frac_full[sim->cell_group[c]];
    int steps = opt->step_moves && !isnan(w->cell_next_guarantee[c]);
    for (size_t i = sim->cell_start[c]; i < sim->cell_start[c + 1]; i++) {
      double old = sim->old_nok[i];
      double central = cell_central(w, c, old);
      double pay = old + central + frac * old, lift_sum, lift_dec;
      if (steps && mdt__step_move(w, c, i, old, central, &lift_sum, &lift_dec))
        pay += lift_dec;
      next->salary_nok[sim->row_of[i]] = (int64_t)llround(pay);
    }
  }
  *out = next;
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * Exact amounts as text
 * ------------------------------------------------------------------------------------------ */

char *mdt_microsim_format_e8(mdt_i128 value_e8, int decimals, char *buf, size_t size) {
  if (buf == NULL || size == 0)
    return buf;
  buf[0] = '\0';
  if (decimals < 0 || decimals > 8)
    return buf;
  __extension__ typedef unsigned __int128 u128;
  int negative = value_e8 < 0;
  u128 mag = negative ? (u128)0 - (u128)value_e8 : (u128)value_e8;
  u128 unit = 1;
  for (int k = decimals; k < 8; k++)
    unit *= 10;
  mag = (mag + unit / 2) / unit; /* half away from zero, on the magnitude */
  char digits[64];
  int len = 0;
  do {
    digits[len++] = (char)('0' + (int)(mag % 10));
    mag /= 10;
  } while (mag > 0 || len <= decimals);
  int all_zero = 1;
  for (int k = 0; k < len; k++)
    if (digits[k] != '0')
      all_zero = 0;
  size_t need = (size_t)len + (decimals > 0 ? 1u : 0u) + (negative && !all_zero ? 1u : 0u) + 1u;
  if (need > size)
    return buf;
  size_t at = 0;
  if (negative && !all_zero)
    buf[at++] = '-';
  for (int k = len - 1; k >= 0; k--) {
    buf[at++] = digits[k];
    if (k == decimals && decimals > 0)
      buf[at++] = '.';
  }
  buf[at] = '\0';
  return buf;
}

