#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mandat/report.h"
#include "mandat/workbook.h"
#include "report/json_int.h"

static const char *scope_name(const mdt_report_context *ctx, long scope) {
  return scope < 0 ? "all" : ctx->respondents->groupings[scope].name;
}

static const char *stratum_name(const mdt_report_context *ctx, long scope, long stratum) {
  return stratum < 0 ? "all" : ctx->respondents->groupings[scope].levels[stratum];
}

static const char *question_id(const mdt_report_context *ctx, long question) {
  return question < 0 ? "profile" : ctx->questionnaire->questions[question].id;
}

static const char *option_id(const mdt_report_context *ctx, const mdt_estimate *e) {
  if (e->option < 0)
    return "";
  if (e->question < 0)
    return ctx->groups ? ctx->groups->id[e->option] : "";
  return ctx->questionnaire->options[e->option].id;
}

/* n as "%.0f" writes it; a whole number below 2^53 without printf (which costs some 1 000
 * instructions a number, 11 M for the bench's table). */
static void csv_count(FILE *fp, double n) {
  if (!(n == floor(n) && n < 9007199254740992.0 && (n > 0 || (n == 0 && !signbit(n))))) {
    fprintf(fp, "%.0f", n);
    return;
  }
  char digits[24];
  size_t at = sizeof digits;
  uint64_t u = (uint64_t)n;
  digits[--at] = '\0';
  do
    digits[--at] = (char)('0' + u % 10);
  while ((u /= 10) != 0);
  fputs(digits + at, fp);
}

mdt_status mdt_report_aggregate_csv(FILE *fp, const mdt_aggregate *agg,
                                    const mdt_report_context *ctx, mdt_error *err) {
  fputs(MDT_AGGREGATE_CSV_HEADER "\n", fp);
  for (size_t k = 0; k < agg->nrows; k++) {
    const mdt_estimate *e = &agg->rows[k];
    mdt_report_csv_field(fp, scope_name(ctx, e->scope));
    fputc(',', fp);
    mdt_report_csv_field(fp, stratum_name(ctx, e->scope, e->stratum));
    fputc(',', fp);
    mdt_report_csv_field(fp, question_id(ctx, e->question));
    fputc(',', fp);
    mdt_report_csv_field(fp, option_id(ctx, e));
    fputc(',', fp);
    fputs(mdt_statistic_name(e->statistic), fp);
    fputc(',', fp);
    mdt_report_csv_number(fp, e->value);
    fputc(',', fp);
    mdt_report_csv_number(fp, e->ci_low);
    fputc(',', fp);
    mdt_report_csv_number(fp, e->ci_high);
    fputc(',', fp);
    csv_count(fp, e->n);
    fputc(',', fp);
    mdt_report_csv_number(fp, e->n_eff);
    fputc('\n', fp);
  }
  /* The bootstrap's own row: value = draws dropped, n = draws asked for. */
  if (agg->bootstrap + agg->draws_dropped > 0)
    fprintf(fp, "all,all,bootstrap,,dropped_draws,%zu,,,%zu,\n", agg->draws_dropped,
            agg->bootstrap + agg->draws_dropped);
  if (ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the table: %s", strerror(errno));
  return MDT_OK;
}

static json_t *settings_json(const mdt_report_context *ctx) {
  const mdt_aggregate_options *o = ctx->options;
  const mdt_respondents *r = ctx->respondents;
  json_t *s = json_object();
  if (o == NULL || s == NULL)
    return s;
  json_object_set_new(s, "weights", json_string(mdt_size_measure_name(o->weights.measure)));
  json_object_set_new(s, "sqrt", json_boolean(o->weights.use_sqrt));
  json_object_set_new(s, "cap", o->weights.cap_share > 0 ? json_real(o->weights.cap_share)
                                                         : json_null());
  json_object_set_new(s, "poststrata",
                      o->weights.poststrata >= 0
                          ? json_string(r->groupings[o->weights.poststrata].name)
                          : json_null());
  if (o->weights.rake[0] >= 0) {
    json_t *rk = json_array();
    json_array_append_new(rk, json_string(r->groupings[o->weights.rake[0]].name));
    json_array_append_new(rk, json_string(r->groupings[o->weights.rake[1]].name));
    json_object_set_new(s, "rake", rk);
  } else
    json_object_set_new(s, "rake", json_null());
  json_object_set_new(s, "by_group", json_boolean(o->by_group));
  json_object_set_new(s, "breakdown", o->breakdown >= 0
                                          ? json_string(r->groupings[o->breakdown].name)
                                          : json_null());
  json_object_set_new(s, "bootstrap", json_integer((json_int_t)o->bootstrap));
  json_object_set_new(s, "seed", json_integer((json_int_t)o->seed));
  json_object_set_new(s, "level", json_real(o->level));
  json_object_set_new(s, "max_failed_draws", json_real(o->max_failed_draws));
  json_object_set_new(s, "adopted", json_string(o->political_only ? "political" : "all"));
  json_object_set_new(s, "adopted_weight", json_real(o->adopted_weight));
  return s;
}

static json_t *profile_json(const mdt_aggregate *agg, const mdt_report_context *ctx,
                            const mdt_profile *p) {
  json_t *arr = json_array();
  for (size_t g = 0; g < agg->ngroups; g++) {
    if (!isfinite(p->priority[g]))
      continue;
    json_t *o = json_object();
    json_object_set_new(o, "group", json_string(ctx->groups->id[g]));
    json_object_set_new(o, "name", json_string(ctx->groups->name[g]));
    json_object_set_new(o, "priority", mdt__report_json_number(p->priority[g]));
    json_object_set_new(o, "ci_low", mdt__report_json_number(p->ci_low[g]));
    json_object_set_new(o, "ci_high", mdt__report_json_number(p->ci_high[g]));
    json_object_set_new(o, "top3_frequency", mdt__report_json_number(p->top3_frequency[g]));
    json_array_append_new(arr, o);
  }
  return arr;
}

/* Per level of each calibration column (or of the breakdown): members, respondents, their
 * total size and total weight, so that calibration can be checked against the membership. */
static json_t *strata_json(const mdt_aggregate *agg, const mdt_report_context *ctx) {
  json_t *arr = json_array();
  const mdt_respondents *r = ctx->respondents;
  long cols[3] = {-1, -1, -1};
  if (ctx->options) {
    cols[0] = ctx->options->weights.poststrata;
    cols[1] = ctx->options->weights.rake[0];
    cols[2] = ctx->options->weights.rake[1];
    if (cols[0] < 0 && cols[1] < 0)
      cols[0] = ctx->options->breakdown;
  }
  for (int k = 0; k < 3; k++) {
    if (cols[k] < 0)
      continue;
    const mdt_grouping *g = &r->groupings[cols[k]];
    for (size_t l = 0; l < g->nlevels; l++) {
      size_t members = 0, resp = 0;
      double size = 0, weight = 0;
      for (size_t i = 0; i < r->n; i++) {
        if ((size_t)g->code[i] != l)
          continue;
        members++;
        resp += agg->responded[i] != 0;
        size += agg->size[i];
        weight += agg->weights[i];
      }
      json_t *o = json_object();
      json_object_set_new(o, "column", json_string(g->name));
      json_object_set_new(o, "level", json_string(g->levels[l]));
      json_object_set_new(o, "members", json_integer((json_int_t)members));
      json_object_set_new(o, "respondents", json_integer((json_int_t)resp));
      json_object_set_new(o, "size", mdt__report_json_number(size));
      json_object_set_new(o, "weight", mdt__report_json_number(weight));
      json_array_append_new(arr, o);
    }
  }
  return arr;
}

json_t *mdt__report_aggregate_json(const mdt_aggregate *agg, const mdt_report_context *ctx) {
  json_t *root = json_object();
  if (root == NULL)
    return NULL;
  json_object_set_new(root, "members", json_integer((json_int_t)agg->nmembers));
  json_object_set_new(root, "respondents", json_integer((json_int_t)agg->nrespondents));
  json_object_set_new(root, "total_weight", mdt__report_json_number(agg->total_weight));
  json_t *ad = json_object();
  static const mdt_adoption order[] = {MDT_ADOPTED_POLITICAL, MDT_ADOPTED_ADMINISTRATIVE,
                                       MDT_ADOPTED_UNKNOWN};
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
    json_object_set_new(ad, mdt_adoption_name(order[k]),
                        json_integer((json_int_t)agg->answered_by_adoption[order[k]]));
  json_object_set_new(ad, "left_out", json_integer((json_int_t)agg->nexcluded));
  json_object_set_new(root, "adopted", ad);
  json_object_set_new(root, "settings", settings_json(ctx));
  json_object_set_new(root, "bootstrap", mdt__report_bootstrap_json(agg));
  json_t *empty = json_array();
  for (size_t k = 0; k < agg->nempty; k++) {
    const mdt_empty_stratum *e = &agg->empty[k];
    const mdt_grouping *g = &ctx->respondents->groupings[e->grouping];
    json_t *o = json_object();
    json_object_set_new(o, "column", json_string(g->name));
    json_object_set_new(o, "level", json_string(g->levels[e->level]));
    json_object_set_new(o, "members", json_integer((json_int_t)e->members));
    json_object_set_new(o, "size", mdt__report_json_number(e->size));
    json_array_append_new(empty, o);
  }
  json_object_set_new(root, "empty_strata", empty);
  json_object_set_new(root, "weights_by_stratum", strata_json(agg, ctx));
  if (ctx->groups)
    json_object_set_new(root, "profile", profile_json(agg, ctx, &agg->profiles[0]));
  if (agg->breakdown >= 0 && ctx->groups) {
    json_t *by = json_array();
    for (size_t s = 0; s < agg->nstrata; s++) {
      json_t *o = json_object();
      json_object_set_new(o, "stratum",
                          json_string(stratum_name(ctx, agg->breakdown, (long)s)));
      json_object_set_new(o, "profile", profile_json(agg, ctx, &agg->profiles[1 + s]));
      json_array_append_new(by, o);
    }
    json_object_set_new(root, "profiles_by_stratum", by);
  }
  json_t *rows = json_array();
  for (size_t k = 0; k < agg->nrows; k++) {
    const mdt_estimate *e = &agg->rows[k];
    json_t *o = json_object();
    json_object_set_new(o, "scope", json_string(scope_name(ctx, e->scope)));
    json_object_set_new(o, "stratum", json_string(stratum_name(ctx, e->scope, e->stratum)));
    json_object_set_new(o, "question", json_string(question_id(ctx, e->question)));
    json_object_set_new(o, "option", e->option < 0 ? json_null() : json_string(option_id(ctx, e)));
    json_object_set_new(o, "statistic", json_string(mdt_statistic_name(e->statistic)));
    json_object_set_new(o, "value", mdt__report_json_number(e->value));
    json_object_set_new(o, "ci_low", mdt__report_json_number(e->ci_low));
    json_object_set_new(o, "ci_high", mdt__report_json_number(e->ci_high));
    json_object_set_new(o, "n", json_integer((json_int_t)e->n));
    json_object_set_new(o, "n_eff", mdt__report_json_number(e->n_eff));
    json_array_append_new(rows, o);
  }
  json_object_set_new(root, "estimates", rows);
  return root;
}

json_t *mdt__report_bootstrap_json(const mdt_aggregate *agg) {
  json_t *o = json_object();
  json_object_set_new(o, "draws", json_integer((json_int_t)(agg->bootstrap + agg->draws_dropped)));
  json_object_set_new(o, "used", json_integer((json_int_t)agg->bootstrap));
  json_object_set_new(o, "dropped", json_integer((json_int_t)agg->draws_dropped));
  json_object_set_new(o, "first_dropped",
                      agg->first_dropped ? json_integer((json_int_t)agg->first_dropped)
                                         : json_null());
  json_object_set_new(o, "dropped_reason",
                      agg->dropped_reason[0] ? json_string(agg->dropped_reason) : json_null());
  return o;
}

static int is_nb(const char *lang) { return lang != NULL && strcmp(lang, "nb") == 0; }

static void bootstrap_note(FILE *fp, const mdt_aggregate *agg, const char *lang) {
  if (agg->draws_dropped == 0)
    return;
  fprintf(fp,
          is_nb(lang)
              ? "Merk: %zu av %zu bootstrap-trekninger forkastet (vektene lot seg ikke "
                "kalibrere; første: trekning %zu, %s); intervallene bruker de %zu andre.\n"
              : "Note: %zu of %zu bootstrap draws dropped (their weights could not be "
                "calibrated; first: draw %zu, %s); the intervals use the %zu that were.\n",
          agg->draws_dropped, agg->bootstrap + agg->draws_dropped, agg->first_dropped,
          agg->dropped_reason, agg->bootstrap);
}

void mdt_report_bootstrap_note(FILE *fp, const mdt_aggregate *agg) {
  bootstrap_note(fp, agg, NULL);
}

/* ------------------------------------------------------------------ text -- */

static void text_interval(FILE *fp, double lo, double hi, int decimals) {
  if (isfinite(lo) && isfinite(hi))
    fprintf(fp, "  %*.*f-%-*.*f", decimals + 3, decimals, lo, decimals + 3, decimals, hi);
  else
    fprintf(fp, "  %*s", 2 * decimals + 7, "");
}

static const mdt_estimate *row_for(const mdt_aggregate *agg, long stratum, long question,
                                   long option, mdt_statistic stat) {
  for (size_t k = 0; k < agg->nrows; k++) {
    const mdt_estimate *e = &agg->rows[k];
    if (e->stratum == stratum && e->question == question && e->option == option &&
        e->statistic == stat)
      return e;
  }
  return NULL;
}

static void option_label(FILE *fp, const mdt_report_context *ctx, size_t c, int width) {
  char buf[512];
  const mdt_option *o = &ctx->questionnaire->options[c];
  snprintf(buf, sizeof buf, "%s %s", o->id, o->label);
  fputs("  ", fp);
  mdt_report_pad(fp, strcmp(o->id, o->label) == 0 ? o->id : buf, width);
}

/* How many answers were adopted politically, and what the weighting did with the others. */
static void adoption_line(FILE *fp, const mdt_aggregate *agg, const mdt_aggregate_options *o,
                          const char *lang) {
  const int nb = is_nb(lang);
  const size_t *by = agg->answered_by_adoption;
  size_t answered = by[MDT_ADOPTED_POLITICAL] + by[MDT_ADOPTED_ADMINISTRATIVE] +
                    by[MDT_ADOPTED_UNKNOWN];
  fprintf(fp,
          nb ? "Politisk vedtatt: %zu av %zu svar (administrativt %zu, ukjent %zu)"
             : "Adopted politically: %zu of %zu answers (administratively %zu, unknown %zu)",
          by[MDT_ADOPTED_POLITICAL], answered, by[MDT_ADOPTED_ADMINISTRATIVE],
          by[MDT_ADOPTED_UNKNOWN]);
  if (o && o->political_only)
    fprintf(fp,
            nb ? "; bare politisk vedtatte: %zu holdt utenfor som ikke svart"
               : "; political only: %zu left out as non-respondents",
            agg->nexcluded);
  else if (o && o->adopted_weight != 1)
    fprintf(fp, nb ? "; de andre teller %g ganger så mye" : "; the others weigh %g times as much",
            o->adopted_weight);
  fputs("\n", fp);
}

static void heading(FILE *fp, const mdt_aggregate *agg, const mdt_report_context *ctx) {
  const mdt_aggregate_options *o = ctx->options;
  const mdt_respondents *r = ctx->respondents;
  const int nb = is_nb(ctx->lang);
  fprintf(fp, nb ? "Mandat fra %zu av %zu medlemmer" : "Mandate from %zu of %zu members",
          agg->nrespondents, agg->nmembers);
  if (o) {
    fprintf(fp, nb ? "; vekter: %s%s" : "; weights: %s%s",
            o->weights.use_sqrt ? (nb ? "kvadratroten av " : "sqrt of ") : "",
            mdt_size_measure_name(o->weights.measure));
    if (o->weights.poststrata >= 0)
      fprintf(fp, nb ? ", poststratifisert etter %s" : ", post-stratified by %s",
              r->groupings[o->weights.poststrata].name);
    if (o->weights.rake[0] >= 0)
      fprintf(fp, nb ? ", raket mot %s og %s" : ", raked to %s and %s",
              r->groupings[o->weights.rake[0]].name, r->groupings[o->weights.rake[1]].name);
    if (o->weights.cap_share > 0)
      fprintf(fp, nb ? ", avkortet ved %g %%" : ", capped at %g %%", o->weights.cap_share * 100);
    if (o->by_group)
      fputs(nb ? ", svar om en gruppe vektet med gruppens ansatte"
               : ", answers about a group by headcount",
            fp);
    if (o->bootstrap > 0)
      fprintf(fp,
              nb ? "; %zu bootstrap-trekninger (frø %lu), %g %%-intervaller"
                 : "; %zu bootstrap draws (seed %lu), %g %% intervals",
              o->bootstrap, o->seed, o->level * 100);
  }
  fputs("\n", fp);
  adoption_line(fp, agg, o, ctx->lang);
  for (size_t k = 0; k < agg->nempty; k++) {
    const mdt_empty_stratum *e = &agg->empty[k];
    const mdt_grouping *g = &r->groupings[e->grouping];
    fprintf(fp,
            nb ? "Merk: %s=%s har %zu medlemmer og ingen svar; den er ikke representert.\n"
               : "Note: %s=%s has %zu members and no respondents; it is not represented.\n",
            g->name, g->levels[e->level], e->members);
  }
  bootstrap_note(fp, agg, ctx->lang);
}

static void profile_block(FILE *fp, const mdt_aggregate *agg, const mdt_report_context *ctx) {
  const mdt_profile *p = &agg->profiles[0];
  int any = 0;
  for (size_t g = 0; g < agg->ngroups; g++)
    any |= isfinite(p->priority[g]);
  if (!any)
    return;
  fprintf(fp, "\n%s\n  ", mdt_label("txt_agg_profile", ctx->lang));
  mdt_report_pad(fp, mdt_label("txt_agg_group", ctx->lang), 46);
  fprintf(fp, "%s\n", mdt_label("txt_agg_profile_columns", ctx->lang));
  for (size_t g = 0; g < agg->ngroups; g++) {
    if (!isfinite(p->priority[g]))
      continue;
    char buf[512];
    snprintf(buf, sizeof buf, "%s %s", ctx->groups->id[g], ctx->groups->name[g]);
    fputs("  ", fp);
    mdt_report_pad(fp, buf, 46);
    mdt_report_text_number(fp, p->priority[g], 10, 3);
    text_interval(fp, p->ci_low[g], p->ci_high[g], 3);
    if (isfinite(p->top3_frequency[g]))
      fprintf(fp, "  %5.1f %%", p->top3_frequency[g] * 100);
    fputc('\n', fp);
  }
}

static void question_block(FILE *fp, const mdt_aggregate *agg, const mdt_report_context *ctx,
                           size_t qi) {
  const mdt_question *qq = &ctx->questionnaire->questions[qi];
  const char *lang = ctx->lang;
  char tkey[32];
  snprintf(tkey, sizeof tkey, "txt_qtype_%s", mdt_question_type_name(qq->type));
  fprintf(fp, "\n%s (%s", qq->id, mdt_label_find(tkey, lang) ? mdt_label(tkey, lang)
                                                              : mdt_question_type_name(qq->type));
  if (qq->type == MDT_Q_SCORE || qq->type == MDT_Q_SHARE)
    fprintf(fp, " %g-%g", qq->min, qq->max);
  fprintf(fp, "): %s\n", qq->text);
  const int lw = 40;
  switch (qq->type) {
  case MDT_Q_RANK: {
    const mdt_estimate *w = row_for(agg, -1, (long)qi, -1, MDT_STAT_KENDALL_W);
    if (w) {
      fprintf(fp, "  %s %.3f", mdt_label("txt_agg_kendall", lang), w->value);
      if (isfinite(w->ci_low))
        fprintf(fp, ", %s %.3f-%.3f", mdt_label("txt_agg_interval", lang), w->ci_low,
                w->ci_high);
      fprintf(fp, "; n %.0f\n", w->n);
    }
    fputs("  ", fp);
    mdt_report_pad(fp, mdt_label("txt_agg_option", lang), lw);
    fprintf(fp, "%s\n", mdt_label("txt_agg_rank_columns", lang));
    break;
  }
  case MDT_Q_SCORE:
    fputs("  ", fp);
    mdt_report_pad(fp, mdt_label("txt_agg_option", lang), lw);
    fprintf(fp, "%s\n", mdt_label("txt_agg_score_columns", lang));
    break;
  case MDT_Q_SHARE:
    fputs("  ", fp);
    mdt_report_pad(fp, mdt_label("txt_agg_option", lang), lw);
    fprintf(fp, "%s\n", mdt_label("txt_agg_share_columns", lang));
    break;
  case MDT_Q_CHOICE:
    fputs("  ", fp);
    mdt_report_pad(fp, mdt_label("txt_agg_option", lang), lw);
    fprintf(fp, "%s\n", mdt_label("txt_agg_choice_columns", lang));
    break;
  case MDT_Q_TEXT: /* the caller skips text questions */
    break;
  }
  for (size_t j = 0; j < qq->noptions; j++) {
    size_t c = qq->first_option + j;
    option_label(fp, ctx, c, lw);
    const mdt_estimate *a, *b, *d;
    switch (qq->type) {
    case MDT_Q_RANK:
      a = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_BORDA);
      b = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_TOP1_SHARE);
      d = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_TOP3_SHARE);
      mdt_report_text_number(fp, a->value, 10, 2);
      text_interval(fp, a->ci_low, a->ci_high, 2);
      mdt_report_text_number(fp, b->value, 8, 2);
      mdt_report_text_number(fp, d->value, 8, 2);
      break;
    case MDT_Q_SCORE:
      a = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_MEAN);
      b = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_SD);
      mdt_report_text_number(fp, a->value, 10, 2);
      text_interval(fp, a->ci_low, a->ci_high, 2);
      mdt_report_text_number(fp, b->value, 6, 2);
      fprintf(fp, "%8.0f", a->n);
      mdt_report_text_number(fp, a->n_eff, 8, 1);
      break;
    case MDT_Q_SHARE: {
      a = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_SHARE_MEAN);
      b = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_SHARE_MEDIAN);
      const mdt_estimate *q1 = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_SHARE_Q1);
      const mdt_estimate *q3 = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_SHARE_Q3);
      mdt_report_text_number(fp, a->value, 10, 1);
      text_interval(fp, a->ci_low, a->ci_high, 2);
      mdt_report_text_number(fp, b->value, 8, 1);
      fprintf(fp, "  %.1f-%.1f", q1->value, q3->value);
      break;
    }
    case MDT_Q_CHOICE:
      a = row_for(agg, -1, (long)qi, (long)c, MDT_STAT_PROPORTION);
      mdt_report_text_number(fp, a->value, 9, 3);
      text_interval(fp, a->ci_low, a->ci_high, 3);
      break;
    case MDT_Q_TEXT:
      break;
    }
    fputc('\n', fp);
  }
}

static void strata_block(FILE *fp, const mdt_aggregate *agg, const mdt_report_context *ctx) {
  const mdt_respondents *r = ctx->respondents;
  const mdt_grouping *g = &r->groupings[agg->breakdown];
  fprintf(fp, "\n%s %s (%s)\n  ", mdt_label("txt_agg_profile_by", ctx->lang), g->name,
          mdt_label("txt_agg_profile_by_note", ctx->lang));
  mdt_report_pad(fp, g->name, 22);
  fputs("     n", fp);
  for (size_t k = 0; k < agg->ngroups; k++)
    if (isfinite(agg->profiles[0].priority[k]))
      fprintf(fp, " %6.6s", ctx->groups->id[k]);
  fputc('\n', fp);
  for (size_t s = 0; s < agg->nstrata; s++) {
    fputs("  ", fp);
    mdt_report_pad(fp, g->levels[s], 22);
    double n = 0;
    for (size_t k = 0; k < agg->ngroups; k++) {
      const mdt_estimate *e = row_for(agg, (long)s, -1, (long)k, MDT_STAT_PRIORITY);
      if (e && e->n > n)
        n = e->n;
    }
    fprintf(fp, "%6.0f", n);
    for (size_t k = 0; k < agg->ngroups; k++)
      if (isfinite(agg->profiles[0].priority[k]))
        mdt_report_text_number(fp, agg->profiles[1 + s].priority[k], 7, 3);
    fputc('\n', fp);
  }
}

mdt_status mdt_report_aggregate_text(FILE *fp, const mdt_aggregate *agg,
                                     const mdt_report_context *ctx, mdt_error *err) {
  heading(fp, agg, ctx);
  if (ctx->groups)
    profile_block(fp, agg, ctx);
  for (size_t qi = 0; qi < ctx->questionnaire->nquestions; qi++)
    if (ctx->questionnaire->questions[qi].type != MDT_Q_TEXT) /* reported verbatim elsewhere */
      question_block(fp, agg, ctx, qi);
  if (agg->breakdown >= 0 && ctx->groups)
    strata_block(fp, agg, ctx);
  if (ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the table: %s", strerror(errno));
  return MDT_OK;
}

mdt_status mdt_report_aggregate_json_write(FILE *fp, const mdt_aggregate *agg,
                                           const mdt_report_context *ctx, mdt_error *err) {
  json_t *j = mdt__report_aggregate_json(agg, ctx);
  if (j == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the JSON document");
  mdt_status st = mdt__report_write_json(fp, j, err);
  json_decref(j);
  return st;
}
