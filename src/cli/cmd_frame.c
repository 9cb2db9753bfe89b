/* mandat frame: TBU's frame arithmetic and the room for central increases. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mandat/frame.h"
#include "mandat/workbook.h"
#include "report/json_int.h"

static const char *const cmd = "frame";

static const char *const month_names[12] = {"January", "February", "March",     "April",
                                             "May",     "June",     "July",      "August",
                                             "September", "October", "November", "December"};

static void print_help(FILE *fp) {
  fprintf(
      fp,
      "Usage: mandat frame [OPTIONS]\n"
      "\n"
      "Annual wage growth (årslønnsvekst) from carry-over (overheng), drift (glidning) and\n"
      "dated increases, in TBU's additive convention and on the exact monthly level path.\n"
      "With --frame, the room left for central increases under the frame.\n"
      "\n"
      "Options:\n"
      "  --frame PCT               the frame: the annual wage growth allowed, e.g. the\n"
      "                            frontfag's; reports the room for central increases\n"
      "  --overheng PCT            carry-over from last year (default 0)\n"
      "  --glidning PCT            expected drift this year (default 0)\n"
      "  --glidning-history A,B,C  the last three years' realised glidning, oldest first;\n"
      "                            the estimate is their mean, as KS estimates it. Exactly\n"
      "                            three values; not together with --glidning\n"
      "  --increase PCT@MONTH      a known dated element: PCT percent of the wage bill from\n"
      "                            the 1st of MONTH (1-12), e.g. a local pot 1.1@10 (from\n"
      "                            1 October). Repeat for several; they add up\n"
      "  --central-month M         month the central increases apply from, 1-12 (default 5,\n"
      "                            1 May); only with --frame\n"
      "  --format text|json        text: a table for the terminal (default); json: one object\n"
      "  --out FILE                write to FILE instead of standard output; FILE is replaced\n"
      "                            only when the output is complete\n"
      "  --lang en|nb              the text output's language (default en); json keeps its\n"
      "                            English keys\n"
      "  -h, --help                show this text\n"
      "\n"
      "Arithmetic (percent; month m means from the 1st of month m):\n"
      "  annual effect of p from m    p * (13 - m) / 12\n"
      "  carry-over into next year    p * (m - 1) / 12\n"
      "  annual growth                overheng + sum of annual effects + glidning\n"
      "  room (annual effect)         frame - overheng - glidning - given annual effects\n"
      "  room from month m            room * 12 / (13 - m)\n"
      "  exact path                   last year's average level = 1, December last year at\n"
      "                               1 + overheng, month m at (1 + overheng)(1 + glidning)\n"
      "                               times (1 + p) of every increase from month m or earlier;\n"
      "                               exact growth = mean of the 12 months - 1, exact\n"
      "                               carry-over = December / that mean - 1\n"
      "  Glidning is a factor for the whole year, so it carries nothing into next year, as\n"
      "  in the additive convention.\n"
      "\n"
      "  With --frame the totals include the central room increase (room from the central\n"
      "  month), so the additive annual growth equals the frame; the exact growth with that\n"
      "  same increase is shown beside it, and so is the exact room: the increase from the\n"
      "  central month that makes the EXACT annual growth equal the frame. A negative room\n"
      "  means the given elements already exceed the frame.\n"
      "\n"
      "Numbers use a decimal point. Every percentage must be above -100 and at most 1000.\n"
      "Text output rounds to 2 decimals; json rounds to 6 and gives null for what does not\n"
      "apply (the room without --frame).\n"
      "\n"
      "Examples:\n"
      "  # NHO's example: 0.75 carried over, 2 %% from 1 April, a local 1 %% from 1 May\n"
      "  mandat frame --overheng 0.75 --increase 2@4 --increase 1@5\n"
      "  # 2024: frame 5.2, carry-over 1.7 from 2023, local pot 1.1 %% from 1 October,\n"
      "  # glidning assumed 1.0\n"
      "  mandat frame --frame 5.2 --overheng 1.7 --glidning 1.0 --increase 1.1@10 --format json\n"
      "\n"
      "Exit status: 0 ok, 1 the frame cannot be met even by cutting 100 %% or more centrally,\n"
      "2 usage (a bad option or value), 73 cannot write output.\n");
}

typedef enum { FORMAT_TEXT, FORMAT_JSON } output_format;

typedef enum { GLIDNING_DEFAULT, GLIDNING_GIVEN, GLIDNING_HISTORY } glidning_source;

typedef struct {
  mdt_frame_spec spec;
  mdt_frame_increase *increases; /* room for argc elements: no more --increase than args */
  glidning_source glidning_from;
  double history_pct[MDT_FRAME_GLIDNING_HISTORY_YEARS];
  int has_central_month;
  output_format format;
  const char *out_path;
  const char *lang; /* "en" or "nb": the text output's language */
} frame_options;

enum {
  OPT_FRAME = 256,
  OPT_OVERHENG,
  OPT_GLIDNING,
  OPT_GLIDNING_HISTORY,
  OPT_INCREASE,
  OPT_CENTRAL_MONTH,
  OPT_FORMAT,
  OPT_OUT,
  OPT_LANG,
  OPT_HELP = 'h',
};

static const struct option long_options[] = {
    {"frame", required_argument, NULL, OPT_FRAME},
    {"overheng", required_argument, NULL, OPT_OVERHENG},
    {"glidning", required_argument, NULL, OPT_GLIDNING},
    {"glidning-history", required_argument, NULL, OPT_GLIDNING_HISTORY},
    {"increase", required_argument, NULL, OPT_INCREASE},
    {"central-month", required_argument, NULL, OPT_CENTRAL_MONTH},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"lang", required_argument, NULL, OPT_LANG},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static const char *option_name(int val) {
  for (const struct option *o = long_options; o->name != NULL; o++)
    if (o->val == val)
      return o->name;
  return "?";
}

/* A percentage option: a number, then the frame module's domain. */
static int parse_pct_option(const char *opt, const char *arg, double *out) {
  double v;
  if (cli_parse_double(arg, &v) != 0)
    return cli_usage_error(cmd, "--%s '%s': expected a percentage as a number (e.g. 3.5, with a "
                                "decimal point), found '%s'",
                           opt, arg, arg);
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_frame_pct_check(v, &err) != MDT_OK)
    return cli_usage_error(cmd, "--%s '%s': %s", opt, arg, err.message);
  *out = v;
  return 0;
}

/* PCT@MONTH, e.g. 1.1@10. */
static int parse_increase(const char *arg, mdt_frame_increase *inc) {
  const char *at = strchr(arg, '@');
  if (at == NULL)
    return cli_usage_error(cmd, "--increase '%s': expected PCT@MONTH (e.g. 1.1@10 for 1.1 %% "
                                "from 1 October), found no '@'",
                           arg);
  size_t pct_len = (size_t)(at - arg);
  char *pct_text = strndup(arg, pct_len);
  if (pct_text == NULL) {
    mdt_error err;
    mdt_error_set(&err, MDT_ENOMEM, "out of memory");
    return cli_report_error(&err);
  }
  double pct;
  int bad_pct = cli_parse_double(pct_text, &pct) != 0;
  if (bad_pct) {
    int rc = cli_usage_error(cmd, "--increase '%s': expected a percentage as a number (e.g. "
                                  "1.1, with a decimal point) before '@', found '%s'",
                             arg, pct_text);
    free(pct_text);
    return rc;
  }
  free(pct_text);
  const char *month_text = at + 1;
  long month;
  if (cli_parse_long(month_text, &month) != 0)
    return cli_usage_error(cmd, "--increase '%s': expected a month number 1-12 after '@', "
                                "found '%s'",
                           arg, month_text);
  if (month < 1 || month > 12)
    return cli_usage_error(cmd, "--increase '%s': expected an effective month from 1 to 12, "
                                "found %ld",
                           arg, month);
  inc->pct = pct;
  inc->month = (int)month;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_frame_increase_check(inc, &err) != MDT_OK)
    return cli_usage_error(cmd, "--increase '%s': %s", arg, err.message);
  return 0;
}

/* One value of a comma-separated list, spaces around it allowed; 0 on success. */
static int parse_list_value(const char *p, size_t len, double *out) {
  while (len > 0 && *p == ' ') {
    p++;
    len--;
  }
  while (len > 0 && p[len - 1] == ' ')
    len--;
  char token[64];
  if (len == 0 || len >= sizeof token)
    return -1;
  memcpy(token, p, len);
  token[len] = '\0';
  return cli_parse_double(token, out);
}

/* A,B,C: the last three years' realised glidning; the estimate is their mean (KS's method). */
static int parse_history(const char *arg, frame_options *o) {
  size_t n = 1;
  for (const char *c = arg; *c != '\0'; c++)
    n += *c == ',';
  double *values = calloc(n, sizeof *values);
  if (values == NULL) {
    mdt_error err;
    mdt_error_set(&err, MDT_ENOMEM, "out of memory");
    return cli_report_error(&err);
  }
  const char *p = arg;
  for (size_t i = 0; i < n; i++) {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (parse_list_value(p, len, &values[i]) != 0) {
      int rc = cli_usage_error(cmd, "--glidning-history '%s': expected three percentages "
                                    "separated by commas (e.g. 0.9,1.4,2.35), found '%.*s'",
                               arg, (int)len, p);
      free(values);
      return rc;
    }
    p = end != NULL ? end + 1 : p + len;
  }
  mdt_error err;
  mdt_error_clear(&err);
  double g;
  int rc = 0;
  if (mdt_frame_glidning_from_history(values, n, &g, &err) != MDT_OK) {
    rc = cli_usage_error(cmd, "--glidning-history '%s': %s", arg, err.message);
  } else {
    memcpy(o->history_pct, values, sizeof o->history_pct);
    o->spec.glidning_pct = g;
  }
  free(values);
  return rc;
}

static int duplicate(int val) {
  return cli_usage_error(cmd, "--%s given more than once; give it once", option_name(val));
}

/* Returns -1 when the options are fine (and help was not asked for), else the exit status. */
static int parse_options(int argc, char **argv, frame_options *o) {
  int seen[OPT_OUT + 1] = {0};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    if (c >= OPT_FRAME && c <= OPT_OUT && c != OPT_INCREASE && seen[c]++)
      return duplicate(c);
    int rc = 0;
    switch (c) {
    case OPT_HELP:
      print_help(stdout);
      return 0;
    case OPT_FRAME:
      o->spec.has_frame = 1;
      rc = parse_pct_option("frame", optarg, &o->spec.frame_pct);
      break;
    case OPT_OVERHENG:
      rc = parse_pct_option("overheng", optarg, &o->spec.overheng_pct);
      break;
    case OPT_GLIDNING:
      if (o->glidning_from == GLIDNING_HISTORY)
        return cli_usage_error(cmd, "--glidning and --glidning-history exclude each other; "
                                    "give one");
      o->glidning_from = GLIDNING_GIVEN;
      rc = parse_pct_option("glidning", optarg, &o->spec.glidning_pct);
      break;
    case OPT_GLIDNING_HISTORY:
      if (o->glidning_from == GLIDNING_GIVEN)
        return cli_usage_error(cmd, "--glidning and --glidning-history exclude each other; "
                                    "give one");
      o->glidning_from = GLIDNING_HISTORY;
      rc = parse_history(optarg, o);
      break;
    case OPT_INCREASE:
      rc = parse_increase(optarg, &o->increases[o->spec.n_increases]);
      if (rc == 0)
        o->spec.n_increases++;
      break;
    case OPT_CENTRAL_MONTH: {
      long m;
      o->has_central_month = 1;
      if (cli_parse_long(optarg, &m) != 0 || m < 1 || m > 12)
        return cli_usage_error(cmd, "--central-month '%s': expected a month from 1 to 12 "
                                    "(5 = from 1 May), found '%s'",
                               optarg, optarg);
      o->spec.central_month = (int)m;
      break;
    }
    case OPT_FORMAT:
      if (strcmp(optarg, "text") == 0)
        o->format = FORMAT_TEXT;
      else if (strcmp(optarg, "json") == 0)
        o->format = FORMAT_JSON;
      else
        return cli_usage_error(cmd, "--format: expected text or json, found '%s'", optarg);
      break;
    case OPT_OUT:
      if (optarg[0] == '\0')
        return cli_usage_error(cmd, "--out: expected a file name, found an empty string");
      o->out_path = optarg;
      break;
    case OPT_LANG:
      if (cli_parse_lang(cmd, optarg, &o->lang) != 0)
        return 2;
      break;
    case ':':
      if (optopt >= OPT_FRAME && optopt <= OPT_LANG)
        return cli_usage_error(cmd, "--%s: expected a value, found none", option_name(optopt));
      return cli_usage_error(cmd, "%s: expected a value, found none", argv[optind - 1]);
    default:
      if (strncmp(argv[optind - 1], "--", 2) == 0)
        return cli_usage_error(cmd, "unknown option or unexpected value '%s'",
                               argv[optind - 1]);
      return cli_usage_error(cmd, "unknown option '-%c'", optopt);
    }
    if (rc != 0)
      return rc;
  }
  if (optind < argc)
    return cli_usage_error(cmd, "unexpected argument '%s': every value belongs to an option",
                           argv[optind]);
  if (o->has_central_month && !o->spec.has_frame)
    return cli_usage_error(cmd, "--central-month applies only with --frame (it dates the room "
                                "for central increases)");
  return -1;
}

/* ---- output ---------------------------------------------------------------------------- */

/* Rounds once, at output, to 6 decimals; null for what does not apply. */
static json_t *json_pct(double v) {
  if (isnan(v))
    return json_null();
  double r = round(v * 1e6) / 1e6;
  if (r == 0.0)
    r = 0.0; /* no "-0.0" */
  return json_real(r);
}

/* Adds key to obj; returns non-zero on failure (json_object_set_new frees v either way). */
static int put(json_t *obj, const char *key, json_t *v) {
  return json_object_set_new(obj, key, v) != 0;
}

static json_t *json_element(double pct, int month, const char *kind) {
  json_t *e = json_object();
  if (e == NULL)
    return NULL;
  int bad = 0;
  bad |= put(e, "pct", json_pct(pct));
  bad |= put(e, "month", json_integer(month));
  bad |= put(e, "annual_effect_pct", json_pct(mdt_frame_annual_effect_pct(pct, month)));
  bad |= put(e, "carryover_pct", json_pct(mdt_frame_carryover_pct(pct, month)));
  bad |= put(e, "kind", json_string(kind));
  if (bad) {
    json_decref(e);
    return NULL;
  }
  return e;
}

static const char *glidning_source_name(glidning_source s) {
  switch (s) {
  case GLIDNING_GIVEN:
    return "given";
  case GLIDNING_HISTORY:
    return "history_mean";
  case GLIDNING_DEFAULT:
    break;
  }
  return "default_zero";
}

static json_t *build_json(const frame_options *o, const mdt_frame_result *r) {
  const mdt_frame_spec *s = &o->spec;
  json_t *root = json_object();
  json_t *elements = json_array();
  json_t *levels = json_array();
  if (root == NULL || elements == NULL || levels == NULL) {
    json_decref(root);
    json_decref(elements);
    json_decref(levels);
    return NULL;
  }
  int bad = 0;
  for (size_t k = 0; k < s->n_increases; k++)
    bad |= json_array_append_new(elements, json_element(s->increases[k].pct,
                                                        s->increases[k].month, "given")) != 0;
  if (s->has_frame)
    bad |= json_array_append_new(elements, json_element(r->room_dated_pct, s->central_month,
                                                        "central_room")) != 0;
  for (int m = 0; m < 12; m++)
    bad |= json_array_append_new(levels, json_real(round(r->level_by_month[m] * 1e9) / 1e9)) != 0;

  json_t *history = json_null();
  if (o->glidning_from == GLIDNING_HISTORY) {
    json_decref(history);
    history = json_array();
    for (int i = 0; history != NULL && i < MDT_FRAME_GLIDNING_HISTORY_YEARS; i++)
      bad |= json_array_append_new(history, json_pct(o->history_pct[i])) != 0;
  }

  bad |= put(root, "frame_pct", s->has_frame ? json_pct(s->frame_pct) : json_null());
  bad |= put(root, "overheng_pct", json_pct(s->overheng_pct));
  bad |= put(root, "glidning_pct", json_pct(s->glidning_pct));
  bad |= put(root, "glidning_source", json_string(glidning_source_name(o->glidning_from)));
  bad |= put(root, "glidning_history_pct", history);
  bad |= put(root, "central_month", s->has_frame ? json_integer(s->central_month) : json_null());
  bad |= put(root, "annual_growth_pct", json_pct(r->annual_growth_pct));
  bad |= put(root, "exact_annual_growth_pct", json_pct(r->exact_annual_growth_pct));
  bad |= put(root, "difference_pct", json_pct(r->difference_pct));
  bad |= put(root, "carryover_next_pct", json_pct(r->carryover_next_pct));
  bad |= put(root, "exact_carryover_next_pct", json_pct(r->exact_carryover_next_pct));
  bad |= put(root, "carryover_difference_pct", json_pct(r->carryover_difference_pct));
  bad |= put(root, "given_annual_effect_pct", json_pct(r->given_annual_effect_pct));
  bad |= put(root, "room_annual_pct", json_pct(r->room_annual_pct));
  bad |= put(root, "room_dated_pct", json_pct(r->room_dated_pct));
  bad |= put(root, "room_dated_exact_pct", json_pct(r->room_dated_exact_pct));
  bad |= put(root, "elements", elements);
  bad |= put(root, "level_december_last_year",
             json_real(round(r->level_december_last_year * 1e9) / 1e9));
  bad |= put(root, "level_by_month", levels);
  if (bad) {
    json_decref(root);
    return NULL;
  }
  return root;
}

/* Two decimals, without "-0.00". */
static double r2(double v) {
  double r = round(v * 100.0) / 100.0;
  return r == 0.0 ? 0.0 : r;
}

static const char *const month_names_nb[12] = {"januar", "februar", "mars",      "april",
                                               "mai",    "juni",    "juli",      "august",
                                               "september", "oktober", "november", "desember"};

static int is_nb(const char *lang) { return lang != NULL && strcmp(lang, "nb") == 0; }

/* "1 May" in English, "1. mai" in Norwegian. */
static const char *month_from(int month, const char *lang, char *buf, size_t size) {
  buf[0] = '\0';
  if (month < 1 || month > 12)
    return buf;
  size_t k = (size_t)month - 1;
  if (is_nb(lang))
    snprintf(buf, size, "1. %s", month_names_nb[k % 12]);
  else
    snprintf(buf, size, "1 %s", month_names[k % 12]);
  return buf;
}

/* printf's %-*s counts bytes; a label with æøå needs the difference in code points. */
static int cols(const char *s, int w) {
  int extra = 0;
  for (const char *p = s; *p; p++)
    extra += ((unsigned char)*p & 0xC0) == 0x80;
  return w + extra;
}

static void text_row(FILE *fp, const char *label, double pct, int month, double annual,
                     double carry, const char *lang) {
  char from[24];
  month_from(month, lang, from, sizeof from);
  fprintf(fp, "  %-*s %8.2f  %-*s %13.2f", cols(label, 26), label, r2(pct), cols(from, 12), from,
          r2(annual));
  if (isnan(carry))
    fputc('\n', fp);
  else
    fprintf(fp, " %11.2f\n", r2(carry));
}

#define L(key) mdt_label(key, o->lang)

static void write_elements(FILE *fp, const frame_options *o, const mdt_frame_result *r) {
  const mdt_frame_spec *s = &o->spec;
  fprintf(fp, "  %-*s %8s  %-*s %13s %11s\n", cols(L("txt_frame_element"), 26),
          L("txt_frame_element"), L("txt_frame_percent"), cols(L("txt_frame_from"), 12),
          L("txt_frame_from"), L("txt_frame_annual_effect"), L("txt_frame_carryover"));
  text_row(fp, L("txt_frame_overheng"), s->overheng_pct, 0, s->overheng_pct, NAN, o->lang);
  const char *glabel = o->glidning_from == GLIDNING_HISTORY ? L("txt_frame_glidning_mean")
                       : o->glidning_from == GLIDNING_GIVEN ? L("txt_frame_glidning")
                                                            : L("txt_frame_glidning_none");
  text_row(fp, glabel, s->glidning_pct, 0, s->glidning_pct, NAN, o->lang);
  for (size_t k = 0; k < s->n_increases; k++) {
    char label[64];
    snprintf(label, sizeof label, "%s %zu", L("txt_frame_given_increase"), k + 1);
    const mdt_frame_increase *inc = &s->increases[k];
    text_row(fp, label, inc->pct, inc->month, mdt_frame_annual_effect_pct(inc->pct, inc->month),
             mdt_frame_carryover_pct(inc->pct, inc->month), o->lang);
  }
  if (s->has_frame)
    text_row(fp, L("txt_frame_central_room"), r->room_dated_pct, s->central_month,
             mdt_frame_annual_effect_pct(r->room_dated_pct, s->central_month),
             mdt_frame_carryover_pct(r->room_dated_pct, s->central_month), o->lang);
  fprintf(fp, "  %-*s %8s  %-12s %13.2f %11.2f\n", cols(L("txt_frame_growth"), 26),
          L("txt_frame_growth"), "", "", r2(r->annual_growth_pct), r2(r->carryover_next_pct));
  if (o->glidning_from == GLIDNING_HISTORY)
    fprintf(fp, "\n  %s: %.2f, %.2f, %.2f.\n", L("txt_frame_glidning_history"),
            o->history_pct[0], o->history_pct[1], o->history_pct[2]);
}

static void write_room(FILE *fp, const frame_options *o, const mdt_frame_result *r) {
  const mdt_frame_spec *s = &o->spec;
  char from[24];
  month_from(s->central_month, o->lang, from, sizeof from);
  const int nb = is_nb(o->lang);
  fprintf(fp, nb ? "\n  Ramme %.2f %%. Rom for sentrale tillegg:\n"
                 : "\n  Frame %.2f %%. Room for central increases:\n",
          r2(s->frame_pct));
  fprintf(fp, nb ? "    additivt: %.2f %% årsvirkning = %.2f %% fra %s\n"
                 : "    additive: %.2f %% annual effect = %.2f %% from %s\n",
          r2(r->room_annual_pct), r2(r->room_dated_pct), from);
  fprintf(fp, nb ? "    eksakt:   %.2f %% fra %s gir en eksakt årslønnsvekst på %.2f %%\n"
                 : "    exact:    %.2f %% from %s makes the exact annual growth %.2f %%\n",
          r2(r->room_dated_exact_pct), from, r2(s->frame_pct));
  if (r->room_annual_pct < 0.0)
    fprintf(fp, nb ? "  De gitte elementene overstiger rammen med %.2f prosentpoeng: rommet er "
                     "negativt.\n"
                   : "  The given elements exceed the frame by %.2f percentage points: the room "
                     "is negative.\n",
            r2(-r->room_annual_pct));
}

static void write_text(FILE *fp, const frame_options *o, const mdt_frame_result *r) {
  const mdt_frame_spec *s = &o->spec;
  fprintf(fp, "%s\n\n", L("txt_frame_heading"));
  write_elements(fp, o, r);
  fprintf(fp, "\n  %-26s %9s %9s %11s\n", "", L("txt_frame_additive"), L("txt_frame_exact"),
          L("txt_frame_difference"));
  fprintf(fp, "  %-*s %9.2f %9.2f %11.2f\n", cols(L("txt_frame_growth"), 26),
          L("txt_frame_growth"), r2(r->annual_growth_pct), r2(r->exact_annual_growth_pct),
          r2(r->difference_pct));
  fprintf(fp, "  %-*s %9.2f %9.2f %11.2f\n", cols(L("txt_frame_carryover_next"), 26),
          L("txt_frame_carryover_next"), r2(r->carryover_next_pct),
          r2(r->exact_carryover_next_pct), r2(r->carryover_difference_pct));
  if (s->has_frame)
    write_room(fp, o, r);
  fprintf(fp, "\n  %s %.4f\n", L("txt_frame_level_path"), r->level_december_last_year);
  const char *const *names = is_nb(o->lang) ? month_names_nb : month_names;
  for (int row = 0; row < 2; row++) {
    fprintf(fp, "   ");
    for (int m = row * 6; m < row * 6 + 6; m++)
      fprintf(fp, " %.3s %.4f", names[m], r->level_by_month[m]);
    fputc('\n', fp);
  }
}

#undef L

static int write_output(const frame_options *o, const mdt_frame_result *r) {
  mdt_error err;
  mdt_error_clear(&err);
  json_t *root = NULL;
  if (o->format == FORMAT_JSON) {
    root = build_json(o, r);
    if (root == NULL) {
      mdt_error_set(&err, MDT_ENOMEM, "out of memory building the JSON output");
      return cli_report_error(&err);
    }
  }
  cli_output out;
  if (cli_output_open(&out, o->out_path, &err) != MDT_OK) {
    json_decref(root);
    return cli_report_error(&err);
  }
  int bad = 0;
  if (root != NULL) {
    bad = mdt__report_json_dumpf(root, out.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(15)) != 0;
    bad |= fputc('\n', out.fp) == EOF;
    json_decref(root);
  } else {
    write_text(out.fp, o, r);
  }
  if (bad) {
    cli_output_abort(&out);
    mdt_error_set_at(&err, MDT_ECANTWRITE, o->out_path, 0, 0, "cannot write the output");
    return cli_report_error(&err);
  }
  if (cli_output_commit(&out, &err) != MDT_OK)
    return cli_report_error(&err);
  return 0;
}

int cmd_frame(int argc, char **argv) {
  frame_options o;
  memset(&o, 0, sizeof o);
  mdt_frame_spec_init(&o.spec);
  o.format = FORMAT_TEXT;
  o.increases = calloc((size_t)argc, sizeof *o.increases);
  if (o.increases == NULL) {
    mdt_error err;
    mdt_error_set(&err, MDT_ENOMEM, "out of memory");
    return cli_report_error(&err);
  }
  o.spec.increases = o.increases;

  int rc = parse_options(argc, argv, &o);
  if (rc < 0) {
    mdt_frame_result r;
    mdt_error err;
    mdt_error_clear(&err);
    mdt_status st = mdt_frame_compute(&o.spec, &r, &err);
    if (st == MDT_EDATA || st == MDT_EUSAGE)
      rc = cli_usage_error(cmd, "%s", err.message); /* every value came from an option */
    else if (st != MDT_OK)
      rc = cli_report_error(&err);
    else
      rc = write_output(&o, &r);
  }
  free(o.increases);
  return rc;
}
