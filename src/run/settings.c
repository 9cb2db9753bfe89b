/* A run's resolved settings as JSON, for the manifest and for comparing alternatives. */
#include <math.h>
#include <string.h>

#include "run/settings.h"

/* A JSON number with 15 significant digits, or null for NaN and infinities (as the report
 * layer writes numbers). */
static json_t *json_number(double v) { return isfinite(v) ? json_real(v == 0 ? 0.0 : v) : json_null(); }

/* A path as the manifest shows it: relative to the scenario's folder when inside it. */
const char *mdt__run_shown_path(const mdt_scenario *sc, const char *path) {
  size_t n = strlen(sc->dir);
  if (strncmp(path, sc->dir, n) == 0 && path[n] == '/') {
    path += n + 1;
    while (strncmp(path, "./", 2) == 0)
      path += 2;
  }
  return path;
}

static json_t *dist_json(const mdt_scenario_dist *d) {
  if (!d->given || d->use_frame)
    return json_string("fixed");
  if (!d->normal)
    return json_number(d->value);
  json_t *o = json_object();
  json_object_set_new(o, "normal_mean", json_number(d->value));
  json_object_set_new(o, "normal_sd", json_number(d->sd));
  return o;
}

static json_t *grid_json(const mdt_scenario_grid *g) {
  json_t *a = json_array();
  for (size_t k = 0; k < g->n; k++)
    json_array_append_new(a, json_number(g->values[k]));
  return a;
}

static json_t *group_pcts_json(const mdt_scenario_group_pct *l, size_t n) {
  json_t *a = json_array();
  for (size_t k = 0; k < n; k++) {
    json_t *o = json_object();
    json_object_set_new(o, "group", json_string(l[k].group));
    json_object_set_new(o, "pct", json_number(l[k].pct));
    if (l[k].month)
      json_object_set_new(o, "month", json_integer(l[k].month));
    json_array_append_new(a, o);
  }
  return a;
}

/* Every setting as the run used it (defaults filled in; threads left out: they change
 * nothing). */
json_t *mdt__run_settings_json(const mdt__pipeline *p) {
  const mdt_scenario *sc = p->sc;
  json_t *root = json_object(), *o;
  o = json_object();
  json_object_set_new(o, "frame_pct", p->has_frame ? json_number(sc->frame_pct) : json_null());
  json_object_set_new(o, "overheng_pct", json_number(p->overheng_pct));
  json_object_set_new(o, "glidning_pct", json_number(p->glidning_pct));
  json_object_set_new(o, "glidning_from_history", json_boolean(sc->glidning_from_history));
  json_object_set_new(o, "price_forecast_pct", json_number(p->price_pct));
  json_object_set_new(o, "room_annual_pct",
                      p->has_frame ? json_number(p->spec.room_annual_pct) : json_null());
  json_object_set_new(o, "overheng_source",
                      p->overheng_source ? json_string(p->overheng_source) : json_null());
  json_object_set_new(o, "glidning_source",
                      p->glidning_source ? json_string(p->glidning_source) : json_null());
  json_object_set_new(o, "solve_on", json_string(sc->solve_on_area ? "area" : "covered"));
  json_object_set_new(o, "step_moves", json_boolean(sc->step_moves));
  json_object_set_new(o, "glidning_includes_step_moves",
                      json_boolean(sc->glidning_includes_step_moves));
  json_object_set_new(root, "frame", o);
  o = json_object();
  json_object_set_new(o, "rule", json_string(sc->rule));
  json_object_set_new(o, "central_month", json_integer(sc->central_month));
  json_object_set_new(o, "covered", json_string(sc->covered ? sc->covered : "chapter:4"));
  json_object_set_new(o, "theta", json_number(sc->theta));
  json_object_set_new(o, "krone_share", json_number(sc->krone_share));
  json_object_set_new(o, "min_krone_nok", json_number(sc->min_krone_nok));
  json_object_set_new(o, "table", sc->table_path ? json_string(mdt__run_shown_path(sc, sc->table_path)) : json_null());
  json_object_set_new(o, "guarantee",
                      p->guarantee ? json_string(mdt__run_shown_path(sc, sc->guarantee_path)) : json_null());
  json_object_set_new(o, "local_pot_pct", json_number(sc->local_pot_pct));
  json_object_set_new(o, "local_month", json_integer(sc->local_month));
  json_object_set_new(o, "base_table", sc->base_table_path
                                            ? json_string(mdt__run_shown_path(sc, sc->base_table_path))
                                            : json_null());
  json_object_set_new(o, "named", group_pcts_json(sc->named, sc->nnamed));
  json_t *lf = json_array();
  for (size_t k = 0; k < sc->nlocal_frame; k++) {
    json_t *e = json_object();
    json_object_set_new(e, "group", json_string(sc->local_frame[k].group));
    json_object_set_new(e, "month", json_integer(sc->local_frame[k].month));
    json_array_append_new(lf, e);
  }
  json_object_set_new(o, "local_frame", lf);
  json_object_set_new(o, "floors", group_pcts_json(sc->floors, sc->nfloors));
  json_object_set_new(o, "caps", group_pcts_json(sc->caps, sc->ncaps));
  json_object_set_new(o, "payroll_overhead_pct", json_number(sc->payroll_overhead_pct));
  json_object_set_new(root, "settlement", o);
  o = json_object();
  json_object_set_new(o, "weights", json_string(sc->weights));
  json_object_set_new(o, "sqrt", json_boolean(sc->sqrt_weights));
  json_object_set_new(o, "cap", json_number(sc->cap_share));
  json_object_set_new(o, "poststrata", sc->poststrata ? json_string(sc->poststrata) : json_null());
  json_t *rk = json_null();
  if (sc->rake[0]) {
    rk = json_array();
    json_array_append_new(rk, json_string(sc->rake[0]));
    json_array_append_new(rk, json_string(sc->rake[1]));
  }
  json_object_set_new(o, "rake", rk);
  json_object_set_new(o, "by_group", json_boolean(sc->by_group));
  json_object_set_new(o, "bootstrap", json_integer((json_int_t)sc->bootstrap));
  json_object_set_new(o, "level", json_number(sc->level));
  json_object_set_new(o, "max_failed_draws", json_number(sc->max_failed_draws));
  json_object_set_new(o, "adopted", json_string(sc->adopted_political_only ? "political" : "all"));
  json_object_set_new(o, "adopted_weight", json_number(sc->adopted_weight));
  json_object_set_new(root, "weighting", o);
  o = json_object();
  json_object_set_new(o, "theta", grid_json(&sc->sweep_theta));
  json_object_set_new(o, "krone_share", grid_json(&sc->sweep_krone_share));
  json_object_set_new(o, "local_pot_pct", grid_json(&sc->sweep_local_pot));
  json_object_set_new(o, "central_month", grid_json(&sc->sweep_central_month));
  json_object_set_new(root, "sweeps", o);
  o = json_object();
  json_object_set_new(o, "draws", json_integer((json_int_t)sc->draws));
  json_object_set_new(o, "glidning_pct", dist_json(&sc->u_glidning));
  json_object_set_new(o, "overheng_pct", dist_json(&sc->u_overheng));
  json_object_set_new(o, "price_forecast_pct", dist_json(&sc->u_price));
  json_object_set_new(o, "headcount_drift_pct", dist_json(&sc->u_headcount_drift));
  json_object_set_new(o, "mandate", json_boolean(sc->u_mandate));
  json_object_set_new(root, "uncertainty", o);
  o = json_object();
  json_object_set_new(o, "enabled", json_boolean(sc->regions));
  json_object_set_new(o, "column", json_string(sc->region_column));
  json_object_set_new(root, "regions", o);
  o = json_object();
  json_object_set_new(o, "lang", json_string(sc->lang));
  json_object_set_new(root, "output", o);
  json_object_set_new(root, "seed", json_integer((json_int_t)sc->seed));
  return root;
}

