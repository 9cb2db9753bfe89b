/*
 * mandat/shard.h: one run spread over processes or machines (a scheduler's job array) and
 * merged back, exactly.
 *
 * Ownership: mdt_shard_merge returns a result the caller frees with mdt_result_free; every
 * other argument is borrowed for the call.
 *
 * A run's independent work is cut into units that already have their own random streams or
 * need none: chunks of 8 bootstrap draws of the mandate (with each draw's re-solve of the
 * priority rule for the mandate's uncertainty), chunks of 4096 Monte Carlo draws, sweep points
 * and regions. Shard k of n computes slice k of every kind of work (contiguous units, the
 * slices' sizes differing by at most one), and every shard also does the cheap deterministic
 * parts (loading, the point estimates, the solve, the frame). Nothing depends on n: a merge of
 * all n parts summarises the same raw values, in the same order, as the single run, so its
 * folder is the single run's, byte for byte (CSV, JSON, workbook and manifest.json), whatever
 * n and the thread counts. The merge writes DIR/shards.json beside it: the parts, their
 * digests and slices.
 *
 * A part is one binary file (little- or big-endian as the machine that wrote it; it is read
 * on a machine of the same byte order): "MDTPART\n", a version, the shard's k and n, the
 * run's identity (the scenario path as given, the options that change the numbers, the
 * resolved seed, and the SHA-256 of the scenario and of every input file), then per year each
 * kind of work's units and slice with the slice's raw values as IEEE doubles (no decimal
 * rounding), and last the SHA-256 of everything before it.
 */
#ifndef MANDAT_SHARD_H
#define MANDAT_SHARD_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which shard: k of n, 1 <= k <= n <= MDT_SHARD_MAX. */
typedef struct {
  unsigned k, n;
} mdt_shard_id;

#define MDT_SHARD_MAX 100000

/*
 * Reads a shard's identity:
 *   "K/N"       as written (1-based);
 *   "slurm"     SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of SLURM_ARRAY_TASK_COUNT
 *               (an array --array=0-3 and one --array=1-4 both give 1..4 of 4; all three
 *               must be set, as Slurm sets them in an array job);
 *   "k8s"       JOB_COMPLETION_INDEX + 1 (a Kubernetes indexed job counts from 0);
 *   "parallel"  PARALLEL_SEQ (GNU parallel counts from 1);
 * for k8s and parallel n is count, or when count is 0 the environment's MANDAT_SHARD_COUNT.
 *   spec:  one of the above
 *   count: the number of shards for k8s and parallel, 0 for MANDAT_SHARD_COUNT; must be 0
 *          for "K/N" and "slurm"
 * Errors: MDT_EUSAGE naming the variable that is missing or out of range.
 */
mdt_status mdt_shard_parse(const char *spec, unsigned count, mdt_shard_id *out, mdt_error *err);

/*
 * Opens the run o describes, computes shard id's slice of it and writes the part to path
 * (written beside it and renamed into place when complete).
 *   o:    the run (scope must be MDT_RUN_ALL); its threads and callbacks apply to the shard
 *   id:   which shard
 *   path: the part file to write
 *   err:  filled on failure; may be NULL
 * Errors: those of mdt_run_open and mdt_run_compute; MDT_ECANTWRITE for the part.
 */
mdt_status mdt_shard_run(const mdt_run_options *o, mdt_shard_id id, const char *path,
                         mdt_error *err);

/*
 * Reads the parts, checks that they are the n parts of one run (the same identity, one n,
 * every k from 1 to n exactly once), checks that the inputs are still those the parts were
 * computed from, and computes the run's result from them: the result mdt_run_compute gives,
 * which mdt_output_write writes as the single run's folder (plus shards.json).
 *   o:      threads and callbacks for the merge (its scenario, model, rule, seed, language
 *           and CSV dialect are taken from the parts); may be NULL
 *   parts:  the part files, in any order; nparts of them
 *   out:    receives the result (untouched on failure)
 *   err:    filled on failure; may be NULL
 * Errors: MDT_EDATA naming the part that is corrupt, duplicated, of another run (scenario,
 * inputs, seed or options) or of another n, or the shard that is missing; MDT_ENOINPUT for a
 * part or input that cannot be read; those of mdt_run_open and mdt_run_compute.
 */
mdt_status mdt_shard_merge(const mdt_run_options *o, const char *const *parts, size_t nparts,
                           mdt_result **out, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
