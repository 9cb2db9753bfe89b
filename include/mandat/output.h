/*
 * mandat/output.h: a run's result (mandat/run.h) written as the folder `mandat run` writes,
 * and its summary as the program prints it; the run lock.
 *
 * Ownership: nothing here keeps a pointer after the call; the caller owns every argument.
 *
 * The folder: one CSV per table (tidy: `,` and `.`, a header row, numbers with 15 significant
 * digits), report.json (a summary and every table), report.xlsx (one sheet per table with
 * native charts) and manifest.json (program version, seed, the SHA-256 of every input file,
 * every resolved setting and where overheng and glidning came from). A two-year scenario
 * writes one such folder per year (DIR/2024/, DIR/2025/) and DIR/period.csv and period.json.
 * A result merged from shards (mandat/shard.h) writes the same files, byte for byte, and
 * DIR/shards.json beside them (the parts, their SHA-256 and slices).
 * The folder is written beside its target (DIR.tmp-XXXXXX) and renamed into place, or
 * atomically exchanged with a previous one, only when complete: a failed or killed write
 * leaves the previous result as it was and no partial folder under the target's name. The
 * same result gives the same bytes in every file.
 */
#ifndef MANDAT_OUTPUT_H
#define MANDAT_OUTPUT_H

#include <stdio.h>

#include "mandat/compare.h"
#include "mandat/error.h"
#include "mandat/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the writer does now ("writing the tables"), or NULL. */
typedef void (*mdt_output_progress_fn)(void *user, const char *what);

/*
 * Writes r into the folder dir (see above).
 *   r:        the result
 *   dir:      the target folder (its parent must exist)
 *   progress: told of each step, or NULL; user: handed to it
 *   err:      filled on failure; may be NULL
 * Errors: MDT_ECANTWRITE (with the path), MDT_ENOINPUT (an input for the manifest's digests
 * disappeared), MDT_ENOMEM.
 */
mdt_status mdt_output_write(const mdt_result *r, const char *dir, mdt_output_progress_fn progress,
                            void *user, mdt_error *err);

/*
 * The summary `mandat run` prints: the mandate's top priorities, the frame decomposed, the
 * settlement per group and in total, the uncertainty, the regions and, for two years, the
 * period. dir is named in its last line (may be NULL). Returns 0, or -1 when fp could not be
 * written (check ferror too).
 */
int mdt_output_summary(FILE *fp, const mdt_result *r, const char *dir);

/*
 * Writes a comparison (mandat/compare.h) into the folder dir, as mdt_output_write does a
 * result: one CSV per table, compare.json with every table, and compare.xlsx with one sheet
 * per table and a chart of each group's annual growth by alternative; atomically.
 *   lang: "en" or "nb", for the workbook's labels (NULL: "en")
 */
mdt_status mdt_output_write_comparison(const mdt_comparison *c, const char *dir,
                                       const char *lang, mdt_error *err);

/* The comparison on the terminal: each group's annual growth by alternative with the
 * differences from the first, the key figures, and the settings that differ. Returns 0, or
 * -1 when fp could not be written. */
int mdt_output_comparison_summary(FILE *fp, const mdt_comparison *c);
/* As mdt_output_comparison_summary, in lang ("en" or "nb"; NULL is "en"): with "nb" the
 * headings are Norwegian, groups are shown by their names and the key figures by their
 * labels. */
int mdt_output_comparison_summary_lang(FILE *fp, const mdt_comparison *c, const char *lang);

/*
 * One workbook per region for its editorial committee, into the folder dir (atomically):
 * NN-Name.xlsx (the region's number, the first two digits of its members' numbers, and an
 * ASCII form of its name), each with an overview (the first sheet, one page: response, the
 * employees covered, answers adopted politically, the distance of its allocation from the
 * nation's, how many of its answers differ from the nation's beyond both intervals), its
 * response status and the members that have not answered, its weighted answers beside the
 * nation's with their intervals (marked where they differ beyond both), its priority profile
 * and the allocation it would give on the frame beside the nation's, and its members' text
 * answers by question. A region with no respondents gets a pack that says so. The first year
 * of the result is used.
 *   lang: "nb" (the default for NULL) or "en"
 */
mdt_status mdt_output_write_region_packs(const mdt_result *r, const char *dir, const char *lang,
                                         mdt_error *err);

/*
 * Year y's part of the summary as lines, for a workbook's summary sheet (mandat/workbook.h):
 * what mdt_output_summary prints for a one-year result, without its last line (the folder the
 * files were written to, which a workbook inside that folder need not name).
 *   r:      the result
 *   y:      the year (0-based, below mdt_result_years)
 *   lines:  receives an array of *nlines strings, without line breaks; free it with
 *           mdt_output_lines_free
 *   err:    filled on failure; may be NULL
 * Errors: MDT_EUSAGE (no result, or no year y), MDT_ENOMEM.
 */
mdt_status mdt_output_summary_lines(const mdt_result *r, size_t y, char ***lines, size_t *nlines,
                                    mdt_error *err);
/* Frees what mdt_output_summary_lines returned; (NULL, 0) is a no-op. */
void mdt_output_lines_free(char **lines, size_t nlines);

/* An exclusive lock on a file, so that two runs of the same job never overlap. */
typedef struct mdt_output_lock {
  int fd; /* -1: not held */
} mdt_output_lock;

/* Takes the lock on path without waiting: MDT_ELOCKED (naming the holder's process id when
 * known) when another process holds it, MDT_ECANTWRITE when path cannot be opened. */
mdt_status mdt_output_lock_acquire(mdt_output_lock *lk, const char *path, mdt_error *err);
/* Releases the lock (a lock not held is a no-op). */
void mdt_output_lock_release(mdt_output_lock *lk);

#ifdef __cplusplus
}
#endif

#endif
