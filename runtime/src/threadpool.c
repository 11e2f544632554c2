/*===- threadpool.c - Per-instance thread pool and parallel_for ----------===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Each model instance owns a pool of num_threads - 1 pthread workers; the
 * thread calling kiln_model_run() participates as the num_threads-th one.
 * kiln_rt_parallel_for() splits [0, n) into num_threads contiguous
 * ranges, publishes the job by bumping a generation counter and runs range
 * 0 itself. Each thread takes its own range's iterations from the front;
 * once it is empty, it takes iterations from the back of the others'
 * (work stealing), so a thread that a busy core or a slower share of the
 * work holds back does not keep the others waiting. Iterations write
 * disjoint outputs, so results do not depend on who runs which. Workers and the submitter spin briefly on atomics
 * (cheap back-to-back loops) and then block on condition variables, so idle
 * pools consume no CPU. Only plain C11 atomics and POSIX threads are used,
 * so the code is portable to every LP64 target kiln supports.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiln_internal.h"

/// How long a waiting thread polls before blocking on a condition variable.
/// Generated code enters parallel regions back to back with short serial
/// stretches between them; blocking in between costs a futex wake-up per
/// region (measured: ~5% of ResNet50 on two threads with a 2000-poll spin).
#define KILN_SPIN_NANOSECONDS 200000

/// Tells the CPU this is a spin-wait loop.
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/// Spin-wait budget: call spin_continue() after each failed poll; it
/// returns 0 once KILN_SPIN_NANOSECONDS have passed.
typedef struct kiln_spin {
  unsigned polls;
  uint64_t deadline;
} kiln_spin;

static int spin_continue(kiln_spin *spin) {
  cpu_relax();
  if ((++spin->polls & 255) != 0)
    return 1;
  uint64_t t = now_ns();
  if (!spin->deadline)
    spin->deadline = t + KILN_SPIN_NANOSECONDS;
  return t < spin->deadline;
}

/// A thread's share of the current job: [begin, end) packed into one word
/// (begin in the low 32 bits) so that its owner (taking from the front) and
/// thieves (taking from the back) update it with one compare-and-swap.
typedef struct kiln_range {
  _Alignas(64) atomic_uint_fast64_t span;
} kiln_range;

static uint_fast64_t pack_span(int64_t begin, int64_t end) {
  return ((uint_fast64_t)end << 32) | (uint_fast64_t)begin;
}

/// Takes one iteration of `range`, from the back for a thief; -1 if none is
/// left.
static int64_t take_iteration(kiln_range *range, int from_back) {
  uint_fast64_t span = atomic_load_explicit(&range->span, memory_order_relaxed);
  for (;;) {
    int64_t begin = (int64_t)(span & 0xffffffffu), end = (int64_t)(span >> 32);
    if (begin >= end)
      return -1;
    uint_fast64_t rest = from_back ? pack_span(begin, end - 1) : pack_span(begin + 1, end);
    /* Relaxed: the job's publication (generation, release/acquire) orders
       the ranges' initialisation, its completion (pending) the bodies'
       writes. */
    if (atomic_compare_exchange_weak_explicit(&range->span, &span, rest,
                                              memory_order_relaxed,
                                              memory_order_relaxed))
      return from_back ? end - 1 : begin;
  }
}

/// Per-worker start argument.
typedef struct kiln_worker {
  kiln_threadpool *pool;
  int32_t index; /* chunk index, 1 .. num_threads-1 */
} kiln_worker;

struct kiln_threadpool {
  int32_t num_threads;
  int32_t num_started;       /* workers successfully created */
  pthread_t *threads;        /* num_threads - 1 entries */
  kiln_worker *workers;      /* num_threads - 1 entries */
  kiln_range *ranges;        /* num_threads entries: the current job's shares */
  pthread_mutex_t mutex;
  pthread_cond_t work_cv;    /* signalled when generation changes */
  pthread_cond_t done_cv;    /* signalled when pending reaches 0 */
  atomic_uint_fast64_t generation;
  atomic_int pending;        /* workers still running the current job */
  atomic_int shutdown;
  /* Current job; written by the submitter before the generation bump. */
  kiln_parallel_body job_body;
  void *job_env;
};

/// Pool of the instance executing kiln_model_run() on this thread.
static _Thread_local kiln_threadpool *current_pool;
/// Non-zero while this thread executes a parallel_for body.
static _Thread_local int in_parallel;

kiln_threadpool *kiln_threadpool_set_current(kiln_threadpool *pool) {
  kiln_threadpool *previous = current_pool;
  current_pool = pool;
  return previous;
}

/// Range `index` of the static, balanced partition of [0, n).
static void static_range(int64_t n, int32_t chunks, int32_t index, int64_t *begin,
                         int64_t *end) {
  int64_t base = n / chunks, rem = n % chunks;
  *begin = index * base + (index < rem ? index : rem);
  *end = *begin + base + (index < rem ? 1 : 0);
}

/// Runs thread `index`'s share of the current job: its own range, then
/// whatever is left of the others'.
KILN_CALLS_GENERATED_CODE
static void run_chunk(kiln_threadpool *pool, int32_t index) {
  int saved = in_parallel;
  in_parallel = 1;
  int64_t i;
  while ((i = take_iteration(&pool->ranges[index], 0)) >= 0)
    pool->job_body(pool->job_env, i, i + 1);
  for (int32_t k = 1; k < pool->num_threads; ++k) {
    kiln_range *victim = &pool->ranges[(index + k) % pool->num_threads];
    while ((i = take_iteration(victim, 1)) >= 0)
      pool->job_body(pool->job_env, i, i + 1);
  }
  in_parallel = saved;
}

/// Blocks until the generation differs from `seen`; returns the new value.
static uint_fast64_t wait_generation(kiln_threadpool *pool,
                                     uint_fast64_t seen) {
  uint_fast64_t gen;
  kiln_spin spin = {0, 0};
  do {
    gen = atomic_load_explicit(&pool->generation, memory_order_acquire);
    if (gen != seen)
      return gen;
  } while (spin_continue(&spin));
  pthread_mutex_lock(&pool->mutex);
  while ((gen = atomic_load_explicit(&pool->generation,
                                     memory_order_acquire)) == seen)
    pthread_cond_wait(&pool->work_cv, &pool->mutex);
  pthread_mutex_unlock(&pool->mutex);
  return gen;
}

static void *worker_main(void *arg) {
  kiln_worker *self = (kiln_worker *)arg;
  kiln_threadpool *pool = self->pool;
  uint_fast64_t seen = 0;
  for (;;) {
    seen = wait_generation(pool, seen);
    if (atomic_load_explicit(&pool->shutdown, memory_order_acquire))
      break;
    run_chunk(pool, self->index);
    if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) ==
        1) {
      pthread_mutex_lock(&pool->mutex);
      pthread_cond_signal(&pool->done_cv);
      pthread_mutex_unlock(&pool->mutex);
    }
  }
  return NULL;
}

/// Wakes all workers for shutdown, joins them and frees the pool.
static void stop_and_free(kiln_threadpool *pool) {
  atomic_store_explicit(&pool->shutdown, 1, memory_order_release);
  pthread_mutex_lock(&pool->mutex);
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mutex);
  for (int32_t i = 0; i < pool->num_started; ++i)
    pthread_join(pool->threads[i], NULL);
  pthread_cond_destroy(&pool->done_cv);
  pthread_cond_destroy(&pool->work_cv);
  pthread_mutex_destroy(&pool->mutex);
  free(pool->ranges);
  free(pool->workers);
  free(pool->threads);
  free(pool);
}

kiln_status kiln_threadpool_create(int32_t num_threads, char *error,
                                   kiln_threadpool **out_pool) {
  *out_pool = NULL;
  if (num_threads < 1 || num_threads > KILN_MAX_THREADS) {
    kiln_format_error(error, "num_threads %d is outside [1, %d]",
                      (int)num_threads, KILN_MAX_THREADS);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  kiln_threadpool *pool = (kiln_threadpool *)calloc(1, sizeof(*pool));
  size_t num_workers = (size_t)num_threads - 1;
  if (pool && num_workers) {
    pool->threads = (pthread_t *)calloc(num_workers, sizeof(pthread_t));
    pool->workers = (kiln_worker *)calloc(num_workers, sizeof(kiln_worker));
    pool->ranges = (kiln_range *)aligned_alloc(
        _Alignof(kiln_range), (size_t)num_threads * sizeof(kiln_range));
  }
  if (!pool || (num_workers && (!pool->threads || !pool->workers || !pool->ranges))) {
    if (pool) {
      free(pool->threads);
      free(pool->workers);
      free(pool->ranges);
    }
    free(pool);
    kiln_format_error(error, "out of memory creating a %d-thread pool",
                      (int)num_threads);
    return KILN_ERROR_OUT_OF_MEMORY;
  }
  pool->num_threads = num_threads;
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->pending, 0);
  atomic_init(&pool->shutdown, 0);
  if (pthread_mutex_init(&pool->mutex, NULL) != 0 ||
      pthread_cond_init(&pool->work_cv, NULL) != 0 ||
      pthread_cond_init(&pool->done_cv, NULL) != 0) {
    /* glibc/musl never fail these with default attributes. */
    free(pool->ranges);
    free(pool->workers);
    free(pool->threads);
    free(pool);
    kiln_format_error(error, "failed to initialise thread pool primitives");
    return KILN_ERROR_INTERNAL;
  }
  /* Workers inherit a fully blocked signal mask so that asynchronous signals
     are delivered to the application's own threads. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = 0;
  for (size_t i = 0; i < num_workers; ++i) {
    pool->workers[i].pool = pool;
    pool->workers[i].index = (int32_t)(i + 1);
    rc = pthread_create(&pool->threads[i], NULL, worker_main,
                        &pool->workers[i]);
    if (rc != 0)
      break;
    pool->num_started++;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    int started = pool->num_started;
    stop_and_free(pool);
    kiln_format_error(error,
                      "failed to start worker thread %d of %d: %s", started + 1,
                      (int)num_workers, strerror(rc));
    return KILN_ERROR_INTERNAL;
  }
  *out_pool = pool;
  return KILN_OK;
}

void kiln_threadpool_destroy(kiln_threadpool *pool) {
  if (pool)
    stop_and_free(pool);
}

KILN_CALLS_GENERATED_CODE
void kiln_rt_parallel_for(int64_t n,
                          void (*body)(void *env, int64_t begin, int64_t end),
                          void *env) {
  if (n <= 0 || !body)
    return;
  kiln_threadpool *pool = current_pool;
  /* A range packs into 32-bit halves; tile counts never come near. */
  if (!pool || pool->num_threads <= 1 || in_parallel || n == 1 || n > INT32_MAX) {
    int saved = in_parallel;
    in_parallel = 1;
    body(env, 0, n);
    in_parallel = saved;
    return;
  }
  /* Publish the job. Every worker has finished the previous one (pending was
     0), so nobody reads the job fields while they are rewritten. */
  pthread_mutex_lock(&pool->mutex);
  pool->job_body = body;
  pool->job_env = env;
  for (int32_t t = 0; t < pool->num_threads; ++t) {
    int64_t begin, end;
    static_range(n, pool->num_threads, t, &begin, &end);
    atomic_store_explicit(&pool->ranges[t].span, pack_span(begin, end),
                          memory_order_relaxed);
  }
  atomic_store_explicit(&pool->pending, pool->num_threads - 1,
                        memory_order_relaxed);
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mutex);

  run_chunk(pool, 0);

  kiln_spin spin = {0, 0};
  do {
    if (atomic_load_explicit(&pool->pending, memory_order_acquire) == 0)
      return;
  } while (spin_continue(&spin));
  pthread_mutex_lock(&pool->mutex);
  while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0)
    pthread_cond_wait(&pool->done_cv, &pool->mutex);
  pthread_mutex_unlock(&pool->mutex);
}
