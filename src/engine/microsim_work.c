/* The microsimulation's work area and its worker threads: fixed units of employees run on the
 * caller's thread and the workers; what each unit computes never depends on which thread.
 * And parts of a one-off job (compiling the register, sorting the cells) on threads started
 * for it, each part's result independent of the others. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/thread.h"
#include "engine/microsim_int.h"

/* ------------------------------------------------------------------------------------------
 * The work area and its threads
 * ------------------------------------------------------------------------------------------ */

static void run_units(mdt_microsim_work *w) {
  const size_t nunits = w->sim->nunits;
  for (;;) {
    size_t u = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed);
    if (u >= nunits)
      break;
    w->job(w, u);
  }
}

static void *worker_main(void *arg) {
  mdt_microsim_work *w = arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->stop && w->generation == seen)
      pthread_cond_wait(&w->go, &w->mu);
    if (w->stop)
      break;
    seen = w->generation;
    pthread_mutex_unlock(&w->mu);
    run_units(w);
    pthread_mutex_lock(&w->mu);
    if (--w->busy == 0)
      pthread_cond_signal(&w->done);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Runs fn on every unit, on the caller's thread and the workers. Which thread takes which
 * unit varies; what each unit computes does not. */
void mdt__run_job(mdt_microsim_work *w, mdt__unit_fn fn) {
  w->job = fn;
  atomic_store_explicit(&w->next, 0, memory_order_relaxed);
  if (w->nstarted == 0 || w->sim->nunits < 2) {
    run_units(w);
    return;
  }
  pthread_mutex_lock(&w->mu);
  w->busy = w->nstarted;
  w->generation++;
  pthread_cond_broadcast(&w->go);
  pthread_mutex_unlock(&w->mu);
  run_units(w);
  pthread_mutex_lock(&w->mu);
  while (w->busy > 0)
    pthread_cond_wait(&w->done, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

/* ------------------------------------------------------------------------------------------
 * Parts on threads of their own
 * ------------------------------------------------------------------------------------------ */

typedef struct {
  mdt__part_fn fn;
  void *arg;
  int part, nparts;
} part_call;

static void *part_main(void *arg) {
  part_call *c = arg;
  c->fn(c->arg, c->part, c->nparts);
  return NULL;
}

void mdt__run_parts(int nparts, mdt__part_fn fn, void *arg) {
  if (nparts > MDT_MICROSIM_MAX_THREADS)
    nparts = MDT_MICROSIM_MAX_THREADS;
  pthread_t tid[MDT_MICROSIM_MAX_THREADS];
  part_call call[MDT_MICROSIM_MAX_THREADS];
  int started[MDT_MICROSIM_MAX_THREADS];
  for (int k = 1; k < nparts; k++) {
    call[k] = (part_call){fn, arg, k, nparts};
    started[k] = mdt__thread_create(&tid[k], part_main, &call[k]) == 0;
  }
  fn(arg, 0, nparts);
  for (int k = 1; k < nparts; k++) {
    if (started[k])
      pthread_join(tid[k], NULL);
    else
      fn(arg, k, nparts); /* no thread for it: the same part on this one */
  }
}

typedef struct {
  mdt__part_fn fn;
  void *arg;
  int nparts;
  atomic_int next;
} shared_parts;

/* Takes parts until none is left. */
static void take_parts(void *arg, int thread, int nthreads) {
  (void)thread;
  (void)nthreads;
  shared_parts *sp = arg;
  for (int k; (k = atomic_fetch_add(&sp->next, 1)) < sp->nparts;)
    sp->fn(sp->arg, k, sp->nparts);
}

void mdt__run_parts_shared(int nparts, int threads, mdt__part_fn fn, void *arg) {
  if (threads > nparts)
    threads = nparts;
  shared_parts sp = {fn, arg, nparts, 0};
  atomic_init(&sp.next, 0);
  mdt__run_parts(threads < 1 ? 1 : threads, take_parts, &sp);
}

int mdt__shared_parts(int threads) {
  if (threads <= 1)
    return 1;
  return threads > MDT_MICROSIM_MAX_THREADS / 4 ? MDT_MICROSIM_MAX_THREADS : 4 * threads;
}

size_t mdt__part_cell(const mdt_microsim *sim, int part, int nparts) {
  if (part <= 0)
    return 0;
  if (part >= nparts)
    return sim->ncells;
  size_t at = (size_t)((double)sim->n * part / nparts), lo = 0, hi = sim->ncells;
  while (lo < hi) { /* the first cell that starts at or after at */
    size_t mid = lo + (hi - lo) / 2;
    if (sim->cell_start[mid] >= at)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

void mdt_microsim_work_free(mdt_microsim_work *w) {
  if (w == NULL)
    return;
  if (w->pool_ready) {
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->go);
    pthread_mutex_unlock(&w->mu);
    for (int t = 0; t < w->nstarted; t++)
      pthread_join(w->tids[t], NULL);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->go);
    pthread_mutex_destroy(&w->mu);
  }
  free(w->tids);
  free(w->covered);
  free(w->group_frac_full);
  free(w->group_local_year);
  free(w->group_named_year);
  free(w->group_local_carry);
  free(w->group_named_carry);
  free(w->cell_active);
  free(w->cell_table);
  free(w->cell_fixed);
  free(w->cell_fixed_at_guarantee);
  free(w->cell_next_guarantee);
  free(w->cell_next_table);
  free(w->cell_next_fixed);
  free(w->cell_next_explicit);
  free(w->cell_next_floor);
  free(w->group_frac_month);
  free(w->unit_step_year);
  free(w->unit_step_full);
  free(w->unit_step_emp);
  free(w->unit_rise_lo);
  free(w->unit_rise_hi);
  free(w->group_step_year);
  free(w->group_step_full);
  free(w->group_step_emp);
  free(w->cell_guarantee);
  free(w->cell_table_at_guarantee);
  free(w->cell_new_guarantee);
  free(w->cell_p);
  free(w->cell_a);
  free(w->cell_min);
  free(w->cell_floor);
  free(w->cell_split);
  free(w->unit_sum);
  free(w->unit_whole);
  free(w->unit_frac);
  free(w->group_sum);
  free(w->group_whole);
  free(w->group_frac);
  if (!w->steps_borrowed)
    mdt__steps_free(w->steps);
  free(w);
}

mdt_status mdt_microsim_work_new(const mdt_microsim *sim, int threads, mdt_microsim_work **out,
                                 mdt_error *err) {
  if (sim == NULL || out == NULL)
    return mdt_error_set(err, MDT_EUSAGE, "mdt_microsim_work_new: no %s given",
                         sim == NULL ? "microsim" : "result");
  if (threads < 1 || threads > MDT_MICROSIM_MAX_THREADS)
    return mdt_error_set(err, MDT_EUSAGE, "expected from 1 to %d threads, found %d",
                         MDT_MICROSIM_MAX_THREADS, threads);
  mdt_microsim_work *w = calloc(1, sizeof *w);
  if (w == NULL)
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a work area");
  w->sim = sim;
  w->threads = threads;
  const size_t G = sim->ngroups, C = sim->ncells, U = sim->nunits;
  w->covered = calloc(G, 1);
  w->group_frac_full = calloc(G, sizeof(double));
  w->group_local_year = calloc(G, sizeof(double));
  w->group_named_year = calloc(G, sizeof(double));
  w->group_local_carry = calloc(G, sizeof(double));
  w->group_named_carry = calloc(G, sizeof(double));
  w->cell_active = calloc(C, 1);
  w->cell_table = calloc(C, sizeof(double));
  w->cell_fixed = calloc(C, sizeof(double));
  w->cell_fixed_at_guarantee = calloc(C, sizeof(double));
  w->cell_next_guarantee = calloc(C, sizeof(double));
  w->cell_next_table = calloc(C, sizeof(double));
  w->cell_next_fixed = calloc(C, sizeof(double));
  w->cell_next_explicit = calloc(C, sizeof(double));
  w->cell_next_floor = calloc(C, sizeof(double));
  w->group_frac_month = calloc(G * 12, sizeof(double));
  w->unit_step_year = calloc(U, sizeof(double));
  w->unit_step_full = calloc(U, sizeof(double));
  w->unit_step_emp = calloc(U, sizeof(int64_t));
  w->unit_rise_lo = calloc(2 * U, sizeof(double));
  w->unit_rise_hi = calloc(2 * U, sizeof(double));
  w->group_step_year = calloc(G, sizeof(double));
  w->group_step_full = calloc(G, sizeof(double));
  w->group_step_emp = calloc(G, sizeof(int64_t));
  w->cell_guarantee = calloc(C, sizeof(double));
  w->cell_table_at_guarantee = calloc(C, sizeof(double));
  w->cell_new_guarantee = calloc(C, sizeof(double));
  w->cell_p = calloc(C, sizeof(double));
  w->cell_a = calloc(C, sizeof(double));
  w->cell_min = calloc(C, sizeof(double));
  w->cell_floor = calloc(C, sizeof(double));
  w->cell_split = calloc(2 * C, sizeof(size_t));
  w->unit_sum = calloc(U, sizeof(double));
  w->unit_whole = calloc(U, sizeof(mdt_i128));
  w->unit_frac = calloc(U, sizeof(double));
  w->group_sum = calloc(G, sizeof(double));
  w->group_whole = calloc(G, sizeof(mdt_i128));
  w->group_frac = calloc(G, sizeof(double));
  w->tids = calloc((size_t)threads, sizeof *w->tids);
  if (!w->covered || !w->group_frac_full || !w->group_local_year || !w->group_named_year ||
      !w->group_local_carry || !w->group_named_carry || !w->cell_active || !w->cell_table ||
      !w->cell_guarantee || !w->cell_table_at_guarantee || !w->cell_new_guarantee ||
      !w->cell_fixed || !w->cell_fixed_at_guarantee || !w->cell_next_guarantee ||
      !w->cell_next_table || !w->cell_next_fixed || !w->cell_next_explicit ||
      !w->cell_next_floor || !w->group_frac_month || !w->unit_step_year ||
      !w->unit_step_full || !w->unit_step_emp || !w->unit_rise_lo || !w->unit_rise_hi || !w->group_step_year || !w->group_step_full ||
      !w->group_step_emp ||
      !w->cell_p || !w->cell_a || !w->cell_min || !w->cell_floor || !w->cell_split ||
      !w->unit_sum || !w->unit_whole || !w->unit_frac || !w->group_sum || !w->group_whole ||
      !w->group_frac || !w->tids) {
    mdt_microsim_work_free(w);
    return mdt_error_set(err, MDT_ENOMEM, "out of memory for a work area");
  }
  if (threads > 1) {
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
      mdt_microsim_work_free(w);
      return mdt_error_set(err, MDT_EINTERNAL, "cannot create the work area's lock");
    }
    if (pthread_cond_init(&w->go, NULL) != 0) {
      pthread_mutex_destroy(&w->mu);
      mdt_microsim_work_free(w);
      return mdt_error_set(err, MDT_EINTERNAL, "cannot create the work area's conditions");
    }
    if (pthread_cond_init(&w->done, NULL) != 0) {
      pthread_cond_destroy(&w->go);
      pthread_mutex_destroy(&w->mu);
      mdt_microsim_work_free(w);
      return mdt_error_set(err, MDT_EINTERNAL, "cannot create the work area's conditions");
    }
    w->pool_ready = 1;
    for (int t = 1; t < threads; t++) {
      if (mdt__thread_create(&w->tids[w->nstarted], worker_main, w) != 0) {
        mdt_microsim_work_free(w);
        return mdt_error_set(err, MDT_EINTERNAL, "cannot start worker thread %d of %d", t + 1,
                             threads);
      }
      w->nstarted++;
    }
  }
  *out = w;
  return MDT_OK;
}


mdt_status mdt__work_twin(mdt_microsim_work *w, mdt_microsim_work **out, mdt_error *err) {
  mdt_microsim_work *t = NULL;
  mdt_status st = mdt_microsim_work_new(w->sim, 1, &t, err);
  if (st != MDT_OK)
    return st;
  t->steps = w->steps;
  t->steps_borrowed = w->steps != NULL;
  t->have_pay_fifths = w->have_pay_fifths;
  t->pay_p20 = w->pay_p20;
  t->pay_p80 = w->pay_p80;
  *out = t;
  return MDT_OK;
}
