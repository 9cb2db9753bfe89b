/* Tests of respondents.csv: parsed columns, grouping columns, dialects and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/respondents.h"
#include "testutil.h"

static mdt_respondents *load_ok(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_respondents *r = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  if (mdt_respondents_load(path, &r, &err) != MDT_OK)
    fail_msg("%s", mdt_test_errstr(&err));
  assert_string_equal(r->path, path);
  free(path);
  return r;
}

static mdt_error load_fail(const char *name, const char *text) {
  char *path = mdt_test_write_text(name, text);
  mdt_respondents *r = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  mdt_status st = mdt_respondents_load(path, &r, &err);
  assert_int_not_equal(st, MDT_OK);
  assert_int_equal(st, err.status);
  assert_null(r);
  assert_string_equal(err.file, path);
  free(path);
  return err;
}

static void test_parsed_values(void **state) {
  (void)state;
  /* An extra grouping column (landsdel) before the fixed ones and size_class after them:
   * groupings come as kind, region, then landsdel, size_class in file order. */
  mdt_respondents *r = load_ok(
      "resp.csv",
      "id,landsdel,name,kind,region,population,employees,fte,wagebill,size_class\n"
      "1103,Vestlandet,Stavanger,kommune,vest,148682,11653,9487.3,7412.5e6,large\n"
      "1804,Nord-Norge,Bodø,kommune,nord,53712,4512,,,medium\n"
      "46,Vestlandet,Vestland fylkeskommune,fylkeskommune,vest,651299,5963,5041.6,3.1e9,large\n"
      "\n"
      "3405,Østlandet,Lillehammer,kommune,ost,28712.5,2391,1947.8,0,small\n");
  assert_int_equal(r->n, 4);
  assert_string_equal(r->id[0], "1103");
  assert_string_equal(r->id[2], "46");
  assert_string_equal(r->name[1], "Bodø");
  assert_int_equal(r->kind[0], MDT_KIND_KOMMUNE);
  assert_int_equal(r->kind[2], MDT_KIND_FYLKESKOMMUNE);
  assert_true(r->population[3] == 28712.5);
  assert_true(r->employees[2] == 5963);
  assert_true(r->fte[0] == 9487.3);
  assert_true(isnan(r->fte[1]));
  assert_true(isnan(r->wagebill_nok[1]));
  assert_true(r->wagebill_nok[0] == 7412.5e6);
  assert_true(r->wagebill_nok[3] == 0);
  /* The blank line is skipped but counted: Lillehammer is on line 6. */
  assert_int_equal(r->line[0], 2);
  assert_int_equal(r->line[2], 4);
  assert_int_equal(r->line[3], 6);

  assert_int_equal(r->ngroupings, 4);
  const mdt_grouping *kind = &r->groupings[0];
  assert_string_equal(kind->name, "kind");
  assert_int_equal(kind->nlevels, 2);
  assert_string_equal(kind->levels[0], "fylkeskommune");
  assert_string_equal(kind->levels[1], "kommune");
  assert_int_equal(kind->code[0], 1);
  assert_int_equal(kind->code[2], 0);
  const mdt_grouping *region = &r->groupings[1];
  assert_string_equal(region->name, "region");
  assert_int_equal(region->nlevels, 3);
  assert_string_equal(region->levels[0], "nord");
  assert_string_equal(region->levels[1], "ost");
  assert_string_equal(region->levels[2], "vest");
  assert_int_equal(region->code[0], 2);
  assert_int_equal(region->code[1], 0);
  assert_int_equal(region->code[2], 2);
  assert_int_equal(region->code[3], 1);
  /* Byte order: 'Ø' (0xC3 0x98) sorts after every ASCII letter. */
  const mdt_grouping *landsdel = &r->groupings[2];
  assert_string_equal(landsdel->name, "landsdel");
  assert_int_equal(landsdel->nlevels, 3);
  assert_string_equal(landsdel->levels[0], "Nord-Norge");
  assert_string_equal(landsdel->levels[1], "Vestlandet");
  assert_string_equal(landsdel->levels[2], "Østlandet");
  assert_int_equal(landsdel->code[0], 1);
  assert_int_equal(landsdel->code[1], 0);
  assert_int_equal(landsdel->code[3], 2);
  const mdt_grouping *size = &r->groupings[3];
  assert_string_equal(size->name, "size_class");
  assert_string_equal(size->levels[0], "large");
  assert_string_equal(size->levels[2], "small");
  assert_int_equal(size->code[1], 1);

  assert_int_equal(mdt_respondents_find(r, "46"), 2);
  assert_int_equal(mdt_respondents_find(r, "3405"), 3);
  assert_int_equal(mdt_respondents_find(r, "0301"), -1);
  assert_ptr_equal(mdt_respondents_grouping(r, "size_class"), size);
  assert_ptr_equal(mdt_respondents_grouping(r, "kind"), kind);
  assert_null(mdt_respondents_grouping(r, "population"));
  assert_int_equal(mdt_grouping_level(region, "ost"), 1);
  assert_int_equal(mdt_grouping_level(region, "vest"), 2);
  assert_int_equal(mdt_grouping_level(region, "sør"), -1);
  mdt_respondents_free(r);
  mdt_respondents_free(NULL);
}

static void test_excel_dialect(void **state) {
  (void)state;
  /* What Excel writes in a Norwegian locale: BOM, ';', decimal comma, CRLF, quotes. */
  mdt_respondents *r = load_ok("excel.csv",
                               "\xEF\xBB\xBF"
                               "id;name;kind;region;population;employees;fte\r\n"
                               "1103;Stavanger;kommune;vest;148682;11653;9487,3\r\n"
                               "46;\"Vestland; fylkeskommune\";fylkeskommune;vest;651299;5963,5;"
                               "5041,6\r\n");
  assert_int_equal(r->n, 2);
  assert_string_equal(r->id[0], "1103"); /* no BOM glued to the first id */
  assert_string_equal(r->name[1], "Vestland; fylkeskommune");
  assert_true(r->fte[0] == 9487.3);
  assert_true(r->fte[1] == 5041.6);
  assert_true(r->employees[1] == 5963.5);
  assert_true(isnan(r->wagebill_nok[0]));
  assert_int_equal(r->line[1], 3);
  assert_int_equal(r->ngroupings, 2);
  assert_string_equal(r->groupings[1].levels[0], "vest");
  mdt_respondents_free(r);
}

static void test_excel_dialect_error(void **state) {
  (void)state;
  /* A negative number is shown as written, with its decimal comma. */
  mdt_error err = load_fail("excelbad.csv", "\xEF\xBB\xBF"
                                            "id;name;kind;region;population;employees\r\n"
                                            "1108;Sandnes;kommune;vest;83000;-1,5\r\n");
  assert_error_at(&err, MDT_EDATA, 2, 33, "employees: expected a number from 0 to 1e+15, found '-1,5'");
}

#define HEADER "id,name,kind,region,population,employees,fte,wagebill,size_class\n"
#define GOOD "1103,Stavanger,kommune,vest,148682,11653,9487.3,,large\n"

static void test_row_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("dup.csv", HEADER GOOD "1103,Sandnes,kommune,vest,83000,6100,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 1,
                  "id: expected a unique member id, found '1103' again (first on line 2)");
  err = load_fail("noid.csv", HEADER GOOD ",Sandnes,kommune,vest,83000,6100,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 1, "id: expected text, found an empty field");
  err = load_fail("kind.csv", HEADER GOOD "1108,Sandnes,Kommune,vest,83000,6100,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 14,
                  "kind: expected kommune or fylkeskommune, found 'Kommune'");
  err = load_fail("pop.csv", HEADER GOOD "1108,Sandnes,kommune,vest,-83000,6100,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 27, "population: expected a number from 0 to 1e+15, found '-83000'");
  err = load_fail("emp.csv", HEADER GOOD "1108,Sandnes,kommune,vest,83000,-6100.5,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 33, "employees: expected a number from 0 to 1e+15, found '-6100.5'");
  err = load_fail("fte.csv", HEADER GOOD "1108,Sandnes,kommune,vest,83000,6100,-1,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 38, "fte: expected a number from 0 to 1e+15, found '-1'");
  err = load_fail("wage.csv", HEADER GOOD "1108,Sandnes,kommune,vest,83000,6100,,-2.5e6,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 39, "wagebill: expected a number from 0 to 1e+15, found '-2500000'");
  err = load_fail("size.csv", HEADER GOOD "1108,Sandnes,kommune,vest,83000,6100,,,\n");
  assert_error_at(&err, MDT_EDATA, 3, 40, "size_class: expected text, found an empty field");
  err = load_fail("num.csv", HEADER GOOD "1108,Sandnes,kommune,vest,83 000,6100,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 27, "population: expected a number, found '83 000'");
  err = load_fail("noemp.csv", HEADER GOOD "1108,Sandnes,kommune,vest,83000,,,,large\n");
  assert_error_at(&err, MDT_EDATA, 3, 33, "employees: expected a number, found an empty field");
}

static void test_file_errors(void **state) {
  (void)state;
  mdt_error err = load_fail("nocol.csv", "id,name,kind,region,population\n"
                                         "1103,Stavanger,kommune,vest,148682\n");
  assert_error_at(&err, MDT_EDATA, 1, 1,
                  "expected a column named 'employees' in the header, found "
                  "'id,name,kind,region,population'");
  err = load_fail("norows.csv", HEADER);
  assert_error_at(&err, MDT_EDATA, 2, 1, "expected at least one member, found none");
  err = load_fail("void.csv", "");
  assert_error_at(&err, MDT_EDATA, 1, 1, "expected a header row, found an empty file");

  mdt_respondents *r = NULL;
  assert_int_equal(mdt_respondents_load("/nonexistent/respondents.csv", &r, &err),
                   MDT_ENOINPUT);
  assert_null(r);
  assert_string_equal(err.file, "/nonexistent/respondents.csv");
  assert_non_null(strstr(err.message, "cannot open"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parsed_values),
      cmocka_unit_test(test_excel_dialect),
      cmocka_unit_test(test_excel_dialect_error),
      cmocka_unit_test(test_row_errors),
      cmocka_unit_test(test_file_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
