/*
 * mandat/run.h: a scenario run as one object: a scenario in, a result out. What `mandat run`
 * does, a C program does with three calls:
 *
 *   mdt_run_options o;
 *   mdt_run_options_init(&o);
 *   o.scenario_path = "models/ks-2024/scenario.ini";
 *   mdt_run *run; mdt_result *res; mdt_error err;
 *   if (mdt_run_open(&o, &run, &err) == MDT_OK && mdt_run_compute(run, &res, &err) == MDT_OK)
 *     mdt_report_write_result(res, "result", &err);   (mandat/report.h)
 *
 * Ownership: mdt_run_open returns a run the caller frees with mdt_run_free; mdt_run_compute
 * returns a result the caller frees with mdt_result_free (it keeps everything it needs, so
 * the run may be freed first). Every table, report and string a result hands out belongs to
 * it and lives until mdt_result_free. The options are read during mdt_run_open only, except
 * the callbacks and their user pointer, which must stay valid while the run computes.
 *
 * What a run computes, for each year of the scenario's settlement period (one year, or two:
 * a main settlement and an interim one, year two starting from year one's register at
 * December's pay, its new guarantee table and each group's carry-over as its overheng):
 *   the weighted mandate with bootstrap intervals (mandat/aggregate.h), the settlement solved
 *   on the frame or applied as written (mandat/allocate.h, mandat/microsim.h), the frame
 *   decomposed, exchange rates, sweeps, Monte Carlo, the mandate's uncertainty and each
 *   region's own allocation (mandat/tradeoff.h, mandat/uncertainty.h),
 * and turns every result into a table (mandat/result_tables.h). The same scenario and seed
 * give the same numbers, bit for bit, whatever the thread count.
 *
 * Errors: as the modules it calls, each with file:line:column where a file is to blame;
 * MDT_ECANCELED when the cancel callback asked to stop.
 */
#ifndef MANDAT_RUN_H
#define MANDAT_RUN_H

#include <stddef.h>

#include "mandat/allocate.h"
#include "mandat/error.h"
#include "mandat/microsim.h"
#include "mandat/report.h"
#include "mandat/scenario.h"
#include "mandat/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the run is doing now ("solving the settlement"), for a progress bar or a log. */
typedef void (*mdt_run_progress_fn)(void *user, const char *what);
/* Asked between stages; non-zero stops the run with MDT_ECANCELED. */
typedef int (*mdt_run_cancel_fn)(void *user);
/* Something the user should read: which figures a scenario overrides, files read. */
typedef void (*mdt_run_note_fn)(void *user, const char *message);

/* What to compute. */
typedef enum {
  MDT_RUN_ALL = 0,      /* everything the scenario asks for */
  MDT_RUN_SETTLEMENT = 1 /* only the settlement (no bootstrap, sweeps, Monte Carlo, regions) */
} mdt_run_scope;

typedef struct mdt_run_options {
  const char *scenario_path; /* the scenario file; NULL: <model_dir>/scenario.ini when it
                                exists, else every default */
  const char *model_dir;     /* overrides the scenario's [model] dir; NULL: the scenario's */
  const char *rule;          /* overrides [settlement] rule; NULL: the scenario's */
  int threads;               /* 0: the scenario's [output] threads, else every core */
  const char *seed;          /* overrides [run] seed (as text, checked like the file's); NULL */
  const char *lang;          /* overrides [output] lang ("en" or "nb"); NULL */
  const char *csv;           /* overrides [output] csv ("tidy" or "excel-nb"); NULL */
  mdt_run_scope scope;       /* default MDT_RUN_ALL */
  mdt_run_progress_fn progress; /* or NULL */
  mdt_run_cancel_fn cancel;  /* or NULL */
  mdt_run_note_fn note;      /* or NULL */
  void *user;                /* handed to the callbacks */
} mdt_run_options;

/* Every field NULL or 0: the scenario's own settings, everything computed. */
void mdt_run_options_init(mdt_run_options *o);

typedef struct mdt_run mdt_run;
typedef struct mdt_result mdt_result;

/*
 * Loads the scenario and its model and resolves every setting against them (groups, the
 * frame's sources, the rule, the weighting), so that every error of the inputs is found
 * before anything is computed.
 *   o:   what to run (must not be NULL)
 *   out: receives the run (untouched on failure)
 *   err: filled on failure; may be NULL
 */
mdt_status mdt_run_open(const mdt_run_options *o, mdt_run **out, mdt_error *err);

/* The scenario as resolved (for its settings); NULL for NULL. */
const mdt_scenario *mdt_run_scenario(const mdt_run *run);

/*
 * Computes everything and returns the result. A run computes once: a second call is
 * MDT_EUSAGE.
 *   run: an open run
 *   out: receives the result (untouched on failure)
 *   err: filled on failure; may be NULL
 */
mdt_status mdt_run_compute(mdt_run *run, mdt_result **out, mdt_error *err);

void mdt_run_free(mdt_run *run);
void mdt_result_free(mdt_result *r);

/* The employee groups the result speaks about (the model's groups.csv). */
const mdt_groups *mdt_result_groups(const mdt_result *r);
/* Years of the settlement period: 1 or 2. */
size_t mdt_result_years(const mdt_result *r);
/* The label of year y (0-based): [period] first_year + y (e.g. 2024). */
int mdt_result_year_label(const mdt_result *r, size_t y);
/* The scenario of year y as resolved. */
const mdt_scenario *mdt_result_scenario(const mdt_result *r, size_t y);
/* The tables of year y, in the order the program writes them. */
size_t mdt_result_ntables(const mdt_result *r, size_t y);
const mdt_table *mdt_result_table(const mdt_result *r, size_t y, size_t k);
/* Year y's table called name ("settlement", "frame", ...), or NULL. */
const mdt_table *mdt_result_find(const mdt_result *r, size_t y, const char *name);
/* The period table of a two-year scenario (each year's growth and the period's), or NULL. */
const mdt_table *mdt_result_period(const mdt_result *r);
/* Year y's settlement: its report per group and in total, its solution, and the new
 * guarantee table (NULL without a guarantee table). */
const mdt_microsim_report *mdt_result_report(const mdt_result *r, size_t y);
const mdt_allocation_result *mdt_result_solution(const mdt_result *r, size_t y);
const mdt_step_table *mdt_result_new_guarantee(const mdt_result *r, size_t y);
/* The heading facts of year y's settlement (for mandat/report.h's settlement writers). */
void mdt_result_settlement_context(const mdt_result *r, size_t y, mdt_settlement_context *ctx);
/* Non-zero when year y's settlement could not meet the frame or a bound; why: the cause
 * (may be NULL). */
int mdt_result_infeasible(const mdt_result *r, size_t y, const char **why);
/* As mdt_result_infeasible, filling err (MDT_EINFEASIBLE, the cause, and the scenario's
 * frame_pct line when the solver could not meet the frame). */
int mdt_result_infeasible_error(const mdt_result *r, size_t y, mdt_error *err);
/* Notes of year y (figures the scenario overrides), and how many. */
size_t mdt_result_nnotes(const mdt_result *r, size_t y);
const char *mdt_result_note(const mdt_result *r, size_t y, size_t k);

#ifdef __cplusplus
}
#endif

#endif
