/*
 * Internal to libmandat: a year's independent work sliced for a shard, and the parts of it a
 * merge puts back together (see mandat/shard.h). The run layer's compute() calls the hooks
 * below in place of the engine's whole-run functions when a year has a mdt__shard_year.
 *
 * Ownership: a mdt__shard_year owns every array and result it points to
 * (mdt__shard_year_clear); the run only borrows it.
 */
#ifndef MANDAT_RUN_SHARD_INT_H
#define MANDAT_RUN_SHARD_INT_H

#include <stdio.h>

#include "engine/partial.h"
#include "mandat/shard.h"
#include "run/run_int.h"

typedef enum {
  MDT__SHARD_COMPUTE = 1, /* compute slice k of n and keep its raw values */
  MDT__SHARD_MERGE = 2    /* every slice's raw values are here: summarise them */
} mdt__shard_mode;

/* The kinds of work sliced besides the bootstrap (whose slice is in boot). */
enum {
  MDT__WORK_SWEEP = 0,   /* + the sweep's setting (0..3): sweep points */
  MDT__WORK_MC = 4,      /* chunks of MDT__MC_CHUNK Monte Carlo draws */
  MDT__WORK_REGIONS = 5, /* regions */
  MDT__WORK_MANDATE = 6, /* the mandate's re-solves: one per bootstrap draw, sliced as boot */
  MDT__NWORK = 7
};

struct mdt__shard_year {
  mdt__shard_mode mode;
  unsigned k, n;                  /* slice k (1-based) of n */
  mdt__boot_raw boot;             /* the bootstrap's draws */
  unsigned char *boot_dropped;    /* merge: B, which draws were dropped (boot's own are taken
                                     over by the aggregator) */
  unsigned char present[MDT__NWORK]; /* the run reached this work */
  size_t units[MDT__NWORK];       /* its units in the whole run */
  size_t lo[MDT__NWORK], hi[MDT__NWORK]; /* the slice's units [lo, hi) */
  /* Monte Carlo: draws [mc_first, mc_last) of mc_draws, mc_groups groups */
  size_t mc_draws, mc_groups, mc_first, mc_last;
  double *mc_growth, *mc_group_growth; /* (mc_last - mc_first) x 1, x mc_groups */
  unsigned char *mc_fall;              /* (mc_last - mc_first) x mc_groups */
  /* the mandate's re-solves per bootstrap draw: rows [boot.first, boot.last) of B x m_groups
   * (a merge: every row); m_done[b]: the draw was re-solved (not dropped) */
  size_t m_draws, m_groups;
  double *m_pct, *m_growth;
  unsigned char *m_feasible, *m_done;
  mdt_sweep *sweeps[4];           /* the slice's points (a merge: all) */
  mdt_region_allocations *regions; /* the slice's regions (a merge: all) */
};

void mdt__shard_year_clear(mdt__shard_year *sh);

/* Whether a run through sh builds its tables (a whole run or a merge: yes; a shard: no). */
int mdt__shard_tables(const mdt__shard_year *sh);
/* The bootstrap hook the pipeline hands to the aggregator, or NULL without sh. */
mdt__boot_raw *mdt__shard_boot(mdt__shard_year *sh);

/* The hooks: the engine's whole-run function's arguments, and the same result (*out) in a
 * merge; in a shard the slice's values go to sh and *out is NULL. */
mdt_status mdt__shard_sweep_run(mdt__shard_year *sh, mdt_allocator *a, mdt_microsim_work *w,
                                const mdt_settlement *base, const mdt_allocation *spec,
                                mdt_sweep_setting setting, const double *values, size_t n,
                                const mdt_sweep_context *ctx, mdt_sweep **out, mdt_error *err);
mdt_status mdt__shard_mc_run(mdt__shard_year *sh, const mdt_microsim_report *rep,
                             const mdt_mc_options *o, mdt_mc_result **out, mdt_error *err);
mdt_status mdt__shard_mandate_run(mdt__shard_year *sh, mdt_allocator *a, mdt_microsim_work *w,
                                  const mdt_settlement *base, const mdt_allocation *spec,
                                  const mdt_aggregate *agg, double level,
                                  const mdt_microsim_report_options *ro,
                                  mdt_mandate_uncertainty **out, mdt_error *err);
mdt_status mdt__shard_regions_run(mdt__shard_year *sh, mdt_allocator *a, mdt_microsim_work *w,
                                  const mdt_settlement *base, const mdt_allocation *spec,
                                  const double *profiles, size_t nregions,
                                  const mdt_microsim_report_options *ro,
                                  mdt_region_allocations **out, mdt_error *err);

/* ------------------------------------------------------------ part files -- */

/* What identifies a whole run: the options that change its numbers and the digest of every
 * input. Parts of one run have equal identities. */
typedef struct {
  char *scenario_path;      /* as given to the shard (the manifest shows it so) */
  char *model_dir, *rule, *seed, *lang, *csv; /* the options' overrides, or NULL */
  char *inputs;             /* "file sha256\n" per input, the scenario first */
  unsigned long seed_used;  /* the resolved seed */
} mdt__shard_identity;

void mdt__shard_identity_clear(mdt__shard_identity *id);

/* A part as read: its identity and one mdt__shard_year (mode MDT__SHARD_COMPUTE) per year. */
typedef struct {
  unsigned k, n;
  int nyears;
  mdt__shard_identity id;
  mdt__shard_year years[2];
  char digest[65];          /* the part's own SHA-256 (its last 32 bytes, in hex) */
} mdt__part;

void mdt__part_clear(mdt__part *p);

/* Writes a computed shard's part to path (beside it first, then renamed into place). */
mdt_status mdt__part_write(const char *path, unsigned k, unsigned n, int nyears,
                           const mdt__shard_identity *id, mdt__shard_year *const years[2],
                           mdt_error *err);
/* Reads and checks a part (magic, version, byte order, checksum, every length). Errors:
 * MDT_ENOINPUT (cannot open), MDT_EDATA (not a part, corrupt, another version), naming
 * path. */
mdt_status mdt__part_read(const char *path, mdt__part *out, mdt_error *err);

#endif
