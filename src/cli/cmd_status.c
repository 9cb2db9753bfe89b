/* mandat status: who has answered, per region and nationally, who has not, and the
 * members' free-text answers. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mandat/model.h"
#include "mandat/report.h"
#include "mandat/response_status.h"
#include "mandat/text_answers.h"
#include "mandat/workbook.h"
#include "report/json_int.h"

static void usage(FILE *fp) {
  fputs("Usage: mandat status --model DIR [OPTIONS]\n"
        "\n"
        "Shows, per region and nationally, how many members have answered (answers.csv or\n"
        "text_answers.csv), the response rate, the share of employees their answers cover,\n"
        "how the answers were adopted (respondents.csv's 'adopted': politisk,\n"
        "administrativt or ukjent), and the members that have not answered. Exits 0\n"
        "whatever the rate, so it can be mailed daily before the deadline.\n"
        "\n"
        "Options:\n"
        "  --model DIR           the model folder (required)\n"
        "  --by COLUMN           grouping column of respondents.csv (default region)\n"
        "  --region LEVEL        only this level of --by (a region's own status)\n"
        "  --table TABLE         status, missing, text (the free-text answers verbatim, by\n"
        "                        question and region) or all (default: all for text and\n"
        "                        json, status for csv)\n"
        "  --format FORMAT       text (default), csv or json\n"
        "  --out FILE            write to FILE (replaced only when complete); default stdout\n"
        "  --lang en|nb          the text output's language (default en); csv and json keep\n"
        "                        their English column names\n"
        "  --quiet               no notes on stderr\n"
        "  --help                this text\n"
        "\n"
        "Examples:\n"
        "  mandat status --model models/ks-2024\n"
        "  mandat status --model models/ks-2024 --region Innlandet --table missing --format csv\n"
        "  mandat status --model models/ks-2024 --table text --format csv --out innspill.csv\n",
        fp);
}

enum { OPT_MODEL = 256, OPT_BY, OPT_REGION, OPT_TABLE, OPT_FORMAT, OPT_OUT, OPT_LANG, OPT_QUIET,
       OPT_HELP };

static const struct option long_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"by", required_argument, NULL, OPT_BY},
    {"region", required_argument, NULL, OPT_REGION},
    {"table", required_argument, NULL, OPT_TABLE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"lang", required_argument, NULL, OPT_LANG},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

enum { T_STATUS = 1, T_MISSING = 2, T_TEXT = 4, T_ALL = 7 };

typedef struct {
  const char *model, *by, *region, *table, *format, *out, *lang;
} raw_args;

static int parse_table(const char *s, int *out) {
  static const struct {
    const char *name;
    int bits;
  } names[] = {{"status", T_STATUS}, {"missing", T_MISSING}, {"text", T_TEXT}, {"all", T_ALL}};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (strcmp(s, names[k].name) == 0) {
      *out = names[k].bits;
      return 0;
    }
  return cli_usage_error("status", "--table: expected status, missing, text or all, found '%s'",
                         s);
}

/* The three tables, each restricted to the level (or all levels when level < 0). */
typedef struct {
  mdt_table *t[3];
} tables;

static mdt_status build(const mdt_model *m, long grouping, long level, tables *out,
                        mdt_error *err) {
  const mdt_respondents *r = m->respondents;
  unsigned char *responded = malloc(r->n ? r->n : 1);
  if (responded == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  mdt_response_status_responded(m, NULL, responded);
  mdt_response_status *s = NULL;
  mdt_status st = mdt_response_status_compute(r, responded, grouping, &s, err);
  if (st == MDT_OK)
    st = mdt_response_status_table(s, r, level, &out->t[0], err);
  if (st == MDT_OK)
    st = mdt_response_missing_table(r, responded, grouping, level, &out->t[1], err);
  if (st == MDT_OK)
    st = mdt_text_answers_table(m->text_answers, r, m->questionnaire, grouping, level, -1,
                                &out->t[2], err);
  mdt_response_status_free(s);
  free(responded);
  return st;
}

/* Free-text answers for a terminal: question by question, each answer as written. */
static void write_text_answers(FILE *fp, const mdt_table *t, const mdt_questionnaire *q,
                               const char *lang) {
  fprintf(fp, "%s: %zu\n", mdt_label("txt_text_answers", lang), t->nrows);
  const char *last = "";
  for (size_t k = 0; k < t->nrows; k++) {
    const char *qid = mdt_table_cell(t, k, 0)->text;
    if (strcmp(qid, last) != 0) {
      long qi = mdt_questionnaire_find_question(q, qid);
      fprintf(fp, "\n%s: %s\n", qid, qi >= 0 ? q->questions[qi].text : "");
      last = qid;
    }
    fprintf(fp, "\n  %s, %s %s (%s):\n", mdt_table_cell(t, k, 1)->text,
            mdt_table_cell(t, k, 2)->text, mdt_table_cell(t, k, 3)->text,
            mdt_table_cell(t, k, 4)->text);
    fprintf(fp, "%s\n", mdt_table_cell(t, k, 5)->text);
  }
}

static mdt_status write_out(FILE *fp, const raw_args *a, int which, const tables *tb,
                            const mdt_model *m, mdt_error *err) {
  static const char *const keys[3] = {"status", "missing", "text_answers"};
  if (strcmp(a->format, "csv") == 0) {
    for (int k = 0; k < 3; k++)
      if (which == (1 << k))
        return mdt_table_write_csv(tb->t[k], fp, err);
    return mdt_error_set(err, MDT_EUSAGE, "--format csv writes one table: --table status, "
                                          "missing or text");
  }
  if (strcmp(a->format, "json") == 0) {
    json_t *j = json_object();
    for (int k = 0; k < 3 && j; k++)
      if ((which & (1 << k)) && json_object_set_new(j, keys[k], mdt__table_json(tb->t[k])) != 0) {
        json_decref(j);
        j = NULL;
      }
    if (j == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory writing JSON");
    mdt_status st = mdt__report_write_json(fp, j, err);
    json_decref(j);
    return st;
  }
  mdt_status st = MDT_OK;
  if (which & (T_STATUS | T_MISSING)) {
    st = mdt_response_status_write_text(fp, (which & T_STATUS) ? tb->t[0] : NULL,
                                        (which & T_MISSING) ? tb->t[1] : NULL, a->lang,
                                        err);
  }
  /* Without --table text, the text answers are shown only when there are some. */
  if (st == MDT_OK && (which & T_TEXT) && (which == T_TEXT || tb->t[2]->nrows > 0)) {
    if (which != T_TEXT)
      fputc('\n', fp);
    write_text_answers(fp, tb->t[2], m->questionnaire, a->lang);
  }
  return st;
}

int cmd_status(int argc, char **argv) {
  raw_args a = {NULL, "region", NULL, NULL, "text", NULL, "en"};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_MODEL:
      a.model = optarg;
      break;
    case OPT_BY:
      a.by = optarg;
      break;
    case OPT_REGION:
      a.region = optarg;
      break;
    case OPT_TABLE:
      a.table = optarg;
      break;
    case OPT_FORMAT:
      a.format = optarg;
      break;
    case OPT_OUT:
      a.out = optarg;
      break;
    case OPT_LANG:
      if (cli_parse_lang("status", optarg, &a.lang) != 0)
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
      return cli_usage_error("status", "unknown or incomplete option");
    }
  }
  if (optind < argc)
    return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
  if (a.model == NULL)
    return cli_usage_error("status", "expected --model DIR");
  if (cli_check_format("status", a.format) != 0)
    return 2;
  int which = strcmp(a.format, "csv") == 0 ? T_STATUS : T_ALL;
  if (a.table && parse_table(a.table, &which) != 0)
    return 2;
  if (strcmp(a.format, "csv") == 0 && which == T_ALL)
    return cli_usage_error("status", "--format csv writes one table: expected --table "
                                     "status, missing or text, found 'all'");

  mdt_error err;
  mdt_error_clear(&err);
  mdt_model *m = NULL;
  mdt_status st = mdt_model_load(a.model, MDT_MODEL_ANSWERS, &m, &err);
  if (st != MDT_OK)
    return cli_report_error(&err);
  const mdt_respondents *r = m->respondents;
  const mdt_grouping *g = mdt_respondents_grouping(r, a.by);
  if (g == NULL) {
    int rc = cli_usage_error("status", "--by: expected a grouping column of %s, found '%s'",
                             r->path, a.by);
    mdt_model_free(m);
    return rc;
  }
  long grouping = (long)(g - r->groupings), level = -1;
  if (a.region && (level = mdt_grouping_level(g, a.region)) < 0) {
    int rc = cli_usage_error("status", "--region: expected a %s of %s, found '%s'", g->name,
                             r->path, a.region);
    mdt_model_free(m);
    return rc;
  }
  tables tb = {{NULL, NULL, NULL}};
  cli_output out = {0};
  st = build(m, grouping, level, &tb, &err);
  if (st == MDT_OK)
    st = cli_output_open(&out, a.out, &err);
  if (st == MDT_OK) {
    st = write_out(out.fp, &a, which, &tb, m, &err);
    if (st == MDT_OK)
      st = cli_output_commit(&out, &err);
    else
      cli_output_abort(&out);
  }
  for (int k = 0; k < 3; k++)
    mdt_table_free(tb.t[k]);
  mdt_model_free(m);
  return st == MDT_OK ? 0 : cli_report_error(&err);
}
