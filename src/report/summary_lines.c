/*
 * The summary mandat run prints, as lines for a workbook's summary sheet. The lines are what
 * mdt_output_summary itself prints, read back from a memory stream, so that the terminal and
 * the workbook cannot come to say different things.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/summary_lines.h"

void mdt_output_lines_free(char **lines, size_t nlines) {
  if (lines == NULL)
    return;
  for (size_t k = 0; k < nlines; k++)
    free(lines[k]);
  free(lines);
}

/* Splits text at line breaks into *out (the empty string after a final break is no line). */
static int split_lines(const char *text, char ***out, size_t *n) {
  size_t cap = 1;
  for (const char *p = text; *p; p++)
    cap += *p == '\n';
  char **lines = calloc(cap, sizeof *lines);
  if (lines == NULL)
    return -1;
  size_t k = 0;
  for (const char *p = text; *p;) {
    size_t len = strcspn(p, "\n");
    if ((lines[k] = strndup(p, len)) == NULL) {
      mdt_output_lines_free(lines, k);
      return -1;
    }
    k++;
    p += len;
    if (*p == '\n')
      p++;
  }
  *out = lines;
  *n = k;
  return 0;
}

mdt_status mdt__output_year_lines(const mdt__year *year, int label, char ***lines,
                                  size_t *nlines, mdt_error *err) {
  /* A one-year result that shares the year's computed parts: the summary reads them only. */
  mdt_result *one = calloc(1, sizeof *one);
  if (one == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the summary");
  one->nyears = 1;
  one->first_year = label;
  one->years[0] = *year;
  char *text = NULL;
  size_t size = 0;
  FILE *fp = open_memstream(&text, &size);
  int bad = fp == NULL;
  if (!bad) {
    bad = mdt_output_summary(fp, one, NULL) != 0;
    bad |= fclose(fp) != 0;
  }
  free(one);
  if (bad || text == NULL) {
    free(text);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the summary");
  }
  char **out = NULL;
  size_t n = 0;
  int split = split_lines(text, &out, &n);
  free(text);
  if (split != 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the summary");
  if (n > 0) { /* "Wrote ... to the result": the folder */
    free(out[n - 1]);
    n--;
  }
  *lines = out;
  *nlines = n;
  return MDT_OK;
}

mdt_status mdt_output_summary_lines(const mdt_result *r, size_t y, char ***lines, size_t *nlines,
                                    mdt_error *err) {
  if (r == NULL || lines == NULL || nlines == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_output_summary_lines: no result or no place "
                                          "for the lines");
  if (y >= (size_t)r->nyears)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_output_summary_lines: the result has %d year%s, "
                                          "not year %zu", r->nyears, r->nyears == 1 ? "" : "s",
                         y + 1);
  return mdt__output_year_lines(&r->years[y], r->first_year + (int)y, lines, nlines, err);
}
