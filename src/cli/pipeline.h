/*
 * Internal to the mandat program: everything a scenario needs loaded and resolved once (the
 * model, register, tables, frame, mandate profile, the base settlement and the rule), shared
 * by `mandat simulate` and `mandat run`.
 * Ownership: cli_pipeline_load fills a caller-owned struct that cli_pipeline_free empties.
 */
#ifndef MANDAT_CLI_PIPELINE_H
#define MANDAT_CLI_PIPELINE_H

#include "mandat/aggregate.h"
#include "mandat/allocate.h"
#include "mandat/frame.h"
#include "mandat/microsim.h"
#include "mandat/model.h"
#include "mandat/register.h"
#include "mandat/report.h"
#include "mandat/scenario.h"
#include "mandat/steptable.h"

typedef struct {
  const char *scenario_path;  /* NULL: <model>/scenario.ini when it exists, else defaults */
  const char *model_dir;      /* NULL: the scenario's [model] dir */
  const char *rule;           /* NULL: the scenario's rule */
  int threads;                /* 0: the scenario's, else all cores */
  int bootstrap;              /* aggregate with the scenario's bootstrap draws (profiles kept);
                                 0: point estimates only */
} cli_pipeline_args;

typedef struct {
  mdt_scenario *sc;
  mdt_model *model;
  mdt_register *reg;
  mdt_step_table *guarantee;     /* NULL when the model has no guarantee.csv */
  mdt_step_table *table;         /* the scenario's kroner table, or NULL */
  mdt_step_table *new_guarantee; /* or NULL */
  mdt_microsim *sim;
  mdt_microsim_work *work;
  mdt_allocator *alloc;
  int threads;
  /* the frame */
  int has_frame;
  mdt_frame_result frame;
  double overheng_pct, glidning_pct, price_pct; /* NaN when not given */
  /* the mandate (computed for the priority rule and for the regions) */
  mdt_aggregate_options agg_opt;
  mdt_aggregate *agg;            /* breakdown by the regions column; with the bootstrap when
                                    the args ask for it */
  /* the settlement */
  unsigned char *covered;        /* per group */
  mdt_named_increase *named;
  double *floor_pct, *cap_pct;   /* per group, NaN for none */
  mdt_settlement base;
  mdt_allocation spec;
  char register_path[4096];
} cli_pipeline;

/* Loads and resolves everything; errors name the file, line and column of the culprit. */
mdt_status cli_pipeline_load(cli_pipeline *p, const cli_pipeline_args *args, mdt_error *err);

/* Solves the rule on the frame, or, without a frame, evaluates the settlement as written. */
mdt_status cli_pipeline_solve(cli_pipeline *p, mdt_allocation_result *res, mdt_error *err);

/* Aggregates the answers with the scenario's weighting (bootstrap draws: B, 0 for none). */
mdt_status cli_pipeline_aggregate(cli_pipeline *p, size_t bootstrap, mdt_aggregate **out,
                                  mdt_error *err);

/* Suppresses small groups in rep, and when needed the area's effects in res ([output]
 * suppress_below register rows, complementary: mandat/suppress.h) before anything is
 * written from them. */
mdt_status cli_pipeline_suppress(const cli_pipeline *p, mdt_microsim_report *rep,
                                 mdt_allocation_result *res, mdt_error *err);
void cli_pipeline_free(cli_pipeline *p);

/* The heading facts of a settlement table, from the pipeline. */
void cli_settlement_context(const cli_pipeline *p, mdt_settlement_context *ctx);
/* Report options (overheng, glidning, price forecast, overhead) from the pipeline. */
void cli_report_options(const cli_pipeline *p, mdt_microsim_report_options *ro);

#endif
