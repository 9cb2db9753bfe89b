/* A comparison of alternatives written as a folder, and shown on the terminal. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mandat/output.h"
#include "mandat/report.h"
#include "mandat/workbook.h"
#include "report/json_int.h"
#include "report/outdir.h"

static mdt_status write_csv(const mdt__outdir *od, const mdt_table *t, mdt_error *err) {
  char name[160], path[4400];
  snprintf(name, sizeof name, "%s.csv", t->name);
  mdt__outdir_path(od, name, path, sizeof path);
  FILE *fp = fopen(path, "w");
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  mdt_status st = mdt_table_write_csv(t, fp, err);
  if (fclose(fp) != 0 && st == MDT_OK)
    st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
  return st;
}

mdt_status mdt_output_write_comparison(const mdt_comparison *c, const char *dir,
                                       const char *lang, mdt_error *err) {
  if (c == NULL || dir == NULL || mdt_compare_ntables(c) == 0)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_output_write_comparison: no finished comparison");
  size_t n = mdt_compare_ntables(c), na = mdt_compare_nalternatives(c);
  mdt__outdir od;
  memset(&od, 0, sizeof od);
  mdt_status st = mdt__outdir_begin(&od, dir, err);
  for (size_t k = 0; k < n && st == MDT_OK; k++)
    st = write_csv(&od, mdt_compare_table(c, k), err);
  char path[4400];
  if (st == MDT_OK) {
    json_t *root = json_object(), *alts = json_array(), *tables = json_object();
    for (size_t a = 0; a < na; a++)
      json_array_append_new(alts, json_string(mdt_compare_name(c, a)));
    json_object_set_new(root, "alternatives", alts);
    json_object_set_new(root, "baseline", json_string(mdt_compare_name(c, 0)));
    for (size_t k = 0; k < n; k++)
      json_object_set_new(tables, mdt_compare_table(c, k)->name,
                          mdt__table_json(mdt_compare_table(c, k)));
    json_object_set_new(root, "tables", tables);
    mdt__outdir_path(&od, "compare.json", path, sizeof path);
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
      st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    else {
      st = mdt__report_write_json(fp, root, err);
      if (fclose(fp) != 0 && st == MDT_OK)
        st = mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write");
    }
    json_decref(root);
  }
  if (st == MDT_OK) {
    const char *ys[16];
    for (size_t a = 0; a < na && a < 16; a++)
      ys[a] = mdt_compare_name(c, a);
    const mdt_chart_spec chart = {"compare_growth", MDT_CHART_BAR,
                                  "chart_compare_growth", "group",
                                  na < 16 ? na : 16, ys, NULL, NULL, NULL, "group",
                                  "annual_growth_pct"};
    const mdt_table *tables[16];
    for (size_t k = 0; k < n && k < 16; k++)
      tables[k] = mdt_compare_table(c, k);
    mdt__outdir_path(&od, "compare.xlsx", path, sizeof path);
    st = mdt_workbook_write(path, tables, n < 16 ? n : 16, &chart, 1, lang ? lang : "en", err);
  }
  if (st == MDT_OK)
    st = mdt__outdir_commit(&od, err);
  if (st != MDT_OK)
    mdt__outdir_abort(&od);
  return st;
}

static double num(const mdt_table *t, size_t r, size_t col) {
  const mdt_cell *c = mdt_table_cell(t, r, col);
  return c->kind == 1 ? c->num : NAN;
}

int mdt_output_comparison_summary_lang(FILE *fp, const mdt_comparison *c, const char *lang) {
  size_t na = mdt_compare_nalternatives(c);
  const mdt_table *g = mdt_compare_find(c, "compare_groups");
  const mdt_table *ind = mdt_compare_find(c, "compare_indicators");
  const mdt_table *set = mdt_compare_find(c, "compare_settings");
  if (fp == NULL || g == NULL || ind == NULL || set == NULL)
    return -1;
  int nb = lang != NULL && strcmp(lang, "nb") == 0;
  /* nb: groups by name and figures by their labels, in wider first columns */
  int gw = nb ? 28 : 6, iw = nb ? 40 : 22;
  fprintf(fp, nb ? "Årslønnsvekst, %% (forskjell fra %s i prosentpoeng)\n"
                 : "Annual growth, %% (difference from %s in points)\n",
          mdt_compare_name(c, 0));
  fputs("  ", fp);
  mdt_report_pad(fp, nb ? "stillingsgruppe" : "group", gw);
  for (size_t a = 0; a < na; a++)
    fprintf(fp, " %18.18s", mdt_compare_name(c, a));
  for (size_t a = 1; a < na; a++)
    fprintf(fp, " %9s", nb ? "forskjell" : "diff");
  fprintf(fp, "\n");
  for (size_t r = 0; r < g->nrows; r++) {
    const mdt_cell *m = mdt_table_cell(g, r, 2);
    if (m->kind != 2 || strcmp(m->text, "annual_growth_pct") != 0 || isnan(num(g, r, 3)))
      continue;
    const mdt_cell *name = mdt_table_cell(g, r, 1);
    const char *shown = mdt_table_cell(g, r, 0)->text;
    if (nb && strcmp(shown, "total") == 0) {
      shown = "totalt";
    } else if (nb && name->kind == 2 && name->text[0] != '\0') {
      shown = name->text; /* cut with '…' by mdt_report_pad when longer */
    }
    fputs("  ", fp);
    mdt_report_pad(fp, shown, gw);
    for (size_t a = 0; a < na; a++)
      fprintf(fp, " %18.2f", num(g, r, 3 + a));
    for (size_t a = 1; a < na; a++)
      fprintf(fp, " %+9.2f", num(g, r, 3 + na + a - 1));
    fprintf(fp, "\n");
  }
  fprintf(fp, nb ? "Nøkkeltall (kroner i millioner)\n" : "Key figures (NOK in millions)\n");
  for (size_t r = 0; r < ind->nrows; r++) {
    const char *name = mdt_table_cell(ind, r, 0)->text;
    size_t len = strlen(name);
    int nok = len > 4 && strcmp(name + len - 4, "_nok") == 0;
    int share = strstr(name, "share") || strcmp(name, "satisfaction") == 0 ||
                strncmp(name, "p_", 2) == 0;
    double scale = nok ? 1e-6 : 1;
    int dec = nok ? 1 : share ? 3 : 2;
    const char *label = nb ? mdt_label_find(name, "nb") : NULL;
    fputs("  ", fp);
    mdt_report_pad(fp, label != NULL ? label : name, iw);
    for (size_t a = 0; a < na; a++)
      fprintf(fp, " %18.*f", dec, num(ind, r, 1 + a) * scale);
    for (size_t a = 1; a < na; a++) {
      double d = num(ind, r, 1 + na + a - 1) * scale;
      fprintf(fp, " %+9.*f", dec, fabs(d) < 0.5 * pow(10, -dec) ? 0.0 : d);
    }
    fprintf(fp, "\n");
  }
  fprintf(fp, nb ? "Innstillinger som er ulike: %zu" : "Settings that differ: %zu", set->nrows);
  for (size_t r = 0; r < set->nrows && r < 8; r++)
    fprintf(fp, "%s %s", r ? "," : "", mdt_table_cell(set, r, 0)->text);
  fprintf(fp, "%s\n", set->nrows > 8 ? ", ..." : "");
  return ferror(fp) ? -1 : 0;
}

int mdt_output_comparison_summary(FILE *fp, const mdt_comparison *c) {
  return mdt_output_comparison_summary_lang(fp, c, "en");
}
