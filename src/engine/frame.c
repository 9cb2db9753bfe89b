#include "mandat/frame.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <string.h>

/* Brent converges in a handful of steps on this (linear) function; the limit only stops a
 * broken bracket from looping. */
#define FRAME_ROOT_MAX_ITER 200
/* An upper bracket for the exact room beyond this many percent means the inputs make no
 * sense (e.g. an overheng of -99.999999 %); it is reported rather than searched further. */
#define FRAME_ROOT_MAX_BRACKET_PCT 1e12

static const char *const month_names[12] = {"January", "February", "March",     "April",
                                             "May",     "June",     "July",      "August",
                                             "September", "October", "November", "December"};

void mdt_frame_spec_init(mdt_frame_spec *spec) {
  memset(spec, 0, sizeof *spec);
  spec->increases = NULL;
  spec->central_month = 5;
}

static int month_valid(int month) { return month >= 1 && month <= 12; }

double mdt_frame_annual_effect_pct(double pct, int month) {
  if (!month_valid(month))
    return NAN;
  return pct * (double)(13 - month) / 12.0;
}

double mdt_frame_carryover_pct(double pct, int month) {
  if (!month_valid(month))
    return NAN;
  return pct * (double)(month - 1) / 12.0;
}

static int pct_valid(double pct) {
  return isfinite(pct) && pct > -100.0 && pct <= MDT_FRAME_MAX_PCT;
}

/* The shared "expected ..., found ..." text for a percentage; what names the quantity
 * ("the overheng") or is NULL. */
static mdt_status pct_error(mdt_error *err, const char *what, double pct) {
  return mdt_error_set(err, MDT_EDATA,
                       "expected %s%sa finite percentage above -100 and at most %g, found %.15g",
                       what != NULL ? what : "", what != NULL ? " as " : "", MDT_FRAME_MAX_PCT,
                       pct);
}

mdt_status mdt_frame_pct_check(double pct, mdt_error *err) {
  return pct_valid(pct) ? MDT_OK : pct_error(err, NULL, pct);
}

mdt_status mdt_frame_increase_check(const mdt_frame_increase *inc, mdt_error *err) {
  if (inc == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_frame_increase_check: no increase given");
  if (!pct_valid(inc->pct))
    return pct_error(err, "the increase", inc->pct);
  if (!month_valid(inc->month))
    return mdt_error_set(err, MDT_EDATA, "expected an effective month from 1 to 12, found %d",
                         inc->month);
  return MDT_OK;
}

mdt_status mdt_frame_glidning_from_history(const double *history_pct, size_t n,
                                           double *glidning_pct, mdt_error *err) {
  if (glidning_pct == NULL || (history_pct == NULL && n > 0))
    return mdt_error_set(err, MDT_EUSAGE, "mdt_frame_glidning_from_history: no %s given",
                         glidning_pct == NULL ? "result" : "history");
  if (n != MDT_FRAME_GLIDNING_HISTORY_YEARS)
    return mdt_error_set(err, MDT_EDATA,
                         "expected the realised glidning of the last %d years (%d values), "
                         "found %zu value%s",
                         MDT_FRAME_GLIDNING_HISTORY_YEARS, MDT_FRAME_GLIDNING_HISTORY_YEARS, n,
                         n == 1 ? "" : "s");
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!pct_valid(history_pct[i])) {
      mdt_error inner;
      mdt_error_clear(&inner);
      pct_error(&inner, "each year's glidning", history_pct[i]);
      return mdt_error_set(err, MDT_EDATA, "glidning history value %zu: %s", i + 1,
                           inner.message);
    }
    sum += history_pct[i];
  }
  *glidning_pct = sum / (double)n;
  return MDT_OK;
}

/* Checks the whole spec; the messages say which element is wrong. */
static mdt_status spec_check(const mdt_frame_spec *spec, mdt_error *err) {
  if (spec->n_increases > 0 && spec->increases == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_frame_compute: %zu increases announced, none given",
                         spec->n_increases);
  if (!pct_valid(spec->overheng_pct))
    return pct_error(err, "the overheng", spec->overheng_pct);
  if (!pct_valid(spec->glidning_pct))
    return pct_error(err, "the glidning", spec->glidning_pct);
  for (size_t k = 0; k < spec->n_increases; k++) {
    mdt_error inner;
    mdt_error_clear(&inner);
    if (mdt_frame_increase_check(&spec->increases[k], &inner) != MDT_OK)
      return mdt_error_set(err, inner.status, "increase %zu: %s", k + 1, inner.message);
  }
  if (spec->has_frame) {
    if (!pct_valid(spec->frame_pct))
      return pct_error(err, "the frame", spec->frame_pct);
    if (!month_valid(spec->central_month))
      return mdt_error_set(err, MDT_EDATA,
                           "expected the central increases' month from 1 to 12, found %d",
                           spec->central_month);
  }
  return MDT_OK;
}

/* An optional extra increase (the central room) laid over the given ones. */
typedef struct {
  int present;
  double pct;
  int month;
} extra_increase;

/*
 * The exact level path: dec_level = 1 + o, level[m-1] = (1+o)(1+g) prod_{k: m_k <= m}(1+p_k).
 * Returns the mean of the twelve levels.
 */
static double level_path(const mdt_frame_spec *spec, extra_increase extra, double *dec_level,
                         double level[12]) {
  double jump[12];
  for (int m = 0; m < 12; m++)
    jump[m] = 1.0;
  for (size_t k = 0; k < spec->n_increases; k++)
    jump[spec->increases[k].month - 1] *= 1.0 + spec->increases[k].pct / 100.0;
  if (extra.present)
    jump[extra.month - 1] *= 1.0 + extra.pct / 100.0;

  double base = 1.0 + spec->overheng_pct / 100.0;
  double running = base * (1.0 + spec->glidning_pct / 100.0);
  double sum = 0.0;
  for (int m = 0; m < 12; m++) {
    running *= jump[m];
    level[m] = running;
    sum += running;
  }
  *dec_level = base;
  return sum / 12.0;
}

typedef struct {
  const mdt_frame_spec *spec;
} exact_room_params;

/* Exact annual growth with a central increase of x_pct from the central month, minus the
 * frame, in percentage points: the function whose root is the exact dated room. */
static double exact_room_gap(double x_pct, void *vparams) {
  const exact_room_params *p = vparams;
  extra_increase extra = {1, x_pct, p->spec->central_month};
  double dec, level[12];
  double mean = level_path(p->spec, extra, &dec, level);
  return (mean - 1.0) * 100.0 - p->spec->frame_pct;
}

static mdt_status solve_exact_room(const mdt_frame_spec *spec, double room_dated_pct,
                                   double *root_pct, mdt_error *err) {
  exact_room_params params = {spec};
  gsl_function fn = {exact_room_gap, &params};

  /* A cut of 100 % zeroes the months it covers; the exact growth rises strictly with the
   * central increase, so the root lies above -100 exactly when the gap there is negative. */
  double lo = -100.0;
  double gap_lo = exact_room_gap(lo, &params);
  if (!(gap_lo < 0.0))
    return mdt_error_set(err, MDT_EINFEASIBLE,
                         "expected a frame above %.15g %% (the exact growth with a central cut "
                         "of 100 %% from %s), found %.15g %%",
                         gap_lo + spec->frame_pct, month_names[spec->central_month - 1],
                         spec->frame_pct);
  double hi = fmax(10.0, 2.0 * fabs(room_dated_pct));
  while (!(exact_room_gap(hi, &params) > 0.0)) {
    hi *= 2.0;
    if (hi > FRAME_ROOT_MAX_BRACKET_PCT)
      return mdt_error_set(err, MDT_EINFEASIBLE,
                           "expected a frame that some central increase below %g %% can reach, "
                           "found %.15g %% (overheng %.15g %%, glidning %.15g %%)",
                           FRAME_ROOT_MAX_BRACKET_PCT, spec->frame_pct, spec->overheng_pct,
                           spec->glidning_pct);
  }

  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (s == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory allocating the root solver");
  mdt_status st = MDT_OK;
  int gst = gsl_root_fsolver_set(s, &fn, lo, hi);
  int iter = 0;
  while (gst == GSL_SUCCESS) {
    gst = gsl_root_fsolver_iterate(s);
    if (gst != GSL_SUCCESS)
      break;
    gst = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                 MDT_FRAME_ROOT_TOL_PCT, 0.0);
    if (gst == GSL_SUCCESS)
      break;
    if (gst != GSL_CONTINUE)
      break;
    gst = GSL_SUCCESS;
    if (++iter >= FRAME_ROOT_MAX_ITER) {
      gst = GSL_EMAXITER;
      break;
    }
  }
  if (gst == GSL_SUCCESS)
    *root_pct = gsl_root_fsolver_root(s);
  else
    st = mdt_error_set(err, MDT_ENOCONV,
                       "the exact dated room did not converge to %g percentage points "
                       "(GSL: %s)",
                       MDT_FRAME_ROOT_TOL_PCT, gsl_strerror(gst));
  gsl_root_fsolver_free(s);
  return st;
}

mdt_status mdt_frame_compute(const mdt_frame_spec *spec, mdt_frame_result *out, mdt_error *err) {
  if (spec == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_frame_compute: no %s given",
                         spec == NULL ? "spec" : "result");
  mdt_status st = spec_check(spec, err);
  if (st != MDT_OK)
    return st;

  mdt_frame_result r;
  r.given_annual_effect_pct = 0.0;
  r.given_carryover_pct = 0.0;
  for (size_t k = 0; k < spec->n_increases; k++) {
    const mdt_frame_increase *inc = &spec->increases[k];
    r.given_annual_effect_pct += mdt_frame_annual_effect_pct(inc->pct, inc->month);
    r.given_carryover_pct += mdt_frame_carryover_pct(inc->pct, inc->month);
  }

  extra_increase room = {0, 0.0, 1};
  r.room_annual_pct = NAN;
  r.room_dated_pct = NAN;
  r.room_dated_exact_pct = NAN;
  if (spec->has_frame) {
    int m = spec->central_month;
    r.room_annual_pct =
        spec->frame_pct - spec->overheng_pct - spec->glidning_pct - r.given_annual_effect_pct;
    r.room_dated_pct = r.room_annual_pct * 12.0 / (double)(13 - m);
    if (!(r.room_dated_pct > -100.0))
      return mdt_error_set(err, MDT_EINFEASIBLE,
                           "expected a room from %s above -100 %%, found %.15g %%: overheng, "
                           "glidning and the given increases exceed the frame of %.15g %% by "
                           "more than any central cut can take back",
                           month_names[m - 1], r.room_dated_pct, spec->frame_pct);
    st = solve_exact_room(spec, r.room_dated_pct, &r.room_dated_exact_pct, err);
    if (st != MDT_OK)
      return st;
    room = (extra_increase){1, r.room_dated_pct, m};
  }

  r.annual_growth_pct = spec->overheng_pct + r.given_annual_effect_pct + spec->glidning_pct;
  r.carryover_next_pct = r.given_carryover_pct;
  if (room.present) {
    r.annual_growth_pct += mdt_frame_annual_effect_pct(room.pct, room.month);
    r.carryover_next_pct += mdt_frame_carryover_pct(room.pct, room.month);
  }

  double mean = level_path(spec, room, &r.level_december_last_year, r.level_by_month);
  r.exact_annual_growth_pct = (mean - 1.0) * 100.0;
  r.exact_carryover_next_pct = (r.level_by_month[11] / mean - 1.0) * 100.0;
  r.difference_pct = r.exact_annual_growth_pct - r.annual_growth_pct;
  r.carryover_difference_pct = r.exact_carryover_next_pct - r.carryover_next_pct;

  *out = r;
  return MDT_OK;
}
