/* SHA-256 of the run's input files for its manifest, at once or as a batch on a thread of
 * its own (core/hash.h). */
#include "core/hash.h"
#include "core/thread.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mdt_sha256_hex(const unsigned char md[32], char hex[MDT_SHA256_HEX_SIZE]) {
  static const char digits[] = "0123456789abcdef";
  for (unsigned k = 0; k < 32; k++) {
    hex[2 * k] = digits[md[k] >> 4];
    hex[2 * k + 1] = digits[md[k] & 15];
  }
  hex[64] = '\0';
}

mdt_status mdt_sha256_file(const char *path, char hex[MDT_SHA256_HEX_SIZE], mdt_error *err) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    return mdt_error_set(err, MDT_EINTERNAL, "cannot start a SHA-256 digest");
  }
  unsigned char buf[1 << 16];
  size_t n;
  int ok = 1;
  while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
    ok &= EVP_DigestUpdate(ctx, buf, n) == 1;
  int read_err = ferror(fp);
  fclose(fp);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  ok &= EVP_DigestFinal_ex(ctx, md, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (read_err)
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot read");
  if (!ok || len != 32)
    return mdt_error_set(err, MDT_EINTERNAL, "SHA-256 digest failed");
  mdt_sha256_hex(md, hex);
  return MDT_OK;
}

mdt_status mdt_sha256_bytes(const void *data, size_t len, char hex[MDT_SHA256_HEX_SIZE],
                            mdt_error *err) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
    return mdt_error_set(err, MDT_EINTERNAL, "SHA-256 digest failed");
  mdt_sha256_hex(md, hex);
  return MDT_OK;
}

/* ------------------------------------------------------------------------------------------
 * A batch on a thread of its own
 * ------------------------------------------------------------------------------------------ */

struct mdt_sha256_batch {
  pthread_t tid;
  int joined;
  size_t n;
  char **path;
  char (*hex)[MDT_SHA256_HEX_SIZE];
  unsigned char *ok; /* [n]: the file was read and hashed */
};

static void *batch_main(void *arg) {
  mdt_sha256_batch *b = arg;
  for (size_t k = 0; k < b->n; k++)
    b->ok[k] = mdt_sha256_file(b->path[k], b->hex[k], NULL) == MDT_OK;
  return NULL;
}

static void batch_join(mdt_sha256_batch *b) {
  if (!b->joined)
    pthread_join(b->tid, NULL);
  b->joined = 1;
}

static void batch_release(mdt_sha256_batch *b) {
  for (size_t k = 0; b->path != NULL && k < b->n; k++)
    free(b->path[k]);
  free(b->path);
  free(b->hex);
  free(b->ok);
  free(b);
}

mdt_sha256_batch *mdt_sha256_batch_start(const char *const *paths, size_t n) {
  mdt_sha256_batch *b = calloc(1, sizeof *b);
  if (b == NULL)
    return NULL;
  b->n = n;
  b->path = calloc(n ? n : 1, sizeof *b->path);
  b->hex = calloc(n ? n : 1, sizeof *b->hex);
  b->ok = calloc(n ? n : 1, 1);
  int failed = !b->path || !b->hex || !b->ok;
  for (size_t k = 0; k < n && !failed; k++)
    failed = (b->path[k] = strdup(paths[k])) == NULL;
  if (failed || mdt__thread_create(&b->tid, batch_main, b) != 0) {
    batch_release(b);
    return NULL;
  }
  return b;
}

int mdt_sha256_batch_get(mdt_sha256_batch *b, const char *path, char hex[MDT_SHA256_HEX_SIZE]) {
  if (b == NULL)
    return 0;
  batch_join(b);
  for (size_t k = 0; k < b->n; k++)
    if (b->ok[k] && strcmp(b->path[k], path) == 0) {
      memcpy(hex, b->hex[k], MDT_SHA256_HEX_SIZE);
      return 1;
    }
  return 0;
}

void mdt_sha256_batch_free(mdt_sha256_batch *b) {
  if (b == NULL)
    return;
  batch_join(b);
  batch_release(b);
}
