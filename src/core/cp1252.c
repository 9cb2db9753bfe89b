/* Files as a Norwegian Excel saves them as plain "CSV": Windows-1252, converted to UTF-8 with
 * iconv before they are read. See core/cp1252.h. */
#define _GNU_SOURCE /* memfd_create */
#include "core/cp1252.h"

#include <errno.h>
#include <stdio.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static mdt_note_fn note_fn;
static void *note_user;

void mdt_set_note_handler(mdt_note_fn fn, void *user) {
  note_fn = fn;
  note_user = user;
}

void mdt__note(const char *message) {
  if (note_fn != NULL)
    note_fn(note_user, message);
}

/* The length of the UTF-8 sequence at s[0..n) (1..4), or 0 when it is not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (k == 0 || k > n)
    return 0;
  for (size_t j = 1; j < k; j++)
    if ((s[j] & 0xC0) != 0x80)
      return 0;
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
      (c == 0xF4 && s[1] > 0x8F))
    return 0;
  return k;
}

/* s[0..n) is valid UTF-8; with cut, a sequence cut off at the end counts as valid. */
static int valid_utf8(const unsigned char *s, size_t n, int cut) {
  for (size_t i = 0; i < n;) {
    /* ASCII, the most of any file, eight bytes at a time. */
    uint64_t w;
    while (i + 8 <= n && (memcpy(&w, s + i, 8), (w & UINT64_C(0x8080808080808080)) == 0))
      i += 8;
    if (i == n)
      break;
    size_t k = utf8_seq(s + i, n - i);
    if (k == 0) {
      /* A sequence cut off by the end of the look: its lead byte wants more bytes than are
       * left, and those left are continuation bytes. */
      unsigned char c = s[i];
      size_t want = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
      if (!cut || want == 0 || n - i >= want)
        return 0;
      for (size_t j = i + 1; j < n; j++)
        if ((s[j] & 0xC0) != 0x80)
          return 0;
      return 1;
    }
    i += k;
  }
  return 1;
}

/* Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; NUL is no text either. A
 * file with a byte from 0xC0 up followed by one from 0x80 to 0xBF (a UTF-8 sequence, valid or
 * broken) is taken for a UTF-8 file with a stray byte, not for Windows-1252 (converting it
 * would garble its UTF-8 letters without a word): Excel's Windows-1252 æøå are single bytes
 * beside ASCII letters. */
static int valid_cp1252(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == 0 || s[i] == 0x81 || s[i] == 0x8D || s[i] == 0x8F || s[i] == 0x90 ||
        s[i] == 0x9D)
      return 0;
    /* A lead byte followed by a continuation byte is UTF-8 meant (valid, overlong or a
     * surrogate), not Windows-1252: Norwegian letters there stand beside ASCII. */
    if (s[i] >= 0xC0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80)
      return 0;
  }
  return 1;
}

static ssize_t read_all(int fd, unsigned char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

/* The start of a sequence cut off by the end of s[0..n) (at most 3 bytes back), or n. */
static size_t cut_sequence(const unsigned char *s, size_t n) {
  for (size_t k = 1; k <= 3 && k <= n; k++) {
    unsigned char c = s[n - k];
    if ((c & 0xC0) == 0x80)
      continue; /* a continuation byte: its lead is further back */
    size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return want > k ? n - k : n;
  }
  return n;
}

/* valid_utf8 of the first head bytes, read a piece at a time (a sequence cut by a piece's end
 * is carried into the next). */
int mdt__cp1252_head_is_utf8(int fd, size_t head, int cut) {
  enum { PIECE = 1 << 16 };
  unsigned char *buf = malloc(PIECE + 3);
  if (buf == NULL)
    return -1;
  size_t done = 0, carry = 0;
  int ok = 1;
  while (ok && done < head) {
    size_t want = head - done < PIECE ? head - done : PIECE;
    ssize_t got = pread(fd, buf + carry, want, (off_t)done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      ok = got < 0 ? -1 : 2;
      break;
    }
    done += (size_t)got;
    size_t len = carry + (size_t)got;
    size_t upto = done < head ? cut_sequence(buf, len) : len;
    ok = valid_utf8(buf, upto, done < head ? 0 : cut);
    carry = len - upto;
    memmove(buf, buf + upto, carry);
  }
  free(buf);
  return ok;
}

int mdt__cp1252_to_utf8(int fd, const char *path, int *out_fd) {
  *out_fd = -1;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
      (uint64_t)sb.st_size > MDT_CP1252_MAX_BYTES)
    return 0;
  size_t n = (size_t)sb.st_size;
  /* A look at the start decides: a Windows-1252 file from Excel shows itself in its first
   * megabyte (names, headers), and a UTF-8 file costs no more than that look. */
  size_t head = n < MDT_CP1252_LOOK_BYTES ? n : MDT_CP1252_LOOK_BYTES;
  int look = mdt__cp1252_head_is_utf8(fd, head, head < n);
  if (look != 0)
    return look < 0 ? -1 : 0;
  unsigned char *buf = malloc(n);
  if (buf == NULL)
    return -1;
  if (read_all(fd, buf, n) != (ssize_t)n) {
    free(buf);
    return -1;
  }
  int rc = 0;
  if (!valid_cp1252(buf, n)) {
    free(buf);
    return 0;
  }
  /* At most three UTF-8 bytes per Windows-1252 byte (the euro sign and the like). */
  size_t cap = 3 * n, left_in = n, left_out = cap;
  char *utf8 = malloc(cap);
  iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
  if (utf8 == NULL || cd == (iconv_t)-1) {
    free(buf);
    free(utf8);
    if (cd != (iconv_t)-1)
      iconv_close(cd);
    return -1;
  }
  char *in = (char *)buf, *outp = utf8;
  if (iconv(cd, &in, &left_in, &outp, &left_out) == (size_t)-1)
    rc = -1;
  iconv_close(cd);
  free(buf);
  int mfd = rc == 0 ? memfd_create("mandat-cp1252", MFD_CLOEXEC) : -1;
  size_t len = cap - left_out;
  if (mfd >= 0) {
    size_t done = 0;
    while (done < len) {
      ssize_t w = write(mfd, utf8 + done, len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        break;
      done += (size_t)w;
    }
    if (done != len || lseek(mfd, 0, SEEK_SET) != 0) {
      close(mfd);
      mfd = -1;
    }
  }
  free(utf8);
  if (mfd < 0)
    return -1;
  char msg[4200];
  snprintf(msg, sizeof msg,
           "note: %s is not UTF-8 but Windows-1252 (as Excel saves plain CSV): read it as such",
           path);
  mdt__note(msg);
  *out_fd = mfd;
  return 1;
}
