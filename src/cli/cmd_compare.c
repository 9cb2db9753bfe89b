/* mandat compare: two or more alternatives (scenarios or finished result folders) side by
 * side. A thin client of the library: mdt_run for scenarios, mdt_compare, mdt_output. */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "mandat/compare.h"
#include "mandat/output.h"
#include "mandat/run.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat compare A B [C...] --out DIR [OPTIONS]\n"
        "\n"
        "Sets two or more alternatives side by side: each is a scenario file (run here) or\n"
        "a result folder that mandat run wrote. The first is the baseline. Per group and in\n"
        "total: percent, annual effect, annual growth, real growth, cost and carry-over;\n"
        "the new guarantee pay at each step; the settlements' key figures (the mandate's\n"
        "satisfaction, the low-pay ratio, P(growth > frame)); and the settings that differ;\n"
        "each with its difference from the baseline. Writes DIR with one CSV per table,\n"
        "compare.json and compare.xlsx (with a chart of growth per group by alternative),\n"
        "and prints the comparison.\n"
        "\n"
        "  --out DIR         the result folder (required)\n"
        "  --threads N       threads for the scenarios run here\n"
        "  --lang en|nb      the summary's and the workbook's labels (default en)\n"
        "  --quiet           no table on the terminal, no log lines\n"
        "  -h, --help        this text\n"
        "\n"
        "Exit status: 0 ok, 2 usage, 65 bad data, 66 missing input, 70 internal error,\n"
        "73 cannot write output.\n"
        "\n"
        "Example:\n"
        "  mandat compare models/ks-2024/scenario.ini models/ks-2024/scenario-priority.ini \\\n"
        "    --out compared\n",
        fp);
}

enum { OPT_OUT = 256, OPT_THREADS, OPT_LANG, OPT_QUIET, OPT_HELP };

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},     {"threads", required_argument, NULL, OPT_THREADS},
    {"lang", required_argument, NULL, OPT_LANG},   {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},         {NULL, 0, NULL, 0},
};

static void note(void *user, const char *message) {
  (void)user;
  if (strncmp(message, "warning: ", 9) == 0) /* a warning is said even with --quiet */
    fprintf(stderr, "mandat: %s\n", message);
  else
    cli_log("%s", message);
}

static int is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* One alternative: a folder read back, or a scenario run here. */
static mdt_status add(mdt_comparison *cmp, const char *arg, int threads, mdt_error *err) {
  if (is_dir(arg))
    return mdt_compare_add_folder(cmp, arg, arg, err);
  cli_log("running %s", arg);
  mdt_run_options o;
  mdt_run_options_init(&o);
  o.scenario_path = arg;
  o.threads = threads;
  o.note = note;
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  mdt_status st = mdt_run_open(&o, &run, err);
  if (st == MDT_OK)
    st = mdt_run_compute(run, &res, err);
  mdt_run_free(run);
  if (st == MDT_OK)
    st = mdt_compare_add_result(cmp, arg, res, err);
  mdt_result_free(res);
  return st;
}

int cmd_compare(int argc, char **argv) {
  const char *out_dir = NULL, *lang = "en";
  int threads = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_OUT:
      out_dir = optarg;
      break;
    case OPT_THREADS:
      if (cli_parse_threads("compare", optarg, &threads) != 0)
        return 2;
      break;
    case OPT_LANG:
      if (cli_parse_lang("compare", optarg, &lang) != 0)
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
      return cli_usage_error("compare", "unknown or incomplete option");
    }
  }
  if (argc - optind < 2)
    return cli_usage_error("compare", "expected at least two scenarios or result folders");
  if (out_dir == NULL)
    return cli_usage_error("compare", "expected --out DIR");
  mdt_error err;
  mdt_error_clear(&err);
  mdt_comparison *cmp = NULL;
  mdt_status st = mdt_compare_new(&cmp, &err);
  for (int k = optind; k < argc && st == MDT_OK; k++)
    st = add(cmp, argv[k], threads, &err);
  if (st == MDT_OK)
    st = mdt_compare_finish(cmp, &err);
  if (st == MDT_OK)
    st = mdt_output_write_comparison(cmp, out_dir, lang, &err);
  int rc = 0;
  if (st != MDT_OK)
    rc = cli_report_error(&err);
  else if (!cli_g.quiet && (mdt_output_comparison_summary_lang(stdout, cmp, lang) != 0 || fflush(stdout))) {
    mdt_error_set_at(&err, MDT_ECANTWRITE, "standard output", 0, 0, "cannot write");
    rc = cli_report_error(&err);
  }
  mdt_compare_free(cmp);
  return rc;
}
