#include "mandat/response_status.h"

#include <stdlib.h>
#include <string.h>

void mdt_response_status_free(mdt_response_status *s) {
  if (s == NULL)
    return;
  free(s->members);
  free(s->answered);
  free(s->employees);
  free(s->employees_answered);
  for (size_t a = 0; a < MDT_ADOPTION_N; a++)
    free(s->adopted[a]);
  free(s);
}

mdt_status mdt_response_status_compute(const mdt_respondents *r, const unsigned char *responded,
                                       long grouping, mdt_response_status **out,
                                       mdt_error *err) {
  *out = NULL;
  if (grouping >= (long)r->ngroupings)
    return mdt_error_set(err, MDT_EINTERNAL, "grouping %ld of %zu", grouping, r->ngroupings);
  mdt_response_status *s = calloc(1, sizeof *s);
  if (s == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory counting the answers");
  const mdt_grouping *g = grouping >= 0 ? &r->groupings[grouping] : NULL;
  s->grouping = grouping;
  s->nlevels = g ? g->nlevels : 0;
  size_t n = s->nlevels + 1;
  s->members = calloc(n, sizeof *s->members);
  s->answered = calloc(n, sizeof *s->answered);
  s->employees = calloc(n, sizeof *s->employees);
  s->employees_answered = calloc(n, sizeof *s->employees_answered);
  int ok = s->members && s->answered && s->employees && s->employees_answered;
  for (size_t a = 0; a < MDT_ADOPTION_N; a++)
    ok = (s->adopted[a] = calloc(n, sizeof *s->adopted[a])) != NULL && ok;
  if (!ok) {
    mdt_response_status_free(s);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory counting the answers");
  }
  /* Each member counts in its level and in the nation's entry (the last). Employees are
   * whole persons in respondents.csv, so these sums of doubles are exact. */
  for (size_t i = 0; i < r->n; i++) {
    size_t at[2] = {g ? (size_t)g->code[i] : s->nlevels, s->nlevels};
    for (size_t k = 0; k < (g ? 2u : 1u); k++) {
      size_t l = at[k];
      s->members[l]++;
      s->employees[l] += r->employees[i];
      if (!responded[i])
        continue;
      s->answered[l]++;
      s->employees_answered[l] += r->employees[i];
      mdt_adoption a = r->adopted ? r->adopted[i] : MDT_ADOPTED_UNKNOWN;
      s->adopted[a][l]++;
    }
  }
  *out = s;
  return MDT_OK;
}

void mdt_response_status_responded(const mdt_model *m, const unsigned char *answered,
                                   unsigned char *responded) {
  size_t n = m->respondents->n;
  memset(responded, 0, n);
  if (answered != NULL)
    for (size_t i = 0; i < n; i++)
      responded[i] = answered[i] != 0;
  else if (m->answers != NULL)
    for (size_t i = 0; i < n && i < m->answers->nrespondents; i++)
      responded[i] = m->answers->responded[i] != 0;
  if (m->text_answers != NULL)
    for (size_t i = 0; i < n && i < m->text_answers->nrespondents; i++)
      responded[i] |= m->text_answers->responded[i] != 0;
}
