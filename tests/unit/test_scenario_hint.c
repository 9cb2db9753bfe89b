/*
 * Tests of the scenario parser's hint for an unknown key: the key of the same section closest
 * to it ("did you mean 'frame_pct'?") when it is a typo or the start of a key, in plain and
 * year-two sections, and no hint when nothing is close. The cases are data: the file, and the
 * whole message expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/scenario.h"
#include "testutil.h"

static const struct {
  const char *text;
  long line, column;
  const char *message;
} cases[] = {
    /* one letter missing, two swapped, one extra */
    {"[frame]\nframe_pc = 5.2\n", 2, 1,
     "expected a key of [frame], found 'frame_pc' (did you mean 'frame_pct'?)"},
    {"[frame]\nfrmae_pct = 5.2\n", 2, 1,
     "expected a key of [frame], found 'frmae_pct' (did you mean 'frame_pct'?)"},
    {"[settlement]\nrulez = table\n", 2, 1,
     "expected a key of [settlement], found 'rulez' (did you mean 'rule'?)"},
    {"[weighting]\n  bootstrp = 30\n", 2, 3,
     "expected a key of [weighting], found 'bootstrp' (did you mean 'bootstrap'?)"},
    /* a key's beginning */
    {"[frame]\nframe = 5.2\n", 2, 1,
     "expected a key of [frame], found 'frame' (did you mean 'frame_pct'?)"},
    /* the section decides: theta in [sweeps] is a list, in [settlement] a number */
    {"[sweeps]\nthetas = 0, 1\n", 2, 1,
     "expected a key of [sweeps], found 'thetas' (did you mean 'theta'?)"},
    {"[uncertainty]\ndraw = 100\n", 2, 1,
     "expected a key of [uncertainty], found 'draw' (did you mean 'draws'?)"},
    /* year two's sections take the keys of [frame] and [settlement] */
    {"[year2.settlement]\nrulez = table\n", 2, 1,
     "expected a key of [year2.settlement], found 'rulez' (did you mean 'rule'?)"},
    {"[year2.frame]\nframe_pcts = 4.4\n", 2, 1,
     "expected a key of [year2.frame], found 'frame_pcts' (did you mean 'frame_pct'?)"},
    /* nothing close: no hint */
    {"[output]\nlanguage = nb\n", 2, 1, "expected a key of [output], found 'language'"},
    {"[frame]\npc = 5\n", 2, 1, "expected a key of [frame], found 'pc'"},
    {"[run]\nrandom_seed_value = 3\n", 2, 1,
     "expected a key of [run], found 'random_seed_value'"},
};

static void test_hints(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char *path = mdt_test_write_text("hint.ini", cases[k].text);
    mdt_scenario *s = NULL;
    mdt_error err;
    mdt_error_clear(&err);
    assert_int_equal(mdt_scenario_load(path, &s, &err), MDT_EDATA);
    assert_null(s);
    if (err.line != cases[k].line || err.column != cases[k].column ||
        strcmp(err.message, cases[k].message) != 0)
      fail_msg("case %zu: expected %ld:%ld '%s', found %s", k + 1, cases[k].line,
               cases[k].column, cases[k].message, mdt_test_errstr(&err));
    free(path);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hints),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
