/* The mandat program: global options and dispatch to the subcommands. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/spare.h"
#include "mandat/version.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} command;

/* One row per subcommand, in the order --help lists them; NULL ends the table. */
static const command commands[] = {
    {"run", cmd_run, "run a scenario: mandate, settlement, trade-offs, uncertainty, report"},
    {"status", cmd_status, "who has answered, per region, who has not, and the text answers"},
    {"merge", cmd_merge, "merge the parts of a sharded run (run --shard K/N) into its folder"},
    {"aggregate", cmd_aggregate, "weight the members' answers into a mandate"},
    {"frame", cmd_frame, "annual wage growth and the room for central increases (TBU)"},
    {"simulate", cmd_simulate, "divide the frame among employee groups over the register"},
    {"compare", cmd_compare, "alternatives side by side: scenarios or result folders"},
    {"generate", cmd_generate, "synthetic members, answers, registers and model folders"},
    {NULL, NULL, NULL},
};

static void print_help(FILE *fp) {
  fprintf(fp,
          "Usage: mandat [--version] [--help] COMMAND [OPTIONS]\n"
          "\n"
          "Turns KS members' wage-priority answers into a negotiating mandate and divides\n"
          "the frame among employee groups.\n"
          "\n"
          "Commands:\n");
  for (const command *c = commands; c->name != NULL; c++)
    fprintf(fp, "  %-10s %s\n", c->name, c->summary);
  fprintf(fp, "\n"
              "Run 'mandat COMMAND --help' for a command's options.\n"
              "Exit status: 0 ok, 1 a check failed, 2 usage, 65 bad data, 66 missing input,\n"
              "70 internal error, 73 cannot write output, 75 lock held.\n");
}

/* The library's notices (a file read as Windows-1252) as log lines. */
static void note(void *user, const char *message) {
  (void)user;
  cli_log("%s", message);
}

int main(int argc, char **argv) {
  /* The library reports GSL's failures as statuses; GSL must never abort the program. */
  gsl_set_error_handler_off();
  /* Small blocks from one heap grown 64 MiB at a time in huge pages: a 4 KiB page's first
   * write is a page fault, and on a virtual machine a dear one (the aggregate of 10 M answers
   * took 9 000 of them, 740 now). */
  mdt__heap_huge((size_t)64 << 20);
  mdt_set_note_handler(note, NULL);
  if (argc < 2) {
    print_help(stderr);
    return 2;
  }
  const char *arg = argv[1];
  if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0) {
    print_help(stdout);
    return 0;
  }
  if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
    printf("mandat %s\n", MDT_VERSION_STRING);
    return 0;
  }
  for (const command *c = commands; c->name != NULL; c++)
    if (strcmp(arg, c->name) == 0) {
      int rc = c->run(argc - 1, argv + 1);
      /* What went to standard output (a summary, a table) must have arrived: a full disk
       * or a closed pipe is exit status 73, not 0. */
      if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mandat: standard output: cannot write: %s\n", strerror(errno));
        if (rc == 0)
          rc = mdt_status_exit_code(MDT_ECANTWRITE);
      }
      return rc;
    }
  fprintf(stderr, "mandat: unknown command '%s'\nTry 'mandat --help'.\n", arg);
  return 2;
}
