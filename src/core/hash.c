#include "core/hash.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void to_hex(const unsigned char *md, unsigned len, char *hex) {
  static const char digits[] = "0123456789abcdef";
  for (unsigned k = 0; k < len; k++) {
    hex[2 * k] = digits[md[k] >> 4];
    hex[2 * k + 1] = digits[md[k] & 15];
  }
  hex[2 * len] = '\0';
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
  to_hex(md, len, hex);
  return MDT_OK;
}

mdt_status mdt_sha256_bytes(const void *data, size_t len, char hex[MDT_SHA256_HEX_SIZE],
                            mdt_error *err) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
    return mdt_error_set(err, MDT_EINTERNAL, "SHA-256 digest failed");
  to_hex(md, mdlen, hex);
  return MDT_OK;
}
