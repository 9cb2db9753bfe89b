/* Tests of questions.csv and options.csv: ranges, option numbering and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/questionnaire.h"
#include "testutil.h"

static mdt_groups *groups;

static int setup(void **state) {
  (void)state;
  char *path = mdt_test_write_text("groups.csv", "id,name,chapter\n"
                                                 "g1,Sykepleiere,4\n"
                                                 "g2,Fagarbeidere,4\n"
                                                 "g3,Barnehagelærere,4\n");
  mdt_error err;
  mdt_status st = mdt_groups_load(path, &groups, &err);
  free(path);
  return st == MDT_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  mdt_groups_free(groups);
  return 0;
}

/* Writes <tag>_questions.csv and <tag>_options.csv; paths go to *qpath and *opath. */
static void write_pair(const char *tag, const char *qtext, const char *otext, char **qpath,
                       char **opath) {
  char name[128];
  snprintf(name, sizeof name, "%s_questions.csv", tag);
  *qpath = mdt_test_write_text(name, qtext);
  snprintf(name, sizeof name, "%s_options.csv", tag);
  *opath = mdt_test_write_text(name, otext);
}

static mdt_questionnaire *load_ok(const char *tag, const char *qtext, const char *otext,
                                  const mdt_groups *g) {
  char *qpath, *opath;
  write_pair(tag, qtext, otext, &qpath, &opath);
  mdt_questionnaire *q = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_questionnaire_load(qpath, opath, g, &q, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(q->questions_path, qpath);
  assert_string_equal(q->options_path, opath);
  free(qpath);
  free(opath);
  return q;
}

/* Loads a bad pair; which is 'q' or 'o', the file the error must point into. */
static mdt_error load_fail(const char *tag, const char *qtext, const char *otext,
                           const mdt_groups *g, char which) {
  char *qpath, *opath;
  write_pair(tag, qtext, otext, &qpath, &opath);
  mdt_questionnaire *q = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_questionnaire_load(qpath, opath, g, &q, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(q);
  assert_string_equal(err.file, which == 'q' ? qpath : opath);
  free(qpath);
  free(opath);
  return err;
}

static void test_parsed_values(void **state) {
  (void)state;
  /* Options are listed out of question order on purpose: the loader groups them. */
  mdt_questionnaire *q = load_ok("good",
                                 "id,type,text,role,min,max,ties\n"
                                 "q_rank,rank,Ranger gruppene,priority,,,no\n"
                                 "q_score,score,\"Hvor viktig, 0-10?\",priority,0,10,\n"
                                 "q_local,share,Lokal andel,split,,,\n"
                                 "q_form,choice,Kroner eller prosent?,profile,,,\n"
                                 "q_tie,rank,Ranger med likt,,,,yes\n"
                                 "q_plain,score,Uten rolle,,,,\n",
                                 "question,id,label,group\n"
                                 "q_form,krone,Kronetillegg,\n"
                                 "q_rank,g2,Fagarbeidere,g2\n"
                                 "q_rank,g1,Sykepleiere,g1\n"
                                 "q_score,g1,Sykepleiere,g1\n"
                                 "q_form,percent,Prosenttillegg,\n"
                                 "q_local,local,Lokal pott,\n"
                                 "q_rank,g3,Barnehagelærere,g3\n"
                                 "q_score,g3,Barnehagelærere,g3\n"
                                 "q_tie,a,A,\n"
                                 "q_tie,b,B,g1\n"
                                 "q_plain,x,X,\n",
                                 groups);
  assert_int_equal(q->nquestions, 6);
  assert_int_equal(q->noptions, 11);

  const mdt_question *rank = &q->questions[0];
  assert_string_equal(rank->id, "q_rank");
  assert_string_equal(rank->text, "Ranger gruppene");
  assert_int_equal(rank->type, MDT_Q_RANK);
  assert_int_equal(rank->role, MDT_ROLE_PRIORITY);
  assert_int_equal(rank->ties, 0);
  assert_int_equal(rank->first_option, 0);
  assert_int_equal(rank->noptions, 3);
  assert_true(rank->min == 1 && rank->max == 3);
  assert_int_equal(rank->line, 2);

  const mdt_question *score = &q->questions[1];
  assert_string_equal(score->text, "Hvor viktig, 0-10?");
  assert_int_equal(score->type, MDT_Q_SCORE);
  assert_true(score->min == 0 && score->max == 10);
  assert_int_equal(score->first_option, 3);
  assert_int_equal(score->noptions, 2);

  const mdt_question *local = &q->questions[2];
  assert_int_equal(local->type, MDT_Q_SHARE);
  assert_int_equal(local->role, MDT_ROLE_SPLIT);
  assert_true(local->min == 0 && local->max == 100);
  assert_int_equal(local->first_option, 5);

  const mdt_question *form = &q->questions[3];
  assert_int_equal(form->type, MDT_Q_CHOICE);
  assert_int_equal(form->role, MDT_ROLE_PROFILE);
  assert_true(form->min == 0 && form->max == 1);
  assert_int_equal(form->first_option, 6);
  assert_int_equal(form->noptions, 2);

  const mdt_question *tie = &q->questions[4];
  assert_int_equal(tie->ties, 1);
  assert_int_equal(tie->role, MDT_ROLE_NONE);
  assert_true(tie->min == 1 && tie->max == 2);

  const mdt_question *plain = &q->questions[5];
  assert_true(plain->min == 1 && plain->max == 5);
  assert_int_equal(plain->first_option, 10);
  assert_int_equal(plain->line, 7);

  /* Within a question, file order: g2 (line 3), g1 (line 4), g3 (line 8). */
  assert_string_equal(q->options[0].id, "g2");
  assert_int_equal(q->options[0].group, 1);
  assert_int_equal(q->options[0].line, 3);
  assert_string_equal(q->options[1].id, "g1");
  assert_int_equal(q->options[1].group, 0);
  assert_string_equal(q->options[2].id, "g3");
  assert_string_equal(q->options[2].label, "Barnehagelærere");
  assert_int_equal(q->options[2].line, 8);
  assert_int_equal(q->options[2].question, 0);
  assert_string_equal(q->options[4].id, "g3");
  assert_int_equal(q->options[4].question, 1);
  assert_string_equal(q->options[5].id, "local");
  assert_int_equal(q->options[5].group, -1);
  assert_string_equal(q->options[7].id, "percent");
  assert_int_equal(q->options[7].line, 6);
  assert_int_equal(q->options[9].group, 0); /* a group on a non-priority option is kept */

  assert_int_equal(mdt_questionnaire_find_question(q, "q_form"), 3);
  assert_int_equal(mdt_questionnaire_find_question(q, "q_none"), -1);
  assert_int_equal(mdt_questionnaire_find_option(q, 0, "g1"), 1);
  assert_int_equal(mdt_questionnaire_find_option(q, 1, "g1"), 3);
  assert_int_equal(mdt_questionnaire_find_option(q, 1, "g2"), -1);
  assert_int_equal(mdt_questionnaire_find_option(q, 3, "percent"), 7);
  assert_int_equal(mdt_questionnaire_find_option(q, 99, "g1"), -1);
  char longid[400];
  memset(longid, 'x', sizeof longid - 1);
  longid[sizeof longid - 1] = '\0';
  assert_int_equal(mdt_questionnaire_find_option(q, 0, longid), -1);
  mdt_questionnaire_free(q);
  mdt_questionnaire_free(NULL);
}

static void test_minimal_columns_without_groups(void **state) {
  (void)state;
  mdt_questionnaire *q = load_ok("minimal", "id,type,text\nq1,share,Andel\n",
                                 "id,label,question\nall,Alt,q1\n", NULL);
  assert_int_equal(q->nquestions, 1);
  assert_int_equal(q->questions[0].role, MDT_ROLE_NONE);
  assert_int_equal(q->questions[0].ties, 0);
  assert_true(q->questions[0].max == 100);
  assert_int_equal(q->options[0].group, -1);
  mdt_questionnaire_free(q);
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(mdt_question_type_name(MDT_Q_SCORE), "score");
  assert_string_equal(mdt_question_type_name(MDT_Q_RANK), "rank");
  assert_string_equal(mdt_question_type_name(MDT_Q_SHARE), "share");
  assert_string_equal(mdt_question_type_name(MDT_Q_CHOICE), "choice");
  assert_string_equal(mdt_question_role_name(MDT_ROLE_NONE), "none");
  assert_string_equal(mdt_question_role_name(MDT_ROLE_PRIORITY), "priority");
  assert_string_equal(mdt_question_role_name(MDT_ROLE_SPLIT), "split");
  assert_string_equal(mdt_question_role_name(MDT_ROLE_PROFILE), "profile");
}

#define QHEAD "id,type,text,role,min,max,ties\n"
#define QGOOD "q_rank,rank,Ranger,priority,,,\n"
#define OGOOD                                                                                  \
  "question,id,label,group\n"                                                                  \
  "q_rank,g1,Sykepleiere,g1\n"                                                                 \
  "q_rank,g2,Fagarbeidere,g2\n"

static void test_question_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("qdup", QHEAD QGOOD "q_rank,score,Igjen,,,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 1,
                  "id: expected a unique question id, found 'q_rank' again (first on line 2)");
  err = load_fail("qtype", QHEAD QGOOD "q2,scale,Skala,,,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 4,
                  "type: expected score, rank, share, choice or text, found 'scale'");
  err = load_fail("qnotype", QHEAD QGOOD "q2,,Skala,,,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 4, "type: expected text, found an empty field");
  err = load_fail("qrole", QHEAD QGOOD "q2,score,Skala,prio,,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 16,
                  "role: expected priority, split, profile or an empty field, found 'prio'");
  err = load_fail("qprio", QHEAD QGOOD "q2,share,Andel,priority,,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 16,
                  "role: expected split, profile or an empty field for a share question "
                  "(priority needs score or rank), found 'priority'");
  err = load_fail("qrankmin", QHEAD QGOOD "q2,rank,Ranger,,1,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 17,
                  "min: expected an empty field for a rank question (its ranks run from 1 to "
                  "the number of options), found '1'");
  err = load_fail("qchoicemax", QHEAD QGOOD "q2,choice,Valg,,,1,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 18,
                  "max: expected an empty field for a choice question (its values are 0 and "
                  "1), found '1'");
  err = load_fail("qrange", QHEAD QGOOD "q2,score,Skala,,5,2.5,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 19, "max: expected a number above min 5, found '2.5'");
  err = load_fail("qdefmax", QHEAD QGOOD "q2,score,Skala,,5,,\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 17,
                  "min: expected a number below the default max 5, found '5'");
  err = load_fail("qties", QHEAD QGOOD "q2,score,Skala,,,,yes\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 19,
                  "ties: expected no or an empty field for a score question (only ranks can "
                  "tie), found 'yes'");
  err = load_fail("qtiesja", QHEAD QGOOD "q2,rank,Ranger,,,,ja\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 19, "ties: expected yes, no or an empty field, found 'ja'");
  err = load_fail("qnorows", QHEAD, OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one question, found none");
  err = load_fail("qnocol", "id,type\nq1,score\n", OGOOD, groups, 'q');
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'text' in the header, found 'id,type'");
}

#define QPAIR                                                                                  \
  "id,type,text,role\n"                                                                        \
  "q_rank,rank,Ranger,priority\n"                                                              \
  "q_form,choice,Valg,\n"
#define OFIRST                                                                                 \
  "question,id,label,group\n"                                                                  \
  "q_rank,g1,Sykepleiere,g1\n"                                                                 \
  "q_rank,g2,Fagarbeidere,g2\n"                                                                \
  "q_form,krone,Kroner,\n"

static void test_option_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("oq", QPAIR, OFIRST "q_x,a,A,\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 5, 1,
                  "question: expected a question id from questions.csv, found 'q_x'");
  err = load_fail("odup", QPAIR, OFIRST "q_rank,g1,Sykepleiere igjen,g3\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 5, 8,
                  "id: expected an option id unique within question 'q_rank', found 'g1' "
                  "again (first on line 2)");
  err = load_fail("ogroup", QPAIR, OFIRST "q_form,mixed,Blanding,g9\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 5, 23, "group: expected a group id from groups.csv, found 'g9'");
  err = load_fail("olabel", QPAIR, OFIRST "q_form,mixed,,\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 5, 14, "label: expected text, found an empty field");
  err = load_fail("oprio", QPAIR, OFIRST "q_rank,g3,Barnehagelærere,\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 5, 27,
                  "group: expected an employee group id for an option of priority question "
                  "'q_rank', found an empty field");
  err = load_fail("oprio2", QPAIR, OFIRST "q_rank,g3,Barnehagelærere,g1\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 5, 27,
                  "group: expected each group at most once in priority question 'q_rank', "
                  "found 'g1' again (first on line 2)");
  err = load_fail("oprio3", QPAIR, "question,id,label\nq_rank,g1,Sykepleiere\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 2, 1,
                  "group: expected an employee group id for an option of priority question "
                  "'q_rank', found no group column");
  err = load_fail("onogroups", "id,type,text\nq1,score,S\n", "question,id,label,group\nq1,a,A,g1\n",
                  NULL, 'o');
  assert_error_at(&err, MDT_EDATA, 2, 8,
                  "group: expected an empty field (no employee groups were loaded), found 'g1'");
  err = load_fail("onorows", QPAIR, "question,id,label,group\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one option, found none");
  err = load_fail("onocol", QPAIR, "question,label\nq_rank,x\n", groups, 'o');
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'id' in the header, found 'question,label'");
}

static void test_option_count_errors(void **state) {
  (void)state;
  /* These are about a question, so they point at the question's row. */
  mdt_error err = load_fail("cnone", QPAIR,
                            "question,id,label,group\n"
                            "q_rank,g1,Sykepleiere,g1\n"
                            "q_rank,g2,Fagarbeidere,g2\n",
                            groups, 'q');
  assert_error_at(&err, MDT_EDATA, 3, 1, "id: expected at least one option in options.csv, found none");
  err = load_fail("cone", QPAIR,
                  "question,id,label,group\n"
                  "q_form,krone,Kroner,\n"
                  "q_rank,g1,Sykepleiere,g1\n",
                  groups, 'q');
  assert_error_at(&err, MDT_EDATA, 2, 1,
                  "id: expected at least two options for a rank question, found 1");
}

static void test_missing_files(void **state) {
  (void)state;
  char *qpath, *opath;
  write_pair("files", QPAIR, OFIRST, &qpath, &opath);
  mdt_questionnaire *q = NULL;
  mdt_error err;
  assert_int_equal(mdt_questionnaire_load("/nonexistent/questions.csv", opath, groups, &q, &err),
                   MDT_ENOINPUT);
  assert_null(q);
  assert_string_equal(err.file, "/nonexistent/questions.csv");
  assert_int_equal(mdt_questionnaire_load(qpath, "/nonexistent/options.csv", groups, &q, &err),
                   MDT_ENOINPUT);
  assert_null(q);
  assert_string_equal(err.file, "/nonexistent/options.csv");
  free(qpath);
  free(opath);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parsed_values),
      cmocka_unit_test(test_minimal_columns_without_groups),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_question_errors),
      cmocka_unit_test(test_option_errors),
      cmocka_unit_test(test_option_count_errors),
      cmocka_unit_test(test_missing_files),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
