/* The summary `mandat run` prints of a result. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mandat/output.h"
#include "mandat/report.h"
#include "run/run_int.h"

/* The summary's words in English or Norwegian (bokmål): NB picks by the year's [output] lang. */
#define NB(nb, unused, text_nb, text_en) ((nb) ? (text_nb) : (text_en))


/* A figure of the frame table: the first row of scope and component (NaN when none). */

static double frame_value(const mdt_table *t, const char *scope, const char *component) {
  double sum = NAN;
  size_t plen = strlen(component);
  int prefix = plen > 0 && component[plen - 1] == ':';
  for (size_t r = 0; r < t->nrows; r++) {
    const mdt_cell *a = mdt_table_cell(t, r, 0), *b = mdt_table_cell(t, r, 1);
    const mdt_cell *v = mdt_table_cell(t, r, 2);
    if (a->kind != 2 || b->kind != 2 || strcmp(a->text, scope) != 0)
      continue;
    if (prefix ? strncmp(b->text, component, plen) != 0 : strcmp(b->text, component) != 0)
      continue;
    double x = v->kind == 1 ? v->num : 0;
    if (!prefix)
      return x;
    sum = isnan(sum) ? x : sum + x;
  }
  return sum;
}

/* One line of the frame's decomposition for a scope, from the frame table itself. */
static void print_frame_scope(FILE *fp, const mdt_table *t, const char *scope, const char *label,
                              int nb) {
  static const struct {
    const char *component, *name;
    const char *name_nb;
  } parts[] = {{"overheng", "overheng", "overheng"}, {"glidning", "glidning", "glidning"},
               {"step_moves", "step moves", "ansiennitetsopprykk"},
               {"central", "central", "sentralt"},
               {"local_pot", "local pot", "lokal pott"}, {"named:", "named", "navngitt"},
               {"local_frame:", "local frame room", "lokalt innenfor rammen"}};
  fprintf(fp, "\n  ");
  mdt_report_pad(fp, label, 15);
  int first = 1;
  for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
    double v = frame_value(t, scope, parts[k].component);
    if (isnan(v) || (v == 0 && k >= 2))
      continue;
    fprintf(fp, "%s%s %.2f", first ? "" : " + ", nb ? parts[k].name_nb : parts[k].name, v);
    first = 0;
  }
  fprintf(fp, " = %.2f %%", frame_value(t, scope, "annual_growth"));
  if (strcmp(scope, "area") == 0) {
    double exact = frame_value(t, scope, "exact_annual_growth");
    if (isfinite(exact))
      fprintf(fp, NB(nb, 0, " (eksakt bane %.2f)", " (exact path %.2f)"), exact);
    fprintf(fp, "\n");
  }
}

/* One line naming the sweep points the bounds settle or that cannot be met. */
static void print_unattainable(FILE *fp, const mdt__year *s, int nb) {
  size_t n = 0, all = 0;
  for (int k = 0; k < 4; k++)
    for (size_t j = 0; s->sweeps[k] && j < s->sweeps[k]->npoints; j++) {
      all++;
      n += !s->sweeps[k]->points[j].attainable;
    }
  if (n == 0)
    return;
  fprintf(fp,
          NB(nb, 0, "Variasjoner: %zu av %zu punkter uoppnåelige (se sweep_summary.csv):",
             "Sweeps: %zu of %zu points unattainable (binding in sweep_summary.csv):"),
          n, all);
  int shown = 0;
  for (int k = 0; k < 4; k++) {
    const mdt_sweep *sw = s->sweeps[k];
    int first = 1;
    for (size_t j = 0; sw && j < sw->npoints; j++) {
      if (sw->points[j].attainable)
        continue;
      if (first)
        fprintf(fp, "%s %s", shown++ ? ";" : "", mdt_sweep_name(sw->setting));
      fprintf(fp, "%s %g", first ? "" : ",", sw->points[j].value);
      first = 0;
    }
  }
  fprintf(fp, "\n");
}

static void print_summary(FILE *fp, const mdt__year *s, const char *out_dir) {
  const mdt__pipeline *p = &s->p;
  const mdt_groups *g = p->model->groups;
  const mdt_microsim_report *rep = s->rep;
  const int nb = strcmp(p->sc->lang, "nb") == 0;
  fprintf(fp, NB(nb, 0, "Mandat: %zu av %zu medlemmer har svart.",
                 "Mandate: %zu of %zu members answered."),
          s->agg->nrespondents, s->agg->nmembers);
  /* the three highest priorities */
  const double *prio = s->agg->profiles[0].priority;
  int shown = 0;
  unsigned char used[256] = {0};
  for (int k = 0; k < 3 && g->n <= 256; k++) {
    long best = -1;
    for (size_t j = 0; j < g->n; j++)
      if (!used[j] && isfinite(prio[j]) && (best < 0 || prio[j] > prio[best]))
        best = (long)j;
    if (best < 0)
      break;
    used[best] = 1;
    fprintf(fp, "%s %s %.2f", shown++ ? "," : NB(nb, 0, " Høyest prioritert:", " Top priorities:"),
            nb ? g->name[best] : g->id[best], prio[best]);
  }
  if (s->agg->draws_dropped > 0)
    fprintf(fp,
            NB(nb, 0, " Bootstrap: %zu av %zu trekk forkastet (vektene kunne ikke kalibreres; "
                      "først: trekk %zu).",
               " Bootstrap: %zu of %zu draws dropped (weights not calibrated; first: draw %zu)."),
            s->agg->draws_dropped, s->agg->bootstrap + s->agg->draws_dropped,
            s->agg->first_dropped);
  fprintf(fp, "\n");
  const mdt_table *ft = NULL;
  for (size_t k = 0; k < s->tables.n; k++)
    if (strcmp(s->tables.t[k]->name, "frame") == 0)
      ft = s->tables.t[k];
  if (ft != NULL) {
    int has_covered = !isnan(frame_value(ft, "covered", "annual_growth"));
    if (p->has_frame)
      fprintf(fp, NB(nb, 0, "Ramme %.2f %%", "Frame %.2f %%"), p->sc->frame_pct);
    else
      fprintf(fp, NB(nb, 0, "Årslønnsvekst", "Annual growth"));
    if (has_covered)
      print_frame_scope(fp, ft, "covered", NB(nb, 0, "omfattet", "covered groups"), nb);
    print_frame_scope(fp, ft, "area", NB(nb, 0, "hele området", "area"), nb);
  }
  const char *what = "percent", *unit = " %";
  switch (p->spec.rule) {
  case MDT_RULE_KRONE:
    what = "kroner";
    unit = " NOK";
    break;
  case MDT_RULE_TABLE:
    what = "table factor";
    unit = "";
    break;
  case MDT_RULE_PRIORITY:
    what = "p0";
    break;
  default:
    break;
  }
  fprintf(fp, NB(nb, 0, "Oppgjør: regel %s", "Settlement: rule %s"), p->sc->rule);
  if (p->spec.rule == MDT_RULE_PRIORITY)
    fprintf(fp, " (theta %g)", p->spec.theta);
  if (s->binding[0]) /* not met, or the bounds settle it: the rule's number would mislead */
    fprintf(fp, NB(nb, 0, ", %s %s uoppnåelig: %s\n", ", %s %s unattainable: %s\n"),
            s->infeasible ? NB(nb, 0, "ikke løst:", "not solved:") : NB(nb, 0, "løst:", "solved:"),
            what,
            s->binding);
  else
    fprintf(fp, ", %s %s %.3f%s%s\n",
            p->has_frame ? NB(nb, 0, "løst:", "solved:") : NB(nb, 0, "som skrevet:", "as written:"),
            what, s->res.scalar, unit,
            s->infeasible ? NB(nb, 0, "; rammen eller en grense kunne IKKE holdes",
                               "; the frame or a bound could NOT be met")
                          : "");
  int percents = p->spec.rule != MDT_RULE_KRONE && p->spec.rule != MDT_RULE_TABLE;
  fprintf(fp, "  %-6s", NB(nb, 0, "gruppe", "group"));
  if (percents)
    fprintf(fp, " %8s", NB(nb, 0, "tillegg%", "pct"));
  if (nb)
    fprintf(fp, " %12s %8s %8s %10s %9s", "kr/årsverk", "årsvirkn.", "overheng", "vekst %",
            "reell %");
  else
    fprintf(fp, " %12s %8s %8s %9s %8s", "rise NOK/FTE", "effect", "carry", "growth %",
            "real %");
  if (s->mandate)
    fprintf(fp, "  %s", NB(nb, 0, "intervall (mandat)    ", "pct interval (mandate)"));
  if (s->mc)
    fprintf(fp, "  %s", NB(nb, 0, "P(reallønnsfall)", "P(real fall)"));
  fprintf(fp, "\n");
  for (size_t k = 0; k <= rep->ngroups; k++) {
    const mdt_microsim_row *row = k < rep->ngroups ? &rep->groups[k] : &rep->total;
    if (row->employees < MDT_REPORT_MIN_EMPLOYEES)
      continue;
    fprintf(fp, "  %-6s", k < rep->ngroups ? g->id[k] : NB(nb, 0, "totalt", "total"));
    if (percents) {
      double pct = k < rep->ngroups && row->covered ? mdt_allocation_group_pct(&s->res, k) : NAN;
      if (isfinite(pct))
        fprintf(fp, " %8.2f", pct);
      else
        fprintf(fp, " %8s", "-");
    }
    mdt_report_text_number(fp, row->nok_per_fte, 13, 0); /* '-' where suppression withheld it */
    mdt_report_text_number(fp, row->annual_effect_pct, 9, 2);
    mdt_report_text_number(fp, row->carryover_pct, 9, 2);
    mdt_report_text_number(fp, row->annual_growth_pct, 10, 2);
    mdt_report_text_number(fp, row->real_growth_pct, 9, 2);
    if (s->mandate) {
      if (k < rep->ngroups && row->covered && isfinite(s->mandate->pct_low[k]))
        fprintf(fp, "  %6.2f-%-6.2f          ", s->mandate->pct_low[k], s->mandate->pct_high[k]);
      else
        fprintf(fp, "  %-23s", ""); /* as wide as the interval: 6 + 1 + 6 + 10 */
    }
    if (s->mc && k < rep->ngroups)
      fprintf(fp, "  %5.1f %%", s->mc->p_real_fall[k] * 100);
    fprintf(fp, "\n");
  }
  print_unattainable(fp, s, nb);
  if (s->mc)
    fprintf(fp, nb ? "Usikkerhet: P(årslønnsvekst > ramme) = %.1f %%; 90 %% av %zu trekk mellom %.2f og "
                     "%.2f %%\n"
                   : "Uncertainty: P(annual growth > frame) = %.1f %%; 90 %% of %zu draws between %.2f and "
           "%.2f %%\n",
           s->mc->p_above_frame * 100, s->mc->draws, s->mc->quantiles[1], s->mc->quantiles[5]);
  if (s->regions) {
    const mdt_grouping *reg = &p->model->respondents->groupings[s->region_column];
    long worst[3] = {-1, -1, -1};
    for (int k = 0; k < 3; k++)
      for (size_t l = 0; l < s->regions->nregions; l++) {
        if (!s->regions->solved[l] || l == (size_t)worst[0] || l == (size_t)worst[1])
          continue;
        if (worst[k] < 0 || s->regions->l1_distance_pp[l] > s->regions->l1_distance_pp[worst[k]])
          worst[k] = (long)l;
      }
    fprintf(fp, NB(nb, 0, "Regionene som den nasjonale fordelingen passer dårligst (L1-avstand, "
                          "prosentpoeng):",
                   "Regions served least by the national allocation (L1 distance, pp):"));
    for (int k = 0; k < 3 && worst[k] >= 0; k++)
      fprintf(fp, "%s %s %.2f", k ? "," : "", reg->levels[worst[k]],
             s->regions->l1_distance_pp[worst[k]]);
    fprintf(fp, "\n");
  }
  fprintf(fp, NB(nb, 0, "Skrev %zu tabeller som CSV, report.json, report.xlsx og manifest.json til %s\n",
                 "Wrote %zu tables as CSV, report.json, report.xlsx and manifest.json to %s\n"),
         s->tables.n, out_dir);
}

static void print_period(FILE *fp, const mdt_table *t, int first_year, int nb) {
  fprintf(fp,
          NB(nb, 0, "Perioden %d-%d: årslønnsvekst per år og over begge årene (reell: mot hvert "
                    "års prisanslag)\n",
             "Period %d-%d: annual growth per year, and over the two years (real: against each "
             "year's price forecast)\n"),
          first_year, first_year + 1);
  fprintf(fp, "  %-6s %8d %8d %9s %12s\n", NB(nb, 0, "gruppe", "group"), first_year,
          first_year + 1, NB(nb, 0, "periode %", "period %"),
          NB(nb, 0, "reell per. %", "real period %"));
  for (size_t r = 0; r < t->nrows; r++) {
    const mdt_cell *id = mdt_table_cell(t, r, 0);
    const mdt_cell *c[4] = {mdt_table_cell(t, r, 2), mdt_table_cell(t, r, 3),
                            mdt_table_cell(t, r, 4), mdt_table_cell(t, r, 7)};
    if (c[0]->kind != 1)
      continue;
    const char *label = strcmp(id->text, "total") == 0 ? NB(nb, 0, "totalt", "total") : id->text;
    fprintf(fp, "  %-6s %8.2f %8.2f %9.2f %12.2f\n", label, c[0]->num, c[1]->num, c[2]->num,
            c[3]->num);
  }
}

/* Loads and computes one year of the scenario into s, with its tables. */

int mdt_output_summary(FILE *fp, const mdt_result *r, const char *dir) {
  if (r == NULL || fp == NULL)
    return -1;
  int two = r->nyears == 2;
  const int nb = strcmp(r->years[0].p.sc->lang, "nb") == 0;
  char where[4200];
  for (int k = 0; k < r->nyears; k++) {
    if (two)
      fprintf(fp, "%s%d (%s):\n", k ? "\n" : "", r->first_year + k,
              k ? NB(nb, 0, "mellomoppgjør", "interim settlement")
                : NB(nb, 0, "hovedoppgjør", "main settlement"));
    if (two && dir != NULL)
      snprintf(where, sizeof where, "%s/%d", dir, r->first_year + k);
    else
      snprintf(where, sizeof where, "%s", dir != NULL ? dir : "the result");
    print_summary(fp, &r->years[k], where);
  }
  if (two) {
    fprintf(fp, "\n");
    print_period(fp, r->period, r->first_year, nb);
  }
  return ferror(fp) ? -1 : 0;
}
