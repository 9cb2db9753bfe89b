/* mandat generate: synthetic members, answers, registers and whole model folders. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mandat/model.h"
#include "mandat/steptable.h"
#include "mandat/synth.h"

#define PATH_LEN 4096
/* Largest streamed register, so that its sums stay exact in 64 bits. */
#define EMPLOYEES_MAX 200000000UL
#define MEMBERS_MAX 100000000UL

static void usage(FILE *fp) {
  fputs("Usage: mandat generate SUBCOMMAND [OPTIONS]\n"
        "\n"
        "Draws synthetic data with a seeded generator (GSL's mt19937): the same inputs and\n"
        "seed give the same bytes. The data are made up; the assumptions behind them are\n"
        "listed in models/ks-2024/README.md.\n"
        "\n"
        "Subcommands:\n"
        "  answers    answers.csv for a model's members and questionnaire\n"
        "  register   an employee register: a weighted sample matching the published totals,\n"
        "             or exactly N rows streamed for benchmarks\n"
        "  members    respondents.csv with N synthetic members\n"
        "  model      a whole model folder: N members, a template's groups and\n"
        "             questionnaire, and answers\n"
        "\n"
        "Run 'mandat generate SUBCOMMAND --help' for its options.\n",
        fp);
}

static void usage_answers(FILE *fp) {
  fputs("Usage: mandat generate answers --model DIR --seed N [OPTIONS]\n"
        "\n"
        "Writes answers.csv for the members (respondents.csv) and questionnaire\n"
        "(questions.csv, options.csv) of the model in DIR. Small members answer less often;\n"
        "preferences differ by size, kind and region. Every value passes the model's checks.\n"
        "\n"
        "  --model DIR           the model folder\n"
        "  --seed N              seed of the generator (a whole number >= 0)\n"
        "  --response-rate R     expected share of members that answer, above 0 and at most 1\n"
        "                        (default 0.75)\n"
        "  --out FILE            write to FILE (replaced only when complete); default stdout\n"
        "  --quiet               no notes on stderr\n"
        "  --help                this text\n"
        "\n"
        "Example:\n"
        "  mandat generate answers --model models/ks-2024 --seed 2024 \\\n"
        "      --out models/ks-2024/answers.csv\n",
        fp);
}

static void usage_register(FILE *fp) {
  fputs("Usage: mandat generate register --model DIR --seed N [OPTIONS]\n"
        "\n"
        "Writes a synthetic employee register (id,respondent,group,seniority_years,fte,\n"
        "annual_salary,weight) for the members and groups of the model in DIR, with every\n"
        "employee of a group in DIR/guarantee.csv (if there is one) paid at least the\n"
        "guarantee for their step.\n"
        "\n"
        "By default the whole area, calibrated: headcount, FTE and mean salary per group as\n"
        "in groups.csv, written as a weighted sample.\n"
        "  --sample F            share of employees written as rows; each row stands for\n"
        "                        round(1/F) employees, the rest of each member and group in\n"
        "                        one row of smaller weight (default 0.1; 1 = every employee)\n"
        "  --headcounts FILE     also write headcounts.csv (respondent,group,headcount) of\n"
        "                        the whole area\n"
        "\n"
        "For benchmarks, any size, streamed in constant memory:\n"
        "  --employees N         exactly N rows of weight 1, matching the groups' FTE and\n"
        "                        mean salary in expectation (--headcounts gives their counts)\n"
        "  --no-weight           leave out the weight column\n"
        "\n"
        "  --model DIR           the model folder\n"
        "  --seed N              seed of the generator (a whole number >= 0)\n"
        "  --out FILE            write to FILE (replaced only when complete); default stdout\n"
        "  --quiet               no notes on stderr (by default the totals are compared with\n"
        "                        groups.csv there)\n"
        "  --help                this text\n"
        "\n"
        "Examples:\n"
        "  mandat generate register --model models/ks-2024 --seed 2024 --sample 0.1 \\\n"
        "      --out models/ks-2024/register.csv --headcounts models/ks-2024/headcounts.csv\n"
        "  mandat generate register --model models/ks-2024 --seed 5 --employees 5000000 \\\n"
        "      --out /tmp/register-5m.csv\n",
        fp);
}

static void usage_members(FILE *fp) {
  fputs("Usage: mandat generate members --count N --seed S [OPTIONS]\n"
        "\n"
        "Writes respondents.csv (id,name,kind,region,population,employees,fte,size_class)\n"
        "with N synthetic members in the shape of models/ks-2024: about 14 in 370 are\n"
        "fylkeskommuner, regions are the 14 fylker of the KS area, populations and employees\n"
        "follow the real members' distribution. Streamed: any N in constant memory.\n"
        "\n"
        "  --count N             members to write (1 to 100000000)\n"
        "  --seed S              seed of the generator (a whole number >= 0)\n"
        "  --out FILE            write to FILE (replaced only when complete); default stdout\n"
        "  --quiet               no notes on stderr\n"
        "  --help                this text\n",
        fp);
}

static void usage_model(FILE *fp) {
  fputs("Usage: mandat generate model --members N --seed S --out-dir DIR [OPTIONS]\n"
        "\n"
        "Makes a whole model folder: respondents.csv with N synthetic members (as 'mandat\n"
        "generate members'), groups.csv, questions.csv and options.csv (and guarantee.csv\n"
        "and increases_2023.csv where the template has them) copied from the template, and\n"
        "answers.csv drawn for them (as 'mandat generate answers'). At the default response\n"
        "rate the ks-2024 questionnaire gives about 16 answers per member: 625 000 members\n"
        "give about 10 million answers.\n"
        "\n"
        "  --members N           members to draw (1 to 100000000)\n"
        "  --seed S              seed of both generators (a whole number >= 0)\n"
        "  --out-dir DIR         the folder to write (made if missing; its files replaced)\n"
        "  --template DIR        model whose groups and questionnaire are copied\n"
        "                        (default models/ks-2024)\n"
        "  --response-rate R     as for 'mandat generate answers' (default 0.75)\n"
        "  --quiet               no notes on stderr\n"
        "  --help                this text\n",
        fp);
}

enum {
  OPT_MODEL = 256, OPT_SEED, OPT_RATE, OPT_OUT, OPT_QUIET, OPT_HELP, OPT_SAMPLE, OPT_HEADCOUNTS,
  OPT_EMPLOYEES, OPT_NO_WEIGHT, OPT_COUNT, OPT_MEMBERS, OPT_OUT_DIR, OPT_TEMPLATE
};

/* Options every subcommand may see; each subcommand refuses the ones it does not take. */
static const struct option long_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"response-rate", required_argument, NULL, OPT_RATE},
    {"out", required_argument, NULL, OPT_OUT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {"sample", required_argument, NULL, OPT_SAMPLE},
    {"headcounts", required_argument, NULL, OPT_HEADCOUNTS},
    {"employees", required_argument, NULL, OPT_EMPLOYEES},
    {"no-weight", no_argument, NULL, OPT_NO_WEIGHT},
    {"count", required_argument, NULL, OPT_COUNT},
    {"members", required_argument, NULL, OPT_MEMBERS},
    {"out-dir", required_argument, NULL, OPT_OUT_DIR},
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {NULL, 0, NULL, 0},
};

typedef struct {
  const char *cmd;        /* "generate answers", ... for messages */
  const char *model;
  int has_seed;
  unsigned long seed;
  double rate;
  const char *out;
  double sample;
  int has_sample;
  const char *headcounts;
  unsigned long employees;
  int no_weight;
  unsigned long count;
  const char *out_dir;
  const char *template_dir;
  int help;
} gen_args;

/* Which options a subcommand takes, as a set of OPT_ bits (1 << (opt - OPT_MODEL)). */
#define BIT(o) (1u << ((o) - OPT_MODEL))

/* Parses argv into a; returns -1 when done, else the exit status to return. */
static int parse(int argc, char **argv, unsigned allowed, gen_args *a) {
  unsigned long ul;
  double d;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    if (c == 'h')
      c = OPT_HELP;
    if (c < OPT_MODEL)
      return cli_usage_error(a->cmd, "unknown or incomplete option");
    if (!(allowed & BIT(c))) {
      const char *name = "?";
      for (const struct option *lo = long_options; lo->name != NULL; lo++)
        if (lo->val == c)
          name = lo->name;
      return cli_usage_error(a->cmd, "option '--%s' does not apply here", name);
    }
    switch (c) {
    case OPT_MODEL:
      a->model = optarg;
      break;
    case OPT_SEED:
      if (cli_parse_ulong(optarg, &ul) != 0)
        return cli_usage_error(a->cmd, "--seed: expected a whole number >= 0, found '%s'",
                               optarg);
      a->seed = ul;
      a->has_seed = 1;
      break;
    case OPT_RATE:
      if (cli_parse_double(optarg, &d) != 0 || !(d > 0 && d <= 1))
        return cli_usage_error(a->cmd, "--response-rate: expected a share above 0 and at "
                                       "most 1, found '%s'",
                               optarg);
      a->rate = d;
      break;
    case OPT_OUT:
      a->out = optarg;
      break;
    case OPT_QUIET:
      cli_g.quiet = 1;
      break;
    case OPT_HELP:
      a->help = 1;
      break;
    case OPT_SAMPLE:
      if (cli_parse_double(optarg, &d) != 0 || !(d >= 0.00001 && d <= 1))
        return cli_usage_error(a->cmd, "--sample: expected a share from 0.00001 to 1, found "
                                       "'%s'",
                               optarg);
      a->sample = d;
      a->has_sample = 1;
      break;
    case OPT_HEADCOUNTS:
      a->headcounts = optarg;
      break;
    case OPT_EMPLOYEES:
      if (cli_parse_ulong(optarg, &ul) != 0 || ul < 1 || ul > EMPLOYEES_MAX)
        return cli_usage_error(a->cmd, "--employees: expected 1 to %lu, found '%s'",
                               EMPLOYEES_MAX, optarg);
      a->employees = ul;
      break;
    case OPT_NO_WEIGHT:
      a->no_weight = 1;
      break;
    case OPT_COUNT:
    case OPT_MEMBERS:
      if (cli_parse_ulong(optarg, &ul) != 0 || ul < 1 || ul > MEMBERS_MAX)
        return cli_usage_error(a->cmd, "%s: expected 1 to %lu members, found '%s'",
                               c == OPT_COUNT ? "--count" : "--members", MEMBERS_MAX, optarg);
      a->count = ul;
      break;
    case OPT_OUT_DIR:
      a->out_dir = optarg;
      break;
    case OPT_TEMPLATE:
      a->template_dir = optarg;
      break;
    }
  }
  if (optind < argc)
    return cli_usage_error(a->cmd, "unexpected argument '%s'", argv[optind]);
  return -1;
}

/* Runs write(fp) into path (or stdout) atomically. */
typedef mdt_status (*write_fn)(FILE *fp, void *user, mdt_error *err);

static mdt_status write_output(const char *path, write_fn fn, void *user, mdt_error *err) {
  cli_output out;
  mdt_status st = cli_output_open(&out, path, err);
  if (st != MDT_OK)
    return st;
  st = fn(out.fp, user, err);
  if (st == MDT_OK)
    return cli_output_commit(&out, err);
  cli_output_abort(&out);
  return st;
}

/* ------------------------------------------------------------------ answers -- */

typedef struct {
  const mdt_model *m;
  mdt_synth_answers_options opt;
  mdt_synth_answers_summary summary;
} answers_job;

static mdt_status answers_write(FILE *fp, void *user, mdt_error *err) {
  answers_job *j = user;
  return mdt_synth_answers_write(j->m->respondents, j->m->groups, j->m->questionnaire, &j->opt,
                                 fp, &j->summary, err);
}

static void log_answers(const answers_job *j, const char *where) {
  const mdt_synth_answers_summary *s = &j->summary;
  cli_log("answers: %zu of %zu members answer (%.1f %%), %zu rows, seed %lu -> %s",
          s->responding, s->members, s->members ? 100.0 * (double)s->responding / (double)s->members : 0,
          s->rows, j->opt.seed, where ? where : "stdout");
}

/* Loads the model in dir and writes its answers to out. */
static int run_answers(const char *dir, unsigned long seed, double rate, const char *out) {
  mdt_error err;
  mdt_error_clear(&err);
  mdt_model *m = NULL;
  mdt_status st = mdt_model_load(dir, 0, &m, &err);
  if (st != MDT_OK)
    return cli_report_error(&err);
  answers_job j = {m, {0, 0}, {0, 0, 0}};
  mdt_synth_answers_options_init(&j.opt);
  j.opt.seed = seed;
  j.opt.response_rate = rate;
  st = write_output(out, answers_write, &j, &err);
  if (st == MDT_OK)
    log_answers(&j, out);
  mdt_model_free(m);
  return st == MDT_OK ? 0 : cli_report_error(&err);
}

static int cmd_answers(int argc, char **argv) {
  gen_args a = {.cmd = "generate answers", .rate = 0.75};
  int rc = parse(argc, argv,
                 BIT(OPT_MODEL) | BIT(OPT_SEED) | BIT(OPT_RATE) | BIT(OPT_OUT) |
                     BIT(OPT_QUIET) | BIT(OPT_HELP),
                 &a);
  if (rc >= 0)
    return rc;
  if (a.help) {
    usage_answers(stdout);
    return 0;
  }
  if (a.model == NULL)
    return cli_usage_error(a.cmd, "expected --model DIR");
  if (!a.has_seed)
    return cli_usage_error(a.cmd, "expected --seed N");
  return run_answers(a.model, a.seed, a.rate, a.out);
}

/* ----------------------------------------------------------------- register -- */

typedef struct {
  const mdt_model *m;
  const mdt_step_table *guarantee;
  mdt_synth_register_options opt;
  FILE *headcounts;
  mdt_synth_totals *totals;
} register_job;

static mdt_status register_write(FILE *fp, void *user, mdt_error *err) {
  register_job *j = user;
  return mdt_synth_register_write(j->m->respondents, j->m->groups, j->guarantee, &j->opt, fp,
                                  j->headcounts, j->totals, err);
}

static void add_totals(mdt_synth_totals *sum, const mdt_synth_totals *t) {
  sum->rows += t->rows;
  sum->headcount += t->headcount;
  sum->fte_e4 += t->fte_e4;
  sum->wage_bill_e4 += t->wage_bill_e4;
  sum->below_guarantee += t->below_guarantee;
}

/* One check line: what was written against groups.csv's headcount, fte and mean salary. */
static void log_check(const char *what, const mdt_synth_totals *t, double h, double fte,
                      double mean_target) {
  double mean = mdt_synth_totals_mean_salary(t);
  cli_log("check %-10s rows %8lld  headcount %8lld (groups.csv %8.0f)  fte %10.1f (%10.1f)  "
          "mean salary %10.2f (%10.2f, %+.2f)  below guarantee %lld",
          what, (long long)t->rows, (long long)t->headcount, h, (double)t->fte_e4 / 10000, fte,
          mean, mean_target, mean - mean_target, (long long)t->below_guarantee);
}

/* A streamed register matches groups.csv in proportions, not in size. */
static void log_stream_checks(const mdt_groups *g, const mdt_synth_totals *totals) {
  double rows = 0, h = 0;
  for (size_t i = 0; i < g->n; i++) {
    rows += (double)totals[i].rows;
    h += g->headcount[i];
  }
  for (size_t i = 0; i < g->n; i++) {
    const mdt_synth_totals *t = &totals[i];
    double mean = mdt_synth_totals_mean_salary(t);
    cli_log("check %-5s rows %9lld  share %6.2f %% (groups.csv %6.2f %%)  fte per employee "
            "%.4f (%.4f)  mean salary %10.2f (%10.2f, %+.2f)  below guarantee %lld",
            g->id[i], (long long)t->rows, 100 * (double)t->rows / rows,
            100 * g->headcount[i] / h,
            t->headcount ? (double)t->fte_e4 / 10000 / (double)t->headcount : 0,
            g->fte[i] / g->headcount[i], mean, g->mean_salary_nok[i],
            mean - g->mean_salary_nok[i], (long long)t->below_guarantee);
  }
}

/* Per group, then per chapter (in order of first appearance) and for the whole area. */
static void log_register_checks(const mdt_groups *g, const mdt_synth_totals *totals) {
  mdt_synth_totals all = {0};
  double all_h = 0, all_f = 0, all_bill = 0;
  for (size_t i = 0; i < g->n; i++) {
    log_check(g->id[i], &totals[i], g->headcount[i], g->fte[i], g->mean_salary_nok[i]);
    add_totals(&all, &totals[i]);
    all_h += g->headcount[i];
    all_f += g->fte[i];
    all_bill += g->fte[i] * g->mean_salary_nok[i];
  }
  for (size_t i = 0; i < g->n; i++) {
    int first = 1;
    for (size_t k = 0; k < i; k++)
      first &= strcmp(g->chapter[k], g->chapter[i]) != 0;
    if (!first)
      continue;
    mdt_synth_totals ch = {0};
    double h = 0, f = 0, bill = 0;
    for (size_t k = i; k < g->n; k++)
      if (strcmp(g->chapter[k], g->chapter[i]) == 0) {
        add_totals(&ch, &totals[k]);
        h += g->headcount[k];
        f += g->fte[k];
        bill += g->fte[k] * g->mean_salary_nok[k];
      }
    char name[64];
    snprintf(name, sizeof name, "chapter %s", g->chapter[i]);
    log_check(name, &ch, h, f, bill / f);
  }
  log_check("all", &all, all_h, all_f, all_bill / all_f);
}

static int cmd_register(int argc, char **argv) {
  gen_args a = {.cmd = "generate register", .sample = 0.1};
  int rc = parse(argc, argv,
                 BIT(OPT_MODEL) | BIT(OPT_SEED) | BIT(OPT_OUT) | BIT(OPT_QUIET) |
                     BIT(OPT_HELP) | BIT(OPT_SAMPLE) | BIT(OPT_HEADCOUNTS) |
                     BIT(OPT_EMPLOYEES) | BIT(OPT_NO_WEIGHT),
                 &a);
  if (rc >= 0)
    return rc;
  if (a.help) {
    usage_register(stdout);
    return 0;
  }
  if (a.model == NULL)
    return cli_usage_error(a.cmd, "expected --model DIR");
  if (!a.has_seed)
    return cli_usage_error(a.cmd, "expected --seed N");
  if (a.employees > 0 && a.has_sample)
    return cli_usage_error(a.cmd, "expected --sample or --employees, found both");
  const char *out_name = a.out != NULL ? a.out : "-";
  if (a.headcounts != NULL && strcmp(a.headcounts, out_name) == 0)
    return cli_usage_error(a.cmd, "--headcounts and --out name the same file");

  mdt_error err;
  mdt_error_clear(&err);
  mdt_model *m = NULL;
  mdt_step_table *guarantee = NULL;
  mdt_synth_totals *totals = NULL;
  cli_output hc = {0};
  char path[PATH_LEN];
  mdt_status st = mdt_model_load(a.model, 0, &m, &err);
  if (st != MDT_OK)
    return cli_report_error(&err);
  if (mdt_model_path(a.model, "guarantee.csv", path, sizeof path) == NULL)
    st = mdt_error_set(&err, MDT_EUSAGE, "--model: path too long");
  else if (access(path, F_OK) == 0)
    st = mdt_step_table_load(path, m->groups, &guarantee, &err);
  else
    cli_log("note: %s not found; no guarantee floor", path);
  if (st == MDT_OK && (totals = calloc(m->groups->n, sizeof *totals)) == NULL)
    st = mdt_error_set(&err, MDT_ENOMEM, "out of memory");
  if (st == MDT_OK && a.headcounts != NULL)
    st = cli_output_open(&hc, a.headcounts, &err);
  if (st == MDT_OK) {
    register_job j = {m, guarantee, {0}, hc.fp, totals};
    mdt_synth_register_options_init(&j.opt);
    j.opt.seed = a.seed;
    j.opt.sample = a.sample;
    j.opt.employees = a.employees;
    j.opt.weight_column = !a.no_weight;
    st = write_output(a.out, register_write, &j, &err);
    if (st == MDT_OK && a.headcounts != NULL)
      st = cli_output_commit(&hc, &err);
  }
  if (a.headcounts != NULL)
    cli_output_abort(&hc);
  if (st == MDT_OK) {
    if (a.employees > 0) {
      cli_log("register: %lu employees streamed, seed %lu -> %s", a.employees, a.seed,
              a.out ? a.out : "stdout");
      log_stream_checks(m->groups, totals);
    } else {
      cli_log("register: the area calibrated to %s/groups.csv, sample %g (rows of weight "
              "%.0f), seed %lu -> %s",
              a.model, a.sample, fmax(1, round(1 / a.sample)), a.seed,
              a.out ? a.out : "stdout");
      log_register_checks(m->groups, totals);
    }
  }
  free(totals);
  mdt_step_table_free(guarantee);
  mdt_model_free(m);
  return st == MDT_OK ? 0 : cli_report_error(&err);
}

/* ------------------------------------------------------------------ members -- */

typedef struct {
  size_t count;
  unsigned long seed;
} members_job;

static mdt_status members_write(FILE *fp, void *user, mdt_error *err) {
  members_job *j = user;
  return mdt_synth_members_write(j->count, j->seed, fp, err);
}

static int cmd_members(int argc, char **argv) {
  gen_args a = {.cmd = "generate members"};
  int rc = parse(argc, argv,
                 BIT(OPT_COUNT) | BIT(OPT_SEED) | BIT(OPT_OUT) | BIT(OPT_QUIET) | BIT(OPT_HELP),
                 &a);
  if (rc >= 0)
    return rc;
  if (a.help) {
    usage_members(stdout);
    return 0;
  }
  if (a.count == 0)
    return cli_usage_error(a.cmd, "expected --count N");
  if (!a.has_seed)
    return cli_usage_error(a.cmd, "expected --seed S");
  mdt_error err;
  mdt_error_clear(&err);
  members_job j = {a.count, a.seed};
  mdt_status st = write_output(a.out, members_write, &j, &err);
  if (st != MDT_OK)
    return cli_report_error(&err);
  cli_log("members: %lu members, seed %lu -> %s", a.count, a.seed, a.out ? a.out : "stdout");
  return 0;
}

/* -------------------------------------------------------------------- model -- */

typedef struct {
  const char *src;
} copy_job;

static mdt_status copy_write(FILE *fp, void *user, mdt_error *err) {
  copy_job *j = user;
  FILE *in = fopen(j->src, "rb");
  if (in == NULL)
    return mdt_error_set_at(err, MDT_ENOINPUT, j->src, 0, 0, "cannot open: %s",
                            strerror(errno));
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, fp) != n)
      break;
  int bad_in = ferror(in);
  fclose(in);
  if (bad_in)
    return mdt_error_set_at(err, MDT_ENOINPUT, j->src, 0, 0, "cannot read: %s",
                            strerror(errno));
  if (ferror(fp))
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write a copy of %s", j->src);
  return MDT_OK;
}

static int cmd_model(int argc, char **argv) {
  gen_args a = {.cmd = "generate model", .rate = 0.75, .template_dir = "models/ks-2024"};
  int rc = parse(argc, argv,
                 BIT(OPT_MEMBERS) | BIT(OPT_SEED) | BIT(OPT_OUT_DIR) | BIT(OPT_TEMPLATE) |
                     BIT(OPT_RATE) | BIT(OPT_QUIET) | BIT(OPT_HELP),
                 &a);
  if (rc >= 0)
    return rc;
  if (a.help) {
    usage_model(stdout);
    return 0;
  }
  if (a.count == 0)
    return cli_usage_error(a.cmd, "expected --members N");
  if (!a.has_seed)
    return cli_usage_error(a.cmd, "expected --seed S");
  if (a.out_dir == NULL)
    return cli_usage_error(a.cmd, "expected --out-dir DIR");
  mdt_error err;
  mdt_error_clear(&err);
  char src[PATH_LEN], dst[PATH_LEN];
  /* The template must be a model before anything is written. */
  if (mdt_model_path(a.template_dir, "groups.csv", src, sizeof src) == NULL ||
      access(src, R_OK) != 0) {
    mdt_error_set_at(&err, MDT_ENOINPUT, src, 0, 0, "--template: cannot read the template's "
                                                    "groups.csv");
    return cli_report_error(&err);
  }
  if (mkdir(a.out_dir, 0777) != 0 && errno != EEXIST) {
    mdt_error_set_at(&err, MDT_ECANTWRITE, a.out_dir, 0, 0, "cannot make the folder: %s",
                     strerror(errno));
    return cli_report_error(&err);
  }
  struct stat sb;
  if (stat(a.out_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    mdt_error_set_at(&err, MDT_ECANTWRITE, a.out_dir, 0, 0, "not a folder");
    return cli_report_error(&err);
  }
  mdt_status st = MDT_OK;
  if (mdt_model_path(a.out_dir, "respondents.csv", dst, sizeof dst) == NULL)
    st = mdt_error_set(&err, MDT_EUSAGE, "--out-dir: path too long");
  members_job mj = {a.count, a.seed};
  if (st == MDT_OK)
    st = write_output(dst, members_write, &mj, &err);
  /* groups and questionnaire are required; the pay tables are copied when present. */
  static const struct {
    const char *name;
    int required;
  } copies[] = {{"groups.csv", 1},   {"questions.csv", 1},  {"options.csv", 1},
                {"guarantee.csv", 0}, {"increases_2023.csv", 0}};
  for (size_t k = 0; st == MDT_OK && k < sizeof copies / sizeof copies[0]; k++) {
    if (mdt_model_path(a.template_dir, copies[k].name, src, sizeof src) == NULL ||
        mdt_model_path(a.out_dir, copies[k].name, dst, sizeof dst) == NULL) {
      st = mdt_error_set(&err, MDT_EUSAGE, "folder name too long");
      break;
    }
    if (!copies[k].required && access(src, F_OK) != 0)
      continue;
    copy_job cj = {src};
    st = write_output(dst, copy_write, &cj, &err);
  }
  if (st != MDT_OK)
    return cli_report_error(&err);
  cli_log("model: %lu members and the template %s -> %s", a.count, a.template_dir, a.out_dir);
  if (mdt_model_path(a.out_dir, "answers.csv", dst, sizeof dst) == NULL) {
    mdt_error_set(&err, MDT_EUSAGE, "--out-dir: path too long");
    return cli_report_error(&err);
  }
  return run_answers(a.out_dir, a.seed, a.rate, dst);
}

/* ----------------------------------------------------------------- dispatch -- */

int cmd_generate(int argc, char **argv) {
  static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
  } subs[] = {{"answers", cmd_answers},
              {"register", cmd_register},
              {"members", cmd_members},
              {"model", cmd_model}};
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++)
    if (strcmp(argv[1], subs[k].name) == 0)
      return subs[k].run(argc - 1, argv + 1);
  return cli_usage_error("generate", "expected answers, register, members or model, found '%s'",
                         argv[1]);
}
