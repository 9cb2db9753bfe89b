/*
 * mandat/questionnaire.h: the questions of the Debatthefte and their answer options.
 *
 * Ownership: mdt_questionnaire_load returns an object the caller frees with
 * mdt_questionnaire_free.
 *
 * questions.csv: id, type (score/rank/share/choice/text), text; optional role
 * (priority/split/profile), min and max (the allowed range of a score or share; defaults
 * 1-5 for score, 0-100 for share) and ties (yes/no, default no: may a respondent give two
 * options of a rank question the same rank?).
 * options.csv: question, id, label; optional group (an employee group id from groups.csv);
 * a text question has no options.
 * Options are numbered globally ("cells"): the options of question q are
 * first_option .. first_option + noptions - 1, in file order.
 */
#ifndef MANDAT_QUESTIONNAIRE_H
#define MANDAT_QUESTIONNAIRE_H

#include <stddef.h>

#include "mandat/error.h"
#include "mandat/groups.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MDT_Q_TEXT: free text, answered in text_answers.csv (see text_answers.h); it has no
 * options, no role and no range, and the aggregate never sees it. */
typedef enum {
  MDT_Q_SCORE,
  MDT_Q_RANK,
  MDT_Q_SHARE,
  MDT_Q_CHOICE,
  MDT_Q_TEXT
} mdt_question_type;
typedef enum { MDT_ROLE_NONE, MDT_ROLE_PRIORITY, MDT_ROLE_SPLIT, MDT_ROLE_PROFILE } mdt_question_role;

typedef struct {
  char *id;
  mdt_question_type type;
  char *text;
  mdt_question_role role;
  double min, max;       /* allowed values (rank: 1..noptions; choice: 0..1) */
  int ties;              /* rank: non-zero if equal ranks are allowed */
  size_t first_option;
  size_t noptions;
  long line;
} mdt_question;

typedef struct {
  size_t question;       /* index into questions */
  char *id;
  char *label;
  long group;            /* index into the groups table, or -1 */
  long line;
} mdt_option;

typedef struct mdt_questionnaire {
  size_t nquestions;
  mdt_question *questions;
  size_t noptions;
  mdt_option *options;
  char *questions_path;
  char *options_path;
  void *qindex;          /* internal: question id -> index */
  void *oindex;          /* internal: "question\x1foption" -> option index */
} mdt_questionnaire;

/*
 * Loads questions and options and checks them: unique ids, known types and roles, a valid
 * range, options only for known questions (each question needs at least one; a rank
 * question at least two), groups that exist in groups (which may be NULL when no option
 * names a group).
 */
mdt_status mdt_questionnaire_load(const char *questions_path, const char *options_path,
                                  const mdt_groups *groups, mdt_questionnaire **out,
                                  mdt_error *err);
void mdt_questionnaire_free(mdt_questionnaire *q);

long mdt_questionnaire_find_question(const mdt_questionnaire *q, const char *id);
/* Global option index of option id of question qi, or -1. */
long mdt_questionnaire_find_option(const mdt_questionnaire *q, size_t qi, const char *id);

const char *mdt_question_type_name(mdt_question_type t);
const char *mdt_question_role_name(mdt_question_role r);

#ifdef __cplusplus
}
#endif

#endif
