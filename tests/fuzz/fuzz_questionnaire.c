/* questions.csv and options.csv: the first input byte picks which of the two is fuzzed; the other is the mini fixture's. */
#include "fuzz_common.h"
#include "mandat/groups.h"
#include "mandat/questionnaire.h"

static mdt_groups *groups;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  mdt_error err;
  mdt_fuzz_need(mdt_groups_load(MDT_FIXTURE("mini", "groups.csv"), &groups, &err));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  int options = data[0] & 1;
  const char *name = options ? "options.csv" : "questions.csv";
  mdt__memfile_set(name, data + 1, size - 1);
  mdt_error err;
  mdt_questionnaire *q = NULL;
  mdt_status st = mdt_questionnaire_load(
      options ? MDT_FIXTURE("mini", "questions.csv") : "questions.csv",
      options ? "options.csv" : MDT_FIXTURE("mini", "options.csv"), groups, &q, &err);
  mdt_fuzz_check_error(st, &err);
  mdt_questionnaire_free(q);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
