/* Synthetic members, and the assumptions the answer and register generators share. */
#include "mandat/synth.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "model/synth_int.h"
#include "model/write.h"

/* ------------------------------------------------------------- assumptions -- */

/*
 * Group mix: kommuner employ mostly g1, g2 and g4 (care, skilled workers, nurses, teachers
 * and kindergarten teachers); fylkeskommuner run the upper-secondary schools and employ
 * mostly adjunkter and lektorer (g5-g8). Both columns sum to 100 and, weighted 92.5 : 7.5
 * (the model's kommune/fylkeskommune split of employees), give the area's group shares.
 * Preferences: small kommuner lean to low pay (g1, g2), large members and fylkeskommuner to
 * education (g4-g8), the north to recruiting educated staff.
 */
static const mdt__synth_group groups_ks[] = {
    /* id   kommune fylke  slope  sen.   base  lowpay fylke north */
    {"g1", 22.2, 4.0, -0.10, 8.0, 0.10, 0.60, -0.80, 0.00},
    {"g2", 24.5, 10.0, -0.05, 13.0, 0.60, 0.40, -0.30, 0.00},
    {"g3", 3.5, 3.0, 0.00, 14.0, 0.20, 0.20, -0.20, 0.10},
    {"g4", 21.9, 8.0, 0.05, 12.0, 0.70, 0.00, -0.10, 0.60},
    {"g5", 6.3, 15.0, 0.05, 13.0, 0.30, -0.20, 0.60, 0.50},
    {"g6", 2.9, 10.0, 0.10, 14.0, 0.10, -0.30, 0.60, 0.50},
    {"g7", 4.4, 27.0, 0.15, 12.0, 0.30, -0.40, 1.00, 0.50},
    {"g8", 1.2, 8.0, 0.15, 15.0, 0.00, -0.40, 0.90, 0.40},
    {"c34", 5.6, 6.0, -0.20, 18.0, 0.00, 0.00, 0.00, 0.00},
    {"c5", 7.5, 9.0, 0.20, 12.0, 0.00, -0.20, 0.00, 0.20},
};

const mdt__synth_group mdt__synth_default_group = {NULL, NAN, NAN, 0.0, 12.0, 0, 0, 0, 0};

const mdt__synth_group *mdt__synth_group_params(const char *id) {
  for (size_t i = 0; i < sizeof groups_ks / sizeof groups_ks[0]; i++)
    if (strcmp(groups_ks[i].id, id) == 0)
      return &groups_ks[i];
  return NULL;
}

gsl_rng *mdt__synth_rng(unsigned long seed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (rng != NULL)
    gsl_rng_set(rng, seed);
  return rng;
}

void mdt__synth_log_size_z(const mdt_respondents *r, const double *x, int kind, double *z) {
  double sum = 0, sum2 = 0;
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    z[i] = 0;
    if (kind >= 0 && (int)r->kind[i] != kind)
      continue;
    double v = log(x[i] > 1 ? x[i] : 1);
    sum += v;
    sum2 += v * v;
    n++;
  }
  if (n == 0)
    return;
  double mean = sum / (double)n, var = sum2 / (double)n - mean * mean;
  double sd = var > 1e-12 ? sqrt(var) : 1;
  for (size_t i = 0; i < r->n; i++)
    if (kind < 0 || (int)r->kind[i] == kind)
      z[i] = (log(x[i] > 1 ? x[i] : 1) - mean) / sd;
}

int mdt__synth_is_north(const char *region) {
  return strcmp(region, "Nordland") == 0 || strcmp(region, "Troms") == 0 ||
         strcmp(region, "Finnmark") == 0;
}

/* ----------------------------------------------------------------- members -- */

/* The 14 fylker of the KS area (Oslo has its own agreement) with their number of kommuner
 * in 2024, which sets how often a synthetic kommune lands in each. */
static const struct {
  const char *nr;
  const char *name;
  double kommuner;
} fylker[] = {
    {"11", "Rogaland", 23}, {"15", "Møre og Romsdal", 27}, {"18", "Nordland", 41},
    {"31", "Østfold", 12},  {"32", "Akershus", 21},        {"33", "Buskerud", 18},
    {"34", "Innlandet", 46}, {"39", "Vestfold", 6},         {"40", "Telemark", 17},
    {"42", "Agder", 25},    {"46", "Vestland", 43},        {"50", "Trøndelag", 38},
    {"55", "Troms", 21},    {"56", "Finnmark", 18},
};
#define NFYLKER (sizeof fylker / sizeof fylker[0])

/* Fitted to models/ks-2024/respondents.csv: log population of the 356 kommuner has mean
 * 8.64 and s.d. 1.27, of the 14 fylker 12.61 and 0.59; kommune employees are
 * 0.247 x population^0.9, fylkeskommune employees 0.00715 x population. */
#define FYLKE_SHARE (14.0 / 370.0)
#define K_LOGPOP_MEAN 8.64
#define K_LOGPOP_SD 1.27
#define K_POP_MIN 200.0
#define K_POP_MAX 1000000.0
#define F_LOGPOP_MEAN 12.61
#define F_LOGPOP_SD 0.59
#define F_POP_MIN 50000.0
#define F_POP_MAX 2000000.0
#define K_EMP_FACTOR 0.247
#define K_EMP_EXPONENT 0.9
#define F_EMP_FACTOR 0.00715
#define EMP_NOISE_SD 0.08
/* FTE per employee in the KS area: 383 600 / 460 400. */
#define FTE_PER_EMPLOYEE (383600.0 / 460400.0)

static double draw_log_normal(gsl_rng *rng, double mean, double sd, double lo, double hi) {
  for (;;) {
    double x = exp(mean + sd * gsl_ran_gaussian_ziggurat(rng, 1.0));
    if (x >= lo && x <= hi)
      return x;
  }
}

static const char *size_class(int fylke, double population) {
  if (fylke)
    return "5 fylkeskommune";
  if (population < 5000)
    return "1 under 5000";
  if (population < 20000)
    return "2 5000-19999";
  if (population < 50000)
    return "3 20000-49999";
  return "4 50000+";
}

mdt_status mdt_synth_members_write(size_t count, unsigned long seed, FILE *fp, mdt_error *err) {
  if (count == 0)
    return mdt_error_set(err, MDT_EUSAGE, "expected at least one member, found 0");
  double cum[NFYLKER], total = 0;
  for (size_t f = 0; f < NFYLKER; f++)
    cum[f] = (total += fylker[f].kommuner);
  gsl_rng *rng = mdt__synth_rng(seed);
  mdt__writer w;
  if (rng == NULL || mdt__writer_init(&w, fp) != 0) {
    gsl_rng_free(rng);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory generating members");
  }
  mdt__put_str(&w, "id,name,kind,region,population,employees,fte,size_class\n");
  for (size_t i = 1; i <= count; i++) {
    int fylke = gsl_rng_uniform(rng) < FYLKE_SHARE;
    size_t f;
    if (fylke) {
      f = gsl_rng_uniform_int(rng, NFYLKER);
    } else {
      double u = gsl_rng_uniform(rng) * total;
      for (f = 0; f < NFYLKER - 1 && u >= cum[f]; f++)
        ;
    }
    double pop = fylke ? draw_log_normal(rng, F_LOGPOP_MEAN, F_LOGPOP_SD, F_POP_MIN, F_POP_MAX)
                       : draw_log_normal(rng, K_LOGPOP_MEAN, K_LOGPOP_SD, K_POP_MIN, K_POP_MAX);
    int64_t population = (int64_t)llround(pop);
    double noise = exp(EMP_NOISE_SD * gsl_ran_gaussian_ziggurat(rng, 1.0));
    double emp = fylke ? F_EMP_FACTOR * (double)population * noise
                       : K_EMP_FACTOR * pow((double)population, K_EMP_EXPONENT) * noise;
    int64_t employees = (int64_t)llround(emp);
    if (employees < 5)
      employees = 5;
    int64_t fte_tenths = (int64_t)llround((double)employees * FTE_PER_EMPLOYEE * 10);

    mdt__put_raw(&w, fylker[f].nr, 2);
    if (i < 10)
      mdt__put_char(&w, '0');
    mdt__put_i64(&w, (int64_t)i);
    mdt__put_str(&w, fylke ? ",Syntetisk fylkeskommune " : ",Syntetisk kommune ");
    mdt__put_i64(&w, (int64_t)i);
    mdt__put_str(&w, fylke ? ",fylkeskommune," : ",kommune,");
    mdt__put_field(&w, fylker[f].name);
    mdt__put_char(&w, ',');
    mdt__put_i64(&w, population);
    mdt__put_char(&w, ',');
    mdt__put_i64(&w, employees);
    mdt__put_char(&w, ',');
    mdt__put_fixed(&w, fte_tenths, 1);
    mdt__put_char(&w, ',');
    mdt__put_str(&w, size_class(fylke, (double)population));
    mdt__put_char(&w, '\n');
  }
  gsl_rng_free(rng);
  if (mdt__writer_close(&w) != 0 || ferror(fp))
    return mdt__writer_error(&w, "the members", err);
  return MDT_OK;
}

/* ------------------------------------------------------------------ options -- */

void mdt_synth_answers_options_init(mdt_synth_answers_options *o) {
  o->seed = 1;
  o->response_rate = 0.75;
}

void mdt_synth_register_options_init(mdt_synth_register_options *o) {
  o->seed = 1;
  o->sample = 0.1;
  o->employees = 0;
  o->weight_column = 1;
}

double mdt_synth_totals_mean_salary(const mdt_synth_totals *t) {
  if (t->fte_e4 <= 0)
    return NAN;
  return (double)t->wage_bill_e4 / (double)t->fte_e4;
}
