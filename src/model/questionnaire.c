#include "mandat/questionnaire.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "model/load.h"

enum { Q_ID, Q_TYPE, Q_TEXT, Q_ROLE, Q_MIN, Q_MAX, Q_TIES, Q_N };
enum { O_QUESTION, O_ID, O_LABEL, O_GROUP, O_N };

static const mdt_csv_spec question_specs[Q_N] = {
    {"id", MDT_CSV_STR, 1, 0},   {"type", MDT_CSV_STR, 1, 0}, {"text", MDT_CSV_STR, 1, 0},
    {"role", MDT_CSV_STR, 0, 1}, {"min", MDT_CSV_REAL, 0, 1}, {"max", MDT_CSV_REAL, 0, 1},
    {"ties", MDT_CSV_STR, 0, 1},
};

static const mdt_csv_spec option_specs[O_N] = {
    {"question", MDT_CSV_STR, 1, 0},
    {"id", MDT_CSV_STR, 1, 0},
    {"label", MDT_CSV_STR, 1, 0},
    {"group", MDT_CSV_STR, 0, 1},
};

/* Separates question and option id in oindex keys; ids are printable text. */
#define KEY_SEP '\x1f'

static const char *const type_names[] = {"score", "rank", "share", "choice", "text"};
static const char *const role_names[] = {"none", "priority", "split", "profile"};

const char *mdt_question_type_name(mdt_question_type t) {
  return (unsigned)t < sizeof type_names / sizeof type_names[0] ? type_names[t] : "unknown";
}

const char *mdt_question_role_name(mdt_question_role r) {
  return (unsigned)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : "unknown";
}

void mdt_questionnaire_free(mdt_questionnaire *q) {
  if (q == NULL)
    return;
  if (q->questions != NULL)
    for (size_t i = 0; i < q->nquestions; i++) {
      free(q->questions[i].id);
      free(q->questions[i].text);
    }
  free(q->questions);
  if (q->options != NULL)
    for (size_t i = 0; i < q->noptions; i++) {
      free(q->options[i].id);
      free(q->options[i].label);
    }
  free(q->options);
  free(q->questions_path);
  free(q->options_path);
  mdt__dict_free(q->qindex);
  mdt__dict_free(q->oindex);
  free(q);
}

/* A growable buffer for "question\x1foption" keys. */
typedef struct {
  char *s;
  size_t cap;
} keybuf;

/* Writes the key of (question, option) into kb; returns its length, or 0 when out of memory. */
static size_t make_key(keybuf *kb, const char *question, const char *option) {
  size_t lq = strlen(question), lo = strlen(option), need = lq + lo + 2;
  if (need > kb->cap) {
    char *s = realloc(kb->s, need);
    if (s == NULL)
      return 0;
    kb->s = s;
    kb->cap = need;
  }
  memcpy(kb->s, question, lq);
  kb->s[lq] = KEY_SEP;
  memcpy(kb->s + lq + 1, option, lo + 1);
  return lq + 1 + lo;
}

/* ------------------------------------------------------------ questions -- */

static int parse_name(const char *s, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, names[i]) == 0)
      return (int)i;
  return -1;
}

/* min and max of a score or share question: the file's values or the type's defaults. */
static mdt_status check_range(const mdt_csv_table *t, size_t i, mdt_question *qu,
                              mdt_error *err) {
  double lo = t->present[Q_MIN] ? t->reals[Q_MIN][i] : NAN;
  double hi = t->present[Q_MAX] ? t->reals[Q_MAX][i] : NAN;
  char found[MDT__FOUND_MAX], other[MDT__FOUND_MAX];
  if (qu->type == MDT_Q_RANK || qu->type == MDT_Q_CHOICE || qu->type == MDT_Q_TEXT) {
    const char *why = qu->type == MDT_Q_RANK     ? "its ranks run from 1 to the number of options"
                      : qu->type == MDT_Q_CHOICE ? "its values are 0 and 1"
                                                 : "its answers are text";
    size_t col = !isnan(lo) ? Q_MIN : !isnan(hi) ? Q_MAX : Q_N;
    if (col == Q_N)
      return MDT_OK;
    return mdt_csv_fail(t, i, col, err, MDT_EDATA,
                        "expected an empty field for a %s question (%s), found %s",
                        type_names[qu->type], why,
                        mdt__quote_number(t->reals[col][i], t->delimiter, found, sizeof found));
  }
  int score = qu->type == MDT_Q_SCORE;
  qu->min = isnan(lo) ? (score ? 1 : 0) : lo;
  qu->max = isnan(hi) ? (score ? 5 : 100) : hi;
  if (qu->min < qu->max)
    return MDT_OK;
  if (!isnan(hi))
    return mdt_csv_fail(t, i, Q_MAX, err, MDT_EDATA, "expected a number above min %s, found %s",
                        mdt__format_number(qu->min, t->delimiter, other, sizeof other),
                        mdt__quote_number(qu->max, t->delimiter, found, sizeof found));
  return mdt_csv_fail(t, i, Q_MIN, err, MDT_EDATA,
                      "expected a number below the default max %s, found %s",
                      mdt__format_number(qu->max, t->delimiter, other, sizeof other),
                      mdt__quote_number(qu->min, t->delimiter, found, sizeof found));
}

static mdt_status read_question(const mdt_csv_table *t, size_t i, mdt_questionnaire *q,
                                mdt_error *err) {
  char found[MDT__FOUND_MAX];
  mdt_question *qu = &q->questions[i];
  const char *id = mdt_csv_str(t, Q_ID, i);
  long first;
  int put = mdt__dict_put(q->qindex, id, strlen(id), (long)i, &first);
  if (put < 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
  if (put > 0)
    return mdt_csv_fail(t, i, Q_ID, err, MDT_EDATA,
                        "expected a unique question id, found %s again (first on line %ld)",
                        mdt__quote_field(t, i, Q_ID, found, sizeof found), t->line[first]);
  int type = parse_name(mdt_csv_str(t, Q_TYPE, i), type_names, 5);
  if (type < 0)
    return mdt_csv_fail(t, i, Q_TYPE, err, MDT_EDATA,
                        "expected score, rank, share, choice or text, found %s",
                        mdt__quote_field(t, i, Q_TYPE, found, sizeof found));
  qu->type = (mdt_question_type)type;
  qu->role = MDT_ROLE_NONE;
  if (t->present[Q_ROLE] && mdt_csv_str(t, Q_ROLE, i)[0] != '\0') {
    int role = parse_name(mdt_csv_str(t, Q_ROLE, i), role_names + 1, 3);
    if (role < 0)
      return mdt_csv_fail(t, i, Q_ROLE, err, MDT_EDATA,
                          "expected priority, split, profile or an empty field, found %s",
                          mdt__quote_field(t, i, Q_ROLE, found, sizeof found));
    qu->role = (mdt_question_role)(role + 1);
    if (type == MDT_Q_TEXT)
      return mdt_csv_fail(t, i, Q_ROLE, err, MDT_EDATA,
                          "expected an empty field for a text question (text is reported, "
                          "never weighted), found %s",
                          mdt__quote_field(t, i, Q_ROLE, found, sizeof found));
    if (qu->role == MDT_ROLE_PRIORITY && type != MDT_Q_SCORE && type != MDT_Q_RANK)
      return mdt_csv_fail(t, i, Q_ROLE, err, MDT_EDATA,
                          "expected split, profile or an empty field for a %s question "
                          "(priority needs score or rank), found 'priority'",
                          type_names[type]);
  }
  mdt_status st = check_range(t, i, qu, err);
  if (st != MDT_OK)
    return st;
  qu->ties = 0;
  if (t->present[Q_TIES]) {
    const char *ties = mdt_csv_str(t, Q_TIES, i);
    if (strcmp(ties, "yes") == 0 && qu->type == MDT_Q_RANK)
      qu->ties = 1;
    else if (strcmp(ties, "yes") == 0)
      return mdt_csv_fail(t, i, Q_TIES, err, MDT_EDATA,
                          "expected no or an empty field for a %s question (only ranks can "
                          "tie), found 'yes'",
                          type_names[type]);
    else if (ties[0] != '\0' && strcmp(ties, "no") != 0)
      return mdt_csv_fail(t, i, Q_TIES, err, MDT_EDATA,
                          "expected yes, no or an empty field, found %s",
                          mdt__quote_field(t, i, Q_TIES, found, sizeof found));
  }
  qu->line = t->line[i];
  if ((qu->id = mdt__strdup(id)) == NULL ||
      (qu->text = mdt__strdup(mdt_csv_str(t, Q_TEXT, i))) == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
  return MDT_OK;
}

/* -------------------------------------------------------------- options -- */

/* What the first pass over options.csv learns about each row. */
typedef struct {
  size_t *question; /* per row: question index */
  long *group;      /* per row: group index or -1 */
  size_t *count;    /* per question: number of options */
  long *group_line; /* per (priority question, group): line naming it, 0 if none yet */
  mdt__dict *seen;  /* key -> row, for duplicate option ids */
  keybuf key;
} option_pass;

static mdt_status check_priority_group(const mdt_csv_table *t, size_t i,
                                       const mdt_questionnaire *q, const mdt_groups *groups,
                                       option_pass *p, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  size_t qi = p->question[i];
  long gi = p->group[i];
  if (gi < 0)
    return mdt_csv_fail(t, i, O_GROUP, err, MDT_EDATA,
                        "expected an employee group id for an option of priority question "
                        "'%s', found %s",
                        q->questions[qi].id,
                        t->present[O_GROUP] ? "an empty field" : "no group column");
  long *first = &p->group_line[qi * groups->n + (size_t)gi];
  if (*first != 0)
    return mdt_csv_fail(t, i, O_GROUP, err, MDT_EDATA,
                        "expected each group at most once in priority question '%s', found "
                        "%s again (first on line %ld)",
                        q->questions[qi].id, mdt__quote_field(t, i, O_GROUP, found, sizeof found),
                        *first);
  *first = t->line[i];
  return MDT_OK;
}

static mdt_status check_option(const mdt_csv_table *t, size_t i, const mdt_questionnaire *q,
                               const mdt_groups *groups, option_pass *p, mdt_error *err) {
  char found[MDT__FOUND_MAX];
  const char *qid = mdt_csv_str(t, O_QUESTION, i);
  long qi = mdt__dict_find(q->qindex, qid, strlen(qid));
  if (qi < 0)
    return mdt_csv_fail(t, i, O_QUESTION, err, MDT_EDATA,
                        "expected a question id from questions.csv, found %s",
                        mdt__quote_field(t, i, O_QUESTION, found, sizeof found));
  if (q->questions[qi].type == MDT_Q_TEXT)
    return mdt_csv_fail(t, i, O_QUESTION, err, MDT_EDATA,
                        "expected a question with options, found text question %s (its "
                        "answers are free text in text_answers.csv)",
                        mdt__quote_field(t, i, O_QUESTION, found, sizeof found));
  p->question[i] = (size_t)qi;
  size_t klen = make_key(&p->key, qid, mdt_csv_str(t, O_ID, i));
  long first;
  int put = klen ? mdt__dict_put(p->seen, p->key.s, klen, (long)i, &first) : -1;
  if (put < 0)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
  if (put > 0)
    return mdt_csv_fail(t, i, O_ID, err, MDT_EDATA,
                        "expected an option id unique within question '%s', found %s again "
                        "(first on line %ld)",
                        qid, mdt__quote_field(t, i, O_ID, found, sizeof found), t->line[first]);
  p->group[i] = -1;
  const char *gid = t->present[O_GROUP] ? mdt_csv_str(t, O_GROUP, i) : "";
  if (gid[0] != '\0') {
    if (groups == NULL)
      return mdt_csv_fail(t, i, O_GROUP, err, MDT_EDATA,
                          "expected an empty field (no employee groups were loaded), found %s",
                          mdt__quote_field(t, i, O_GROUP, found, sizeof found));
    p->group[i] = mdt_groups_find(groups, gid);
    if (p->group[i] < 0)
      return mdt_csv_fail(t, i, O_GROUP, err, MDT_EDATA,
                          "expected a group id from groups.csv, found %s",
                          mdt__quote_field(t, i, O_GROUP, found, sizeof found));
  }
  if (q->questions[qi].role == MDT_ROLE_PRIORITY) {
    mdt_status st = check_priority_group(t, i, q, groups, p, err);
    if (st != MDT_OK)
      return st;
  }
  p->count[qi]++;
  return MDT_OK;
}

/* Every question but a text question needs options; a ranking needs two things to rank. */
static mdt_status check_counts(const mdt_csv_table *qt, const option_pass *p,
                               const mdt_questionnaire *q, mdt_error *err) {
  for (size_t qi = 0; qi < q->nquestions; qi++) {
    if (p->count[qi] == 0 && q->questions[qi].type != MDT_Q_TEXT)
      return mdt_csv_fail(qt, qi, Q_ID, err, MDT_EDATA,
                          "expected at least one option in options.csv, found none");
    if (q->questions[qi].type == MDT_Q_RANK && p->count[qi] < 2)
      return mdt_csv_fail(qt, qi, Q_ID, err, MDT_EDATA,
                          "expected at least two options for a rank question, found 1");
  }
  return MDT_OK;
}

/* Stores the options grouped by question (question order, then file order) and indexes them. */
static mdt_status place_options(const mdt_csv_table *t, option_pass *p, mdt_questionnaire *q,
                                mdt_error *err) {
  size_t next = 0;
  for (size_t qi = 0; qi < q->nquestions; qi++) {
    mdt_question *qu = &q->questions[qi];
    qu->first_option = next;
    qu->noptions = p->count[qi];
    next += p->count[qi];
    if (qu->type == MDT_Q_RANK) {
      qu->min = 1;
      qu->max = (double)qu->noptions;
    } else if (qu->type == MDT_Q_CHOICE) {
      qu->min = 0;
      qu->max = 1;
    }
    p->count[qi] = qu->first_option; /* from here on: the next free slot */
  }
  for (size_t i = 0; i < t->nrows; i++) {
    size_t qi = p->question[i];
    size_t o = p->count[qi]++;
    mdt_option *op = &q->options[o];
    op->question = qi;
    op->group = p->group[i];
    op->line = t->line[i];
    if ((op->id = mdt__strdup(mdt_csv_str(t, O_ID, i))) == NULL ||
        (op->label = mdt__strdup(mdt_csv_str(t, O_LABEL, i))) == NULL)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
    size_t klen = make_key(&p->key, q->questions[qi].id, op->id);
    if (klen == 0 || mdt__dict_put(q->oindex, p->key.s, klen, (long)o, NULL) != 0)
      return mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
  }
  return MDT_OK;
}

static mdt_status read_options(const mdt_csv_table *qt, const mdt_csv_table *t,
                               const mdt_groups *groups, mdt_questionnaire *q, mdt_error *err) {
  size_t n = t->nrows;
  size_t ngroups = groups != NULL ? groups->n : 0;
  option_pass p = {0};
  mdt_status st;
  p.question = malloc(n * sizeof *p.question);
  p.group = malloc(n * sizeof *p.group);
  p.count = calloc(q->nquestions, sizeof *p.count);
  p.group_line = calloc(q->nquestions * ngroups + 1, sizeof *p.group_line);
  p.seen = mdt__dict_new(n);
  q->options = calloc(n, sizeof *q->options);
  q->noptions = n;
  q->oindex = mdt__dict_new(n);
  if (!p.question || !p.group || !p.count || !p.group_line || !p.seen || !q->options ||
      !q->oindex) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", t->path);
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    if ((st = check_option(t, i, q, groups, &p, err)) != MDT_OK)
      goto done;
  if ((st = check_counts(qt, &p, q, err)) != MDT_OK)
    goto done;
  st = place_options(t, &p, q, err);
done:
  free(p.question);
  free(p.group);
  free(p.count);
  free(p.group_line);
  mdt__dict_free(p.seen);
  free(p.key.s);
  return st;
}

mdt_status mdt_questionnaire_load(const char *questions_path, const char *options_path,
                                  const mdt_groups *groups, mdt_questionnaire **out,
                                  mdt_error *err) {
  *out = NULL;
  mdt_csv_table *qt = NULL, *ot = NULL;
  mdt_questionnaire *q = NULL;
  mdt_status st = mdt_csv_read_table(questions_path, question_specs, Q_N, &qt, err);
  if (st != MDT_OK)
    goto fail;
  if (qt->nrows == 0) {
    st = mdt__no_rows(questions_path, "question", err);
    goto fail;
  }
  q = calloc(1, sizeof *q);
  if (q == NULL)
    goto nomem;
  q->questions = calloc(qt->nrows, sizeof *q->questions);
  q->nquestions = qt->nrows;
  q->qindex = mdt__dict_new(qt->nrows);
  q->questions_path = mdt__strdup(questions_path);
  q->options_path = mdt__strdup(options_path);
  if (!q->questions || !q->qindex || !q->questions_path || !q->options_path)
    goto nomem;
  for (size_t i = 0; i < qt->nrows; i++)
    if ((st = read_question(qt, i, q, err)) != MDT_OK)
      goto fail;
  st = mdt_csv_read_table(options_path, option_specs, O_N, &ot, err);
  if (st != MDT_OK)
    goto fail;
  if (ot->nrows == 0) {
    st = mdt__no_rows(options_path, "option", err);
    goto fail;
  }
  if ((st = read_options(qt, ot, groups, q, err)) != MDT_OK)
    goto fail;
  mdt_csv_table_free(qt);
  mdt_csv_table_free(ot);
  *out = q;
  return MDT_OK;
nomem:
  st = mdt_error_set(err, MDT_ENOMEM, "out of memory reading %s", questions_path);
fail:
  mdt_questionnaire_free(q);
  mdt_csv_table_free(qt);
  mdt_csv_table_free(ot);
  return st;
}

long mdt_questionnaire_find_question(const mdt_questionnaire *q, const char *id) {
  return mdt__dict_find(q->qindex, id, strlen(id));
}

long mdt_questionnaire_find_option(const mdt_questionnaire *q, size_t qi, const char *id) {
  if (qi >= q->nquestions)
    return -1;
  /* Short keys (all real ones) are built on the stack. */
  char stack[256];
  keybuf kb = {stack, sizeof stack};
  size_t klen;
  if (strlen(q->questions[qi].id) + strlen(id) + 2 <= sizeof stack)
    klen = make_key(&kb, q->questions[qi].id, id);
  else {
    kb = (keybuf){NULL, 0};
    klen = make_key(&kb, q->questions[qi].id, id);
  }
  long o = klen ? mdt__dict_find(q->oindex, kb.s, klen) : -1;
  if (kb.s != stack)
    free(kb.s);
  return o;
}
