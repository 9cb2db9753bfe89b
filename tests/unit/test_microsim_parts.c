/*
 * Compiling the register (each cell sorted by pay) and summing the cells in parts on threads
 * (mdt__microsim_new_threads, mdt__cells_new_threads; mdt__microsim_new_taking into the
 * register's own columns): every column, cell, unit and exact
 * total, and every cell's prefix sums, must be the same bits as with one thread, each cell in
 * order of pay with those paid the same in register order, and a bad row must be reported as
 * the first bad row in register order whichever part meets it.
 */
#include <gsl/gsl_rng.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/microsim_cells.h"
#include "engine/microsim_int.h"
#include "fixture_microsim.h"

#define NGROUPS 3
/* Enough rows for three parts of at least 2^16 rows. */
#define NROWS 210000

static const char *const ids[NGROUPS] = {"g1", "g2", "c5"};
static const char *const chapters[NGROUPS] = {"4", "4", "5"};

static mdt_register *random_register(gsl_rng *r, size_t n) {
  mdt_register *reg = mdt_test_register_alloc(n);
  for (size_t i = 0; i < n; i++) {
    reg->group[i] = (int32_t)gsl_rng_uniform_int(r, NGROUPS);
    reg->seniority_years[i] = 60.0 * gsl_rng_uniform(r); /* some beyond the last step year */
    reg->fte_e4[i] = 1 + (int32_t)gsl_rng_uniform_int(r, 10000);
    reg->weight_e4[i] = 1 + (int32_t)gsl_rng_uniform_int(r, 250000);
    int64_t pay = 280000 + (int64_t)gsl_rng_uniform_int(r, 620000);
    reg->salary_nok[i] = gsl_rng_uniform_int(r, 3) == 0 ? pay / 1000 * 1000 : pay;
  }
  return reg;
}

#define SAME(a, b, field, count)                                                              \
  assert_memory_equal((a)->field, (b)->field, (count) * sizeof *(a)->field)

static void assert_same_sim(const mdt_microsim *a, const mdt_microsim *b) {
  assert_int_equal(a->n, b->n);
  assert_int_equal(a->ncells, b->ncells);
  assert_int_equal(a->nunits, b->nunits);
  size_t n = a->n, C = a->ncells, U = a->nunits, G = a->ngroups;
  SAME(a, b, old_nok, n);
  SAME(a, b, wfte_e8, n);
  SAME(a, b, weight_e4, n);
  SAME(a, b, move_from, n);
  SAME(a, b, row_of, n);
  SAME(a, b, group_cell, G + 1);
  SAME(a, b, cell_group, C);
  SAME(a, b, cell_years, C);
  SAME(a, b, cell_start, C + 1);
  SAME(a, b, cell_wfte_e8, C);
  SAME(a, b, group_unit, G + 1);
  SAME(a, b, unit_cell, U);
  SAME(a, b, unit_start, U + 1);
  SAME(a, b, default_covered, G);
  SAME(a, b, employees_e4, G);
  SAME(a, b, fte_e8, G);
  SAME(a, b, wage_bill_e8, G);
  SAME(a, b, wage_bill_d, G);
  assert_true(a->total_employees_e4 == b->total_employees_e4);
  assert_true(a->total_fte_e8 == b->total_fte_e8);
  assert_true(a->total_wage_bill_e8 == b->total_wage_bill_e8);
  assert_memory_equal(&a->total_wage_bill_d, &b->total_wage_bill_d, sizeof(double));
}

static void assert_same_cells(const mdt_microsim *sim, const mdt__cells *a, const mdt__cells *b) {
  for (size_t c = 0; c < sim->ncells; c++) {
    mdt__cell_run x = mdt__cells_run(a, c), y = mdt__cells_run(b, c);
    assert_int_equal(x.n, y.n);
    assert_int_equal(x.first, y.first);
    assert_int_equal(x.shift, y.shift);
    const uint32_t *row = sim->row_of + x.first;
    for (size_t k = 1; k < x.n; k++) /* by pay, those paid the same in register order */
      assert_true(x.old[k - 1] < x.old[k] || (x.old[k - 1] == x.old[k] && row[k - 1] < row[k]));
    /* Every prefix, read from the checkpoints at every 2^shift and the columns, is that of the
     * columns summed one by one, in both indexes. */
    int64_t pw = 0, pe = 0;
    mdt_i128 pwo = 0;
    for (size_t k = 0; k <= x.n; k++) {
      assert_true(mdt__run_w(&x, k) == pw && mdt__run_wo(&x, k) == pwo &&
                  mdt__run_e(&x, k) == pe);
      assert_true(mdt__run_w(&y, k) == pw && mdt__run_wo(&y, k) == pwo &&
                  mdt__run_e(&y, k) == pe);
      if (k == x.n)
        break;
      pw += (int64_t)sim->wfte_e8[x.first + k];
      pwo += (mdt_i128)(int64_t)sim->wfte_e8[x.first + k] * (int64_t)sim->old_nok[x.first + k];
      pe += sim->weight_e4[x.first + k];
    }
  }
}

static void test_same_for_any_threads(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 1404);
  mdt_groups *groups = mdt_test_groups(NGROUPS, ids, chapters, NULL, NULL);
  mdt_register *reg = random_register(r, NROWS);
  mdt_microsim *one = NULL;
  mdt__cells *cells_one = NULL;
  assert_int_equal(mdt_microsim_new(reg, groups, &one, NULL), MDT_OK);
  assert_int_equal(mdt__cells_new(one, &cells_one, NULL), MDT_OK);
  for (int threads = 2; threads <= 4; threads++) {
    mdt_microsim *many = NULL;
    mdt__cells *cells_many = NULL;
    assert_int_equal(mdt__microsim_new_threads(reg, groups, threads, &many, NULL), MDT_OK);
    assert_same_sim(one, many);
    assert_int_equal(mdt__cells_new_threads(many, threads, &cells_many, NULL), MDT_OK);
    assert_same_cells(one, cells_one, cells_many);
    mdt__cells_free(cells_many);
    /* Built in a block kept from before: the three arrays in one, the smallest kept block
     * that holds its 32 bytes a checkpoint (at most n / 16 + 2 a cell), none new. */
    mdt__spare spare = {0};
    size_t room = (many->n + 2 * many->ncells) * 32;
    void *kept = malloc(room);
    mdt__spare_put(&spare, malloc(room * 2), room * 2); /* larger: left */
    mdt__spare_put(&spare, kept, room);
    mdt__spare_put(&spare, malloc(4), 4); /* too small */
    assert_int_equal(mdt__cells_new_spare(many, threads, &spare, &cells_many, NULL), MDT_OK);
    mdt__cell_run first = mdt__cells_run(cells_many, 0);
    assert_ptr_equal((const void *)first.pwo, kept);
    assert_int_equal(spare.fresh, 0);
    assert_int_equal(spare.n, 2);
    assert_same_cells(one, cells_one, cells_many);
    mdt__spare_free(&spare);
    mdt__cells_free(cells_many);
    mdt_microsim_free(many);
  }
  mdt__cells_free(cells_one);
  mdt_microsim_free(one);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
  gsl_rng_free(r);
}

/* A copy of reg, each column a block of its own as the loader's are. */
static mdt_register *register_copy(const mdt_register *reg) {
  mdt_register *c = mdt_test_register_alloc(reg->n);
  size_t n = reg->n;
  memcpy(c->respondent, reg->respondent, n * sizeof *c->respondent);
  memcpy(c->group, reg->group, n * sizeof *c->group);
  memcpy(c->seniority_years, reg->seniority_years, n * sizeof *c->seniority_years);
  memcpy(c->fte_e4, reg->fte_e4, n * sizeof *c->fte_e4);
  memcpy(c->salary_nok, reg->salary_nok, n * sizeof *c->salary_nok);
  memcpy(c->weight_e4, reg->weight_e4, n * sizeof *c->weight_e4);
  return c;
}

/* Compiled into the register's own columns (a one-year run's mdt__microsim_new_taking): the
 * same microsim as from a register left as it is, for any number of threads; the register
 * keeps its groups alone, its members' column (the keys') goes to spare, and no column but
 * move_from's is new. */
static void test_taking_the_register(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2024);
  mdt_groups *groups = mdt_test_groups(NGROUPS, ids, chapters, NULL, NULL);
  mdt_register *reg = random_register(r, NROWS);
  mdt_microsim *want = NULL;
  assert_int_equal(mdt_microsim_new(reg, groups, &want, NULL), MDT_OK);
  for (int threads = 1; threads <= 4; threads++) {
    mdt_register *taken = register_copy(reg);
    const void *seniority = taken->seniority_years, *salary = taken->salary_nok;
    const void *fte = taken->fte_e4, *weight = taken->weight_e4, *members = taken->respondent;
    const int32_t *group = taken->group;
    mdt__spare spare = {0};
    mdt_microsim *got = NULL;
    assert_int_equal(mdt__microsim_new_taking(taken, groups, threads, &spare, &got, NULL),
                     MDT_OK);
    assert_same_sim(want, got);
    assert_ptr_equal(got->old_nok, seniority);
    assert_ptr_equal(got->wfte_e8, salary);
    assert_ptr_equal(got->weight_e4, fte);
    assert_ptr_equal(got->row_of, weight);
    assert_true(taken->seniority_years == NULL && taken->salary_nok == NULL &&
                taken->fte_e4 == NULL && taken->weight_e4 == NULL &&
                taken->respondent == NULL);
    assert_ptr_equal(taken->group, group);
    assert_memory_equal(taken->group, reg->group, NROWS * sizeof *reg->group);
    assert_int_equal(taken->n, NROWS);
    assert_int_equal(spare.n, 1);
    assert_ptr_equal(spare.block[0], members);
    assert_true(spare.size[0] >= NROWS * sizeof(uint32_t));
    mdt__spare_free(&spare);
    mdt_microsim_free(got);
    mdt_test_register_free(taken);
  }
  /* A bad row: the same error, nothing compiled, the register's columns its own still. */
  reg->salary_nok[NROWS / 3] = 0;
  mdt_error want_err, got_err;
  mdt_error_clear(&want_err);
  mdt_error_clear(&got_err);
  mdt_microsim *none = NULL;
  assert_int_equal(mdt__microsim_new_threads(reg, groups, 3, &none, &want_err), MDT_EDATA);
  mdt_register *taken = register_copy(reg);
  mdt__spare spare = {0};
  assert_int_equal(mdt__microsim_new_taking(taken, groups, 3, &spare, &none, &got_err),
                   MDT_EDATA);
  assert_null(none);
  assert_string_equal(want_err.message, got_err.message);
  assert_int_equal(spare.n, 0);
  assert_non_null(taken->respondent);
  assert_non_null(taken->salary_nok);
  mdt_test_register_free(taken);
  mdt_microsim_free(want);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
  gsl_rng_free(r);
}

/* The error of compiling reg with the given threads (must fail). */
static void compile_error(const mdt_register *reg, const mdt_groups *groups, int threads,
                          char *msg, size_t size) {
  mdt_microsim *sim = NULL;
  mdt_error err;
  mdt_error_clear(&err);
  assert_int_equal(mdt__microsim_new_threads(reg, groups, threads, &sim, &err), MDT_EDATA);
  assert_null(sim);
  snprintf(msg, size, "%s", err.message);
}

static void test_first_bad_row(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 77);
  mdt_groups *groups = mdt_test_groups(NGROUPS, ids, chapters, NULL, NULL);
  mdt_register *reg = random_register(r, NROWS);
  char want[800], got[800];
  /* A bad row in the last part alone, then an earlier one in the middle part too. */
  reg->fte_e4[NROWS - 5] = 0;
  compile_error(reg, groups, 1, want, sizeof want);
  assert_non_null(strstr(want, "register row 209996:"));
  compile_error(reg, groups, 3, got, sizeof got);
  assert_string_equal(want, got);
  reg->salary_nok[NROWS / 2] = 0;
  compile_error(reg, groups, 1, want, sizeof want);
  assert_non_null(strstr(want, "register row 105001:"));
  for (int threads = 2; threads <= 4; threads++) {
    compile_error(reg, groups, threads, got, sizeof got);
    assert_string_equal(want, got);
  }
  /* A bad group or seniority (found by the first pass) after a bad pay (the second's) in an
   * earlier part, and before one. */
  reg->salary_nok[NROWS / 2] = 300000;
  reg->fte_e4[NROWS - 5] = 10000;
  reg->salary_nok[1000] = 0;
  reg->group[150000] = 99;
  compile_error(reg, groups, 1, want, sizeof want);
  assert_non_null(strstr(want, "register row 1001:"));
  for (int threads = 2; threads <= 4; threads++) {
    compile_error(reg, groups, threads, got, sizeof got);
    assert_string_equal(want, got);
  }
  reg->salary_nok[1000] = 400000;
  reg->seniority_years[700] = -1.0;
  reg->weight_e4[100000] = 0;
  compile_error(reg, groups, 1, want, sizeof want);
  assert_non_null(strstr(want, "register row 701: expected seniority"));
  for (int threads = 2; threads <= 4; threads++) {
    compile_error(reg, groups, threads, got, sizeof got);
    assert_string_equal(want, got);
  }
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
  gsl_rng_free(r);
}

/* Cells whose pays span 1 to 3 radix digits of 11 bits (2^11, 2^22, 2^32 kroner), and one that
 * spans more than 2^32 kroner (up to the largest salary allowed, 10^12: sorted as pairs), each
 * with many pays repeated: every cell must come out in order of pay, those paid the same in
 * register order, with each column position's pay that of its register row. */
static void test_pay_spans(void **state) {
  (void)state;
  static const int64_t span[4] = {2000, 3000000, 4000000000LL, MDT_MICROSIM_MAX_SALARY_NOK - 1};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5150);
  mdt_groups *groups = mdt_test_groups(NGROUPS, ids, chapters, NULL, NULL);
  const size_t n = 20000;
  mdt_register *reg = mdt_test_register_alloc(n);
  for (size_t i = 0; i < n; i++) {
    size_t cell = gsl_rng_uniform_int(r, 4); /* group 0 or 1, 0 or 1 whole years */
    reg->group[i] = (int32_t)(cell / 2);
    reg->seniority_years[i] = (double)(cell % 2) + 0.5;
    reg->fte_e4[i] = 10000;
    reg->weight_e4[i] = 10000;
    /* A third of the pays from a handful of values, so that many are the same. */
    int64_t excess = gsl_rng_uniform_int(r, 3) == 0
                         ? span[cell] / 7 * (int64_t)gsl_rng_uniform_int(r, 8)
                         : (int64_t)(gsl_rng_uniform(r) * (double)span[cell]);
    reg->salary_nok[i] = 1 + excess;
  }
  mdt_microsim *sim = NULL;
  mdt__cells *cells = NULL;
  assert_int_equal(mdt_microsim_new(reg, groups, &sim, NULL), MDT_OK);
  assert_int_equal(sim->ncells, 4);
  assert_int_equal(mdt__cells_new(sim, &cells, NULL), MDT_OK);
  assert_same_cells(sim, cells, cells); /* the order, and the prefix sums of the columns */
  unsigned char *seen = calloc(n, 1);
  for (size_t k = 0; k < n; k++) {
    uint32_t row = sim->row_of[k];
    assert_true(row < n && !seen[row]);
    seen[row] = 1;
    assert_true(sim->old_nok[k] == (double)reg->salary_nok[row]);
  }
  /* The widest cell's pays do span more than 2^32 kroner. */
  const double *old = sim->old_nok + sim->cell_start[3];
  assert_true(old[sim->cell_start[4] - sim->cell_start[3] - 1] - old[0] > 4294967296.0);
  free(seen);
  mdt__cells_free(cells);
  mdt_microsim_free(sim);
  mdt_test_register_free(reg);
  mdt_test_groups_free(groups);
  gsl_rng_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_for_any_threads),
      cmocka_unit_test(test_first_bad_row),
      cmocka_unit_test(test_taking_the_register),
      cmocka_unit_test(test_pay_spans),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
