/*
 * Shared by the libFuzzer harnesses: the input becomes the memory file (src/core/memfile.h)
 * under the name a loader is given, so no file is written per input; fixtures the loader
 * needs besides (members, groups, the questionnaire) are loaded once from tests/fixtures.
 * Every error must come back as a status with a message; crashes, leaks and undefined
 * behaviour are what the sanitizers catch.
 */
#ifndef MDT_FUZZ_COMMON_H
#define MDT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/memfile.h"
#include "mandat/error.h"

#ifndef MDT_SOURCE_DIR
#error "MDT_SOURCE_DIR must name the source tree"
#endif
#define MDT_FIXTURE(dir, file) MDT_SOURCE_DIR "/tests/fixtures/" dir "/" file

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Checks what every failure must give: a status of the table and a message. */
static inline void mdt_fuzz_check_error(mdt_status st, const mdt_error *err) {
  if (st == MDT_OK)
    return;
  if ((unsigned)st >= MDT_STATUS_COUNT || err->status != st || err->message[0] == '\0')
    abort();
  char buf[2048];
  mdt_error_format(err, buf, sizeof buf);
}

/* Loading a fixture must work; the harness is useless otherwise. */
static inline void mdt_fuzz_need(mdt_status st) {
  if (st != MDT_OK)
    abort();
}

#endif
