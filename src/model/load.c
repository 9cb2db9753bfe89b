#include "model/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"

char *mdt__strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c != NULL)
    memcpy(c, s, n);
  return c;
}

void mdt__strvec_free(char **v, size_t n) {
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

char *mdt__format_number(double x, char delimiter, char *buf, size_t bufsize) {
  char num[64];
  /* The shortest of %.15g..%.17g that reads back exactly, so 0.1 shows as 0.1. printf
   * follows LC_NUMERIC, so the separator is normalised before reading back. */
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(num, sizeof num, "%.*g", prec, x);
    char *sep = strpbrk(num, ".,");
    if (sep != NULL)
      *sep = '.';
    double y;
    if (mdt_parse_double(num, strlen(num), 0, &y) == 0 && y == x)
      break;
  }
  char *dot = strchr(num, '.');
  if (dot != NULL && delimiter == ';')
    *dot = ',';
  snprintf(buf, bufsize, "%s", num);
  return buf;
}

char *mdt__quote_number(double x, char delimiter, char *buf, size_t bufsize) {
  char num[64];
  snprintf(buf, bufsize, "'%s'", mdt__format_number(x, delimiter, num, sizeof num));
  return buf;
}

char *mdt__quote_field(const mdt_csv_batch *b, size_t r, size_t col, char *buf,
                       size_t bufsize) {
  if (b->type[col] == MDT_CSV_KEY) {
    /* A looked-up id keeps no text: read it again from the file (messages only). */
    char text[256];
    mdt_csv_field_text(b, r, col, text, sizeof text);
    return mdt_csv_quote_found(text, strlen(text), buf, bufsize);
  }
  const char *s = mdt_csv_str(b, col, r);
  return mdt_csv_quote_found(s, strlen(s), buf, bufsize);
}

mdt_status mdt__no_rows(const char *path, const char *what, mdt_error *err) {
  return mdt_error_set_at(err, MDT_EDATA, path, 2, 1, "expected at least one %s, found none",
                          what);
}

size_t mdt__rows_room(size_t cap, size_t need, size_t expected, size_t first, size_t *fallback) {
  size_t room = cap ? cap : first;
  while (room < need)
    room *= 2;
  *fallback = room;
  if (expected >= need)
    room = expected > cap + cap / 4 ? expected : cap + cap / 4;
  return room;
}
