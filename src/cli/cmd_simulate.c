/* mandat simulate: a settlement over the employee register, solved on the frame. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "mandat/report.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat simulate --model DIR [--scenario FILE] [OPTIONS]\n"
        "\n"
        "Applies a settlement to every employee of the model's register (register.csv) and\n"
        "reports, per employee group and in total, the rise, its annual effect and carry-over,\n"
        "each group's annual growth and real growth, and the cost. With a frame in the\n"
        "scenario the rule's one number is solved so that the settlement's total annual\n"
        "effect equals the room (frame - overheng - glidning); without one the settlement is\n"
        "applied as written.\n"
        "\n"
        "  --model DIR          the model folder (default: the scenario's [model] dir)\n"
        "  --scenario FILE      the scenario (INI; default: DIR/scenario.ini when it exists)\n"
        "  --rule RULE          override the scenario's rule: percent, krone,\n"
        "                       percent_min_krone, table, priority, mixed\n"
        "  --format FORMAT      text (default), csv or json\n"
        "  --out FILE           write the table to FILE (replaced only when complete)\n"
        "  --guarantee-out FILE write the new guarantee table (group,step_years,annual_nok)\n"
        "  --threads N          threads for the passes over the register (default: all cores;\n"
        "                       results do not depend on it)\n"
        "  --quiet              no log lines on stderr\n"
        "  --help               this text\n"
        "\n"
        "Groups with fewer than 5 employees are not shown; no output lists an employee.\n"
        "A frame that cannot be met (a negative room, floors above it) is exit status 1.\n"
        "\n"
        "Example:\n"
        "  mandat simulate --model models/ks-2024 --rule priority --format csv\n",
        fp);
}

enum { OPT_MODEL = 256, OPT_SCENARIO, OPT_RULE, OPT_FORMAT, OPT_OUT, OPT_GOUT, OPT_THREADS,
       OPT_QUIET, OPT_HELP };

static const struct option long_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"rule", required_argument, NULL, OPT_RULE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"guarantee-out", required_argument, NULL, OPT_GOUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

void cli_settlement_context(const cli_pipeline *p, mdt_settlement_context *ctx) {
  memset(ctx, 0, sizeof *ctx);
  ctx->groups = p->model->groups;
  ctx->rule = p->sc->rule;
  ctx->theta = p->sc->theta;
  ctx->solved = p->has_frame;
  ctx->frame_pct = p->has_frame ? p->sc->frame_pct : NAN;
  ctx->overheng_pct = p->overheng_pct;
  ctx->glidning_pct = p->glidning_pct;
  ctx->price_pct = p->price_pct;
  ctx->room_annual_pct = p->has_frame ? p->frame.room_annual_pct : NAN;
  ctx->central_month = p->sc->central_month;
  ctx->local_pot_pct = p->sc->local_pot_pct;
  ctx->local_month = p->sc->local_month;
  ctx->payroll_overhead_pct = p->sc->payroll_overhead_pct;
}

void cli_report_options(const cli_pipeline *p, mdt_microsim_report_options *ro) {
  mdt_microsim_report_options_init(ro);
  ro->overheng_pct = isnan(p->overheng_pct) ? 0 : p->overheng_pct;
  ro->glidning_pct = isnan(p->glidning_pct) ? 0 : p->glidning_pct;
  ro->price_forecast_pct = p->price_pct;
  ro->payroll_overhead_pct = p->sc->payroll_overhead_pct;
}

int cmd_simulate(int argc, char **argv) {
  cli_pipeline_args args = {0};
  const char *format = "text", *out_path = NULL, *gout_path = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_MODEL:
      args.model_dir = optarg;
      break;
    case OPT_SCENARIO:
      args.scenario_path = optarg;
      break;
    case OPT_RULE:
      args.rule = optarg;
      break;
    case OPT_FORMAT:
      format = optarg;
      break;
    case OPT_OUT:
      out_path = optarg;
      break;
    case OPT_GOUT:
      gout_path = optarg;
      break;
    case OPT_THREADS:
      if (cli_parse_threads("simulate", optarg, &args.threads) != 0)
        return 2;
      break;
    case OPT_QUIET:
      cli_g.quiet = 1;
      break;
    case OPT_HELP:
      usage(stdout);
      return 0;
    default:
      return cli_usage_error("simulate", "unknown or incomplete option");
    }
  }
  if (optind < argc)
    return cli_usage_error("simulate", "unexpected argument '%s'", argv[optind]);
  if (args.model_dir == NULL && args.scenario_path == NULL)
    return cli_usage_error("simulate", "expected --model DIR or --scenario FILE");
  if (cli_check_format("simulate", format) != 0)
    return 2;
  mdt_error err;
  mdt_error_clear(&err);
  cli_pipeline p;
  mdt_allocation_result res;
  mdt_microsim_report *rep = NULL;
  mdt_step_table *newg = NULL;
  cli_output out = {0}, gout = {0};
  mdt_status st = cli_pipeline_load(&p, &args, &err);
  if (st == MDT_OK) {
    cli_log("solving the %s rule over %zu register rows", p.sc->rule, p.reg->n);
    st = cli_pipeline_solve(&p, &res, &err);
  }
  if (st == MDT_OK) {
    mdt_microsim_report_options ro;
    cli_report_options(&p, &ro);
    st = mdt_microsim_apply(p.work, &res.settlement, &ro, &rep, &err);
  }
  if (st == MDT_OK)
    st = cli_pipeline_suppress(&p, rep, &res, &err);
  if (st == MDT_OK && gout_path) {
    st = mdt_step_table_new(p.model->groups->n, &newg, &err);
    if (st == MDT_OK)
      st = mdt_microsim_guarantee(p.sim, &res.settlement, newg, &err);
    if (st == MDT_OK)
      st = cli_output_open(&gout, gout_path, &err);
    if (st == MDT_OK)
      st = mdt_step_table_write_csv(newg, p.model->groups, gout.fp, &err);
    /* Put in place only with the table (below): both outputs or neither. */
    if (st == MDT_OK)
      st = cli_output_finish(&gout, &err);
  }
  if (st == MDT_OK) {
    mdt_settlement_context ctx;
    cli_settlement_context(&p, &ctx);
    st = cli_output_open(&out, out_path, &err);
    if (st == MDT_OK) {
      if (strcmp(format, "csv") == 0)
        st = mdt_report_settlement_csv(out.fp, rep, &res, &ctx, &err);
      else if (strcmp(format, "json") == 0) {
        json_t *j = mdt_report_settlement_json(rep, &res, &ctx);
        st = mdt_report_write_json(out.fp, j, &err);
        json_decref(j);
      } else
        st = mdt_report_settlement_text(out.fp, rep, &res, &ctx, &err);
      if (st == MDT_OK)
        st = cli_output_finish(&out, &err);
    }
  }
  if (st == MDT_OK)
    st = cli_output_commit(&gout, &err);
  if (st == MDT_OK)
    st = cli_output_commit(&out, &err);
  if (st != MDT_OK) {
    cli_output_abort(&gout);
    cli_output_abort(&out);
  }
  mdt_step_table_free(newg);
  mdt_microsim_report_free(rep);
  cli_pipeline_free(&p);
  return st == MDT_OK ? 0 : cli_report_error(&err);
}
