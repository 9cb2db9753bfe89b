/*
 * Internal to libmandat: one year's summary as lines (mandat/output.h's
 * mdt_output_summary_lines) for the result writer, which holds a year rather than a result.
 * Ownership: the lines belong to the caller (mdt_output_lines_free).
 */
#ifndef MANDAT_REPORT_SUMMARY_LINES_H
#define MANDAT_REPORT_SUMMARY_LINES_H

#include "mandat/output.h"
#include "run/run_int.h"

/* The summary of year as mdt_output_summary prints it for a one-year result whose year is
 * labelled label, without its last line (the folder). Errors: MDT_ENOMEM. */
mdt_status mdt__output_year_lines(const mdt__year *year, int label, char ***lines,
                                  size_t *nlines, mdt_error *err);

#endif
