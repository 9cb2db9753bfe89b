/*
 * Internal to libmandat: what a run and its result hold, shared by the run layer (which
 * computes it) and the report layer (which writes it).
 * Ownership: a mdt__year owns everything it points to; mdt__year_free releases it.
 */
#ifndef MANDAT_RUN_RUN_INT_H
#define MANDAT_RUN_RUN_INT_H

#include "mandat/run.h"
#include "mandat/tradeoff.h"
#include "mandat/uncertainty.h"
#include "run/pipeline.h"

#define MDT__MAX_TABLES 40

/* A sharded run's slice of a year's work, or a merge's parts of it (src/run/shard_int.h). */
typedef struct mdt__shard_year mdt__shard_year;

typedef struct {
  mdt_table *t[MDT__MAX_TABLES];
  size_t n;
} mdt__table_set;

/* One year of a settlement period: resolved, computed and turned into tables. */
typedef struct mdt__year {
  mdt__pipeline p;
  mdt_aggregate *agg;              /* with bootstrap intervals */
  mdt_allocation_result res;
  double *res_pct, *res_z;         /* copies of the solution's per-group arrays: the
                                      allocator's own are overwritten by the next solve */
  signed char *res_clamped;
  int infeasible;                  /* the settlement could not meet the room or a bound */
  char infeasible_msg[768];
  mdt_error infeasible_err;        /* the solver's error, with the scenario's line */
  char binding[MDT_BINDING_SIZE];  /* what binds the solved settlement, "" for nothing */
  mdt_microsim_report *rep;
  mdt_step_table *new_guarantee;
  mdt_sweep *sweeps[4];
  mdt_mc_result *mc;
  mdt_mandate_uncertainty *mandate;
  mdt_region_allocations *regions;
  long region_column;
  double satisfaction;             /* the mandate's satisfaction with the settlement, or NaN */
  mdt_microsim_spread spread;      /* the settlement's spread over pay */
  mdt__table_set tables;
  mdt__shard_year *shard;          /* borrowed: the slice a shard computes or the parts a
                                      merge puts together; NULL for a whole run */
} mdt__year;

struct mdt_run {
  mdt_run_options opt;
  char *scenario_path, *model_dir, *rule, *seed, *lang, *csv; /* copies of the options' strings */
  int nyears;
  int computed;
  mdt__year years[2];
  mdt__shard_year *shard[2];       /* borrowed, per year: see mdt__year's; NULL, NULL for a
                                      whole run */
};

struct mdt_result {
  int nyears;
  int first_year;
  char *scenario_path;             /* as given, for the manifest; NULL: none */
  mdt__year years[2];
  mdt_table *period;               /* two years: the period table */
  char *shards_json;               /* a merged result: DIR/shards.json's text, else NULL */
  struct mdt__releaser *releaser;  /* the years' per-employee structures being freed on a
                                      thread of their own (run.c), or NULL */
};

void mdt__year_free(mdt__year *y);
/* Lets r's releaser (if any) start freeing the years' per-employee structures; no-op when
 * already let go. Writing the result reads none of them. */
void mdt__result_release(const mdt_result *r);
/* The table regions_side_by_side of a year (NULL when it has no region breakdown, or when
 * out of memory: check y->agg first). */
mdt_table *mdt__regions_side_by_side(const mdt__year *y);
/* The sum over groups of |a region's priority - the nation's|, NaN when unknown. */
double mdt__profile_distance(const mdt__year *y, size_t level);

/* mdt_run_open for a shard or a merge: each year computes through shard[y] (may be NULL). */
mdt_status mdt__run_open(const mdt_run_options *o, mdt__shard_year *shard[2], mdt_run **out,
                         mdt_error *err);

#endif
