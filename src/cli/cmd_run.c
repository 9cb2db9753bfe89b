/* mandat run: everything a scenario asks, into one result folder (CSV, JSON, XLSX, manifest).
 * A thin client of the library: flags in, mdt_run_open/compute, mdt_output_write, exit code. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mandat/output.h"
#include "mandat/run.h"
#include "mandat/shard.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat run SCENARIO.ini --out DIR [OPTIONS]\n"
        "\n"
        "Runs everything the scenario asks for: the weighted mandate with bootstrap\n"
        "intervals, the frame, the settlement solved on it, exchange rates between groups,\n"
        "sweeps, Monte Carlo uncertainty and each region's own allocation. Writes DIR with one\n"
        "CSV per result, report.json, report.xlsx (one sheet per result, with charts) and\n"
        "manifest.json (version, SHA-256 of every input, seed, settings). DIR is written\n"
        "beside its target and swapped into place only when complete: a failed or killed run\n"
        "leaves the previous result as it was.\n"
        "\n"
        "  --out DIR         the result folder (required)\n"
        "  --threads N       threads (default: the scenario's, else all cores); the results do\n"
        "                    not depend on it\n"
        "  --seed N          override the scenario's [run] seed\n"
        "  --lang en|nb      labels of the workbook, the summary and Excel CSVs (default: the\n"
        "                    scenario's [output] lang, else en)\n"
        "  --csv DIALECT     tidy (default: `,` and `.`, for machines) or excel-nb (`;`,\n"
        "                    decimal comma, labels and group names, for Norwegian Excel)\n"
        "  --regional-packs DIR\n"
        "                    also one workbook per region for its editorial committee\n"
        "                    (Norwegian unless --lang en)\n"
        "  --strict          exit 1 when the settlement exceeds the frame or a bound cannot be\n"
        "                    met (the results are still written)\n"
        "  --lock FILE       hold FILE locked while running; another run then exits 75 at once\n"
        "  --shard K/N       compute only slice K of N of the independent work (bootstrap\n"
        "                    draws, Monte Carlo chunks, sweep points, regions) and write it\n"
        "                    to --out as a part file for 'mandat merge'; K/N may be slurm\n"
        "                    (SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT), k8s\n"
        "                    (JOB_COMPLETION_INDEX) or parallel (PARALLEL_SEQ)\n"
        "  --shard-count N   the number of shards for --shard k8s or parallel (default:\n"
        "                    MANDAT_SHARD_COUNT)\n"
        "  --quiet           no summary, log lines or progress\n"
        "  --help            this text\n"
        "\n"
        "Exit status: 0 ok, 1 a --strict check failed, 2 usage, 65 bad data, 66 missing input,\n"
        "70 internal error, 73 cannot write output, 75 lock held.\n"
        "\n"
        "Examples:\n"
        "  mandat run models/ks-2024/scenario.ini --out result\n"
        "  mandat run models/ks-2024/scenario.ini --shard 2/4 --out part-2.mdtpart\n",
        fp);
}

enum {
  OPT_OUT = 256,
  OPT_THREADS,
  OPT_SEED,
  OPT_LANG,
  OPT_CSV,
  OPT_PACKS,
  OPT_STRICT,
  OPT_LOCK,
  OPT_QUIET,
  OPT_HELP,
  OPT_SHARD,
  OPT_SHARD_COUNT
};

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"lang", required_argument, NULL, OPT_LANG},
    {"csv", required_argument, NULL, OPT_CSV},
    {"regional-packs", required_argument, NULL, OPT_PACKS},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"lock", required_argument, NULL, OPT_LOCK},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"shard-count", required_argument, NULL, OPT_SHARD_COUNT},
    {NULL, 0, NULL, 0},
};

/* ---------------------------------------------------------------- progress -- */

typedef struct {
  int bar;      /* stderr is a terminal */
  int step, steps;
  int nb;       /* --lang nb: the steps in Norwegian */
} progress;

/* A step's words in Norwegian (bokmål), for --lang nb; the English text when not listed. */
static const char *step_nb(const char *what) {
  static const char *const words[][2] = {
      {"loading the scenario and the model", "leser scenarioet og modellen"},
      {"aggregating the answers", "vekter svarene"},
      {"the mandate is in", "mandatet er klart"},
      {"solving the settlement", "løser oppgjøret"},
      {"sweeping the settings", "varierer innstillingene"},
      {"Monte Carlo", "Monte Carlo"},
      {"the mandate's uncertainty", "usikkerheten i mandatet"},
      {"the regions", "regionene"},
      {"loading year two", "leser år to"},
      {"writing the tables", "skriver tabellene"},
      {"writing the workbook", "skriver arbeidsboken"},
      {"moving the results into place", "flytter resultatene på plass"},
      {"writing the regional packs", "skriver regionpakkene"},
  };
  for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
    if (strcmp(words[k][0], what) == 0)
      return words[k][1];
  return what;
}

static void progress_step(void *user, const char *what) {
  progress *p = user;
  if (p->nb)
    what = step_nb(what);
  p->step++;
  if (p->step > p->steps)
    p->steps = p->step;
  if (cli_g.quiet)
    return;
  if (p->bar) {
    int width = 30, done = p->steps ? p->step * width / p->steps : width;
    fprintf(stderr, "\r[");
    for (int k = 0; k < width; k++)
      fputc(k < done ? '#' : '.', stderr);
    fprintf(stderr, "] %d/%d %-40.40s", p->step, p->steps, what);
    fflush(stderr);
  } else
    cli_log("%s", what);
}

static void progress_end(progress *p) {
  if (p->bar && !cli_g.quiet) {
    fprintf(stderr, "\r%80s\r", "");
    fflush(stderr);
  }
  cli_g.bar = 0;
}

static void note(void *user, const char *message) {
  const progress *p = user;
  if (strncmp(message, "warning: ", 9) == 0) /* a warning is said even with --quiet */
    fprintf(stderr, "mandat: %s\n", message);
  else if (p != NULL && p->nb && strncmp(message, "reading ", 8) == 0)
    cli_log("leser %s", message + 8);
  else if (p != NULL && p->nb &&
           strncmp(message, "aggregating the answers with ", 29) == 0)
    cli_log("vekter svarene med %lu bootstrap-trekk", strtoul(message + 29, NULL, 10));
  else if (p != NULL && p->nb && strcmp(message, "aggregating the answers") == 0)
    cli_log("vekter svarene");
  else
    cli_log("%s", message);
}

/* ---------------------------------------------------------------- command -- */

/* One shard of the run: its slice into the part file out (no summary: a merge has it). */
static int run_shard(mdt_run_options *o, mdt_shard_id sid, const char *out,
                     mdt_output_lock *lock) {
  mdt_error err;
  mdt_error_clear(&err);
  progress pr = {isatty(2) && !cli_g.quiet, 0, 11};
  cli_g.bar = pr.bar;
  o->progress = progress_step;
  o->note = note;
  o->user = &pr;
  cli_log("shard %u of %u", sid.k, sid.n);
  mdt_status st = mdt_shard_run(o, sid, out, &err);
  progress_end(&pr);
  mdt_output_lock_release(lock);
  if (st != MDT_OK)
    return cli_report_error(&err);
  if (!cli_g.quiet)
    printf("Wrote shard %u of %u to %s\n", sid.k, sid.n, out);
  return 0;
}

int cmd_run(int argc, char **argv) {
  const char *out_dir = NULL, *lock_path = NULL, *packs_dir = NULL, *shard = NULL;
  unsigned long shard_count = 0;
  int strict = 0;
  mdt_run_options o;
  mdt_run_options_init(&o);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_OUT:
      out_dir = optarg;
      break;
    case OPT_THREADS:
      if (cli_parse_threads("run", optarg, &o.threads) != 0)
        return 2;
      break;
    case OPT_SEED:
      o.seed = optarg;
      break;
    case OPT_LANG:
      if (cli_parse_lang("run", optarg, &o.lang) != 0)
        return 2;
      break;
    case OPT_CSV:
      if (strcmp(optarg, "tidy") && strcmp(optarg, "excel-nb"))
        return cli_usage_error("run", "--csv: expected tidy or excel-nb, found '%s'", optarg);
      o.csv = optarg;
      break;
    case OPT_PACKS:
      packs_dir = optarg;
      break;
    case OPT_STRICT:
      strict = 1;
      break;
    case OPT_LOCK:
      lock_path = optarg;
      break;
    case OPT_QUIET:
      cli_g.quiet = 1;
      break;
    case OPT_SHARD:
      shard = optarg;
      break;
    case OPT_SHARD_COUNT:
      if (cli_parse_ulong(optarg, &shard_count) != 0 || shard_count < 1 ||
          shard_count > MDT_SHARD_MAX)
        return cli_usage_error("run", "--shard-count: expected 1 to %d, found '%s'",
                               MDT_SHARD_MAX, optarg);
      break;
    case 'h':
    case OPT_HELP:
      usage(stdout);
      return 0;
    default:
      return cli_usage_error("run", "unknown or incomplete option");
    }
  }
  if (optind >= argc)
    return cli_usage_error("run", "expected a scenario file");
  if (optind + 1 < argc)
    return cli_usage_error("run", "unexpected argument '%s'", argv[optind + 1]);
  if (out_dir == NULL)
    return cli_usage_error("run", "expected --out DIR");
  o.scenario_path = argv[optind];
  mdt_error err;
  mdt_error_clear(&err);
  mdt_output_lock lock = {-1};
  if (shard_count != 0 && shard == NULL)
    return cli_usage_error("run", "--shard-count goes with --shard k8s or parallel");
  mdt_shard_id sid = {0, 0};
  if (shard != NULL && mdt_shard_parse(shard, (unsigned)shard_count, &sid, &err) != MDT_OK)
    return cli_usage_error("run", "%s", err.message);
  if (lock_path && mdt_output_lock_acquire(&lock, lock_path, &err) != MDT_OK)
    return cli_report_error(&err);
  if (shard != NULL && packs_dir != NULL) {
    mdt_output_lock_release(&lock);
    return cli_usage_error("run", "--regional-packs goes with a whole run, not with --shard");
  }
  if (shard != NULL)
    return run_shard(&o, sid, out_dir, &lock);
  progress pr = {isatty(2) && !cli_g.quiet, 0, 11, o.lang != NULL && !strcmp(o.lang, "nb")};
  cli_g.bar = pr.bar;
  o.progress = progress_step;
  o.note = note;
  o.user = &pr;
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  mdt_status st = mdt_run_open(&o, &run, &err);
  if (st == MDT_OK) {
    pr.nb = !strcmp(mdt_run_scenario(run)->lang, "nb"); /* the flag, else the scenario's */
    if (mdt_run_scenario(run)->period_years == 2)
      pr.steps = 2 * pr.steps - 1;
    st = mdt_run_compute(run, &res, &err);
  }
  mdt_run_free(run);
  if (st == MDT_OK)
    st = mdt_output_write(res, out_dir, progress_step, &pr, &err);
  if (st == MDT_OK && packs_dir != NULL) {
    progress_step(&pr, "writing the regional packs");
    st = mdt_output_write_region_packs(res, packs_dir, o.lang ? o.lang : "nb", &err);
  }
  progress_end(&pr);
  if (st != MDT_OK) {
    mdt_result_free(res);
    mdt_output_lock_release(&lock);
    return cli_report_error(&err);
  }
  int rc = 0;
  if (!cli_g.quiet && (mdt_output_summary(stdout, res, out_dir) != 0 || fflush(stdout) != 0)) {
    mdt_error_set_at(&err, MDT_ECANTWRITE, "standard output", 0, 0, "cannot write the summary");
    rc = cli_report_error(&err);
  }
  for (size_t y = 0; y < mdt_result_years(res); y++) {
    const char *why = NULL;
    if (!mdt_result_infeasible(res, y, &why))
      continue;
    fprintf(stderr, "mandat: %s%s\n", strict ? "" : "warning: ",
            why ? why : "the settlement exceeds the frame or a bound cannot be met");
    if (strict && rc == 0)
      rc = mdt_status_exit_code(MDT_ECHECK);
  }
  mdt_result_free(res);
  mdt_output_lock_release(&lock);
  return rc;
}
