/* mandat aggregate: weight the members' answers into a mandate. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mandat/aggregate.h"
#include "mandat/model.h"
#include "mandat/report.h"
#include "report/json_int.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat aggregate --model DIR [OPTIONS]\n"
        "\n"
        "Weights the members' answers (answers.csv) by size and group and aggregates them,\n"
        "nationally and per stratum, into statistics per question and the mandate profile.\n"
        "\n"
        "Weighting:\n"
        "  --weights MEASURE     size measure: equal, population, employees, fte, wagebill;\n"
        "                        'sqrt:MEASURE' for square-root weights (default employees)\n"
        "  --sqrt                square root of the measure (same as the sqrt: prefix)\n"
        "  --cap SHARE           no member above this share of the total weight, e.g. 0.05;\n"
        "                        the excess goes to the others in proportion\n"
        "  --poststrata COLUMN   post-stratify on a grouping column of respondents.csv\n"
        "  --rake COL1,COL2      rake to the margins of two grouping columns\n"
        "  --rake-tolerance X    largest relative margin deviation accepted (default 1e-10)\n"
        "  --rake-max-iter N     raking iteration limit (default 1000)\n"
        "  --by-group            weight answers about an employee group by the member's\n"
        "                        headcount in that group (needs headcounts.csv)\n"
        "  --adopted all|political  count every answer (default) or only those adopted\n"
        "                        politically (respondents.csv's adopted); with political the\n"
        "                        other members count as non-respondents\n"
        "  --adopted-weight X    multiply the base weight of answers not adopted politically\n"
        "                        by X > 0 (default 1)\n"
        "\n"
        "Estimates:\n"
        "  --by COLUMN           also report per stratum of COLUMN (default: the\n"
        "                        post-stratification or first raking column; 'none' for\n"
        "                        national rows only)\n"
        "  --bootstrap B         bootstrap draws for the intervals (default 1000; 0 = none)\n"
        "  --seed N              seed of the draws (default 1)\n"
        "  --level L             interval coverage (default 0.95)\n"
        "  --max-failed-draws SHARE\n"
        "                        share of the draws that may be dropped because their weights\n"
        "                        cannot be calibrated (raking does not converge, or a margin\n"
        "                        has no respondents in the draw); more fail the command with\n"
        "                        exit 65 (default 0.05)\n"
        "  --threads N           threads for reading the answers, the sums at the end and the\n"
        "                        draws (default: all cores); the results do not depend on it\n"
        "\n"
        "Output:\n"
        "  --format FORMAT       text (default), csv (tidy: scope,stratum,question,option,\n"
        "                        statistic,value,ci_low,ci_high,n,n_eff) or json\n"
        "  --out FILE            write to FILE (replaced only when complete); default stdout\n"
        "  --lang en|nb          the text output's language (default en); csv and json keep\n"
        "                        their ids and English names\n"
        "  --quiet               no notes on stderr\n"
        "  --help                this text\n"
        "\n"
        "Example:\n"
        "  mandat aggregate --model models/ks-2024 --weights employees --poststrata region \\\n"
        "      --format csv\n",
        fp);
}

enum {
  OPT_WEIGHTS = 256, OPT_SQRT, OPT_CAP, OPT_POSTSTRATA, OPT_RAKE, OPT_RAKE_TOL, OPT_RAKE_ITER,
  OPT_BY_GROUP, OPT_BY, OPT_BOOTSTRAP, OPT_SEED, OPT_LEVEL, OPT_MAX_FAILED, OPT_THREADS, OPT_FORMAT, OPT_OUT,
  OPT_MODEL, OPT_QUIET, OPT_HELP, OPT_ADOPTED, OPT_ADOPTED_WEIGHT, OPT_LANG
};

static const struct option long_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"weights", required_argument, NULL, OPT_WEIGHTS},
    {"sqrt", no_argument, NULL, OPT_SQRT},
    {"cap", required_argument, NULL, OPT_CAP},
    {"poststrata", required_argument, NULL, OPT_POSTSTRATA},
    {"rake", required_argument, NULL, OPT_RAKE},
    {"rake-tolerance", required_argument, NULL, OPT_RAKE_TOL},
    {"rake-max-iter", required_argument, NULL, OPT_RAKE_ITER},
    {"by-group", no_argument, NULL, OPT_BY_GROUP},
    {"adopted", required_argument, NULL, OPT_ADOPTED},
    {"adopted-weight", required_argument, NULL, OPT_ADOPTED_WEIGHT},
    {"by", required_argument, NULL, OPT_BY},
    {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"max-failed-draws", required_argument, NULL, OPT_MAX_FAILED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"lang", required_argument, NULL, OPT_LANG},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Grouping column index for name, or a usage error listing the columns. */
static int find_grouping(const mdt_respondents *r, const char *opt, const char *name,
                         long *out) {
  if ((*out = mdt_respondents_grouping_index(r, name)) >= 0)
    return 0;
  char have[512];
  size_t o = 0;
  have[0] = '\0';
  for (size_t g = 0; g < r->ngroupings && o + 4 < sizeof have; g++)
    o += (size_t)snprintf(have + o, sizeof have - o, "%s%s", g ? ", " : "",
                          r->groupings[g].name);
  cli_usage_error("aggregate", "%s: expected a grouping column of %s (%s), found '%s'", opt,
                  r->path, have, name);
  return -1;
}

typedef struct {
  const char *model;
  const char *measure;
  int sqrt_flag;
  const char *poststrata;
  const char *rake;
  const char *by;
  const char *format;
  const char *out;
  const char *lang;
} raw_args;

int cmd_aggregate(int argc, char **argv) {
  mdt_aggregate_options opt;
  mdt_aggregate_options_init(&opt);
  opt.threads = cli_default_threads();
  raw_args a = {NULL, "employees", 0, NULL, NULL, NULL, "text", NULL, "en"};
  double d;
  long l;
  unsigned long ul;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_MODEL:
      a.model = optarg;
      break;
    case OPT_WEIGHTS:
      a.measure = optarg;
      break;
    case OPT_SQRT:
      a.sqrt_flag = 1;
      break;
    case OPT_CAP:
      if (cli_parse_double(optarg, &d) != 0 || !(d > 0 && d < 1))
        return cli_usage_error("aggregate", "--cap: expected a share between 0 and 1, found '%s'",
                               optarg);
      opt.weights.cap_share = d;
      break;
    case OPT_POSTSTRATA:
      a.poststrata = optarg;
      break;
    case OPT_RAKE:
      a.rake = optarg;
      break;
    case OPT_RAKE_TOL:
      if (cli_parse_double(optarg, &d) != 0 || !(d > 0))
        return cli_usage_error("aggregate", "--rake-tolerance: expected a positive number, "
                                            "found '%s'",
                               optarg);
      opt.weights.rake_tolerance = d;
      break;
    case OPT_RAKE_ITER:
      if (cli_parse_long(optarg, &l) != 0 || l < 1 || l > 1000000)
        return cli_usage_error("aggregate", "--rake-max-iter: expected 1 to 1000000, found '%s'",
                               optarg);
      opt.weights.rake_max_iter = (int)l;
      break;
    case OPT_BY_GROUP:
      opt.by_group = 1;
      break;
    case OPT_BY:
      a.by = optarg;
      break;
    case OPT_ADOPTED:
      if (strcmp(optarg, "all") != 0 && strcmp(optarg, "political") != 0)
        return cli_usage_error("aggregate", "--adopted: expected all or political, found '%s'",
                               optarg);
      opt.political_only = strcmp(optarg, "political") == 0;
      break;
    case OPT_ADOPTED_WEIGHT:
      if (cli_parse_double(optarg, &d) != 0 || !(d > 0) || d > 1e6)
        return cli_usage_error("aggregate", "--adopted-weight: expected a factor above 0, "
                                            "found '%s'",
                               optarg);
      opt.adopted_weight = d;
      break;
    case OPT_BOOTSTRAP:
      if (cli_parse_ulong(optarg, &ul) != 0 || ul > 1000000)
        return cli_usage_error("aggregate", "--bootstrap: expected 0 to 1000000 draws, found '%s'",
                               optarg);
      opt.bootstrap = ul;
      break;
    case OPT_SEED:
      if (cli_parse_ulong(optarg, &ul) != 0)
        return cli_usage_error("aggregate", "--seed: expected a whole number >= 0, found '%s'",
                               optarg);
      opt.seed = ul;
      break;
    case OPT_LEVEL:
      if (cli_parse_double(optarg, &d) != 0 || !(d > 0 && d < 1))
        return cli_usage_error("aggregate", "--level: expected a coverage between 0 and 1, "
                                            "found '%s'",
                               optarg);
      opt.level = d;
      break;
    case OPT_MAX_FAILED:
      if (cli_parse_double(optarg, &d) != 0 || !(d >= 0 && d <= 1))
        return cli_usage_error("aggregate", "--max-failed-draws: expected a share from 0 to 1, "
                                            "found '%s'",
                               optarg);
      opt.max_failed_draws = d;
      break;
    case OPT_THREADS:
      if (cli_parse_threads("aggregate", optarg, &opt.threads) != 0)
        return 2;
      break;
    case OPT_FORMAT:
      a.format = optarg;
      break;
    case OPT_OUT:
      a.out = optarg;
      break;
    case OPT_LANG:
      if (cli_parse_lang("aggregate", optarg, &a.lang) != 0)
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
      return cli_usage_error("aggregate", "unknown or incomplete option");
    }
  }
  if (optind < argc)
    return cli_usage_error("aggregate", "unexpected argument '%s'", argv[optind]);
  if (a.model == NULL)
    return cli_usage_error("aggregate", "expected --model DIR");
  if (cli_check_format("aggregate", a.format) != 0)
    return 2;
  mdt_error err;
  mdt_error_clear(&err);
  int sq = 0;
  if (mdt_size_measure_parse(a.measure, &opt.weights.measure, &sq, &err) != MDT_OK)
    return cli_usage_error("aggregate", "--weights: %s", err.message);
  opt.weights.use_sqrt = sq || a.sqrt_flag;

  mdt_model *m = NULL;
  mdt_status st = mdt_model_load_threads(a.model, opt.by_group ? MDT_MODEL_HEADCOUNTS : 0,
                                         opt.threads, &m, &err);
  if (st != MDT_OK)
    return cli_report_error(&err);
  const mdt_respondents *r = m->respondents;
  int rc = 0;
  if (a.poststrata && find_grouping(r, "--poststrata", a.poststrata, &opt.weights.poststrata))
    rc = 2;
  if (!rc && a.rake) {
    const char *comma = strchr(a.rake, ',');
    char first[256];
    if (comma == NULL || (size_t)(comma - a.rake) >= sizeof first || strchr(comma + 1, ',')) {
      rc = cli_usage_error("aggregate", "--rake: expected two columns COL1,COL2, found '%s'",
                           a.rake);
    } else {
      memcpy(first, a.rake, (size_t)(comma - a.rake));
      first[comma - a.rake] = '\0';
      if (find_grouping(r, "--rake", first, &opt.weights.rake[0]) ||
          find_grouping(r, "--rake", comma + 1, &opt.weights.rake[1]))
        rc = 2;
    }
  }
  if (!rc && a.poststrata && a.rake)
    rc = cli_usage_error("aggregate", "expected --poststrata or --rake, found both");
  if (!rc) {
    if (a.by && strcmp(a.by, "none") == 0)
      opt.breakdown = -1;
    else if (a.by) {
      if (find_grouping(r, "--by", a.by, &opt.breakdown))
        rc = 2;
    } else
      opt.breakdown = opt.weights.poststrata >= 0 ? opt.weights.poststrata : opt.weights.rake[0];
  }
  if (rc) {
    mdt_model_free(m);
    return rc;
  }

  char path[4096];
  mdt_aggregator *agg_state = NULL;
  mdt_aggregate *agg = NULL;
  cli_output out = {0};
  st = mdt_aggregator_new(r, m->questionnaire, m->groups, m->headcounts, &opt, &agg_state,
                          &err);
  if (st == MDT_OK) {
    if (mdt_model_path(a.model, "answers.csv", path, sizeof path) == NULL)
      st = mdt_error_set(&err, MDT_EUSAGE, "--model: path too long");
    else
      st = mdt_answers_stream_threads(path, r, m->questionnaire, opt.threads,
                                      mdt_aggregator_add, agg_state, &err);
  }
  if (st == MDT_OK)
    st = mdt_aggregator_finish(agg_state, &agg, &err);
  mdt_aggregator_free(agg_state);
  if (st == MDT_OK) {
    for (size_t k = 0; k < agg->nempty; k++) {
      const mdt_grouping *g = &r->groupings[agg->empty[k].grouping];
      if (strcmp(a.format, "text") != 0)
        cli_log("note: %s=%s has %zu members and no respondents; it is not represented",
                g->name, g->levels[agg->empty[k].level], agg->empty[k].members);
    }
    if (agg->draws_dropped > 0 && strcmp(a.format, "text") != 0)
      cli_log("note: %zu of %zu bootstrap draws dropped (first: draw %zu, %s)",
              agg->draws_dropped, agg->bootstrap + agg->draws_dropped, agg->first_dropped,
              agg->dropped_reason);
    mdt_report_context ctx = {r, m->questionnaire, m->groups, &opt, a.lang};
    st = cli_output_open(&out, a.out, &err);
    if (st == MDT_OK) {
      if (strcmp(a.format, "csv") == 0)
        st = mdt_report_aggregate_csv(out.fp, agg, &ctx, &err);
      else if (strcmp(a.format, "json") == 0) {
        json_t *j = mdt__report_aggregate_json(agg, &ctx);
        st = mdt__report_write_json(out.fp, j, &err);
        json_decref(j);
      } else
        st = mdt_report_aggregate_text(out.fp, agg, &ctx, &err);
      if (st == MDT_OK)
        st = cli_output_commit(&out, &err);
      else
        cli_output_abort(&out);
    }
  }
  mdt_aggregate_free(agg);
  mdt_model_free(m);
  return st == MDT_OK ? 0 : cli_report_error(&err);
}
