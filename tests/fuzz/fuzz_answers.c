/* answers.csv, against the mini fixture's members and questionnaire. */
#include "fuzz_common.h"
#include "mandat/answers.h"
#include "mandat/groups.h"
#include "mandat/questionnaire.h"
#include "mandat/respondents.h"

static mdt_respondents *resp;
static mdt_groups *groups;
static mdt_questionnaire *quest;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  mdt_error err;
  mdt_fuzz_need(mdt_respondents_load(MDT_FIXTURE("mini", "respondents.csv"), &resp, &err));
  mdt_fuzz_need(mdt_groups_load(MDT_FIXTURE("mini", "groups.csv"), &groups, &err));
  mdt_fuzz_need(mdt_questionnaire_load(MDT_FIXTURE("mini", "questions.csv"),
                                       MDT_FIXTURE("mini", "options.csv"), groups, &quest,
                                       &err));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("answers.csv", data, size);
  mdt_error err;
  mdt_answers *a = NULL;
  mdt_status st = mdt_answers_load("answers.csv", resp, quest, &a, &err);
  mdt_fuzz_check_error(st, &err);
  mdt_answers_free(a);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
