/*===- concurrency_main.c - many instances of two models at once ---------===*
 *
 *   concurrency_main A.so B.so [RUNS]
 *
 * Loads two compiled models into one process (dlopen, RTLD_LOCAL: each
 * library has its own copy of the runtime) and checks, for each model:
 *  - outputs at 2 and 8 pool threads are bit-identical to 1 thread;
 *  - 8 threads on A and 2 on B, all at once, each with its own instance,
 *    RUNS runs each (default 1000), alternating two inputs per thread:
 *    every output is bit-identical to the single-threaded reference.
 * Prints one line per check; exits 1 on any difference or error.
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#include "kiln.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct api {
  const char *path;
  void (*options_init)(kiln_model_options *);
  kiln_status (*create)(const kiln_model_options *, kiln_model **);
  void (*destroy)(kiln_model *);
  kiln_status (*input_info)(const kiln_model *, size_t, kiln_tensor_info *);
  kiln_status (*output_info)(const kiln_model *, size_t, kiln_tensor_info *);
  kiln_status (*run)(kiln_model *, const kiln_tensor *, size_t, kiln_tensor *, size_t);
  const char *(*last_error)(const kiln_model *);
  kiln_tensor_info in, out;
  size_t in_count, out_count;
  float *inputs[2], *refs[2];
} api;

static int load(api *m, const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    return 0;
  }
  m->path = path;
#define SYM(field, name)                                                       \
  *(void **)&m->field = dlsym(h, name);                                        \
  if (!m->field)                                                               \
    return 0;
  SYM(options_init, "kiln_model_options_init")
  SYM(create, "kiln_model_create")
  SYM(destroy, "kiln_model_destroy")
  SYM(input_info, "kiln_model_input_info")
  SYM(output_info, "kiln_model_output_info")
  SYM(run, "kiln_model_run")
  SYM(last_error, "kiln_model_last_error")
#undef SYM
  return 1;
}

static kiln_model *create(api *m, int threads) {
  kiln_model_options o;
  m->options_init(&o);
  o.num_threads = threads;
  kiln_model *model = NULL;
  if (m->create(&o, &model) != KILN_OK) {
    fprintf(stderr, "%s: create: %s\n", m->path, m->last_error(NULL));
    return NULL;
  }
  return model;
}

static int run(api *m, kiln_model *model, const float *in, float *out) {
  kiln_tensor input = {(void *)in, m->in_count * sizeof(float), KILN_FLOAT32, m->in.rank,
                       m->in.shape};
  kiln_tensor output = {out, m->out_count * sizeof(float), KILN_FLOAT32, m->out.rank,
                        m->out.shape};
  if (m->run(model, &input, 1, &output, 1) != KILN_OK) {
    fprintf(stderr, "%s: run: %s\n", m->path, m->last_error(model));
    return 0;
  }
  return 1;
}

static size_t count(const kiln_tensor_info *t) {
  size_t n = 1;
  for (int i = 0; i < t->rank; ++i)
    n *= (size_t)t->shape[i];
  return n;
}

/* Two deterministic inputs and their 1-thread outputs; outputs at 2 and 8
 * threads must match them bit for bit. */
static int prepare(api *m) {
  kiln_model *model = create(m, 1);
  if (!model || m->input_info(model, 0, &m->in) != KILN_OK ||
      m->output_info(model, 0, &m->out) != KILN_OK)
    return 0;
  m->in_count = count(&m->in);
  m->out_count = count(&m->out);
  for (int k = 0; k < 2; ++k) {
    m->inputs[k] = malloc(m->in_count * sizeof(float));
    m->refs[k] = malloc(m->out_count * sizeof(float));
    if (!m->inputs[k] || !m->refs[k])
      return 0;
    for (size_t i = 0; i < m->in_count; ++i)
      m->inputs[k][i] = (float)sin(0.37 * (double)i + k);
    if (!run(m, model, m->inputs[k], m->refs[k]))
      return 0;
  }
  m->destroy(model);
  int ok = 1;
  float *out = malloc(m->out_count * sizeof(float));
  for (int threads = 2; threads <= 8; threads *= 4) {
    kiln_model *mt = create(m, threads);
    int same = mt && out;
    for (int k = 0; same && k < 2; ++k)
      same = run(m, mt, m->inputs[k], out) &&
             memcmp(out, m->refs[k], m->out_count * sizeof(float)) == 0;
    printf("%s: %d threads bit-identical to 1: %s\n", m->path, threads, same ? "yes" : "NO");
    ok &= same;
    if (mt)
      m->destroy(mt);
  }
  free(out);
  return ok;
}

typedef struct job {
  api *m;
  int id, runs, mismatches, errors;
} job;

static void *worker(void *arg) {
  job *j = arg;
  kiln_model *model = create(j->m, 1);
  float *out = malloc(j->m->out_count * sizeof(float));
  if (!model || !out) {
    j->errors = j->runs;
    return NULL;
  }
  for (int r = 0; r < j->runs; ++r) {
    int k = (j->id + r) & 1;
    if (!run(j->m, model, j->m->inputs[k], out))
      j->errors++;
    else if (memcmp(out, j->m->refs[k], j->m->out_count * sizeof(float)) != 0)
      j->mismatches++;
  }
  free(out);
  j->m->destroy(model);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  int runs = argc > 3 ? atoi(argv[3]) : 1000;
  api models[2];
  memset(models, 0, sizeof models);
  for (int i = 0; i < 2; ++i)
    if (!load(&models[i], argv[1 + i]) || !prepare(&models[i]))
      return 1;
  enum { kThreadsA = 8, kThreadsB = 2 };
  job jobs[kThreadsA + kThreadsB];
  pthread_t threads[kThreadsA + kThreadsB];
  for (int t = 0; t < kThreadsA + kThreadsB; ++t) {
    jobs[t] = (job){t < kThreadsA ? &models[0] : &models[1], t, runs, 0, 0};
    if (pthread_create(&threads[t], NULL, worker, &jobs[t]) != 0)
      return 1;
  }
  int bad[2] = {0, 0}, errors = 0;
  for (int t = 0; t < kThreadsA + kThreadsB; ++t) {
    pthread_join(threads[t], NULL);
    bad[t < kThreadsA ? 0 : 1] += jobs[t].mismatches;
    errors += jobs[t].errors;
  }
  printf("%s: %d threads x %d runs, own instances, %d outputs differ\n", argv[1], kThreadsA,
         runs, bad[0]);
  printf("%s: %d threads x %d runs at the same time, %d outputs differ\n", argv[2], kThreadsB,
         runs, bad[1]);
  printf("errors: %d\n", errors);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 2; ++k) {
      free(models[i].inputs[k]);
      free(models[i].refs[k]);
    }
  return bad[0] || bad[1] || errors;
}
