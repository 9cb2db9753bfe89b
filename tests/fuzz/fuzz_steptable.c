/* Step tables (guarantee.csv, kroner tables), against the small fixture's groups. */
#include "fuzz_common.h"
#include "mandat/groups.h"
#include "mandat/steptable.h"

static mdt_groups *groups;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  mdt_error err;
  mdt_fuzz_need(mdt_groups_load(MDT_FIXTURE("small", "groups.csv"), &groups, &err));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("guarantee.csv", data, size);
  mdt_error err;
  mdt_step_table *t = NULL;
  mdt_status st = mdt_step_table_load("guarantee.csv", groups, &t, &err);
  mdt_fuzz_check_error(st, &err);
  if (st == MDT_OK)
    for (size_t g = 0; g < groups->n; g++)
      (void)mdt_step_table_step(t, g, 7.5);
  mdt_step_table_free(t);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
