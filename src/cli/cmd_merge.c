/* mandat merge: the parts of a sharded run (mandat run --shard K/N) into the result folder
 * the single run writes. A thin client of the library: mdt_shard_merge, mdt_output_write. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mandat/output.h"
#include "mandat/shard.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat merge PART... --out DIR [OPTIONS]\n"
        "\n"
        "Puts the parts of a sharded run (mandat run SCENARIO --shard K/N --out PART) back\n"
        "together and writes the folder the single run writes: the same CSV, report.json,\n"
        "report.xlsx and manifest.json, byte for byte, and beside them shards.json (which\n"
        "parts, their SHA-256 and slices). The parts must be all N parts of one run: the\n"
        "same scenario, inputs (SHA-256), seed and options, each shard once. A missing,\n"
        "duplicated, foreign or corrupt part is an error naming it (exit 65) and nothing is\n"
        "written. Run it where the shards ran: the scenario is opened by the path they were\n"
        "given, and its inputs must still be those the shards read.\n"
        "\n"
        "  --out DIR         the result folder (required)\n"
        "  --threads N       threads for the parts of the run computed again (loading, the\n"
        "                    point estimates, the solve); the results do not depend on it\n"
        "  --quiet           no summary or log lines\n"
        "  --help            this text\n"
        "\n"
        "Exit status: 0 ok, 2 usage, 65 bad, missing or foreign part, 66 missing input,\n"
        "70 internal error, 73 cannot write output.\n"
        "\n"
        "Example:\n"
        "  mandat merge part-*.mdtpart --out result\n",
        fp);
}

enum { OPT_OUT = 256, OPT_THREADS, OPT_QUIET, OPT_HELP };

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static void log_step(void *user, const char *what) {
  (void)user;
  cli_log("%s", what);
}

int cmd_merge(int argc, char **argv) {
  const char *out_dir = NULL;
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
      if (cli_parse_threads("merge", optarg, &o.threads) != 0)
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
      return cli_usage_error("merge", "unknown or incomplete option");
    }
  }
  if (optind >= argc)
    return cli_usage_error("merge", "expected the part files of a sharded run");
  if (out_dir == NULL)
    return cli_usage_error("merge", "expected --out DIR");
  o.progress = log_step;
  o.note = log_step;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_result *res = NULL;
  size_t nparts = (size_t)(argc - optind);
  cli_log("merging %zu parts", nparts);
  mdt_status st = mdt_shard_merge(&o, (const char *const *)&argv[optind], nparts, &res, &err);
  if (st == MDT_OK)
    st = mdt_output_write(res, out_dir, log_step, NULL, &err);
  if (st != MDT_OK) {
    mdt_result_free(res);
    return cli_report_error(&err);
  }
  int rc = 0;
  if (!cli_g.quiet && (mdt_output_summary(stdout, res, out_dir) != 0 || fflush(stdout) != 0)) {
    mdt_error_set_at(&err, MDT_ECANTWRITE, "standard output", 0, 0, "cannot write the summary");
    rc = cli_report_error(&err);
  }
  mdt_result_free(res);
  return rc;
}
