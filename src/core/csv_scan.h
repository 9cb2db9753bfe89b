/*
 * Internal: where the bytes that end a field are in 64 bytes of CSV text. The fast path of
 * the reader (csv_parse.c) walks these masks bit by bit instead of testing every byte.
 */
#ifndef MANDAT_CORE_CSV_SCAN_H
#define MANDAT_CORE_CSV_SCAN_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Bit k is set when p[k] (k < 64) is the delimiter, a line feed or a quote. p must have 64
 * readable bytes. The portable definition; mdt__csv_special_mask is the same, with SSE2 where
 * the target has it (tests/unit/test_csv_fast.c compares them). */
static inline uint64_t mdt__csv_special_mask_portable(const char *p, char delim) {
  uint64_t m = 0;
  for (unsigned k = 0; k < 64; k++)
    m |= (uint64_t)(p[k] == delim || p[k] == '\n' || p[k] == '"') << k;
  return m;
}

/* Bit k is set when p[k] (k < 64) keeps a chunk from the reader's bulk path: a quote, or a
 * byte below ' ' (tab, other control bytes) other than the line feed and the carriage return
 * (which the reader allows only before a line feed). A chunk without such a byte has no record
 * that needs quoting, and none that needs trimming unless a field begins or ends with a space
 * (mdt__csv_space_mask). */
static inline uint64_t mdt__csv_unplain_mask_portable(const char *p) {
  uint64_t m = 0;
  for (unsigned k = 0; k < 64; k++) {
    unsigned char c = (unsigned char)p[k];
    m |= (uint64_t)(c == '"' || (c < ' ' && c != '\n' && c != '\r')) << k;
  }
  return m;
}

/* Bit k is set when p[k] (k < 64) is a space. */
static inline uint64_t mdt__csv_space_mask_portable(const char *p) {
  uint64_t m = 0;
  for (unsigned k = 0; k < 64; k++)
    m |= (uint64_t)(p[k] == ' ') << k;
  return m;
}

/* Non-zero when p[0..64) has neither a byte of mdt__csv_unplain_mask nor a space: the common
 * block, for which the reader's bulk test needs no mask. */
static inline int mdt__csv_plain_block_portable(const char *p) {
  return (mdt__csv_unplain_mask_portable(p) | mdt__csv_space_mask_portable(p)) == 0;
}

#if defined(__SSE2__)
static inline int mdt__csv_plain_block(const char *p) {
  const __m128i sp = _mm_set1_epi8(' '), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                q = _mm_set1_epi8('"');
  __m128i any = _mm_setzero_si128();
  for (unsigned k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, sp), x); /* x <= ' ', unsigned */
    __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr));
    any = _mm_or_si128(any, _mm_or_si128(_mm_andnot_si128(ends, low), _mm_cmpeq_epi8(x, q)));
  }
  return _mm_movemask_epi8(any) == 0;
}

static inline uint64_t mdt__csv_unplain_mask(const char *p) {
  const __m128i below = _mm_set1_epi8(' ' - 1), lf = _mm_set1_epi8('\n'),
                cr = _mm_set1_epi8('\r'), q = _mm_set1_epi8('"');
  uint64_t m = 0;
  for (unsigned k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, below), x); /* x < ' ', unsigned */
    __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr));
    __m128i hit = _mm_or_si128(_mm_andnot_si128(ends, low), _mm_cmpeq_epi8(x, q));
    m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * k);
  }
  return m;
}

static inline uint64_t mdt__csv_space_mask(const char *p) {
  const __m128i sp = _mm_set1_epi8(' ');
  uint64_t m = 0;
  for (unsigned k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, sp)) << (16 * k);
  }
  return m;
}
#else
static inline int mdt__csv_plain_block(const char *p) { return mdt__csv_plain_block_portable(p); }
static inline uint64_t mdt__csv_unplain_mask(const char *p) {
  return mdt__csv_unplain_mask_portable(p);
}
static inline uint64_t mdt__csv_space_mask(const char *p) {
  return mdt__csv_space_mask_portable(p);
}
#endif

#if defined(__SSE2__)
static inline uint64_t mdt__csv_special_mask(const char *p, char delim) {
  const __m128i d = _mm_set1_epi8(delim), lf = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"');
  uint64_t m = 0;
  for (unsigned k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, lf)),
                               _mm_cmpeq_epi8(x, q));
    m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * k);
  }
  return m;
}
#else
static inline uint64_t mdt__csv_special_mask(const char *p, char delim) {
  return mdt__csv_special_mask_portable(p, delim);
}
#endif

#endif
