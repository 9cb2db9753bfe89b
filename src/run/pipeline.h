/*
 * Internal to the mandat program: everything a scenario needs loaded and resolved once (the
 * model, register, tables, frame, mandate profile, the base settlement and the rule), shared
 * by `mandat simulate` and `mandat run`.
 * Ownership: mdt__pipeline_load fills a caller-owned struct that mdt__pipeline_free empties.
 */
#ifndef MANDAT_RUN_PIPELINE_H
#define MANDAT_RUN_PIPELINE_H

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
  const char *seed;           /* NULL: the scenario's [run] seed (set before the aggregate's
                                 bootstrap draws) */
  int threads;                /* 0: the scenario's, else all cores */
  int bootstrap;              /* aggregate with the scenario's bootstrap draws (profiles kept);
                                 0: point estimates only */
  int year;                   /* year of the scenario's settlement period (0 or 1: the first) */
  /* Year two of a period starts from year one's result; reg and guarantee are taken over by
   * mdt__pipeline_load (freed with the pipeline, also when loading fails). */
  mdt_register *reg;          /* the register a year later, or NULL: the model's */
  mdt_step_table *guarantee;  /* year one's new guarantee table, or NULL: the scenario's */
  double *overheng_pct;       /* per group: year one's carry-over, or NULL */
  void (*log)(void *user, const char *message); /* what the run is doing, or NULL */
  void *log_user;
  struct mdt__boot_raw *boot_raw; /* a sharded run's bootstrap (engine/partial.h), or NULL */
} mdt__pipeline_args;

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
  double overheng_pct, glidning_pct, price_pct; /* the area's (overheng and glidning: the
                                                   groups' wage-bill-weighted mean); NaN when
                                                   not given */
  double *group_overheng, *group_glidning; /* per group, resolved (NULL when not given) */
  const char *overheng_source, *glidning_source; /* "groups.csv", "scenario", "year one" */
  char notes[4][512];          /* where the scenario's and the model's figures disagree */
  int nnotes;
  double *wage_bill;           /* per group, NOK (before the settlement) */
  double room_base_pct;        /* the room in pp of the area's wage bill, before step moves
                                  that the glidning does not hold */
  double step_room_pct;        /* the part of the room step moves take (their own element) */
  size_t nnamed_given;         /* named[0..nnamed_given) from [settlement] named, the rest
                                  from local_frame */
  mdt_step_table *base_table;  /* the scenario's base kroner table, or NULL */
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
  char register_sha256[65];      /* its digest, taken as the load read it; "" when not */
  void (*log)(void *user, const char *message);
  void *log_user;
  struct mdt__boot_raw *boot_raw; /* borrowed from the args */
  struct mdt_sha256_batch *digests; /* the inputs' digests for the manifest, hashed on a
                                       thread of their own while the run computes; NULL
                                       with one thread (core/hash.h) */
} mdt__pipeline;

/* The manifest's input files of p besides the scenario, in the manifest's order. */
#define MDT__PIPELINE_MAX_INPUTS 10
typedef struct {
  char path[MDT__PIPELINE_MAX_INPUTS][4096];
  size_t n;
} mdt__pipeline_inputs;
void mdt__pipeline_input_files(const mdt__pipeline *p, mdt__pipeline_inputs *in);
/* With more than one thread, starts hashing p's inputs for the manifest on a thread of their
 * own (p->digests) while the run computes; the writer waits for them. Without (or when no
 * thread can start) the writer hashes them itself: the same digests. */
void mdt__pipeline_start_digests(mdt__pipeline *p);

/* Loads and resolves everything; errors name the file, line and column of the culprit. */
mdt_status mdt__pipeline_load(mdt__pipeline *p, const mdt__pipeline_args *args, mdt_error *err);

/* Solves the rule on the frame, or, without a frame, evaluates the settlement as written. */
mdt_status mdt__pipeline_solve(mdt__pipeline *p, mdt_allocation_result *res, mdt_error *err);

/* Aggregates the answers with the scenario's weighting (bootstrap draws: B, 0 for none). */
mdt_status mdt__pipeline_aggregate(mdt__pipeline *p, size_t bootstrap, mdt_aggregate **out,
                                  mdt_error *err);

/* Suppresses small groups in rep, and when needed the area's effects in res ([output]
 * suppress_below register rows, complementary: mandat/suppress.h) before anything is
 * written from them. */
mdt_status mdt__pipeline_suppress(const mdt__pipeline *p, mdt_microsim_report *rep,
                                  mdt_allocation_result *res, mdt_error *err);
void mdt__pipeline_free(mdt__pipeline *p);

/* The heading facts of a settlement table, from the pipeline. */
void mdt__pipeline_settlement_context(const mdt__pipeline *p, mdt_settlement_context *ctx);
/* All cores the machine has, 1..64. */
int mdt__default_threads(void);
/* Report options (overheng, glidning per group, step moves, price forecast, overhead). */
void mdt__pipeline_report_options(const mdt__pipeline *p, mdt_microsim_report_options *ro);

#endif
