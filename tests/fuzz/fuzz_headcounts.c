/* headcounts.csv, against the mini fixture's members and groups. */
#include "fuzz_common.h"
#include "mandat/groups.h"
#include "mandat/headcounts.h"
#include "mandat/respondents.h"

static mdt_respondents *resp;
static mdt_groups *groups;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  mdt_error err;
  mdt_fuzz_need(mdt_respondents_load(MDT_FIXTURE("mini", "respondents.csv"), &resp, &err));
  mdt_fuzz_need(mdt_groups_load(MDT_FIXTURE("mini", "groups.csv"), &groups, &err));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("headcounts.csv", data, size);
  mdt_error err;
  mdt_headcounts *h = NULL;
  mdt_status st = mdt_headcounts_load("headcounts.csv", resp, groups, &h, &err);
  mdt_fuzz_check_error(st, &err);
  mdt_headcounts_free(h);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
