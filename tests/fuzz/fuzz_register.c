/* register.csv, against the small fixture's members and groups. */
#include "fuzz_common.h"
#include "mandat/groups.h"
#include "mandat/register.h"
#include "mandat/respondents.h"

static mdt_respondents *resp;
static mdt_groups *groups;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  mdt_error err;
  mdt_fuzz_need(mdt_respondents_load(MDT_FIXTURE("small", "respondents.csv"), &resp, &err));
  mdt_fuzz_need(mdt_groups_load(MDT_FIXTURE("small", "groups.csv"), &groups, &err));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("register.csv", data, size);
  mdt_error err;
  mdt_register *reg = NULL;
  mdt_status st = mdt_register_load("register.csv", resp, groups, &reg, &err);
  mdt_fuzz_check_error(st, &err);
  mdt_register_free(reg);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
