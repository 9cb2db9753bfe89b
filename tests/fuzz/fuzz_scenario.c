/* The scenario parser: INI syntax and every key's value. */
#include "fuzz_common.h"
#include "mandat/scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mdt__memfile_set("fuzz/scenario.ini", data, size);
  mdt_error err;
  mdt_scenario *s = NULL;
  mdt_status st = mdt_scenario_load("fuzz/scenario.ini", &s, &err);
  mdt_fuzz_check_error(st, &err);
  mdt_scenario_free(s);
  mdt__memfile_set(NULL, NULL, 0);
  return 0;
}
