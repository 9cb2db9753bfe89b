/*
 * mandat/scenario.h: a scenario file (INI, read with inih) with every setting of a run.
 *
 * Ownership: mdt_scenario_load returns a scenario the caller frees with mdt_scenario_free;
 * every string and array in it belongs to the scenario.
 *
 * Sections and keys (all optional unless noted; paths are relative to the scenario file):
 *   [model]       dir (default: the scenario's folder)
 *   [frame]       frame_pct; overheng_pct: a number (one figure for every group) or
 *                 "groups" (each group's own from groups.csv; the default when groups.csv
 *                 has a figure for every group); glidning_pct: likewise, or glidning_history
 *                 (three values, oldest first; glidning = their mean, for every group);
 *                 price_forecast_pct; solve_on: covered (default: the covered groups'
 *                 growth equals the frame, as KS sets chapter 4's frame) or area (the whole
 *                 area's growth equals it); step_moves (yes/no, default yes);
 *                 glidning_includes_step_moves (yes/no, default yes: the glidning given is
 *                 measured glidning, which holds the step moves, so the remainder is used
 *                 beside them)
 *   [settlement]  rule (percent, krone, percent_min_krone, table, priority, mixed; default
 *                 percent), central_month (default 5), covered (group ids, or chapter:X;
 *                 default chapter:4), theta, min_krone_nok, krone_share (mixed),
 *                 table (CSV group,step_years,annual_nok); without a frame the settlement is
 *                 applied as written: pct, krone_nok, table_scale (default 1) give the rule's
 *                 number;
 *                 guarantee (default guarantee.csv in the model), new_guarantee,
 *                 base_table (CSV group,step_years,annual_nok: kroner applied as written
 *                 beside a solved table), local_pot_pct, local_month (default 10),
 *                 named (GROUP:PCT@MONTH, ...), local_frame (GROUP@MONTH, ...: a group whose
 *                 pay is set locally gets the frame's room as a percent from MONTH, so that
 *                 its own growth equals the frame),
 *                 floors (GROUP:PCT, ...), caps (GROUP:PCT, ...), payroll_overhead_pct
 *   [weighting]   weights (measure, "sqrt:" allowed), sqrt (yes/no), cap (share), poststrata,
 *                 rake (COL1, COL2), by_group (yes/no), bootstrap (draws), level,
 *                 max_failed_draws (share of the draws that may be dropped because their
 *                 weights cannot be calibrated; default 0.05),
 *                 adopted (all/political: count only the answers adopted politically, the
 *                 other members then count as non-respondents; default all),
 *                 adopted_weight (factor > 0 on the base weight of answers not adopted
 *                 politically; default 1)
 *   [sweeps]      theta, krone_share, local_pot_pct, central_month: each a list "a, b, c" or
 *                 a range "from:to:step"
 *   [uncertainty] draws, glidning_pct, overheng_pct, price_forecast_pct,
 *                 headcount_drift_pct: each "fixed" (the frame's value), a number, or
 *                 "normal(mean, sd)"; mandate (yes/no: carry the mandate's bootstrap into
 *                 the priority allocation)
 *   [regions]     column (a grouping column; default region), enabled (yes/no)
 *   [output]      lang (en/nb), threads, csv (tidy: `,` and `.` for machines, the default;
 *                 excel-nb: `;`, decimal comma and Norwegian labels for Excel)
 *   [run]         seed (default 1)
 *   [period]      first_year (a label for the first year, e.g. 2024; default 1)
 *   [year2.frame], [year2.settlement]: keys of [frame] and [settlement] that differ in the
 *                 second year of a two-year settlement period (main settlement, then interim
 *                 settlement); their presence makes the scenario a two-year period. Year two
 *                 starts from year one's result: its register's pay is year one's December
 *                 level, its guarantee table year one's new one, its overheng per group
 *                 year one's carry-over (the scenario cannot set overheng for year two).
 * Unknown sections and keys, repeated keys and values that do not parse are errors with
 * file:line:column.
 */
#ifndef MANDAT_SCENARIO_H
#define MANDAT_SCENARIO_H

#include <stddef.h>

#include "mandat/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDT_SCENARIO_MAX_LIST 1024 /* most values in one list or grid */

/* GROUP@MONTH. */
typedef struct {
  char *group;
  int month;
} mdt_scenario_group_month;

/* A random quantity: fixed at value, or normal(value, sd). */
typedef struct {
  int given;     /* the key was present */
  int normal;    /* non-zero: normal(value, sd); zero: fixed at value */
  int use_frame; /* "fixed": take the [frame] value */
  double value;
  double sd;
} mdt_scenario_dist;

/* GROUP:PCT or GROUP:PCT@MONTH. */
typedef struct {
  char *group;
  double pct;
  int month; /* 0 when not given */
} mdt_scenario_group_pct;

typedef struct {
  size_t n;
  double *values;
} mdt_scenario_grid;

typedef struct mdt_scenario {
  char *path;
  char *dir;               /* folder of the scenario file */
  char *model_dir;         /* resolved */
  /* [frame] */
  int has_frame;
  double frame_pct;
  int overheng_groups;     /* overheng_pct = groups */
  double overheng_pct;
  int glidning_from_history; /* 1: glidning_pct is the mean of glidning_history */
  int has_glidning;
  int glidning_groups;     /* glidning_pct = groups */
  double glidning_pct;
  double glidning_history[3];
  int has_price_forecast;
  double price_forecast_pct;
  int solve_on_area;       /* solve_on = area */
  int step_moves;          /* default 1 */
  int glidning_includes_step_moves; /* default 1 */
  /* [settlement] */
  char *rule;              /* one of the rule names */
  int central_month;
  char *covered;           /* as written; NULL = chapter:4 */
  double theta;
  double krone_share;      /* mixed: the part given as equal kroner, 0..1 */
  int has_pct, has_krone_nok, has_table_scale;
  double pct, krone_nok, table_scale; /* the rule's number when there is no frame */
  int has_min_krone;
  double min_krone_nok;
  char *table_path;        /* resolved, or NULL */
  char *base_table_path;   /* resolved, or NULL */
  size_t nlocal_frame;
  mdt_scenario_group_month *local_frame;
  char *guarantee_path;    /* resolved; default <model>/guarantee.csv */
  char *new_guarantee_path;/* resolved, or NULL */
  double local_pot_pct;
  int local_month;
  size_t nnamed;
  mdt_scenario_group_pct *named;
  size_t nfloors, ncaps;
  mdt_scenario_group_pct *floors, *caps;
  double payroll_overhead_pct;
  /* [weighting] */
  char *weights;           /* measure name, default "employees" */
  int sqrt_weights;
  double cap_share;        /* 0 = none */
  char *poststrata;
  char *rake[2];
  int by_group;
  size_t bootstrap;        /* default 1000 */
  double level;            /* default 0.95 */
  double max_failed_draws; /* share of bootstrap draws that may be dropped, default 0.05 */
  int adopted_political_only; /* adopted = political */
  double adopted_weight;   /* default 1 */
  /* [sweeps] */
  mdt_scenario_grid sweep_theta, sweep_krone_share, sweep_local_pot, sweep_central_month;
  /* [uncertainty] */
  size_t draws;            /* 0 = no Monte Carlo */
  mdt_scenario_dist u_glidning, u_overheng, u_price, u_headcount_drift;
  int u_mandate;
  /* [regions] */
  int regions;
  char *region_column;     /* default "region" */
  /* [output] */
  char lang[3];            /* "en" or "nb" */
  char csv[16];            /* "tidy" or "excel-nb" */
  int threads;             /* 0 = all cores */
  size_t suppress_below;   /* groups backed by fewer register rows are suppressed (5) */
  /* [run] */
  unsigned long seed;
  /* [period] */
  int first_year;          /* label of the first year (default 1) */
  int period_years;        /* 1, or 2 when the file has [year2.*] sections */
  int year;                /* which year of the period this scenario describes (1 or 2) */
  /* where each key was, for messages about values checked later */
  size_t nkeys;
  struct mdt_scenario_key {
    char *section, *key;
    long line, column;
  } *keys;
} mdt_scenario;

/* The names the rule key accepts, NULL-terminated. */
extern const char *const mdt_scenario_rules[];

/* Defaults for every setting, with model_dir = dir (may be NULL for "."). */
mdt_status mdt_scenario_new(const char *dir, mdt_scenario **out, mdt_error *err);

/* Reads path. Errors: MDT_ENOINPUT (cannot open), MDT_EDATA (syntax, unknown section or key,
 * a key given twice, a bad value), each at file:line:column. The keys of [year2.*] sections
 * are checked but not applied: this is the first year of the period. */
mdt_status mdt_scenario_load(const char *path, mdt_scenario **out, mdt_error *err);

/* Reads path as year year (1 or 2) of its settlement period: for year 2, the keys of the
 * [year2.frame] and [year2.settlement] sections replace those of [frame] and [settlement]
 * (a glidning_pct there replaces a glidning_history of [frame], and the other way round).
 * Errors as mdt_scenario_load; MDT_EUSAGE for a year other than 1 and 2. */
mdt_status mdt_scenario_load_year(const char *path, int year, mdt_scenario **out,
                                  mdt_error *err);
void mdt_scenario_free(mdt_scenario *s);

/* Fills err with status and message at the place of [section] key in the file (line 0 when
 * the key was not in the file). Returns status. */
mdt_status mdt_scenario_fail(const mdt_scenario *s, const char *section, const char *key,
                             mdt_error *err, mdt_status status, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Sets one key from text as if it were in the file (for command-line overrides). */
mdt_status mdt_scenario_set(mdt_scenario *s, const char *section, const char *key,
                            const char *value, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
