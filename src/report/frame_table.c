/* The frame decomposed: the same sums as the settlement table's group rows, per scope. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mandat/frame.h"
#include "mandat/result_tables.h"

typedef struct {
  double overheng, glidning, steps, steps_carry, central, local, named, carry_nok, wage_bill;
} scope_sums;

/* Wage-bill-weighted sums over the groups in scope (all when in is NULL). */
static scope_sums sums_of(const mdt_microsim_report *rep, const unsigned char *in) {
  scope_sums s;
  memset(&s, 0, sizeof s);
  for (size_t g = 0; g < rep->ngroups; g++) {
    const mdt_microsim_row *r = &rep->groups[g];
    if ((in != NULL && !in[g]) || !(r->wage_bill_nok > 0))
      continue;
    double W = r->wage_bill_nok;
    s.wage_bill += W;
    s.overheng += W * r->overheng_pct;
    s.glidning += W * r->glidning_pct;
    s.steps += W * r->step_effect_pct;
    s.steps_carry += W * r->step_carryover_pct;
    s.central += W * r->central_effect_pct;
    s.local += W * r->local_effect_pct;
    s.named += W * r->named_effect_pct;
    s.carry_nok += r->carryover_nok;
  }
  if (s.wage_bill > 0) {
    s.overheng /= s.wage_bill;
    s.glidning /= s.wage_bill;
    s.steps /= s.wage_bill;
    s.steps_carry /= s.wage_bill;
    s.central /= s.wage_bill;
    s.local /= s.wage_bill;
    s.named /= s.wage_bill;
  }
  return s;
}

static double carry_of(double effect, int month) {
  return month >= 1 && month <= 12 ? effect * (double)(month - 1) / (double)(13 - month) : NAN;
}

static int add_row(mdt_table *t, const char *scope, const char *component, double effect,
                   double carry, double wage_bill) {
  long r = mdt_table_add_row(t);
  if (r < 0 || mdt_table_set_text(t, (size_t)r, 0, scope) != 0 ||
      mdt_table_set_text(t, (size_t)r, 1, component) != 0)
    return -1;
  mdt_table_set_num(t, (size_t)r, 2, effect);
  mdt_table_set_num(t, (size_t)r, 3, carry);
  mdt_table_set_num(t, (size_t)r, 4, isfinite(carry) ? carry * wage_bill / 100.0 : NAN);
  return 0;
}

static int scope_rows(mdt_table *t, const char *scope, const mdt_microsim_report *rep,
                      const unsigned char *in, const mdt_settlement *s, size_t nnamed_given,
                      const mdt_groups *groups, double frame_pct) {
  scope_sums z = sums_of(rep, in);
  double W = z.wage_bill;
  if (!(W > 0))
    return 0;
  double central_carry = carry_of(z.central, s->central_month);
  double local_carry = z.local > 0 ? carry_of(z.local, s->local_month) : 0;
  if (add_row(t, scope, "overheng", z.overheng, NAN, W) ||
      add_row(t, scope, "glidning", z.glidning, NAN, W) ||
      add_row(t, scope, "step_moves", z.steps, z.steps_carry, W) ||
      add_row(t, scope, "central", z.central, central_carry, W) ||
      add_row(t, scope, "local_pot", z.local, local_carry, W))
    return -1;
  /* Each named element on the scope's wage bill, dated for the exact path. */
  mdt_frame_increase inc[2 + 64];
  size_t ninc = 0;
  double named_sum = 0, named_carry = 0;
  for (size_t k = 0; k < s->nnamed; k++) {
    const mdt_named_increase *n = &s->named[k];
    if ((in != NULL && !in[n->group]) || !(rep->groups[n->group].wage_bill_nok > 0))
      continue;
    double pct = n->pct * rep->groups[n->group].wage_bill_nok / W;
    double e = mdt_frame_annual_effect_pct(pct, n->month);
    double c = mdt_frame_carryover_pct(pct, n->month);
    char name[160];
    snprintf(name, sizeof name, "%s:%s", k < nnamed_given ? "named" : "local_frame",
             groups->id[n->group]);
    if (add_row(t, scope, name, e, c, W))
      return -1;
    named_sum += e;
    named_carry += c;
    if (ninc < 64) {
      inc[ninc].pct = pct;
      inc[ninc++].month = n->month;
    }
  }
  double growth = z.overheng + z.glidning + z.steps + z.central + z.local + named_sum;
  double carry = z.steps_carry + (isfinite(central_carry) ? central_carry : 0) + local_carry +
                 named_carry;
  if (add_row(t, scope, "annual_growth", growth, carry, W))
    return -1;
  /* The exact monthly path of the same elements (drift: glidning and step moves). */
  if (z.central > 0 && ninc < 64) {
    inc[ninc].pct = z.central * 12.0 / (double)(13 - s->central_month);
    inc[ninc++].month = s->central_month;
  }
  if (z.local > 0 && ninc < 64) {
    inc[ninc].pct = z.local * 12.0 / (double)(13 - s->local_month);
    inc[ninc++].month = s->local_month;
  }
  mdt_frame_spec fs;
  mdt_frame_spec_init(&fs);
  fs.overheng_pct = z.overheng;
  fs.glidning_pct = z.glidning + z.steps;
  fs.increases = inc;
  fs.n_increases = ninc;
  mdt_frame_result fr;
  mdt_error err;
  double exact = NAN;
  if (mdt_frame_compute(&fs, &fr, &err) == MDT_OK)
    exact = fr.exact_annual_growth_pct;
  if (add_row(t, scope, "exact_annual_growth", exact, NAN, W) ||
      add_row(t, scope, "exact_minus_additive", exact - growth, NAN, W))
    return -1;
  if (isfinite(frame_pct)) {
    double room = frame_pct - z.overheng - z.glidning - z.steps - z.local - named_sum;
    if (add_row(t, scope, "frame", frame_pct, NAN, W) ||
        add_row(t, scope, "room", room, NAN, W) ||
        add_row(t, scope, "room_dated", room * 12.0 / (double)(13 - s->central_month), NAN, W))
      return -1;
  }
  return 0;
}

mdt_table *mdt_tables_frame(const mdt_microsim_report *rep, const mdt_settlement *s,
                            size_t nnamed_given, const mdt_groups *groups, double frame_pct) {
  static const char *const names[] = {"scope", "component", "annual_effect_pct",
                                      "carryover_pct", "carryover_nok"};
  static const mdt_col_kind kinds[] = {MDT_COL_TEXT, MDT_COL_TEXT, MDT_COL_PCT, MDT_COL_PCT,
                                       MDT_COL_NOK};
  mdt_table *t = NULL;
  mdt_error err;
  if (mdt_table_new("frame", "The frame: what makes up this year's annual wage growth", 5,
                    names, kinds, &t, &err) != MDT_OK)
    return NULL;
  unsigned char in[1024];
  size_t ncov = 0;
  for (size_t g = 0; g < rep->ngroups && g < sizeof in; g++) {
    in[g] = (unsigned char)(rep->groups[g].covered != 0);
    ncov += in[g];
  }
  if (scope_rows(t, "area", rep, NULL, s, nnamed_given, groups, frame_pct) != 0 ||
      (ncov > 0 && ncov < rep->ngroups && rep->ngroups <= sizeof in &&
       scope_rows(t, "covered", rep, in, s, nnamed_given, groups, frame_pct) != 0)) {
    mdt_table_free(t);
    return NULL;
  }
  return t;
}
