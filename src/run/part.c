/* A shard's part file: its identity and the raw values of its slice, exact (IEEE doubles as
 * they are in memory), closed by the SHA-256 of everything before it. See mandat/shard.h. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/shard_int.h"

#define PART_MAGIC "MDTPART\n"
#define PART_VERSION 1u
#define PART_BYTE_ORDER 0x01020304u

void mdt__part_clear(mdt__part *p) {
  if (p == NULL)
    return;
  mdt__shard_identity_clear(&p->id);
  mdt__shard_year_clear(&p->years[0]);
  mdt__shard_year_clear(&p->years[1]);
  memset(p, 0, sizeof *p);
}

/* ---------------------------------------------------------------- write -- */

typedef struct {
  FILE *fp;
  EVP_MD_CTX *hash;
  int failed;
} wr;

static void put(wr *w, const void *data, size_t n) {
  if (w->failed || n == 0)
    return;
  if (fwrite(data, 1, n, w->fp) != n || EVP_DigestUpdate(w->hash, data, n) != 1)
    w->failed = 1;
}
static void put_u8(wr *w, unsigned v) {
  unsigned char c = (unsigned char)v;
  put(w, &c, 1);
}
static void put_u32(wr *w, uint32_t v) { put(w, &v, sizeof v); }
static void put_u64(wr *w, uint64_t v) { put(w, &v, sizeof v); }
static void put_f64s(wr *w, const double *v, size_t n) { put(w, v, n * sizeof *v); }
static void put_str(wr *w, const char *s) {
  size_t n = s != NULL ? strlen(s) : 0;
  put_u64(w, n);
  put(w, s, n);
}
static void put_opt(wr *w, const char *s) {
  put_u8(w, s != NULL);
  if (s != NULL)
    put_str(w, s);
}

static void put_year(wr *w, const mdt__shard_year *sh) {
  const mdt__boot_raw *b = &sh->boot;
  size_t cnt = b->last - b->first;
  put_u64(w, b->B);
  put_u64(w, b->nrows);
  put_u64(w, b->ntop3);
  put_u64(w, b->G);
  put_u64(w, b->first);
  put_u64(w, b->last);
  put_u64(w, b->first_drop == SIZE_MAX ? UINT64_MAX : b->first_drop);
  put_u32(w, (uint32_t)b->drop_err.status);
  put_str(w, b->first_drop == SIZE_MAX ? "" : b->drop_err.message);
  if (b->B > 0) {
    put_f64s(w, b->draws + b->first * b->nrows, cnt * b->nrows);
    put(w, b->top3 + b->first * b->ntop3, cnt * b->ntop3);
    if (b->G > 0)
      put_f64s(w, b->profiles + b->first * b->G, cnt * b->G);
    put(w, b->dropped + b->first, cnt);
  }
  for (int k = 0; k < MDT__NWORK; k++) {
    put_u8(w, sh->present[k]);
    put_u64(w, sh->units[k]);
    put_u64(w, sh->lo[k]);
    put_u64(w, sh->hi[k]);
  }
  put_u64(w, sh->mc_draws);
  put_u64(w, sh->mc_groups);
  put_u64(w, sh->mc_first);
  put_u64(w, sh->mc_last);
  if (sh->present[MDT__WORK_MC]) {
    size_t m = sh->mc_last - sh->mc_first;
    put_f64s(w, sh->mc_growth, m);
    put_f64s(w, sh->mc_group_growth, m * sh->mc_groups);
    put(w, sh->mc_fall, m * sh->mc_groups);
  }
  put_u64(w, sh->m_draws);
  put_u64(w, sh->m_groups);
  if (sh->present[MDT__WORK_MANDATE]) {
    size_t lo = sh->lo[MDT__WORK_MANDATE], n = sh->hi[MDT__WORK_MANDATE] - lo, G = sh->m_groups;
    put_f64s(w, sh->m_pct + lo * G, n * G);
    put_f64s(w, sh->m_growth + lo * G, n * G);
    put(w, sh->m_feasible + lo, n);
    put(w, sh->m_done + lo, n);
  }
  for (int k = 0; k < 4; k++) {
    const mdt_sweep *s = sh->sweeps[k];
    if (!sh->present[MDT__WORK_SWEEP + k])
      continue;
    put_u64(w, s->npoints);
    put_u64(w, s->ngroups);
    for (size_t i = 0; i < s->npoints; i++) {
      const mdt_sweep_point *p = &s->points[i];
      put_f64s(w, &p->value, 1);
      put_u32(w, (uint32_t)p->feasible);
      put_u32(w, (uint32_t)p->attainable);
      put(w, p->binding, sizeof p->binding);
      const double v[] = {p->scalar, p->total_growth_pct, p->satisfaction, p->low_pay_ratio_pct,
                          p->real_fall_share};
      put_f64s(w, v, 5);
    }
    put_f64s(w, s->group_growth_pct, s->npoints * s->ngroups);
    put_f64s(w, s->group_rise_pct, s->npoints * s->ngroups);
  }
  if (sh->present[MDT__WORK_REGIONS]) {
    const mdt_region_allocations *r = sh->regions;
    size_t R = r->nregions, G = r->ngroups;
    put_u64(w, R);
    put_u64(w, G);
    put(w, r->solved, R);
    for (size_t i = 0; i < R; i++)
      put_u32(w, (uint32_t)r->feasible[i]);
    put_f64s(w, r->pct, R * G);
    put_f64s(w, r->growth_pct, R * G);
    put_f64s(w, r->national_pct, G);
    put_f64s(w, r->l1_distance_pp, R);
  }
}

mdt_status mdt__part_write(const char *path, unsigned k, unsigned n, int nyears,
                           const mdt__shard_identity *id, mdt__shard_year *const years[2],
                           mdt_error *err) {
  char tmp[4200];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= sizeof tmp)
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "path too long");
  int fd = mkstemp(tmp);
  if (fd < 0)
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot create the part beside it");
  (void)fchmod(fd, 0644); /* mkstemp's 0600 would hide the part from a merge run as another user */
  wr w = {fdopen(fd, "wb"), EVP_MD_CTX_new(), 0};
  if (w.fp == NULL || w.hash == NULL || EVP_DigestInit_ex(w.hash, EVP_sha256(), NULL) != 1) {
    if (w.fp != NULL)
      fclose(w.fp);
    else
      close(fd);
    EVP_MD_CTX_free(w.hash);
    unlink(tmp);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory");
  }
  put(&w, PART_MAGIC, 8);
  put_u32(&w, PART_VERSION);
  put_u32(&w, PART_BYTE_ORDER);
  put_u32(&w, k);
  put_u32(&w, n);
  put_u32(&w, (uint32_t)nyears);
  put_str(&w, id->scenario_path);
  put_opt(&w, id->model_dir);
  put_opt(&w, id->rule);
  put_opt(&w, id->seed);
  put_opt(&w, id->lang);
  put_opt(&w, id->csv);
  put_str(&w, id->inputs);
  put_u64(&w, id->seed_used);
  for (int y = 0; y < nyears; y++)
    put_year(&w, years[y]);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  if (!w.failed && EVP_DigestFinal_ex(w.hash, md, &mdlen) == 1 && mdlen == 32 &&
      fwrite(md, 1, 32, w.fp) == 32 && fflush(w.fp) == 0 && fsync(fileno(w.fp)) == 0) {
  } else
    w.failed = 1;
  EVP_MD_CTX_free(w.hash);
  if (fclose(w.fp) != 0)
    w.failed = 1;
  if (!w.failed && rename(tmp, path) != 0)
    w.failed = 1;
  if (w.failed) {
    unlink(tmp);
    return mdt_error_set_at(err, MDT_ECANTWRITE, path, 0, 0, "cannot write the part");
  }
  return MDT_OK;
}

/* ----------------------------------------------------------------- read -- */

typedef struct {
  const unsigned char *p;
  size_t left;
  int bad;
} rd;

static int get(rd *r, void *out, size_t n) {
  if (r->bad || n > r->left) {
    r->bad = 1;
    return -1;
  }
  memcpy(out, r->p, n);
  r->p += n;
  r->left -= n;
  return 0;
}
static uint32_t get_u32(rd *r) {
  uint32_t v = 0;
  get(r, &v, sizeof v);
  return v;
}
static uint64_t get_u64(rd *r) {
  uint64_t v = 0;
  get(r, &v, sizeof v);
  return v;
}
static size_t get_size(rd *r) {
  uint64_t v = get_u64(r);
  if (v > SIZE_MAX / 16) {
    r->bad = 1;
    return 0;
  }
  return (size_t)v;
}
/* n items of size bytes, newly allocated (at least one byte); NULL when the part has not as
 * many bytes left (r->bad) or memory runs out (*nomem). */
static void *get_array(rd *r, size_t n, size_t size, int *nomem) {
  if (r->bad || (size > 0 && n > r->left / size)) {
    r->bad = 1;
    return NULL;
  }
  void *a = malloc(n * size > 0 ? n * size : 1);
  if (a == NULL) {
    *nomem = 1;
    r->bad = 1;
    return NULL;
  }
  get(r, a, n * size);
  return a;
}
static char *get_str(rd *r, int *nomem) {
  size_t n = get_size(r);
  if (r->bad || n > r->left) {
    r->bad = 1;
    return NULL;
  }
  char *s = malloc(n + 1);
  if (s == NULL) {
    *nomem = 1;
    r->bad = 1;
    return NULL;
  }
  get(r, s, n);
  s[n] = '\0';
  return s;
}
static char *get_opt(rd *r, int *nomem) {
  unsigned char present = 0;
  get(r, &present, 1);
  return present ? get_str(r, nomem) : NULL;
}

static void get_year(rd *r, mdt__shard_year *sh, int *nomem) {
  mdt__boot_raw *b = &sh->boot;
  sh->mode = MDT__SHARD_COMPUTE;
  b->B = get_size(r);
  b->nrows = get_size(r);
  b->ntop3 = get_size(r);
  b->G = get_size(r);
  b->first = get_size(r);
  b->last = get_size(r);
  uint64_t fd = get_u64(r);
  b->first_drop = fd == UINT64_MAX ? SIZE_MAX : (size_t)fd;
  b->drop_err.status = (mdt_status)get_u32(r);
  char *msg = get_str(r, nomem);
  if (msg != NULL)
    snprintf(b->drop_err.message, sizeof b->drop_err.message, "%s", msg);
  free(msg);
  if (r->bad || b->first > b->last || b->last > b->B) {
    r->bad = 1;
    return;
  }
  size_t cnt = b->last - b->first;
  if (b->B > 0) {
    if (b->nrows > 0 && cnt > SIZE_MAX / 8 / b->nrows) {
      r->bad = 1;
      return;
    }
    b->draws = get_array(r, cnt * b->nrows, sizeof *b->draws, nomem);
    b->top3 = get_array(r, cnt * b->ntop3, 1, nomem);
    if (b->G > 0)
      b->profiles = get_array(r, cnt * b->G, sizeof *b->profiles, nomem);
    b->dropped = get_array(r, cnt, 1, nomem);
  }
  for (int k = 0; k < MDT__NWORK; k++) {
    get(r, &sh->present[k], 1);
    sh->units[k] = get_size(r);
    sh->lo[k] = get_size(r);
    sh->hi[k] = get_size(r);
    if (sh->lo[k] > sh->hi[k] || sh->hi[k] > sh->units[k] || sh->present[k] > 1)
      r->bad = 1;
  }
  sh->mc_draws = get_size(r);
  sh->mc_groups = get_size(r);
  sh->mc_first = get_size(r);
  sh->mc_last = get_size(r);
  if (r->bad || sh->mc_first > sh->mc_last || sh->mc_last > sh->mc_draws ||
      (sh->mc_groups > 0 && sh->mc_last - sh->mc_first > SIZE_MAX / 8 / sh->mc_groups)) {
    r->bad = 1;
    return;
  }
  if (sh->present[MDT__WORK_MC]) {
    size_t m = sh->mc_last - sh->mc_first;
    sh->mc_growth = get_array(r, m, sizeof(double), nomem);
    sh->mc_group_growth = get_array(r, m * sh->mc_groups, sizeof(double), nomem);
    sh->mc_fall = get_array(r, m * sh->mc_groups, 1, nomem);
  }
  sh->m_draws = get_size(r);
  sh->m_groups = get_size(r);
  if (sh->present[MDT__WORK_MANDATE]) {
    size_t lo = sh->lo[MDT__WORK_MANDATE], n = sh->hi[MDT__WORK_MANDATE] - lo, G = sh->m_groups;
    if (r->bad || (G > 0 && n > SIZE_MAX / 8 / G)) {
      r->bad = 1;
      return;
    }
    sh->m_pct = get_array(r, n * G, sizeof(double), nomem);
    sh->m_growth = get_array(r, n * G, sizeof(double), nomem);
    sh->m_feasible = get_array(r, n, 1, nomem);
    sh->m_done = get_array(r, n, 1, nomem);
  }
  for (int k = 0; k < 4 && !r->bad; k++) {
    if (!sh->present[MDT__WORK_SWEEP + k])
      continue;
    mdt_sweep *s = calloc(1, sizeof *s);
    if (s == NULL) {
      *nomem = r->bad = 1;
      return;
    }
    sh->sweeps[k] = s;
    s->setting = (mdt_sweep_setting)k;
    s->npoints = get_size(r);
    s->ngroups = get_size(r);
    if (r->bad || s->npoints != sh->hi[MDT__WORK_SWEEP + k] - sh->lo[MDT__WORK_SWEEP + k] ||
        (s->ngroups > 0 && s->npoints > SIZE_MAX / 8 / s->ngroups)) {
      r->bad = 1;
      return;
    }
    s->points = calloc(s->npoints ? s->npoints : 1, sizeof *s->points);
    if (s->points == NULL) {
      *nomem = r->bad = 1;
      return;
    }
    for (size_t i = 0; i < s->npoints && !r->bad; i++) {
      mdt_sweep_point *p = &s->points[i];
      get(r, &p->value, sizeof p->value);
      p->feasible = (int)get_u32(r);
      p->attainable = (int)get_u32(r);
      get(r, p->binding, sizeof p->binding);
      p->binding[sizeof p->binding - 1] = '\0';
      double v[5] = {0};
      get(r, v, sizeof v);
      p->scalar = v[0];
      p->total_growth_pct = v[1];
      p->satisfaction = v[2];
      p->low_pay_ratio_pct = v[3];
      p->real_fall_share = v[4];
    }
    s->group_growth_pct = get_array(r, s->npoints * s->ngroups, sizeof(double), nomem);
    s->group_rise_pct = get_array(r, s->npoints * s->ngroups, sizeof(double), nomem);
  }
  if (sh->present[MDT__WORK_REGIONS] && !r->bad) {
    mdt_region_allocations *ra = calloc(1, sizeof *ra);
    if (ra == NULL) {
      *nomem = r->bad = 1;
      return;
    }
    sh->regions = ra;
    ra->nregions = get_size(r);
    ra->ngroups = get_size(r);
    size_t R = ra->nregions, G = ra->ngroups;
    if (r->bad || R != sh->hi[MDT__WORK_REGIONS] - sh->lo[MDT__WORK_REGIONS] ||
        (G > 0 && R > SIZE_MAX / 8 / G)) {
      r->bad = 1;
      return;
    }
    ra->solved = get_array(r, R, 1, nomem);
    ra->feasible = calloc(R ? R : 1, sizeof *ra->feasible);
    if (ra->feasible == NULL) {
      *nomem = r->bad = 1;
      return;
    }
    for (size_t i = 0; i < R; i++)
      ra->feasible[i] = (int)get_u32(r);
    ra->pct = get_array(r, R * G, sizeof(double), nomem);
    ra->growth_pct = get_array(r, R * G, sizeof(double), nomem);
    ra->national_pct = get_array(r, G, sizeof(double), nomem);
    ra->l1_distance_pp = get_array(r, R, sizeof(double), nomem);
  }
}

static mdt_status read_all(const char *path, unsigned char **data, size_t *len,
                           mdt_error *err) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot open the part");
  struct stat sb;
  if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
    fclose(fp);
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "not a file");
  }
  size_t n = (size_t)sb.st_size;
  unsigned char *d = malloc(n ? n : 1);
  if (d == NULL) {
    fclose(fp);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for the part %s", path);
  }
  size_t got = fread(d, 1, n, fp);
  int bad = ferror(fp);
  fclose(fp);
  if (bad || got != n) {
    free(d);
    return mdt_error_set_at(err, MDT_ENOINPUT, path, 0, 0, "cannot read the part");
  }
  *data = d;
  *len = n;
  return MDT_OK;
}

mdt_status mdt__part_read(const char *path, mdt__part *out, mdt_error *err) {
  memset(out, 0, sizeof *out);
  unsigned char *data = NULL;
  size_t len = 0;
  mdt_status st = read_all(path, &data, &len, err);
  if (st != MDT_OK)
    return st;
  if (len < 8 + 32 || memcmp(data, PART_MAGIC, 8) != 0) {
    free(data);
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "not a part of a sharded run (written by mandat run --shard)");
  }
  /* The checksum first: nothing of a damaged part is believed. */
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  if (EVP_Digest(data, len - 32, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
    free(data);
    return mdt_error_set(err, MDT_ENOMEM, "cannot compute a SHA-256");
  }
  if (memcmp(md, data + len - 32, 32) != 0) {
    free(data);
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "the part is corrupt: its SHA-256 does not match its contents "
                            "(truncated or altered)");
  }
  for (int i = 0; i < 32; i++)
    snprintf(out->digest + 2 * i, 3, "%02x", data[len - 32 + (size_t)i]);
  rd r = {data + 8, len - 8 - 32, 0};
  uint32_t version = get_u32(&r), order = get_u32(&r);
  if (version != PART_VERSION || order != PART_BYTE_ORDER) {
    free(data);
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            order != PART_BYTE_ORDER
                                ? "the part was written on a machine of another byte order"
                                : "the part has format version %u, this mandat reads version %u",
                            version, PART_VERSION);
  }
  int nomem = 0;
  out->k = get_u32(&r);
  out->n = get_u32(&r);
  out->nyears = (int)get_u32(&r);
  out->id.scenario_path = get_str(&r, &nomem);
  out->id.model_dir = get_opt(&r, &nomem);
  out->id.rule = get_opt(&r, &nomem);
  out->id.seed = get_opt(&r, &nomem);
  out->id.lang = get_opt(&r, &nomem);
  out->id.csv = get_opt(&r, &nomem);
  out->id.inputs = get_str(&r, &nomem);
  out->id.seed_used = (unsigned long)get_u64(&r);
  if (out->n < 1 || out->n > MDT_SHARD_MAX || out->k < 1 || out->k > out->n ||
      out->nyears < 1 || out->nyears > 2)
    r.bad = 1;
  for (int y = 0; y < out->nyears && !r.bad; y++) {
    get_year(&r, &out->years[y], &nomem);
    out->years[y].k = out->k;
    out->years[y].n = out->n;
  }
  if (!r.bad && r.left != 0)
    r.bad = 1;
  free(data);
  if (nomem) {
    mdt__part_clear(out);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory reading the part %s", path);
  }
  if (r.bad) {
    mdt__part_clear(out);
    return mdt_error_set_at(err, MDT_EDATA, path, 0, 0,
                            "the part is corrupt: its contents do not have the lengths they "
                            "give");
  }
  return MDT_OK;
}
