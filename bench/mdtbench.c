/*
 * mdtbench: the library side of the benchmark cases that have no command of their own
 * (bench/README.md). Each subcommand loads what it needs, times only the work the case is
 * about, and prints two lines on stdout: a JSON object of results (the same bytes for any
 * number of threads, so bench/run compares them between --threads 1 and --threads N, and
 * with the peers), then a JSON object of timings.
 *
 *   mdtbench register-load MODEL REGISTER [--threads N]
 *   mdtbench pass  MODEL REGISTER [--threads N] [--passes P]
 *   mdtbench solve MODEL REGISTER [--threads N] [--reps R] [--room PCT]
 *   mdtbench mc    MODEL REGISTER [--threads N] [--reps R] [--draws D] [--inputs-out FILE]
 *
 * MODEL is a folder with respondents.csv, groups.csv, guarantee.csv and increases_2023.csv
 * (models/ks-2024); REGISTER a register.csv for it. The settlements are fixed here and
 * written out in bench/README.md, so that the peers under bench/peers/ compute the same.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/spare.h"
#include "mandat/allocate.h"
#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/microsim.h"
#include "mandat/register.h"
#include "mandat/respondents.h"
#include "mandat/steptable.h"
#include "mandat/uncertainty.h"

#define MAX_REPS 10000

/* The settlement of the pass and Monte Carlo cases: the 2023 kroner table (scale 1) plus
 * 1.5 % for the chapter-4 groups from 1 May, pay floored at the raised guarantee. */
#define PASS_PCT 1.5
#define CENTRAL_MONTH 5

/* The solve case: the priority rule on a base of the guarantee, a local pot of 1.1 % from
 * 1 October and 4.1 % for the leaders (c34) from 1 May; a fixed profile; floors 2 %, caps 6 %. */
#define SOLVE_THETA 0.5
#define SOLVE_ROOM_PCT 2.5
#define SOLVE_TOLERANCE_PCT 1e-12
#define SOLVE_LOCAL_PCT 1.1
#define SOLVE_LOCAL_MONTH 10
#define SOLVE_NAMED_GROUP "c34"
#define SOLVE_NAMED_PCT 4.1
#define SOLVE_NAMED_MONTH 5
#define SOLVE_FLOOR_PCT 2.0
#define SOLVE_CAP_PCT 6.0
static const struct {
  const char *group;
  double priority;
} solve_profile[] = {{"g1", 0.31}, {"g2", 0.52}, {"g3", 0.47}, {"g4", 0.64},
                     {"g5", 0.62}, {"g6", 0.55}, {"g7", 0.75}, {"g8", 0.58}};

/* The Monte Carlo case: the scenario's spreads (models/ks-2024/scenario.ini). */
#define MC_SEED 2024
#define MC_FRAME_PCT 5.2
#define MC_OVERHENG_MEAN 1.7
#define MC_OVERHENG_SD 0.1
#define MC_GLIDNING_MEAN 0.6
#define MC_GLIDNING_SD 0.3
#define MC_PRICE_MEAN 4.1
#define MC_PRICE_SD 0.6
#define MC_DRIFT_SD 1.0

__extension__ typedef __int128 i128;

typedef struct {
  const char *cmd;
  const char *model;
  const char *register_path;
  int threads;
  int passes;
  int reps;
  double room_pct;
  size_t draws;
  const char *inputs_out;
} options;

/* Everything a case loads; freed by loaded_free. */
typedef struct {
  mdt_respondents *respondents;
  mdt_groups *groups;
  mdt_register *reg;
  mdt_step_table *guarantee;
  mdt_step_table *increases;
  mdt_microsim *sim;
  mdt_microsim_work *work;
  double load_s;
} loaded;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of n timings (sorts them). */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(const mdt_error *err) {
  char buf[1400];
  fprintf(stderr, "mdtbench: %s\n", mdt_error_format(err, buf, sizeof buf));
  return mdt_status_exit_code(err->status);
}

static int usage(const char *why) {
  fprintf(stderr,
          "mdtbench: %s\n"
          "usage: mdtbench register-load|pass|solve|mc MODEL REGISTER [--threads N] "
          "[--passes P] [--reps R] [--room PCT] [--draws D] [--inputs-out FILE]\n",
          why);
  return 2;
}

static int parse_int(const char *text, int lo, int hi, int *out) {
  char *end;
  long v = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = (int)v;
  return 0;
}

static int parse_args(int argc, char **argv, options *o) {
  memset(o, 0, sizeof *o);
  o->threads = 1;
  o->passes = 5;
  o->reps = 5;
  o->room_pct = SOLVE_ROOM_PCT;
  o->draws = 100000;
  if (argc < 4)
    return usage("expected a subcommand, a model folder and a register");
  o->cmd = argv[1];
  o->model = argv[2];
  o->register_path = argv[3];
  for (int i = 4; i < argc; i++) {
    const char *opt = argv[i];
    if (i + 1 >= argc)
      return usage("an option without its value");
    const char *val = argv[++i];
    int n;
    if (strcmp(opt, "--threads") == 0 && parse_int(val, 1, MDT_MICROSIM_MAX_THREADS, &n) == 0)
      o->threads = n;
    else if (strcmp(opt, "--passes") == 0 && parse_int(val, 1, MAX_REPS, &n) == 0)
      o->passes = n;
    else if (strcmp(opt, "--reps") == 0 && parse_int(val, 1, MAX_REPS, &n) == 0)
      o->reps = n;
    else if (strcmp(opt, "--draws") == 0 && parse_int(val, 1, 100000000, &n) == 0)
      o->draws = (size_t)n;
    else if (strcmp(opt, "--room") == 0) {
      char *end;
      o->room_pct = strtod(val, &end);
      if (*end != '\0' || !isfinite(o->room_pct))
        return usage("--room: expected a number");
    } else if (strcmp(opt, "--inputs-out") == 0)
      o->inputs_out = val;
    else
      return usage("an unknown option or a value out of range");
  }
  return 0;
}

static char *join(char *buf, size_t size, const char *dir, const char *name) {
  snprintf(buf, size, "%s/%s", dir, name);
  return buf;
}

static void loaded_free(loaded *l) {
  mdt_microsim_work_free(l->work);
  mdt_microsim_free(l->sim);
  mdt_step_table_free(l->increases);
  mdt_step_table_free(l->guarantee);
  mdt_register_free(l->reg);
  mdt_groups_free(l->groups);
  mdt_respondents_free(l->respondents);
}

/* Loads the model's tables and the register (timed); with compile, the microsim and a work
 * area too. */
static mdt_status load_all(const options *o, int compile, loaded *l, mdt_error *err) {
  char path[4096];
  mdt_status st;
  memset(l, 0, sizeof *l);
  if ((st = mdt_respondents_load_threads(join(path, sizeof path, o->model, "respondents.csv"),
                                         o->threads, &l->respondents, err)) != MDT_OK ||
      (st = mdt_groups_load(join(path, sizeof path, o->model, "groups.csv"), &l->groups, err)) !=
          MDT_OK)
    return st;
  double t0 = now_s();
  st = mdt_register_load_threads(o->register_path, l->respondents, l->groups, o->threads,
                                 &l->reg, err);
  l->load_s = now_s() - t0;
  if (st != MDT_OK || !compile)
    return st;
  if ((st = mdt_step_table_load(join(path, sizeof path, o->model, "guarantee.csv"), l->groups,
                                &l->guarantee, err)) != MDT_OK ||
      (st = mdt_step_table_load(join(path, sizeof path, o->model, "increases_2023.csv"),
                                l->groups, &l->increases, err)) != MDT_OK ||
      (st = mdt_microsim_new(l->reg, l->groups, &l->sim, err)) != MDT_OK ||
      (st = mdt_microsim_work_new(l->sim, o->threads, &l->work, err)) != MDT_OK)
    return st;
  return MDT_OK;
}

/* A 128-bit integer in decimal. */
static char *i128_text(i128 v, char *buf, size_t size) {
  char tmp[48];
  size_t n = 0;
  int neg = v < 0;
  unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  do {
    tmp[n++] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u != 0);
  size_t k = 0;
  if (neg && k + 1 < size)
    buf[k++] = '-';
  while (n > 0 && k + 1 < size)
    buf[k++] = tmp[--n];
  buf[k] = '\0';
  return buf;
}

/* register-load: checksums of every column, per group and in total. */
static int cmd_register_load(const options *o) {
  mdt_error err;
  mdt_error_clear(&err);
  loaded l;
  if (load_all(o, 0, &l, &err) != MDT_OK) {
    loaded_free(&l);
    return fail(&err);
  }
  const mdt_register *reg = l.reg;
  size_t G = l.groups->n;
  int64_t *rows = calloc(G, sizeof *rows);
  i128 *wfte = calloc(G, sizeof *wfte), *wfte_salary = calloc(G, sizeof *wfte_salary);
  if (!rows || !wfte || !wfte_salary) {
    fprintf(stderr, "mdtbench: out of memory\n");
    free(rows);
    free(wfte);
    free(wfte_salary);
    loaded_free(&l);
    return 70;
  }
  int64_t weight_e4 = 0, respondent_sum = 0;
  double seniority = 0.0;
  for (size_t i = 0; i < reg->n; i++) {
    size_t g = (size_t)reg->group[i];
    i128 wf = (i128)reg->weight_e4[i] * reg->fte_e4[i];
    rows[g]++;
    wfte[g] += wf;
    wfte_salary[g] += wf * reg->salary_nok[i];
    weight_e4 += reg->weight_e4[i];
    respondent_sum += reg->respondent[i];
    seniority += reg->seniority_years[i];
  }
  char a[48], b[48];
  printf("{\"rows\": %zu, \"weight_e4\": %lld, \"respondent_row_sum\": %lld, "
         "\"seniority_sum\": %.17g, \"groups\": [",
         reg->n, (long long)weight_e4, (long long)respondent_sum, seniority);
  for (size_t g = 0; g < G; g++)
    printf("%s{\"group\": \"%s\", \"rows\": %lld, \"wfte_e8\": \"%s\", \"wage_bill_e8\": \"%s\"}",
           g ? ", " : "", l.groups->id[g], (long long)rows[g], i128_text(wfte[g], a, sizeof a),
           i128_text(wfte_salary[g], b, sizeof b));
  printf("]}\n{\"load_s\": %.9f}\n", l.load_s);
  free(rows);
  free(wfte);
  free(wfte_salary);
  loaded_free(&l);
  return 0;
}

static void pass_settlement(const loaded *l, mdt_settlement *s) {
  mdt_settlement_init(s);
  s->central_month = CENTRAL_MONTH;
  s->pct = PASS_PCT;
  s->table = l->increases;
  s->table_scale = 1.0;
  s->guarantee = l->guarantee;
}

/* pass: one warm-up pass, then P timed passes of the fixed settlement. */
static int cmd_pass(const options *o) {
  mdt_error err;
  mdt_error_clear(&err);
  loaded l;
  if (load_all(o, 1, &l, &err) != MDT_OK) {
    loaded_free(&l);
    return fail(&err);
  }
  mdt_settlement s;
  pass_settlement(&l, &s);
  mdt_microsim_effect e;
  double t[MAX_REPS];
  if (mdt_microsim_pass(l.work, &s, &e, &err) != MDT_OK) {
    loaded_free(&l);
    return fail(&err);
  }
  for (int k = 0; k < o->passes; k++) {
    double t0 = now_s();
    mdt_status st = mdt_microsim_pass(l.work, &s, &e, &err);
    t[k] = now_s() - t0;
    if (st != MDT_OK) {
      loaded_free(&l);
      return fail(&err);
    }
  }
  size_t n = mdt_microsim_rows(l.sim);
  double med = median(t, o->passes);
  printf("{\"rows\": %zu, \"annual_pct\": %.17g, \"central_pct\": %.17g, "
         "\"carryover_pct\": %.17g}\n",
         n, e.annual_pct, e.central_pct, e.carryover_pct);
  printf("{\"load_s\": %.9f, \"pass_s\": %.9f, \"ns_per_employee\": %.6f, \"passes\": %d}\n",
         l.load_s, med, med / (double)n * 1e9, o->passes);
  loaded_free(&l);
  return 0;
}

/* solve: one warm-up solve, then R timed solves of the priority rule. */
static int cmd_solve(const options *o) {
  mdt_error err;
  mdt_error_clear(&err);
  loaded l;
  mdt_allocator *alloc = NULL;
  double *profile = NULL, *floors = NULL, *caps = NULL;
  int rc = 0;
  if (load_all(o, 1, &l, &err) != MDT_OK || mdt_allocator_new(l.work, &alloc, &err) != MDT_OK) {
    rc = fail(&err);
    goto done;
  }
  size_t G = l.groups->n;
  profile = malloc(G * sizeof *profile);
  floors = malloc(G * sizeof *floors);
  caps = malloc(G * sizeof *caps);
  if (!profile || !floors || !caps) {
    fprintf(stderr, "mdtbench: out of memory\n");
    rc = 70;
    goto done;
  }
  for (size_t g = 0; g < G; g++)
    profile[g] = floors[g] = caps[g] = NAN;
  for (size_t k = 0; k < sizeof solve_profile / sizeof solve_profile[0]; k++) {
    long g = mdt_groups_find(l.groups, solve_profile[k].group);
    if (g < 0) {
      fprintf(stderr, "mdtbench: the model has no group %s\n", solve_profile[k].group);
      rc = 65;
      goto done;
    }
    profile[g] = solve_profile[k].priority;
    floors[g] = SOLVE_FLOOR_PCT;
    caps[g] = SOLVE_CAP_PCT;
  }
  long leaders = mdt_groups_find(l.groups, SOLVE_NAMED_GROUP);
  if (leaders < 0) {
    fprintf(stderr, "mdtbench: the model has no group %s\n", SOLVE_NAMED_GROUP);
    rc = 65;
    goto done;
  }
  mdt_named_increase named = {(size_t)leaders, SOLVE_NAMED_PCT, SOLVE_NAMED_MONTH};
  mdt_settlement base;
  mdt_settlement_init(&base);
  base.central_month = CENTRAL_MONTH;
  base.guarantee = l.guarantee;
  base.local_pct = SOLVE_LOCAL_PCT;
  base.local_month = SOLVE_LOCAL_MONTH;
  base.named = &named;
  base.nnamed = 1;
  mdt_allocation spec;
  mdt_allocation_init(&spec);
  spec.rule = MDT_RULE_PRIORITY;
  spec.room_annual_pct = o->room_pct;
  spec.tolerance_pct = SOLVE_TOLERANCE_PCT;
  spec.theta = SOLVE_THETA;
  spec.profile = profile;
  spec.floor_pct = floors;
  spec.cap_pct = caps;
  mdt_allocation_result r;
  double t[MAX_REPS];
  for (int k = -1; k < o->reps; k++) {
    double t0 = now_s();
    mdt_status st = mdt_allocator_solve(alloc, &base, &spec, &r, &err);
    if (k >= 0)
      t[k] = now_s() - t0;
    if (st != MDT_OK) {
      rc = fail(&err);
      goto done;
    }
  }
  printf("{\"rows\": %zu, \"p0_pct\": %.17g, \"annual_pct\": %.17g, \"central_pct\": %.17g, "
         "\"local_pct\": %.17g, \"named_pct\": %.17g, \"pct_by_group\": {",
         mdt_microsim_rows(l.sim), r.scalar, r.annual_effect_pct, r.effect.central_pct,
         r.effect.local_pct, r.effect.named_pct);
  int first = 1;
  for (size_t g = 0; g < G; g++)
    if (!isnan(profile[g])) {
      printf("%s\"%s\": %.17g", first ? "" : ", ", l.groups->id[g], r.pct_by_group[g]);
      first = 0;
    }
  printf("}}\n{\"load_s\": %.9f, \"solve_s\": %.9f, \"passes\": %d, \"iterations\": %d, "
         "\"reps\": %d}\n",
         l.load_s, median(t, o->reps), r.passes, r.iterations, o->reps);
done:
  free(profile);
  free(floors);
  free(caps);
  mdt_allocator_free(alloc);
  loaded_free(&l);
  return rc;
}

static void json_numbers(const char *name, const double *v, size_t n, const char *sep) {
  printf("\"%s\": [", name);
  for (size_t k = 0; k < n; k++)
    printf("%s%.17g", k ? ", " : "", v[k]);
  printf("]%s", sep);
}

/* What the Monte Carlo peer needs to draw the same numbers: the options and the report's
 * per-group rows, every number with 17 significant digits. */
static int write_mc_inputs(const char *path, const mdt_mc_options *mo,
                           const mdt_microsim_report *rep, const mdt_groups *groups) {
  FILE *fp = fopen(path, "w");
  if (fp == NULL)
    return -1;
  fprintf(fp,
          "{\"draws\": %zu, \"seed\": %lu, \"frame_pct\": %.17g, \"overheng\": [%.17g, %.17g], "
          "\"glidning\": [%.17g, %.17g], \"price\": [%.17g, %.17g], \"drift\": [%.17g, %.17g], "
          "\"groups\": [",
          mo->draws, mo->seed, mo->frame_pct, mo->overheng_pct.mean, mo->overheng_pct.sd,
          mo->glidning_pct.mean, mo->glidning_pct.sd, mo->price_pct.mean, mo->price_pct.sd,
          mo->drift_pct.mean, mo->drift_pct.sd);
  for (size_t g = 0; g < rep->ngroups; g++) {
    const mdt_microsim_row *row = &rep->groups[g];
    fprintf(fp,
            "%s{\"id\": \"%s\", \"wage_bill_nok\": %.17g, \"annual_effect_pct\": %.17g, "
            "\"overheng_pct\": %.17g, \"glidning_pct\": %.17g}",
            g ? ", " : "", groups->id[g], row->wage_bill_nok, row->annual_effect_pct,
            row->overheng_pct, row->glidning_pct);
  }
  fprintf(fp, "]}\n");
  return fclose(fp) == 0 ? 0 : -1;
}

/* mc: the pass case's settlement applied for the per-group rows, then one warm-up and R
 * timed runs of the draws. */
static int cmd_mc(const options *o) {
  mdt_error err;
  mdt_error_clear(&err);
  loaded l;
  mdt_microsim_report *rep = NULL;
  mdt_mc_result *res = NULL;
  int rc = 0;
  if (load_all(o, 1, &l, &err) != MDT_OK) {
    rc = fail(&err);
    goto done;
  }
  mdt_settlement s;
  pass_settlement(&l, &s);
  mdt_microsim_report_options ro;
  mdt_microsim_report_options_init(&ro);
  ro.overheng_pct = MC_OVERHENG_MEAN;
  ro.glidning_pct = MC_GLIDNING_MEAN;
  ro.price_forecast_pct = MC_PRICE_MEAN;
  ro.percentiles = 0;
  if (mdt_microsim_apply(l.work, &s, &ro, &rep, &err) != MDT_OK) {
    rc = fail(&err);
    goto done;
  }
  mdt_mc_options mo;
  mdt_mc_options_init(&mo);
  mo.draws = o->draws;
  mo.seed = MC_SEED;
  mo.threads = o->threads;
  mo.frame_pct = MC_FRAME_PCT;
  mo.overheng_pct = (mdt_mc_dist){1, MC_OVERHENG_MEAN, MC_OVERHENG_SD};
  mo.glidning_pct = (mdt_mc_dist){1, MC_GLIDNING_MEAN, MC_GLIDNING_SD};
  mo.price_pct = (mdt_mc_dist){1, MC_PRICE_MEAN, MC_PRICE_SD};
  mo.drift_pct = (mdt_mc_dist){1, 0.0, MC_DRIFT_SD};
  if (o->inputs_out != NULL && write_mc_inputs(o->inputs_out, &mo, rep, l.groups) != 0) {
    fprintf(stderr, "mdtbench: cannot write %s\n", o->inputs_out);
    rc = 73;
    goto done;
  }
  double t[MAX_REPS];
  for (int k = -1; k < o->reps; k++) {
    mdt_mc_result_free(res);
    res = NULL;
    double t0 = now_s();
    mdt_status st = mdt_mc_run(rep, &mo, &res, &err);
    if (k >= 0)
      t[k] = now_s() - t0;
    if (st != MDT_OK) {
      rc = fail(&err);
      goto done;
    }
  }
  printf("{\"draws\": %zu, \"p_above_frame\": %.17g, \"mean_growth_pct\": %.17g, "
         "\"sd_growth_pct\": %.17g, ",
         res->draws, res->p_above_frame, res->mean_growth_pct, res->sd_growth_pct);
  json_numbers("quantiles", res->quantiles, MDT_MC_NQUANTILES, ", ");
  json_numbers("p_real_fall", res->p_real_fall, res->ngroups, ", ");
  json_numbers("group_q05", res->group_q05, res->ngroups, ", ");
  json_numbers("group_q50", res->group_q50, res->ngroups, ", ");
  json_numbers("group_q95", res->group_q95, res->ngroups, "}\n");
  printf("{\"load_s\": %.9f, \"mc_s\": %.9f, \"reps\": %d}\n", l.load_s, median(t, o->reps),
         o->reps);
done:
  mdt_mc_result_free(res);
  mdt_microsim_report_free(rep);
  loaded_free(&l);
  return rc;
}

int main(int argc, char **argv) {
  options o;
  int rc = parse_args(argc, argv, &o);
  if (rc != 0)
    return rc;
  gsl_set_error_handler_off();
  mdt__heap_huge((size_t)64 << 20); /* as mandat does (src/cli/main.c) */
  if (strcmp(o.cmd, "register-load") == 0)
    return cmd_register_load(&o);
  if (strcmp(o.cmd, "pass") == 0)
    return cmd_pass(&o);
  if (strcmp(o.cmd, "solve") == 0)
    return cmd_solve(&o);
  if (strcmp(o.cmd, "mc") == 0)
    return cmd_mc(&o);
  return usage("expected the subcommand register-load, pass, solve or mc");
}
