/*
 * mandat/model.h: a model folder (respondents, groups, questionnaire, answers and the
 * optional tables) loaded as one object.
 *
 * Ownership: mdt_model_load returns a model the caller frees with mdt_model_free; the
 * tables inside belong to the model.
 */
#ifndef MANDAT_MODEL_H
#define MANDAT_MODEL_H

#include "mandat/answers.h"
#include "mandat/error.h"
#include "mandat/groups.h"
#include "mandat/headcounts.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"
#include "mandat/text_answers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to load besides respondents, groups and the questionnaire (always loaded). */
enum {
  MDT_MODEL_ANSWERS = 1u << 0,    /* answers.csv (required when asked for), and
                                     text_answers.csv when the folder has one */
  MDT_MODEL_HEADCOUNTS = 1u << 1, /* headcounts.csv (required when asked for) */
  MDT_MODEL_TEXT_ANSWERS = 1u << 2, /* text_answers.csv when the folder has one, without
                                       answers.csv (a run that streams the answers) */
};

typedef struct mdt_model {
  char *dir;
  mdt_respondents *respondents;
  mdt_groups *groups;
  mdt_questionnaire *questionnaire;
  mdt_answers *answers;         /* NULL unless MDT_MODEL_ANSWERS */
  mdt_text_answers *text_answers; /* NULL unless MDT_MODEL_ANSWERS or MDT_MODEL_TEXT_ANSWERS
                                     and text_answers.csv */
  mdt_headcounts *headcounts;   /* NULL unless MDT_MODEL_HEADCOUNTS */
} mdt_model;

/* Loads dir/respondents.csv, groups.csv, questions.csv, options.csv and what flags ask for.
 * A missing file is MDT_ENOINPUT naming it. */
mdt_status mdt_model_load(const char *dir, unsigned flags, mdt_model **out, mdt_error *err);
/* As mdt_model_load, tokenising the large tables with threads threads. */
mdt_status mdt_model_load_threads(const char *dir, unsigned flags, int threads, mdt_model **out,
                                  mdt_error *err);
void mdt_model_free(mdt_model *m);

/* Writes dir/name into buf (bufsize bytes); returns buf, or NULL if it does not fit. */
char *mdt_model_path(const char *dir, const char *name, char *buf, size_t bufsize);

#ifdef __cplusplus
}
#endif

#endif
