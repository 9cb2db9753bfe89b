#include "mandat/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/load.h"

#define PATH_MAX_LEN 4096

char *mdt_model_path(const char *dir, const char *name, char *buf, size_t bufsize) {
  size_t len = strlen(dir);
  const char *sep = len == 0 || dir[len - 1] == '/' ? "" : "/";
  int n = snprintf(buf, bufsize, "%s%s%s", dir, sep, name);
  if (n < 0 || (size_t)n >= bufsize)
    return NULL;
  return buf;
}

void mdt_model_free(mdt_model *m) {
  if (m == NULL)
    return;
  mdt_headcounts_free(m->headcounts);
  mdt_answers_free(m->answers);
  mdt_text_answers_free(m->text_answers);
  mdt_questionnaire_free(m->questionnaire);
  mdt_groups_free(m->groups);
  mdt_respondents_free(m->respondents);
  free(m->dir);
  free(m);
}

/* dir/name into buf, or a usage error when the folder name is too long. */
static mdt_status model_path(const char *dir, const char *name, char *buf, mdt_error *err) {
  if (mdt_model_path(dir, name, buf, PATH_MAX_LEN) == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "model folder name too long: %s", dir);
  return MDT_OK;
}

mdt_status mdt_model_load(const char *dir, unsigned flags, mdt_model **out, mdt_error *err) {
  return mdt_model_load_threads(dir, flags, 1, out, err);
}

mdt_status mdt_model_load_threads(const char *dir, unsigned flags, int threads, mdt_model **out,
                                  mdt_error *err) {
  *out = NULL;
  char *path = malloc(PATH_MAX_LEN), *path2 = malloc(PATH_MAX_LEN);
  mdt_model *m = calloc(1, sizeof *m);
  mdt_status st;
  if (path == NULL || path2 == NULL || m == NULL || (m->dir = mdt__strdup(dir)) == NULL) {
    st = mdt_error_set(err, MDT_ENOMEM, "out of memory loading the model in %s", dir);
    goto fail;
  }
  if ((st = model_path(dir, "respondents.csv", path, err)) != MDT_OK ||
      (st = mdt_respondents_load_threads(path, threads, &m->respondents, err)) != MDT_OK)
    goto fail;
  if ((st = model_path(dir, "groups.csv", path, err)) != MDT_OK ||
      (st = mdt_groups_load(path, &m->groups, err)) != MDT_OK)
    goto fail;
  if ((st = model_path(dir, "questions.csv", path, err)) != MDT_OK ||
      (st = model_path(dir, "options.csv", path2, err)) != MDT_OK ||
      (st = mdt_questionnaire_load(path, path2, m->groups, &m->questionnaire, err)) != MDT_OK)
    goto fail;
  if ((flags & MDT_MODEL_ANSWERS) &&
      ((st = model_path(dir, "answers.csv", path, err)) != MDT_OK ||
       (st = mdt_answers_load(path, m->respondents, m->questionnaire, &m->answers, err)) !=
           MDT_OK))
    goto fail;
  /* Free-text answers are optional: a questionnaire without text questions has none. */
  if ((flags & (MDT_MODEL_ANSWERS | MDT_MODEL_TEXT_ANSWERS)) &&
      ((st = model_path(dir, "text_answers.csv", path, err)) != MDT_OK ||
       (access(path, F_OK) == 0 &&
        (st = mdt_text_answers_load(path, m->respondents, m->questionnaire, &m->text_answers,
                                    err)) != MDT_OK)))
    goto fail;
  if ((flags & MDT_MODEL_HEADCOUNTS) &&
      ((st = model_path(dir, "headcounts.csv", path, err)) != MDT_OK ||
       (st = mdt_headcounts_load(path, m->respondents, m->groups, &m->headcounts, err)) !=
           MDT_OK))
    goto fail;
  free(path);
  free(path2);
  *out = m;
  return MDT_OK;
fail:
  free(path);
  free(path2);
  mdt_model_free(m);
  return st;
}
