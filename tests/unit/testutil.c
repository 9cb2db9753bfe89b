#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[512];

static void remove_tmpdir(void) {
  if (tmpdir[0]) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", tmpdir);
  }
}

const char *mdt_test_tmpdir(void) {
  if (!tmpdir[0]) {
    const char *base = getenv("TMPDIR");
    /* mkdtemp replaces the last six characters (all 'X') with a unique suffix. */
    static const char six_x[] = {'X', 'X', 'X', 'X', 'X', 'X', '\0'};
    snprintf(tmpdir, sizeof tmpdir, "%s/mandat-test-%s", base && *base ? base : "/tmp", six_x);
    if (mkdtemp(tmpdir) == NULL) {
      perror("mkdtemp");
      abort();
    }
    atexit(remove_tmpdir);
  }
  return tmpdir;
}

char *mdt_test_write_file(const char *name, const char *data, size_t len) {
  size_t n = strlen(mdt_test_tmpdir()) + strlen(name) + 2;
  char *path = malloc(n);
  assert_non_null(path);
  snprintf(path, n, "%s/%s", mdt_test_tmpdir(), name);
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
  return path;
}

char *mdt_test_write_text(const char *name, const char *text) {
  return mdt_test_write_file(name, text, strlen(text));
}

char *mdt_test_fixture(const char *relpath) {
  size_t n = strlen(MDT_SOURCE_DIR) + strlen(relpath) + 32;
  char *path = malloc(n);
  assert_non_null(path);
  snprintf(path, n, "%s/tests/fixtures/%s", MDT_SOURCE_DIR, relpath);
  return path;
}

const char *mdt_test_errstr(const mdt_error *err) {
  static char buf[2048];
  return mdt_error_format(err, buf, sizeof buf);
}

static char *xstrdup(const char *s) {
  char *d = strdup(s);
  assert_non_null(d);
  return d;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

mdt_respondents *mdt_test_respondents(size_t n, const double *employees, size_t ngroupings,
                                      const char *const *names,
                                      const char *const *const *labels) {
  mdt_respondents *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->n = n;
  r->id = calloc(n, sizeof *r->id);
  r->name = calloc(n, sizeof *r->name);
  r->kind = calloc(n, sizeof *r->kind);
  r->population = calloc(n, sizeof(double));
  r->employees = calloc(n, sizeof(double));
  r->fte = calloc(n, sizeof(double));
  r->wagebill_nok = calloc(n, sizeof(double));
  r->line = calloc(n, sizeof(long));
  r->path = xstrdup("test-respondents.csv");
  for (size_t i = 0; i < n; i++) {
    char buf[32];
    snprintf(buf, sizeof buf, "%04zu", i + 1);
    r->id[i] = xstrdup(buf);
    r->name[i] = xstrdup(buf);
    r->population[i] = employees[i] * 10;
    r->employees[i] = employees[i];
    r->fte[i] = employees[i] / 2;
    r->wagebill_nok[i] = employees[i] * 600000;
    r->line[i] = (long)i + 2;
  }
  r->ngroupings = ngroupings;
  r->groupings = calloc(ngroupings ? ngroupings : 1, sizeof *r->groupings);
  for (size_t g = 0; g < ngroupings; g++) {
    mdt_grouping *gr = &r->groupings[g];
    gr->name = xstrdup(names[g]);
    const char **sorted = calloc(n, sizeof *sorted);
    memcpy(sorted, labels[g], n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    gr->levels = calloc(n, sizeof *gr->levels);
    for (size_t i = 0; i < n; i++)
      if (i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0)
        gr->levels[gr->nlevels++] = xstrdup(sorted[i]);
    free(sorted);
    gr->code = calloc(n, sizeof *gr->code);
    for (size_t i = 0; i < n; i++)
      for (size_t l = 0; l < gr->nlevels; l++)
        if (strcmp(gr->levels[l], labels[g][i]) == 0)
          gr->code[i] = (int32_t)l;
  }
  return r;
}

void mdt_test_respondents_free(mdt_respondents *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n; i++) {
    free(r->id[i]);
    free(r->name[i]);
  }
  for (size_t g = 0; g < r->ngroupings; g++) {
    for (size_t l = 0; l < r->groupings[g].nlevels; l++)
      free(r->groupings[g].levels[l]);
    free(r->groupings[g].levels);
    free(r->groupings[g].code);
    free(r->groupings[g].name);
  }
  free(r->groupings);
  free(r->id);
  free(r->name);
  free(r->kind);
  free(r->population);
  free(r->employees);
  free(r->fte);
  free(r->wagebill_nok);
  free(r->line);
  free(r->path);
  free(r);
}

mdt_questionnaire *mdt_test_questionnaire(size_t nq, const mdt_test_question *qs) {
  mdt_questionnaire *q = calloc(1, sizeof *q);
  assert_non_null(q);
  q->nquestions = nq;
  q->questions = calloc(nq, sizeof *q->questions);
  size_t total = 0;
  for (size_t k = 0; k < nq; k++)
    for (size_t j = 0; qs[k].options[j]; j++)
      total++;
  q->options = calloc(total, sizeof *q->options);
  for (size_t k = 0; k < nq; k++) {
    mdt_question *qq = &q->questions[k];
    qq->id = xstrdup(qs[k].id);
    qq->text = xstrdup(qs[k].id);
    qq->type = qs[k].type;
    qq->role = qs[k].role;
    qq->first_option = q->noptions;
    for (size_t j = 0; qs[k].options[j]; j++) {
      mdt_option *o = &q->options[q->noptions++];
      o->question = k;
      o->id = xstrdup(qs[k].options[j]);
      o->label = xstrdup(qs[k].options[j]);
      o->group = qs[k].groups[j];
      qq->noptions++;
    }
    qq->min = qs[k].min;
    qq->max = qs[k].max;
    if (qq->type == MDT_Q_RANK) {
      qq->min = 1;
      qq->max = (double)qq->noptions;
    } else if (qq->type == MDT_Q_CHOICE) {
      qq->min = 0;
      qq->max = 1;
    }
  }
  return q;
}

void mdt_test_questionnaire_free(mdt_questionnaire *q) {
  if (q == NULL)
    return;
  for (size_t k = 0; k < q->nquestions; k++) {
    free(q->questions[k].id);
    free(q->questions[k].text);
  }
  for (size_t c = 0; c < q->noptions; c++) {
    free(q->options[c].id);
    free(q->options[c].label);
  }
  free(q->questions);
  free(q->options);
  free(q);
}

int mdt_test_load_mini(mdt_respondents **resp, mdt_groups **groups) {
  char *rp = mdt_test_fixture("mini/respondents.csv");
  char *gp = mdt_test_fixture("mini/groups.csv");
  mdt_error err;
  mdt_error_clear(&err);
  *resp = NULL;
  *groups = NULL;
  int ok = mdt_respondents_load(rp, resp, &err) == MDT_OK &&
           mdt_groups_load(gp, groups, &err) == MDT_OK;
  if (!ok)
    fprintf(stderr, "%s\n", mdt_test_errstr(&err));
  free(rp);
  free(gp);
  return ok ? 0 : -1;
}
