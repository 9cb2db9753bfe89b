/*
 * mandat/frame.h: TBU's frame arithmetic (annual wage growth from carry-over, drift and dated
 * increases; the room left for central increases) beside the exact multiplicative level path.
 *
 * Ownership: every struct here belongs to the caller; the library reads a spec (and the
 * increases it points to) only during the call, fills the caller's result, and keeps nothing.
 *
 * Units: every *_pct is in percent (3.5 means 3.5 %), every *_month is a calendar month 1..12
 * meaning "from the 1st of that month" (1 = the whole year, 5 = from 1 May, 8/12 of the year).
 *
 * The additive convention (how KS and TBU present a settlement):
 *   annual growth    = overheng + sum_k p_k (13 - m_k)/12 + glidning
 *   carry-over next  = sum_k p_k (m_k - 1)/12
 *   room (annual)    = frame - overheng - glidning - sum_k p_k (13 - m_k)/12
 *   room from month m = room_annual * 12 / (13 - m)
 * The exact convention: with last year's average level = 1, December last year is at 1 + o,
 * month m of this year at (1 + o)(1 + g) prod_{k: m_k <= m} (1 + p_k) (drift g is a factor for
 * the whole year, so it adds no carry-over, as in the additive convention), the exact annual
 * growth is the mean of the twelve months' levels minus 1, and the exact carry-over is
 * December's level over that mean minus 1.
 *
 * Errors: values outside their domain give MDT_EDATA ("expected ..., found ..."); NULL
 * pointers where an object is required give MDT_EUSAGE; a frame that would need a central
 * cut of 100 % or more gives MDT_EINFEASIBLE; a root finder that fails gives MDT_ENOCONV.
 */
#ifndef MANDAT_FRAME_H
#define MANDAT_FRAME_H

#include <stddef.h>

#include "mandat/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of realised years KS averages to estimate next year's glidning. */
#define MDT_FRAME_GLIDNING_HISTORY_YEARS 3
/* Largest accepted percentage (any element, overheng, glidning or frame). It only guards
 * against typing errors and overflow of the level path; no real settlement comes near it. */
#define MDT_FRAME_MAX_PCT 1000.0
/* The exact dated room is solved to this absolute tolerance, in percentage points. */
#define MDT_FRAME_ROOT_TOL_PCT 1e-10

/* One dated element of the wage bill: a general increase, a local pot, a leaders' increase. */
typedef struct mdt_frame_increase {
  double pct; /* size in percent of the wage bill; finite, above -100, at most MDT_FRAME_MAX_PCT */
  int month;  /* effective month, 1..12 (the increase applies from the 1st of that month) */
} mdt_frame_increase;

/* What the arithmetic is asked about. Set it up with mdt_frame_spec_init, then fill it. */
typedef struct mdt_frame_spec {
  double overheng_pct; /* carry-over from last year: December level over last year's average
                          level, minus 1; finite, above -100 */
  double glidning_pct; /* drift this year; finite, above -100 (estimate it from the last three
                          years with mdt_frame_glidning_from_history) */
  const mdt_frame_increase *increases; /* the given dated elements (borrowed); may be NULL only
                                          when n_increases is 0 */
  size_t n_increases;                  /* number of elements in increases */
  int has_frame;       /* non-zero: compute the room for central increases under frame_pct */
  double frame_pct;    /* the frame (annual wage growth allowed); read only when has_frame */
  int central_month;   /* month the central increases apply from, 1..12; read only when
                          has_frame */
} mdt_frame_spec;

/* The answer. Fields marked "with a frame" are NAN when the spec has no frame. */
typedef struct mdt_frame_result {
  /* Additive convention. With a frame, the totals include the central room increase
   * (room_dated_pct from central_month), so annual_growth_pct equals the frame. */
  double given_annual_effect_pct; /* sum of the given increases' annual effects */
  double given_carryover_pct;     /* sum of the given increases' carry-over into next year */
  double annual_growth_pct;       /* overheng + annual effects + glidning */
  double carryover_next_pct;      /* carry-over into next year of all dated increases */

  /* Exact convention, on the same elements as the additive totals above. */
  double exact_annual_growth_pct;   /* mean of level_by_month minus 1 */
  double exact_carryover_next_pct;  /* level_by_month[11] over their mean, minus 1 */
  double difference_pct;            /* exact_annual_growth_pct - annual_growth_pct */
  double carryover_difference_pct;  /* exact_carryover_next_pct - carryover_next_pct */
  double level_december_last_year;  /* 1 + overheng, as a ratio to last year's average */
  double level_by_month[12];        /* level of month 1..12 (index 0..11), same scale */

  /* With a frame: the room for central increases from central_month. */
  double room_annual_pct;      /* frame - overheng - glidning - given annual effects */
  double room_dated_pct;       /* room_annual_pct * 12 / (13 - central_month) */
  double room_dated_exact_pct; /* the increase from central_month that makes the EXACT annual
                                  growth equal the frame */
} mdt_frame_result;

/* Sets every field of spec to zero, increases to NULL, and central_month to 5 (1 May, KS's
 * usual date for central increases). spec must not be NULL. */
void mdt_frame_spec_init(mdt_frame_spec *spec);

/*
 * The annual effect (årsvirkning) of pct percent from month: pct * (13 - month) / 12.
 *   pct:   size of the increase in percent
 *   month: effective month, 1..12
 * Returns NAN when month is outside 1..12.
 */
double mdt_frame_annual_effect_pct(double pct, int month);

/*
 * The carry-over (overheng) into next year of pct percent from month: pct * (month - 1) / 12.
 *   pct:   size of the increase in percent
 *   month: effective month, 1..12
 * Returns NAN when month is outside 1..12.
 */
double mdt_frame_carryover_pct(double pct, int month);

/*
 * Checks one percentage (an element, the overheng, the glidning, the frame): finite, above
 * -100 and at most MDT_FRAME_MAX_PCT. On failure fills err with MDT_EDATA and "expected a
 * finite percentage ..., found ...", naming no quantity so that the caller can prefix it.
 *   pct: the value in percent
 *   err: filled on failure; may be NULL
 */
mdt_status mdt_frame_pct_check(double pct, mdt_error *err);

/*
 * Checks one dated element; on failure fills err with MDT_EDATA and a message of the form
 * "expected ..., found ..." that names no element, so that a caller can prefix its own
 * position (an option, a file and line).
 *   inc: the element (must not be NULL: MDT_EUSAGE)
 *   err: filled on failure; may be NULL
 */
mdt_status mdt_frame_increase_check(const mdt_frame_increase *inc, mdt_error *err);

/*
 * KS's estimate of next year's glidning: the mean of the last three years' realised glidning.
 *   history_pct: realised glidning per year, in percent, oldest first (order does not matter)
 *   n:           number of values; anything but MDT_FRAME_GLIDNING_HISTORY_YEARS is MDT_EDATA
 *   glidning_pct: receives the mean (untouched on failure); must not be NULL
 *   err:         filled on failure; may be NULL
 * Each value must be finite, above -100 and at most MDT_FRAME_MAX_PCT (MDT_EDATA).
 */
mdt_status mdt_frame_glidning_from_history(const double *history_pct, size_t n,
                                           double *glidning_pct, mdt_error *err);

/*
 * Annual wage growth of spec's elements in both conventions and, when spec has a frame, the
 * room for central increases in both conventions (the exact one found with GSL's Brent
 * bracketing solver to MDT_FRAME_ROOT_TOL_PCT). Validates every element first; errors name
 * the element ("increase 2: expected ...").
 *   spec: what to compute (must not be NULL)
 *   out:  receives the result; untouched on failure (must not be NULL)
 *   err:  filled on failure; may be NULL
 * Allocates only the GSL solver, and frees it before returning.
 */
mdt_status mdt_frame_compute(const mdt_frame_spec *spec, mdt_frame_result *out, mdt_error *err);

#ifdef __cplusplus
}
#endif

#endif
