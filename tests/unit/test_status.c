/* Tests of the response status (who has answered, per region) and the adopted column, on
 * tests/fixtures/regional; every expected figure is counted by hand in its README. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/aggregate.h"
#include "mandat/model.h"
#include "mandat/response_status.h"
#include "testutil.h"

static mdt_model *load_regional(void) {
  char *dir = mdt_test_fixture("regional");
  mdt_model *m = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_model_load(dir, MDT_MODEL_ANSWERS, &m, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  free(dir);
  return m;
}

static double num(const mdt_table *t, size_t row, const char *col) {
  long c = mdt_table_col(t, col);
  assert_true(c >= 0);
  const mdt_cell *cell = mdt_table_cell(t, row, (size_t)c);
  return cell->kind == 1 ? cell->num : NAN;
}

static const char *text(const mdt_table *t, size_t row, const char *col) {
  long c = mdt_table_col(t, col);
  assert_true(c >= 0);
  const mdt_cell *cell = mdt_table_cell(t, row, (size_t)c);
  return cell->kind == 2 ? cell->text : "";
}

static void test_adopted_column(void **state) {
  (void)state;
  mdt_model *m = load_regional();
  const mdt_respondents *r = m->respondents;
  /* Rows in file order: 101 politisk, 102 administrativt, 103 empty, 201 political (the
   * English spelling), 202 ukjent, 203 politisk, 31 empty. */
  static const mdt_adoption want[] = {MDT_ADOPTED_POLITICAL, MDT_ADOPTED_ADMINISTRATIVE,
                                      MDT_ADOPTED_UNKNOWN,   MDT_ADOPTED_POLITICAL,
                                      MDT_ADOPTED_UNKNOWN,   MDT_ADOPTED_POLITICAL,
                                      MDT_ADOPTED_UNKNOWN};
  assert_int_equal(r->n, 7);
  for (size_t i = 0; i < 7; i++)
    assert_int_equal(r->adopted[i], want[i]);
  /* adopted is not a grouping column: kind, region, size_class. */
  assert_int_equal(r->ngroupings, 3);
  assert_null(mdt_respondents_grouping(r, "adopted"));
  mdt_model_free(m);

  mdt_adoption a;
  assert_int_equal(mdt_adoption_parse("administrative", &a), 0);
  assert_int_equal(a, MDT_ADOPTED_ADMINISTRATIVE);
  assert_int_equal(mdt_adoption_parse("unknown", &a), 0);
  assert_int_equal(a, MDT_ADOPTED_UNKNOWN);
  assert_int_equal(mdt_adoption_parse("Politisk", &a), -1);
  assert_string_equal(mdt_adoption_name(MDT_ADOPTED_POLITICAL), "political");
}

static void test_adopted_missing_and_bad(void **state) {
  (void)state;
  /* Without the column every member is unknown. */
  char *path = mdt_test_write_text("noadopt.csv", "id,name,kind,region,population,employees\n"
                                                  "1,A,kommune,N,10,5\n");
  mdt_respondents *r = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_respondents_load(path, &r, &err), MDT_OK);
  assert_int_equal(r->adopted[0], MDT_ADOPTED_UNKNOWN);
  mdt_respondents_free(r);
  free(path);
  /* "1,A,kommune,N,10,5," is 19 characters: the adopted field starts in column 20. */
  path = mdt_test_write_text("badadopt.csv", "id,name,kind,region,population,employees,adopted\n"
                                             "2,B,kommune,N,10,5,politisk\n"
                                             "1,A,kommune,N,10,5,ja\n");
  assert_int_not_equal(mdt_respondents_load(path, &r, &err), MDT_OK);
  assert_null(r);
  assert_error_at(&err, MDT_EDATA, 3, 20,
                  "adopted: expected politisk, administrativt, ukjent (or political, "
                  "administrative, unknown) or an empty field, found 'ja'");
  free(path);
}

static void test_status_table(void **state) {
  (void)state;
  mdt_model *m = load_regional();
  mdt_table *st = NULL, *miss = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_response_status_tables(m, NULL, NULL, &st, &miss, &err), MDT_OK);
  assert_string_equal(st->name, "response_status");
  /* Nord, Sør, Vest (byte order), then the nation. */
  assert_int_equal(st->nrows, 4);
  static const char *const stratum[] = {"Nord", "Sør", "Vest", "all"};
  static const double members[] = {3, 3, 1, 7}, answered[] = {2, 2, 0, 4};
  static const double employees[] = {750, 800, 300, 1850};
  /* Nord: Alfa 100 + Beta 250; Sør: Delta 600 + Epsilon 150 (text only); Vest none. */
  static const double emp_answered[] = {350, 750, 0, 1100};
  static const double political[] = {1, 1, 0, 2}, administrative[] = {1, 0, 0, 1};
  /* Sør: Epsilon ukjent; Zeta's politisk does not count, Zeta has not answered. */
  static const double unknown[] = {0, 1, 0, 1};
  for (size_t k = 0; k < 4; k++) {
    assert_string_equal(text(st, k, "scope"), k < 3 ? "region" : "all");
    assert_string_equal(text(st, k, "stratum"), stratum[k]);
    assert_true(num(st, k, "members") == members[k]);
    assert_true(num(st, k, "answered") == answered[k]);
    assert_true(num(st, k, "employees") == employees[k]);
    assert_true(num(st, k, "employees_answered") == emp_answered[k]);
    assert_true(num(st, k, "political") == political[k]);
    assert_true(num(st, k, "administrative") == administrative[k]);
    assert_true(num(st, k, "unknown") == unknown[k]);
  }
  assert_near(num(st, 0, "response_rate"), 2.0 / 3, 1e-15);
  assert_near(num(st, 0, "employee_share"), 350.0 / 750, 1e-15); /* 0.4667 */
  assert_near(num(st, 1, "employee_share"), 0.9375, 1e-15);      /* 750 / 800 */
  assert_true(num(st, 2, "response_rate") == 0);
  assert_true(isnan(num(st, 2, "political_share"))); /* no answers: no share */
  assert_near(num(st, 3, "response_rate"), 4.0 / 7, 1e-15);
  assert_near(num(st, 3, "employee_share"), 1100.0 / 1850, 1e-15); /* 0.5946 */
  assert_near(num(st, 3, "political_share"), 0.5, 1e-15);          /* 2 of 4 */

  /* Missing: Gamma (Nord), Zeta (Sør), Øst fylkeskommune (Vest). */
  assert_string_equal(miss->name, "status_missing");
  assert_int_equal(miss->nrows, 3);
  static const char *const id[] = {"103", "203", "31"};
  static const char *const name[] = {"Gamma", "Zeta", "Øst fylkeskommune"};
  for (size_t k = 0; k < 3; k++) {
    assert_string_equal(text(miss, k, "stratum"), stratum[k]);
    assert_string_equal(text(miss, k, "respondent"), id[k]);
    assert_string_equal(text(miss, k, "name"), name[k]);
  }
  assert_string_equal(text(miss, 2, "kind"), "fylkeskommune");
  assert_true(num(miss, 0, "employees") == 400);
  mdt_table_free(st);
  mdt_table_free(miss);

  /* By another column: size_class large (Øst 300), medium (Gamma 400, Delta 600), small. */
  assert_int_equal(mdt_response_status_tables(m, NULL, "size_class", &st, &miss, &err), MDT_OK);
  assert_int_equal(st->nrows, 4);
  assert_string_equal(text(st, 1, "stratum"), "medium");
  assert_true(num(st, 1, "answered") == 1);
  assert_true(num(st, 1, "employees_answered") == 600);
  assert_true(num(st, 2, "members") == 4); /* small: Alfa, Beta, Epsilon, Zeta */
  assert_true(num(st, 2, "answered") == 3);
  mdt_table_free(st);
  mdt_table_free(miss);

  assert_int_equal(mdt_response_status_tables(m, NULL, "landsdel", &st, &miss, &err), MDT_EUSAGE);
  assert_null(st);
  assert_null(miss);
  assert_non_null(strstr(err.message, "'landsdel'"));
  mdt_model_free(m);
}

/* One region's own rows, as a regional pack will ask for them. */
static void test_one_region(void **state) {
  (void)state;
  mdt_model *m = load_regional();
  const mdt_respondents *r = m->respondents;
  unsigned char responded[7];
  mdt_response_status_responded(m, NULL, responded);
  static const unsigned char want[] = {1, 1, 0, 1, 1, 0, 0};
  assert_memory_equal(responded, want, 7);
  long region = (long)(mdt_respondents_grouping(r, "region") - r->groupings);
  mdt_response_status *s = NULL;
  mdt_table *t = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_response_status_compute(r, responded, region, &s, &err), MDT_OK);
  assert_int_equal(mdt_response_status_table(s, r, 1, &t, &err), MDT_OK); /* Sør */
  assert_int_equal(t->nrows, 1);
  assert_string_equal(text(t, 0, "stratum"), "Sør");
  assert_true(num(t, 0, "answered") == 2);
  mdt_table_free(t);
  assert_int_equal(mdt_response_status_table(s, r, 3, &t, &err), MDT_EINTERNAL);
  assert_null(t);
  assert_int_equal(mdt_response_missing_table(r, responded, region, 2, &t, &err), MDT_OK);
  assert_int_equal(t->nrows, 1);
  assert_string_equal(text(t, 0, "respondent"), "31");
  mdt_table_free(t);
  mdt_response_status_free(s);
  /* The nation only. */
  assert_int_equal(mdt_response_status_compute(r, responded, -1, &s, &err), MDT_OK);
  assert_int_equal(mdt_response_status_table(s, r, -1, &t, &err), MDT_OK);
  assert_int_equal(t->nrows, 1);
  assert_true(num(t, 0, "answered") == 4);
  mdt_table_free(t);
  mdt_response_status_free(s);
  mdt_response_status_free(NULL);
  mdt_model_free(m);
}

/* As `mandat run` will do it: answers streamed into an aggregate that counts political
 * answers only, the model loaded with its text answers alone. The status still counts Beta,
 * whose administratively adopted answer the weighting left out. */
static void test_status_from_aggregate(void **state) {
  (void)state;
  mdt_model *full = load_regional();
  mdt_aggregate_options opt;
  mdt_aggregate_options_init(&opt);
  opt.bootstrap = 0;
  opt.political_only = 1;
  mdt_aggregate *agg = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt_aggregate_answers(full->respondents, full->questionnaire, full->groups,
                                         NULL, full->answers, &opt, &agg, &err),
                   MDT_OK);
  assert_int_equal(agg->nrespondents, 2); /* Alfa, Delta */
  static const unsigned char numeric[] = {1, 1, 0, 1, 0, 0, 0};
  assert_memory_equal(agg->answered, numeric, 7);

  char *dir = mdt_test_fixture("regional");
  mdt_model *m = NULL;
  assert_int_equal(mdt_model_load(dir, MDT_MODEL_TEXT_ANSWERS, &m, &err), MDT_OK);
  free(dir);
  assert_null(m->answers);
  assert_non_null(m->text_answers);
  mdt_table *st = NULL, *miss = NULL;
  assert_int_equal(mdt_response_status_tables(m, NULL, NULL, &st, &miss, &err), MDT_EINTERNAL);
  assert_int_equal(mdt_response_status_tables(m, agg->answered, "region", &st, &miss, &err),
                   MDT_OK);
  assert_true(num(st, 0, "answered") == 2); /* Nord: Alfa and Beta */
  assert_true(num(st, 1, "answered") == 2); /* Sør: Delta and Epsilon (text) */
  assert_true(num(st, 3, "answered") == 4);
  assert_true(num(st, 3, "administrative") == 1);
  assert_int_equal(miss->nrows, 3);
  mdt_table_free(st);
  mdt_table_free(miss);
  mdt_model_free(m);
  mdt_aggregate_free(agg);
  mdt_model_free(full);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_adopted_column),
      cmocka_unit_test(test_adopted_missing_and_bad),
      cmocka_unit_test(test_status_table),
      cmocka_unit_test(test_one_region),
      cmocka_unit_test(test_status_from_aggregate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
