/* The CSV reader: header detection, UTF-8, quoting, line ends, every column type, one and
 * several chunks' worth of rows are the same code path for a small input. */
#include "fuzz_common.h"
#include "core/csv.h"

static const char *const ids[] = {"g1", "g2", "x", "1103", ""};

static long find_id(const void *keys, const char *text, size_t len) {
  (void)keys;
  for (long k = 0; k < (long)(sizeof ids / sizeof ids[0]); k++)
    if (strlen(ids[k]) == len && memcmp(ids[k], text, len) == 0)
      return k;
  return -1;
}

static mdt_status touch(const mdt_csv_batch *b, void *user, mdt_error *err) {
  (void)err;
  volatile size_t *sum = user;
  for (size_t r = 0; r < b->nrows; r++) {
    if (b->present[0])
      *sum += strlen(mdt_csv_str(b, 0, r));
    if (b->present[1])
      *sum += (size_t)b->ints[1][r];
    *sum += (size_t)b->line[r];
  }
  return MDT_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("fuzz.csv", data, size);
  const mdt_csv_spec specs[] = {
      {"a", MDT_CSV_STR, 0, 1, NULL, NULL, NULL, 0, 0},
      {"b", MDT_CSV_INT, 0, 1, NULL, NULL, NULL, 0, 0},
      {"c", MDT_CSV_REAL, 0, 0, NULL, NULL, NULL, 0, 0},
      {"d", MDT_CSV_FIX4, 0, 1, NULL, NULL, NULL, 0, 0},
      {"k", MDT_CSV_KEY, 0, 0, find_id, NULL, "an id", 0, 0},
      {"u", MDT_CSV_KEY, 0, 1, find_id, NULL, NULL, 1, 0},
      {"z", MDT_CSV_REAL, 0, 1, NULL, NULL, NULL, 0, 1},
  };
  mdt_error err;
  mdt_csv *csv = NULL;
  mdt_status st = mdt_csv_open(&csv, "fuzz.csv", &err);
  mdt_fuzz_check_error(st, &err);
  if (st == MDT_OK) {
    volatile size_t sum = 0;
    st = mdt_csv_read(csv, specs, sizeof specs / sizeof specs[0], 7, touch, (void *)&sum, &err);
    mdt_fuzz_check_error(st, &err);
    mdt_csv_close(csv);
  }
  /* The whole-table reader over the same bytes. */
  mdt_csv_table *t = NULL;
  st = mdt_csv_read_table("fuzz.csv", specs, sizeof specs / sizeof specs[0], &t, &err);
  mdt_fuzz_check_error(st, &err);
  mdt_csv_table_free(t);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
