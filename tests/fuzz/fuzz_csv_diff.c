/* Differential: the CSV reader's fast path against libcsv alone on the same bytes. Both must
 * give the same rows, lines, fields and errors (tests/fuzz/csv_diff.h); any difference
 * aborts, and libFuzzer keeps the input. */
#include <stdio.h>

#include "csv_diff.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static void compare(mdt_diff_mode mode, int threads) {
  mdt_transcript fast = {0}, ref = {0};
  mdt_status sf = mdt_csv_transcript("fuzz.csv", 0, threads, mode, &fast);
  mdt_status sr = mdt_csv_transcript("fuzz.csv", 1, 1, mode, &ref);
  if (!fast.oom && !ref.oom &&
      (sf != sr || fast.len != ref.len || memcmp(fast.text, ref.text, fast.len) != 0)) {
    fprintf(stderr, "fast path:\n%.*s\nlibcsv:\n%.*s\n", (int)fast.len, fast.text,
            (int)ref.len, ref.text);
    abort();
  }
  free(fast.text);
  free(ref.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("fuzz.csv", data, size);
  compare(MDT_DIFF_TEXT, 1);
  compare(MDT_DIFF_NUMBERS, 1);
  compare(MDT_DIFF_KEYS, 1);
  compare(MDT_DIFF_MIXED, 1);
  compare(MDT_DIFF_TEXT, 2);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
