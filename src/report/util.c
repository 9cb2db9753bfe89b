#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mandat/report.h"
#include "report/json_int.h"

void mdt_report_csv_field(FILE *fp, const char *s) {
  if (s == NULL)
    return;
  size_t len = strlen(s);
  /* Spaces or tabs at either end are quoted too: a CSV reader (libcsv, ours) trims them from
   * an unquoted field, and a text answer must come back as written. */
  int padded = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
  if (padded || strpbrk(s, ",;\"\r\n") != NULL)
    csv_fwrite(fp, s, len);
  else
    fputs(s, fp);
}

char *mdt_report_format_number(double v, char *buf, size_t size) {
  if (size == 0)
    return buf;
  buf[0] = '\0';
  if (!isfinite(v))
    return buf;
  if (v == 0)
    v = 0.0; /* no "-0" */
  snprintf(buf, size, "%.15g", v);
  if (strchr(buf, 'e') == NULL)
    return buf;
  /* The same 15 significant digits written out in full. */
  int e = (int)floor(log10(fabs(v)));
  if (e < 0) {
    snprintf(buf, size, "%.*f", 14 - e, v);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
      buf[--n] = '\0';
  } else {
    /* 15 significant digits, then zeros: 1.23456789012346e+17 -> 123456789012346000. */
    char m[64];
    snprintf(m, sizeof m, "%.14e", v);
    char *ep = strchr(m, 'e');
    int exp10 = atoi(ep + 1);
    size_t o = 0;
    for (const char *q = m; q < ep && o + 1 < size; q++)
      if (*q != '.')
        buf[o++] = *q;
    size_t digits = o - (m[0] == '-');
    for (; digits < (size_t)exp10 + 1 && o + 1 < size; digits++)
      buf[o++] = '0';
    buf[o] = '\0';
  }
  return buf;
}

void mdt_report_csv_number(FILE *fp, double v) {
  char buf[400];
  fputs(mdt_report_format_number(v, buf, sizeof buf), fp);
}

json_t *mdt__report_json_number(double v) {
  if (!isfinite(v))
    return json_null();
  return json_real(v == 0 ? 0.0 : v);
}

/* json_dump_callback's sink: writes each piece to the file, a number in exponent form
 * (jansson's %.15g writes 5e-05) as the same 15 significant digits written out. jansson hands
 * over a string's opening and closing quote as pieces of their own (a quote inside a string
 * is the escape \", two bytes), so a piece that is exactly one quote toggles "inside a
 * string", and text inside strings is never touched. */
typedef struct {
  FILE *fp;
  int in_string;
} json_sink;

static int json_piece(const char *buf, size_t size, void *data) {
  json_sink *k = data;
  if (size == 1 && buf[0] == '"')
    k->in_string = !k->in_string;
  char num[400];
  if (!k->in_string && size > 0 && size < 64 && (buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')) &&
      memchr(buf, 'e', size) != NULL) {
    char text[64];
    memcpy(text, buf, size);
    text[size] = '\0';
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text + size && isfinite(v)) {
      mdt_report_format_number(v, num, sizeof num);
      buf = num;
      size = strlen(num);
    }
  }
  return fwrite(buf, 1, size, k->fp) == size ? 0 : -1;
}

int mdt__report_json_dumpf(const json_t *json, FILE *fp, size_t flags) {
  json_sink k = {fp, 0};
  return json_dump_callback(json, json_piece, &k, flags);
}

mdt_status mdt__report_write_json(FILE *fp, const json_t *json, mdt_error *err) {
  if (json == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory building the JSON report");
  if (mdt__report_json_dumpf(json, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0 ||
      fputc('\n', fp) == EOF)
    return mdt_error_set(err, MDT_ECANTWRITE, "cannot write the JSON report: %s",
                         strerror(errno));
  return MDT_OK;
}

/* Display columns of one UTF-8 character starting at s (1 for everything but combining
 * marks, which take none). */
static int char_width(const unsigned char *s) {
  if (s[0] == 0xCC || (s[0] == 0xCD && s[1] < 0xB0))
    return 0; /* U+0300..U+036F combining diacritics */
  return 1;
}

void mdt_report_text_number(FILE *fp, double v, int width, int decimals) {
  if (isfinite(v))
    fprintf(fp, "%*.*f", width, decimals, v);
  else
    fprintf(fp, "%*s", width, "-");
}

void mdt_report_pad(FILE *fp, const char *s, int width) {
  const unsigned char *p = (const unsigned char *)s;
  int used = 0;
  int total = 0;
  for (const unsigned char *q = p; *q; q++)
    if ((*q & 0xC0) != 0x80)
      total += char_width(q);
  int limit = total > width ? width - 1 : width;
  while (*p) {
    int w = (*p & 0xC0) != 0x80 ? char_width(p) : 0;
    if (used + w > limit)
      break;
    size_t len = 1;
    while ((p[len] & 0xC0) == 0x80)
      len++;
    fwrite(p, 1, len, fp);
    used += w;
    p += len;
  }
  if (total > width) {
    fputs("\xE2\x80\xA6", fp); /* … */
    used++;
  }
  for (; used < width; used++)
    fputc(' ', fp);
}
