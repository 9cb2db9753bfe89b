/* mandat simulate: a settlement over the employee register, solved on the frame. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mandat/report.h"
#include "mandat/run.h"

static void note(void *user, const char *message) {
  (void)user;
  if (strncmp(message, "warning: ", 9) == 0) /* a warning is said even with --quiet */
    fprintf(stderr, "mandat: %s\n", message);
  else
    cli_log("%s", message);
}

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
        "  --lang en|nb         the text table's language (default: the scenario's, else en)\n"
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
       OPT_LANG, OPT_QUIET, OPT_HELP };

static const struct option long_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"rule", required_argument, NULL, OPT_RULE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"guarantee-out", required_argument, NULL, OPT_GOUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"lang", required_argument, NULL, OPT_LANG},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

int cmd_simulate(int argc, char **argv) {
  mdt_run_options args;
  mdt_run_options_init(&args);
  args.scope = MDT_RUN_SETTLEMENT;
  const char *format = "text", *out_path = NULL, *gout_path = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
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
    case OPT_LANG:
      if (cli_parse_lang("simulate", optarg, &args.lang) != 0)
        return 2;
      break;
    case OPT_QUIET:
      cli_g.quiet = 1;
      break;
    case 'h':
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
  args.note = note;
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  cli_output out = {0}, gout = {0};
  mdt_status st = mdt_run_open(&args, &run, &err);
  if (st == MDT_OK) {
    cli_log("solving the %s rule", mdt_run_scenario(run)->rule);
    st = mdt_run_compute(run, &res, &err);
  }
  mdt_run_free(run);
  if (st == MDT_OK && mdt_result_infeasible_error(res, 0, &err))
    st = MDT_EINFEASIBLE;
  if (st == MDT_OK && gout_path) {
    const mdt_step_table *newg = mdt_result_new_guarantee(res, 0);
    if (newg == NULL)
      st = mdt_error_set(&err, MDT_EDATA, "--guarantee-out: expected a guarantee table in the "
                                          "model or scenario, found none");
    if (st == MDT_OK)
      st = cli_output_open(&gout, gout_path, &err);
    if (st == MDT_OK)
      st = mdt_step_table_write_csv(newg, mdt_result_groups(res), gout.fp, &err);
    /* Put in place only with the table (below): both outputs or neither. */
    if (st == MDT_OK)
      st = cli_output_finish(&gout, &err);
  }
  if (st == MDT_OK) {
    const mdt_microsim_report *rep = mdt_result_report(res, 0);
    const mdt_allocation_result *sol = mdt_result_solution(res, 0);
    mdt_settlement_context ctx;
    mdt_result_settlement_context(res, 0, &ctx);
    st = cli_output_open(&out, out_path, &err);
    if (st == MDT_OK) {
      if (strcmp(format, "csv") == 0)
        st = mdt_report_settlement_csv(out.fp, rep, sol, &ctx, &err);
      else if (strcmp(format, "json") == 0)
        st = mdt_report_settlement_json_write(out.fp, rep, sol, &ctx, &err);
      else
        st = mdt_report_settlement_text(out.fp, rep, sol, &ctx, &err);
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
  mdt_result_free(res);
  return st == MDT_OK ? 0 : cli_report_error(&err);
}
