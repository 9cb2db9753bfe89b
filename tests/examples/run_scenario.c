/* Runs a scenario through libmandat and writes the folder `mandat run` writes.
 * Usage: run_scenario SCENARIO.ini DIR */
#include <stdio.h>

#include <mandat/mandat.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SCENARIO.ini DIR\n", argv[0]);
    return 2;
  }
  mdt_run_options o;
  mdt_run_options_init(&o);
  o.scenario_path = argv[1];
  mdt_run *run = NULL;
  mdt_result *res = NULL;
  mdt_error err;
  mdt_status st = mdt_run_open(&o, &run, &err);
  if (st == MDT_OK)
    st = mdt_run_compute(run, &res, &err);
  if (st == MDT_OK)
    st = mdt_output_write(res, argv[2], NULL, NULL, &err);
  if (st != MDT_OK)
    fprintf(stderr, "%s:%ld:%ld: %s\n", err.file, err.line, err.column, err.message);
  mdt_result_free(res);
  mdt_run_free(run);
  return mdt_status_exit_code(st);
}
