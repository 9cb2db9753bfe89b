/*
 * report/labels.h: the label dictionary's entries, for tests that check it (internal).
 * The strings are static; nothing is owned by the caller.
 */
#ifndef MANDAT_REPORT_LABELS_H
#define MANDAT_REPORT_LABELS_H

#include <stddef.h>

/* Number of keys in the dictionary. */
size_t mdt__label_count(void);
/* The i-th key (0 <= i < mdt__label_count()), or NULL past the end. */
const char *mdt__label_key(size_t i);

#endif
