/* Runs a scenario's settlement through libmandat (built with pkg-config) and prints its
 * settlement table as CSV, the settlement.csv `mandat run` writes.
 * Usage: settlement_table SCENARIO.ini */
#include <stdio.h>

#include <mandat/mandat.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SCENARIO.ini\n", argv[0]);
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
  const mdt_table *t = st == MDT_OK ? mdt_result_find(res, 0, "settlement") : NULL;
  if (st == MDT_OK && t == NULL)
    st = mdt_error_set(&err, MDT_EINTERNAL, "no settlement table");
  if (st == MDT_OK)
    st = mdt_table_write_csv(t, stdout, &err);
  if (st != MDT_OK)
    fprintf(stderr, "%s\n", err.message);
  mdt_result_free(res);
  mdt_run_free(run);
  return mdt_status_exit_code(st);
}
