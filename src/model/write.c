#include "model/write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/load.h"

int mdt__writer_init(mdt__writer *w, FILE *fp) {
  memset(w, 0, sizeof *w);
  w->fp = fp;
  w->buf = malloc(MDT__WRITER_BUF);
  return w->buf != NULL ? 0 : -1;
}

int mdt__writer_flush(mdt__writer *w) {
  if (w->len > 0 && !w->failed) {
    if (fwrite(w->buf, 1, w->len, w->fp) != w->len)
      w->failed = 1;
    w->bytes += w->len;
  }
  w->len = 0;
  return w->failed ? -1 : 0;
}

int mdt__writer_close(mdt__writer *w) {
  int rc = 0;
  if (w->buf != NULL)
    rc = mdt__writer_flush(w);
  free(w->buf);
  w->buf = NULL;
  return rc;
}

void mdt__put_raw(mdt__writer *w, const char *s, size_t n) {
  while (n > 0) {
    size_t room = MDT__WRITER_BUF - w->len;
    if (room == 0) {
      mdt__writer_flush(w);
      room = MDT__WRITER_BUF;
    }
    size_t k = n < room ? n : room;
    memcpy(w->buf + w->len, s, k);
    w->len += k;
    s += k;
    n -= k;
  }
}

void mdt__put_field(mdt__writer *w, const char *s) {
  size_t n = strlen(s);
  if (strpbrk(s, ",;\"\r\n") == NULL) {
    mdt__put_raw(w, s, n);
    return;
  }
  mdt__put_char(w, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"')
      mdt__put_char(w, '"');
    mdt__put_char(w, *p);
  }
  mdt__put_char(w, '"');
}

void mdt__put_i64(mdt__writer *w, int64_t v) {
  char tmp[24];
  size_t i = sizeof tmp;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0)
    tmp[--i] = '-';
  mdt__put_raw(w, tmp + i, sizeof tmp - i);
}

void mdt__put_fixed(mdt__writer *w, int64_t v, int decimals) {
  int64_t scale = 1;
  for (int d = 0; d < decimals; d++)
    scale *= 10;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  if (v < 0)
    mdt__put_char(w, '-');
  mdt__put_i64(w, (int64_t)(u / (uint64_t)scale));
  uint64_t frac = u % (uint64_t)scale;
  if (frac == 0)
    return;
  char tmp[24];
  int n = decimals;
  for (int d = decimals - 1; d >= 0; d--) {
    tmp[d] = (char)('0' + frac % 10);
    frac /= 10;
  }
  while (n > 0 && tmp[n - 1] == '0')
    n--;
  mdt__put_char(w, '.');
  mdt__put_raw(w, tmp, (size_t)n);
}

void mdt__put_double(mdt__writer *w, double x) {
  char num[64];
  mdt__format_number(x, ',', num, sizeof num);
  mdt__put_raw(w, num, strlen(num));
}

mdt_status mdt__writer_error(const mdt__writer *w, const char *what, mdt_error *err) {
  (void)w;
  return mdt_error_set(err, MDT_ECANTWRITE, "cannot write %s: %s", what,
                       errno ? strerror(errno) : "write error");
}
