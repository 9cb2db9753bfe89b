/* groups.csv: the employee groups. */
#include "fuzz_common.h"
#include "mandat/groups.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("groups.csv", data, size);
  mdt_error err;
  mdt_groups *g = NULL;
  mdt_status st = mdt_groups_load("groups.csv", &g, &err);
  mdt_fuzz_check_error(st, &err);
  if (st == MDT_OK && g->n > 0 && mdt_groups_find(g, g->id[0]) != 0)
    abort();
  mdt_groups_free(g);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
