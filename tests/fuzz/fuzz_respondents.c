/* respondents.csv: the members and their sizes and groupings. */
#include "fuzz_common.h"
#include "mandat/respondents.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("respondents.csv", data, size);
  mdt_error err;
  mdt_respondents *r = NULL;
  mdt_status st = mdt_respondents_load("respondents.csv", &r, &err);
  mdt_fuzz_check_error(st, &err);
  if (st == MDT_OK && r->n > 0 && mdt_respondents_find(r, r->id[0]) != 0)
    abort();
  mdt_respondents_free(r);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
