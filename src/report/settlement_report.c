#include <errno.h>
#include <math.h>
#include <string.h>

#include "mandat/report.h"
#include "report/json_int.h"

static int suppressed(const mdt_microsim_row *row) {
  return row->employees < MDT_REPORT_MIN_EMPLOYEES;
}


static void csv_row(FILE *fp, const char *id, const char *name, const char *chapter,
                    int covered, double pct, const mdt_microsim_row *row) {
  mdt_report_csv_field(fp, id);
  fputc(',', fp);
  mdt_report_csv_field(fp, name);
  fputc(',', fp);
  mdt_report_csv_field(fp, chapter);
  fputc(',', fp);
  if (covered >= 0)
    fprintf(fp, "%d", covered);
  fputc(',', fp);
  if (suppressed(row)) {
    fputs(",,,,,,,,,,,,,,,,,,1\n", fp);
    return;
  }
  const double v[] = {pct,
                      row->employees,
                      row->fte,
                      row->wage_bill_nok,
                      row->rise_nok,
                      row->nok_per_fte,
                      row->rise_pct,
                      row->annual_effect_pct,
                      row->area_effect_pct,
                      row->carryover_pct,
                      row->overheng_pct,
                      row->glidning_pct,
                      row->annual_growth_pct,
                      row->real_growth_pct,
                      row->cost_nok,
                      row->rise_p10_nok,
                      row->rise_p50_nok,
                      row->rise_p90_nok};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    mdt_report_csv_number(fp, v[k]);
    fputc(',', fp);
  }
  fputs("0\n", fp);
}

mdt_status mdt_report_settlement_csv(FILE *fp, const mdt_microsim_report *rep,
                                     const mdt_allocation_result *res,
                                     const mdt_settlement_context *ctx, mdt_error *err) {
  const mdt_groups *g = ctx->groups;
  fputs(MDT_SETTLEMENT_CSV_HEADER "\n", fp);
  for (size_t k = 0; k < rep->ngroups; k++) {
    const mdt_microsim_row *row = &rep->groups[k];
    csv_row(fp, g->id[k], g->name[k], g->chapter[k], row->covered,
            row->covered ? mdt_allocation_group_pct(res, k) : NAN, row);
  }
  csv_row(fp, "total", "", "", -1, NAN, &rep->total);
  if (ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the table: %s", strerror(errno));
  return MDT_OK;
}

static json_t *row_json(const mdt_microsim_row *row, double pct) {
  json_t *o = json_object();
  if (suppressed(row)) {
    json_object_set_new(o, "suppressed", json_true());
    return o;
  }
  json_object_set_new(o, "suppressed", json_false());
  json_object_set_new(o, "pct", mdt__report_json_number(pct));
  json_object_set_new(o, "employees", mdt__report_json_number(row->employees));
  json_object_set_new(o, "fte", mdt__report_json_number(row->fte));
  json_object_set_new(o, "wage_bill_nok", mdt__report_json_number(row->wage_bill_nok));
  json_object_set_new(o, "rise_nok", mdt__report_json_number(row->rise_nok));
  json_object_set_new(o, "nok_per_fte", mdt__report_json_number(row->nok_per_fte));
  json_object_set_new(o, "rise_pct", mdt__report_json_number(row->rise_pct));
  json_object_set_new(o, "annual_effect_pct", mdt__report_json_number(row->annual_effect_pct));
  json_object_set_new(o, "area_effect_pct", mdt__report_json_number(row->area_effect_pct));
  json_object_set_new(o, "carryover_pct", mdt__report_json_number(row->carryover_pct));
  json_object_set_new(o, "overheng_pct", mdt__report_json_number(row->overheng_pct));
  json_object_set_new(o, "glidning_pct", mdt__report_json_number(row->glidning_pct));
  json_object_set_new(o, "annual_growth_pct", mdt__report_json_number(row->annual_growth_pct));
  json_object_set_new(o, "real_growth_pct", mdt__report_json_number(row->real_growth_pct));
  json_object_set_new(o, "cost_nok", mdt__report_json_number(row->cost_nok));
  json_object_set_new(o, "rise_p10_nok", mdt__report_json_number(row->rise_p10_nok));
  json_object_set_new(o, "rise_p50_nok", mdt__report_json_number(row->rise_p50_nok));
  json_object_set_new(o, "rise_p90_nok", mdt__report_json_number(row->rise_p90_nok));
  return o;
}

const char *mdt_report_settlement_status(int solved, int feasible) {
  return !solved ? "applied" : feasible ? "solved" : "infeasible";
}

/* The rule's number, unless the bounds alone settle the point (see mdt_tradeoff_binding). */
static double shown_scalar(const mdt_allocation_result *res, const mdt_settlement_context *ctx) {
  return ctx->solved && ctx->binding && ctx->binding[0] ? NAN : res->scalar;
}

json_t *mdt__report_settlement_json(const mdt_microsim_report *rep,
                                   const mdt_allocation_result *res,
                                   const mdt_settlement_context *ctx) {
  json_t *root = json_object();
  if (root == NULL)
    return NULL;
  json_t *set = json_object();
  json_object_set_new(set, "rule", json_string(ctx->rule));
  json_object_set_new(set, "theta", mdt__report_json_number(ctx->theta));
  json_object_set_new(set, "frame_pct", mdt__report_json_number(ctx->frame_pct));
  json_object_set_new(set, "overheng_pct", mdt__report_json_number(ctx->overheng_pct));
  json_object_set_new(set, "glidning_pct", mdt__report_json_number(ctx->glidning_pct));
  json_object_set_new(set, "price_forecast_pct", mdt__report_json_number(ctx->price_pct));
  json_object_set_new(set, "central_month", json_integer(ctx->central_month));
  json_object_set_new(set, "local_pot_pct", mdt__report_json_number(ctx->local_pot_pct));
  json_object_set_new(set, "local_month", json_integer(ctx->local_month));
  json_object_set_new(set, "payroll_overhead_pct",
                      mdt__report_json_number(ctx->payroll_overhead_pct));
  json_object_set_new(root, "settings", set);
  json_t *sol = json_object();
  json_object_set_new(sol, "status",
                      json_string(mdt_report_settlement_status(ctx->solved, res->feasible)));
  json_object_set_new(sol, "binding", ctx->solved && ctx->binding ? json_string(ctx->binding)
                                                                  : json_null());
  json_object_set_new(sol, "scalar", mdt__report_json_number(shown_scalar(res, ctx)));
  json_object_set_new(sol, "room_annual_pct", mdt__report_json_number(ctx->room_annual_pct));
  json_object_set_new(sol, "annual_effect_pct", mdt__report_json_number(res->annual_effect_pct));
  json_object_set_new(sol, "central_effect_pct", mdt__report_json_number(res->effect.central_pct));
  json_object_set_new(sol, "local_effect_pct", mdt__report_json_number(res->effect.local_pct));
  json_object_set_new(sol, "named_effect_pct", mdt__report_json_number(res->effect.named_pct));
  json_object_set_new(sol, "carryover_pct", mdt__report_json_number(res->effect.carryover_pct));
  json_object_set_new(sol, "iterations", json_integer(res->iterations));
  json_object_set_new(root, "solution", sol);
  json_t *groups = json_array();
  for (size_t k = 0; k < rep->ngroups; k++) {
    const mdt_microsim_row *row = &rep->groups[k];
    json_t *o = row_json(row, row->covered ? mdt_allocation_group_pct(res, k) : NAN);
    json_object_set_new(o, "group", json_string(ctx->groups->id[k]));
    json_object_set_new(o, "name", json_string(ctx->groups->name[k]));
    json_object_set_new(o, "chapter", json_string(ctx->groups->chapter[k]));
    json_object_set_new(o, "covered", json_boolean(row->covered));
    if (res->clamped)
      json_object_set_new(o, "clamped", json_string(res->clamped[k] < 0   ? "floor"
                                                    : res->clamped[k] > 0 ? "cap"
                                                                          : "free"));
    json_array_append_new(groups, o);
  }
  json_object_set_new(root, "groups", groups);
  json_object_set_new(root, "total", row_json(&rep->total, NAN));
  return root;
}

static const char *const month_names[] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};

static const char *month_name(int m) { return m >= 1 && m <= 12 ? month_names[m - 1] : "?"; }

/* A month as its number, for the Norwegian text ("5", not "May"). */
static const char *month_number(int m) {
  static const char *const n[] = {"?", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"};
  return m >= 1 && m <= 12 ? n[m] : n[0];
}

mdt_status mdt_report_settlement_text(FILE *fp, const mdt_microsim_report *rep,
                                      const mdt_allocation_result *res,
                                      const mdt_settlement_context *ctx, mdt_error *err) {
  const int nb = ctx->lang != NULL && strcmp(ctx->lang, "nb") == 0;
#define T(en, nbt) (nb ? (nbt) : (en))
  fprintf(fp, T("Settlement: rule %s", "Oppgjør: regel %s"), ctx->rule);
  if (strcmp(ctx->rule, "priority") == 0)
    fprintf(fp, " (theta %g)", ctx->theta);
  fprintf(fp, T(", central increases from 1 %s", ", sentrale tillegg fra måned %s"),
          nb ? month_number(ctx->central_month) : month_name(ctx->central_month));
  if (ctx->local_pot_pct > 0)
    fprintf(fp, T(", local pot %g %% from 1 %s", ", lokal pott %g %% fra måned %s"),
            ctx->local_pot_pct,
            nb ? month_number(ctx->local_month) : month_name(ctx->local_month));
  fputc('\n', fp);
  if (ctx->solved) {
    fprintf(fp,
            T("Frame %.2f %%: the settlement's room is %.3f pp of the area's wage bill (the "
              "frame less the groups' own overheng and glidning; the area's are %.2f and %.2f)",
              "Ramme %.2f %%: oppgjørets rom er %.3f prosentpoeng av områdets lønnsmasse "
              "(rammen minus gruppenes eget overheng og glidning; områdets er %.2f og %.2f)"),
            ctx->frame_pct, ctx->room_annual_pct,
            isfinite(ctx->overheng_pct) ? ctx->overheng_pct : 0,
            isfinite(ctx->glidning_pct) ? ctx->glidning_pct : 0);
    if (isfinite(ctx->price_pct))
      fprintf(fp, T("; price forecast %.2f %%", "; prisanslag %.2f %%"), ctx->price_pct);
    fputc('\n', fp);
  } else
    fputs(T("No frame: the settlement is applied as written.\n",
            "Ingen ramme: oppgjøret er anvendt som skrevet.\n"),
          fp);
  const char *unit = strcmp(ctx->rule, "krone") == 0   ? T("NOK", "kr")
                     : strcmp(ctx->rule, "table") == 0 ? T("x the table", "x tabellen")
                                                       : "%";
  double x = shown_scalar(res, ctx);
  if (isfinite(x))
    fprintf(fp, "%s %.4f %s", ctx->solved ? T("Solved:", "Løst:") : T("Applied:", "Anvendt:"),
            x, unit);
  else
    fprintf(fp, T("Solved: no one number (%s)", "Løst: ikke ett tall (%s)"), ctx->binding);
  if (isfinite(res->effect.central_pct) && isfinite(res->effect.local_pct) &&
      isfinite(res->effect.named_pct))
    fprintf(fp,
            T("; total annual effect %.4f pp (central %.4f, local %.4f, named %.4f)",
              "; samlet årsvirkning %.4f prosentpoeng (sentralt %.4f, lokalt %.4f, navngitt "
              "%.4f)"),
            res->annual_effect_pct, res->effect.central_pct, res->effect.local_pct,
            res->effect.named_pct);
  else /* suppression withheld the parts: they would show a small group's own figures */
    fprintf(fp,
            T("; total annual effect %.4f pp (its parts withheld: small groups)",
              "; samlet årsvirkning %.4f prosentpoeng (delene holdt tilbake: små grupper)"),
            res->annual_effect_pct);
  fprintf(fp, "%s\n",
          ctx->solved ? (res->feasible ? T(", on the room", ", innenfor rommet")
                                       : T(", NOT on the room", ", IKKE innenfor rommet"))
                      : "");
  fputs("\n  ", fp);
  mdt_report_pad(fp, T("group", "stillingsgruppe"), 30);
  if (nb) /* the same widths as the numbers below (%11 %10 %14 %8 %11 %10 %10 %8 %12) */
    fputs("    ansatte   årsverk    kr/årsverk  lønn %   årsv. pp  overh. pp   vekst %  reell %"
          "  kostn. mill  tillegg p10-p90 kr\n",
          fp);
  else
    fputs("  employees       FTE  rise NOK/FTE  rise %  effect pp  carry pp  growth %  real %"
          "   cost MNOK  rise p10-p90 NOK\n",
          fp);
  for (size_t k = 0; k <= rep->ngroups; k++) {
    const mdt_microsim_row *row = k < rep->ngroups ? &rep->groups[k] : &rep->total;
    char label[512];
    if (k < rep->ngroups)
      snprintf(label, sizeof label, "%s %s", ctx->groups->id[k], ctx->groups->name[k]);
    else
      snprintf(label, sizeof label, "%s", T("total", "totalt"));
    fputs("  ", fp);
    mdt_report_pad(fp, label, 30);
    if (suppressed(row)) {
      fputs(T("  (not shown: too few employees, here or in a group it protects)\n",
              "  (vises ikke: for få ansatte, her eller i en gruppe den beskytter)\n"),
            fp);
      continue;
    }
    mdt_report_text_number(fp, row->employees, 11, 0);
    mdt_report_text_number(fp, row->fte, 10, 0);
    mdt_report_text_number(fp, row->nok_per_fte, 14, 0);
    mdt_report_text_number(fp, row->rise_pct, 8, 2);
    mdt_report_text_number(fp, row->annual_effect_pct, 11, 3);
    mdt_report_text_number(fp, row->carryover_pct, 10, 3);
    mdt_report_text_number(fp, row->annual_growth_pct, 10, 2);
    mdt_report_text_number(fp, row->real_growth_pct, 8, 2);
    mdt_report_text_number(fp, row->cost_nok / 1e6, 12, 1);
    if (isfinite(row->rise_p10_nok))
      fprintf(fp, "  %6.0f-%-6.0f", row->rise_p10_nok, row->rise_p90_nok);
    fputc('\n', fp);
  }
#undef T
  if (ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the table: %s", strerror(errno));
  return MDT_OK;
}

mdt_status mdt_report_settlement_json_write(FILE *fp, const mdt_microsim_report *rep,
                                            const mdt_allocation_result *res,
                                            const mdt_settlement_context *ctx, mdt_error *err) {
  json_t *j = mdt__report_settlement_json(rep, res, ctx);
  if (j == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the JSON document");
  mdt_status st = mdt__report_write_json(fp, j, err);
  json_decref(j);
  return st;
}
