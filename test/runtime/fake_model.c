/*===- fake_model.c - Hand-written stand-in for generated model code -----===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Defines kiln_generated_model the way kiln-compile would for a graph
 * sum = a + b with a, b, sum : float32[2,3]. The addition is parallelised
 * over rows with kiln_rt_parallel_for so that the runtime's thread pool is
 * exercised. Tests may install kiln_test_invoke_hook to run arbitrary code
 * (e.g. parallel_for coverage checks) inside kiln_model_run instead.
 * Also used by the hand-built end-to-end check of kiln-run.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

#include "kiln_abi.h"

#ifndef FAKE_MODEL_ABI_VERSION
#define FAKE_MODEL_ABI_VERSION KILN_ABI_VERSION
#endif
#ifndef FAKE_MODEL_SCRATCH_BYTES
#define FAKE_MODEL_SCRATCH_BYTES 256
#endif

/// When non-NULL, invoked by the model instead of computing a + b.
void (*kiln_test_invoke_hook)(void *const *buffers, void *scratch);
/// Scratch pointer seen by the most recent invocation on this thread.
static _Thread_local void *last_scratch;

/// Returns the scratch pointer of this thread's most recent invocation.
void *kiln_test_last_scratch(void) { return last_scratch; }

static const int64_t kShape[2] = {2, 3};
static const kiln_abi_tensor kInputs[2] = {
    {"a", 1, 2, kShape},
    {"b", 1, 2, kShape},
};
static const kiln_abi_tensor kOutputs[1] = {{"sum", 1, 2, kShape}};

/// Loop environment of the row-wise addition.
typedef struct add_env {
  const float *a, *b;
  float *sum;
} add_env;

static void add_rows(void *env, int64_t begin, int64_t end) {
  const add_env *e = (const add_env *)env;
  for (int64_t r = begin; r < end; ++r)
    for (int64_t c = 0; c < 3; ++c)
      e->sum[r * 3 + c] = e->a[r * 3 + c] + e->b[r * 3 + c];
}

static void invoke(void *const *buffers, void *scratch) {
  last_scratch = scratch;
  if (kiln_test_invoke_hook) {
    kiln_test_invoke_hook(buffers, scratch);
    return;
  }
  add_env env = {(const float *)buffers[0], (const float *)buffers[1],
                 (float *)buffers[2]};
  kiln_rt_parallel_for(2, add_rows, &env);
  kiln_rt_layer_end(0);
  kiln_rt_layer_end(1);
}

/// Two layers: the row-wise addition, then an empty step (the profile's
/// rows). invoke() ends each with kiln_rt_layer_end like generated code.
static const kiln_abi_layer kLayers[2] = {
    {"add+sum", "kiln.add", "vector", 6},
    {"tail", "-", "-", 0},
};

const kiln_abi_model kiln_generated_model = {
    FAKE_MODEL_ABI_VERSION, 2, 1, 0, kInputs, kOutputs, "fake_add", invoke,
    FAKE_MODEL_SCRATCH_BYTES, 0, 0, 0, 2, kLayers};
