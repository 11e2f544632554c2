/*===- model.c - Model instances: creation, introspection and execution --===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Implements the instance-related half of the public API on top of the
 * kiln_generated_model descriptor emitted by kiln-compile. Creation checks the
 * descriptor (ABI version and well-formedness), resolves the thread count,
 * starts the thread pool and allocates the 64-byte aligned scratch arena.
 * kiln_model_run() validates every caller-supplied tensor against the
 * descriptor before invoking generated code, so that argument errors surface
 * as statuses with precise messages instead of memory corruption.
 *
 * Public functions never call each other (only static helpers), so a model
 * library behaves correctly even when another library exporting the same
 * kiln_* symbols was loaded earlier with RTLD_GLOBAL.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiln_internal.h"

/// Highest rank accepted in a model descriptor.
#define KILN_MAX_RANK 64

struct kiln_model {
  const kiln_abi_model *abi;
  int32_t num_threads;
  kiln_threadpool *pool;
  void *scratch;        /* scratch_bytes bytes, 64-byte aligned, or NULL */
  size_t *byte_sizes;   /* required sizes: inputs then outputs */
  void **buffers;       /* invoke() argument: inputs then outputs */
  /* Points at error_storage. Queries taking a const instance record their
     failures too; the message is not part of the logical state. */
  char *error;
  char error_storage[KILN_ERROR_CAPACITY];
  /* Serializes kiln_model_run: one run at a time uses the scratch, the
     buffers array and the pool. */
  pthread_mutex_t run_lock;
  int run_lock_ready;
  /* Profiling (kiln_model_set_profiling): nanoseconds per layer summed over
     profiled_runs runs; layer_clock is when the previous layer ended. */
  int profiling;
  uint64_t *layer_ns;   /* abi->num_layers entries, or NULL */
  uint64_t profiled_runs;
  uint64_t layer_clock;
};

/// The instance whose run on this thread is being profiled, or NULL.
static _Thread_local kiln_model *profiled_model;

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void kiln_rt_layer_end(int64_t index) {
  kiln_model *model = profiled_model;
  if (!model)
    return;
  uint64_t now = monotonic_ns();
  if (index >= 0 && (uint64_t)index < model->abi->num_layers)
    model->layer_ns[index] += now - model->layer_clock;
  model->layer_clock = now;
}

/// Records an error for `model` (or for the thread when model is NULL) and
/// returns `status`.
static kiln_status fail(const kiln_model *model, kiln_status status,
                        const char *format, ...) KILN_PRINTF_FORMAT(3, 4);
static kiln_status fail(const kiln_model *model, kiln_status status,
                        const char *format, ...) {
  va_list args;
  va_start(args, format);
  kiln_vformat_error(model ? model->error : kiln_thread_error_buffer(),
                     format, args);
  va_end(args);
  return status;
}

/// Writes "[d0,d1,...]" into buffer (capacity cap >= 8), truncating with
/// "..." when it does not fit.
static void format_shape(char *buffer, size_t cap, int32_t rank,
                         const int64_t *shape) {
  size_t used = 1;
  buffer[0] = '[';
  for (int32_t i = 0; i <= rank; ++i) {
    int written =
        i == rank ? snprintf(buffer + used, cap - used, "]")
                  : snprintf(buffer + used, cap - used, "%s%lld",
                             i ? "," : "", (long long)shape[i]);
    if (written < 0 || (size_t)written >= cap - used) {
      memcpy(buffer + cap - 5, "...]", 5);
      return;
    }
    used += (size_t)written;
  }
}

/// Computes the byte size of a descriptor tensor; 0 on overflow/invalid.
static size_t descriptor_bytes(const kiln_abi_tensor *t) {
  size_t bytes = kiln_rt_elem_type_size((kiln_elem_type)t->elem_type);
  for (int32_t d = 0; d < t->rank && bytes; ++d) {
    uint64_t dim = (uint64_t)t->shape[d];
    if (t->shape[d] <= 0 || dim > SIZE_MAX / bytes)
      return 0;
    bytes *= (size_t)dim;
  }
  return bytes;
}

/// Checks one descriptor tensor and stores its byte size in *out_bytes.
static kiln_status check_descriptor(const char *kind, uint32_t index,
                                    const kiln_abi_tensor *t,
                                    size_t *out_bytes) {
  char *error = kiln_thread_error_buffer();
  const char *problem = NULL;
  if (!t->name)
    problem = "name is NULL";
  else if (kiln_rt_elem_type_size((kiln_elem_type)t->elem_type) == 0)
    problem = "unsupported elem_type";
  else if (t->rank < 0 || t->rank > KILN_MAX_RANK)
    problem = "invalid rank";
  else if (t->rank > 0 && !t->shape)
    problem = "shape is NULL";
  else if ((*out_bytes = descriptor_bytes(t)) == 0)
    problem = "non-positive dimension or size overflow";
  if (!problem)
    return KILN_OK;
  kiln_format_error(error, "malformed model descriptor: %s %u: %s", kind,
                    (unsigned)index, problem);
  return KILN_ERROR_ABI_MISMATCH;
}

/// Validates the generated descriptor; fills byte_sizes (may be NULL to
/// only validate the header).
static kiln_status check_model_descriptor(const kiln_abi_model *abi,
                                          size_t *byte_sizes) {
  char *error = kiln_thread_error_buffer();
  if (abi->abi_version != KILN_ABI_VERSION) {
    kiln_format_error(error,
                      "model was compiled for kiln ABI version %u but this "
                      "runtime implements version %d",
                      (unsigned)abi->abi_version, KILN_ABI_VERSION);
    return KILN_ERROR_ABI_MISMATCH;
  }
  if (abi->device != KILN_ABI_DEVICE_CPU) {
    kiln_format_error(error,
                      "model was compiled for device %u, but this runtime runs "
                      "CPU models only", (unsigned)abi->device);
    return KILN_ERROR_ABI_MISMATCH;
  }
  if ((abi->num_inputs && !abi->inputs) ||
      (abi->num_outputs && !abi->outputs) || !abi->invoke) {
    kiln_format_error(error, "malformed model descriptor: NULL %s",
                      !abi->invoke ? "invoke function" : "tensor table");
    return KILN_ERROR_ABI_MISMATCH;
  }
  if (abi->num_layers && !abi->layers) {
    kiln_format_error(error, "malformed model descriptor: NULL layer table");
    return KILN_ERROR_ABI_MISMATCH;
  }
  for (uint64_t i = 0; i < abi->num_layers; ++i)
    if (!abi->layers[i].nodes || !abi->layers[i].op || !abi->layers[i].kernel) {
      kiln_format_error(error, "malformed model descriptor: layer %llu has a NULL name",
                        (unsigned long long)i);
      return KILN_ERROR_ABI_MISMATCH;
    }
  if (abi->scratch_bytes > (uint64_t)SIZE_MAX) {
    kiln_format_error(error, "scratch size %llu exceeds the address space",
                      (unsigned long long)abi->scratch_bytes);
    return KILN_ERROR_OUT_OF_MEMORY;
  }
  if (!byte_sizes)
    return KILN_OK;
  kiln_status status = KILN_OK;
  for (uint32_t i = 0; i < abi->num_inputs && status == KILN_OK; ++i)
    status = check_descriptor("input", i, &abi->inputs[i], &byte_sizes[i]);
  for (uint32_t i = 0; i < abi->num_outputs && status == KILN_OK; ++i)
    status = check_descriptor("output", i, &abi->outputs[i],
                              &byte_sizes[abi->num_inputs + i]);
  return status;
}

/// Parses KILN_NUM_THREADS; returns 1 if unset or invalid.
static int32_t threads_from_environment(void) {
  const char *text = getenv("KILN_NUM_THREADS");
  if (!text)
    return 1;
  while (isspace((unsigned char)*text))
    ++text;
  if (!isdigit((unsigned char)*text))
    return 1;
  errno = 0;
  char *end = NULL;
  long value = strtol(text, &end, 10);
  while (end && isspace((unsigned char)*end))
    ++end;
  if (errno != 0 || !end || *end != '\0' || value < 1 ||
      value > KILN_MAX_THREADS)
    return 1;
  return (int32_t)value;
}

/// Frees an instance; tolerates partially constructed ones.
static void free_model(kiln_model *model) {
  if (!model)
    return;
  kiln_threadpool_destroy(model->pool);
  if (model->run_lock_ready)
    pthread_mutex_destroy(&model->run_lock);
  kiln_aligned_free(model->scratch);
  free(model->byte_sizes);
  free(model->buffers);
  free(model->layer_ns);
  free(model);
}

KILN_API void kiln_model_options_init(kiln_model_options *out_options) {
  if (!out_options)
    return;
  memset(out_options, 0, sizeof(*out_options));
  out_options->struct_size = (uint32_t)sizeof(kiln_model_options);
  out_options->num_threads = 0;
}

KILN_API kiln_status kiln_model_create(const kiln_model_options *options,
                                       kiln_model **out_model) {
  char *error = kiln_thread_error_buffer();
  error[0] = '\0';
  if (!out_model)
    return fail(NULL, KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_create: out_model is NULL");
  *out_model = NULL;
  int32_t num_threads = 0;
  if (options) {
    if (options->struct_size < sizeof(kiln_model_options))
      return fail(NULL, KILN_ERROR_INVALID_ARGUMENT,
                  "kiln_model_create: options->struct_size %u is smaller "
                  "than sizeof(kiln_model_options) = %u (call "
                  "kiln_model_options_init first)",
                  (unsigned)options->struct_size,
                  (unsigned)sizeof(kiln_model_options));
    num_threads = options->num_threads;
    if (num_threads > KILN_MAX_THREADS)
      return fail(NULL, KILN_ERROR_INVALID_ARGUMENT,
                  "kiln_model_create: num_threads %d exceeds the maximum %d",
                  (int)num_threads, KILN_MAX_THREADS);
  }
  if (num_threads <= 0)
    num_threads = threads_from_environment();

  const kiln_abi_model *abi = &kiln_generated_model;
  kiln_status status = check_model_descriptor(abi, NULL);
  if (status != KILN_OK)
    return status;

  size_t num_tensors = (size_t)abi->num_inputs + abi->num_outputs;
  kiln_model *model = (kiln_model *)calloc(1, sizeof(*model));
  if (model && num_tensors) {
    model->byte_sizes = (size_t *)calloc(num_tensors, sizeof(size_t));
    model->buffers = (void **)calloc(num_tensors, sizeof(void *));
  }
  if (model && abi->num_layers)
    model->layer_ns = (uint64_t *)calloc((size_t)abi->num_layers, sizeof(uint64_t));
  if (!model || (num_tensors && (!model->byte_sizes || !model->buffers)) ||
      (abi->num_layers && !model->layer_ns)) {
    free_model(model);
    return fail(NULL, KILN_ERROR_OUT_OF_MEMORY,
                "kiln_model_create: out of memory allocating the instance");
  }
  model->error = model->error_storage;
  model->abi = abi;
  if (pthread_mutex_init(&model->run_lock, NULL) != 0) {
    free_model(model);
    return fail(NULL, KILN_ERROR_INTERNAL,
                "kiln_model_create: cannot create the instance's lock");
  }
  model->run_lock_ready = 1;
  model->num_threads = num_threads;
  status = check_model_descriptor(abi, model->byte_sizes);
  if (status != KILN_OK) {
    free_model(model);
    return status;
  }
  if (abi->scratch_bytes) {
    model->scratch =
        kiln_aligned_alloc((size_t)abi->scratch_bytes, KILN_SCRATCH_ALIGNMENT);
    if (!model->scratch) {
      free_model(model);
      return fail(NULL, KILN_ERROR_OUT_OF_MEMORY,
                  "kiln_model_create: cannot allocate %llu bytes of scratch "
                  "memory",
                  (unsigned long long)abi->scratch_bytes);
    }
  }
  status = kiln_threadpool_create(num_threads, error, &model->pool);
  if (status != KILN_OK) {
    free_model(model);
    return status;
  }
  *out_model = model;
  return KILN_OK;
}

KILN_API void kiln_model_destroy(kiln_model *model) { free_model(model); }

KILN_API const char *kiln_model_name(const kiln_model *model) {
  if (!model || !model->abi->model_name)
    return "";
  return model->abi->model_name;
}

KILN_API size_t kiln_model_num_inputs(const kiln_model *model) {
  return model ? model->abi->num_inputs : 0;
}

KILN_API size_t kiln_model_num_outputs(const kiln_model *model) {
  return model ? model->abi->num_outputs : 0;
}

KILN_API int32_t kiln_model_num_threads(const kiln_model *model) {
  return model ? model->num_threads : 0;
}

/// Shared implementation of the input/output info queries.
static kiln_status tensor_info(const kiln_model *model, const char *function,
                               int is_input, size_t index,
                               kiln_tensor_info *out_info) {
  if (!model)
    return fail(NULL, KILN_ERROR_INVALID_ARGUMENT, "%s: model is NULL",
                function);
  if (!out_info)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT, "%s: out_info is NULL",
                function);
  size_t count = is_input ? model->abi->num_inputs : model->abi->num_outputs;
  if (index >= count)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s: index %zu is out of range (model has %zu %s)", function,
                index, count, is_input ? "inputs" : "outputs");
  const kiln_abi_tensor *t =
      is_input ? &model->abi->inputs[index] : &model->abi->outputs[index];
  out_info->name = t->name;
  out_info->elem_type = (kiln_elem_type)t->elem_type;
  out_info->rank = t->rank;
  out_info->shape = t->shape;
  return KILN_OK;
}

KILN_API kiln_status kiln_model_input_info(const kiln_model *model,
                                           size_t index,
                                           kiln_tensor_info *out_info) {
  return tensor_info(model, "kiln_model_input_info", 1, index, out_info);
}

KILN_API kiln_status kiln_model_output_info(const kiln_model *model,
                                            size_t index,
                                            kiln_tensor_info *out_info) {
  return tensor_info(model, "kiln_model_output_info", 0, index, out_info);
}

/// Checks a caller tensor against its descriptor.
static kiln_status check_tensor(kiln_model *model, const char *kind,
                                size_t index, const kiln_abi_tensor *expected,
                                const kiln_tensor *actual, size_t required) {
  const char *name = expected->name;
  if ((int32_t)actual->elem_type != expected->elem_type)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s %zu ('%s'): expected elem_type %s (%d), got %s (%d)", kind,
                index, name,
                kiln_rt_elem_type_name((kiln_elem_type)expected->elem_type),
                (int)expected->elem_type,
                kiln_rt_elem_type_name(actual->elem_type),
                (int)actual->elem_type);
  if (actual->rank != expected->rank)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s %zu ('%s'): expected rank %d, got %d", kind, index, name,
                (int)expected->rank, (int)actual->rank);
  if (expected->rank > 0 && !actual->shape)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s %zu ('%s'): shape is NULL but rank is %d", kind, index,
                name, (int)expected->rank);
  for (int32_t d = 0; d < expected->rank; ++d) {
    if (actual->shape[d] == expected->shape[d])
      continue;
    char want[160], got[160];
    format_shape(want, sizeof(want), expected->rank, expected->shape);
    format_shape(got, sizeof(got), actual->rank, actual->shape);
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s %zu ('%s'): expected shape %s, got %s", kind, index, name,
                want, got);
  }
  if (!actual->data)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s %zu ('%s'): data is NULL", kind, index, name);
  if (actual->byte_size < required)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "%s %zu ('%s'): byte_size %zu is smaller than the %zu bytes "
                "required",
                kind, index, name, actual->byte_size, required);
  return KILN_OK;
}

/// Returns non-zero if [a, a+a_size) and [b, b+b_size) intersect.
static int ranges_overlap(const void *a, size_t a_size, const void *b,
                          size_t b_size) {
  uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
  return a0 < b0 + b_size && b0 < a0 + a_size;
}

/// kiln_model_run with the instance's run lock held.
KILN_CALLS_GENERATED_CODE
static kiln_status run_locked(kiln_model *model, const kiln_tensor *inputs,
                              size_t num_inputs, kiln_tensor *outputs,
                              size_t num_outputs) {
  const kiln_abi_model *abi = model->abi;
  if (num_inputs != abi->num_inputs)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "expected %u inputs, got %zu", (unsigned)abi->num_inputs,
                num_inputs);
  if (num_outputs != abi->num_outputs)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "expected %u outputs, got %zu", (unsigned)abi->num_outputs,
                num_outputs);
  if (num_inputs && !inputs)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "inputs is NULL but num_inputs is %zu", num_inputs);
  if (num_outputs && !outputs)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "outputs is NULL but num_outputs is %zu", num_outputs);
  const size_t *in_bytes = model->byte_sizes;
  const size_t *out_bytes = model->byte_sizes + num_inputs;
  kiln_status status = KILN_OK;
  for (size_t i = 0; i < num_inputs && status == KILN_OK; ++i)
    status = check_tensor(model, "input", i, &abi->inputs[i], &inputs[i],
                          in_bytes[i]);
  for (size_t i = 0; i < num_outputs && status == KILN_OK; ++i)
    status = check_tensor(model, "output", i, &abi->outputs[i], &outputs[i],
                          out_bytes[i]);
  if (status != KILN_OK)
    return status;
  for (size_t o = 0; o < num_outputs; ++o) {
    for (size_t i = 0; i < num_inputs; ++i)
      if (ranges_overlap(outputs[o].data, out_bytes[o], inputs[i].data,
                         in_bytes[i]))
        return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                    "output %zu ('%s') overlaps input %zu ('%s')", o,
                    abi->outputs[o].name, i, abi->inputs[i].name);
    for (size_t p = o + 1; p < num_outputs; ++p)
      if (ranges_overlap(outputs[o].data, out_bytes[o], outputs[p].data,
                         out_bytes[p]))
        return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                    "output %zu ('%s') overlaps output %zu ('%s')", o,
                    abi->outputs[o].name, p, abi->outputs[p].name);
  }
  for (size_t i = 0; i < num_inputs; ++i)
    model->buffers[i] = inputs[i].data;
  for (size_t o = 0; o < num_outputs; ++o)
    model->buffers[num_inputs + o] = outputs[o].data;

  kiln_threadpool *previous = kiln_threadpool_set_current(model->pool);
  kiln_model *previous_profiled = profiled_model;
  if (model->profiling) {
    profiled_model = model;
    model->layer_clock = monotonic_ns();
  }
  abi->invoke(model->buffers, model->scratch);
  if (model->profiling)
    ++model->profiled_runs;
  profiled_model = previous_profiled;
  kiln_threadpool_set_current(previous);
  model->error[0] = '\0';
  return KILN_OK;
}

KILN_API kiln_status kiln_model_run(kiln_model *model,
                                    const kiln_tensor *inputs,
                                    size_t num_inputs, kiln_tensor *outputs,
                                    size_t num_outputs) {
  if (!model)
    return fail(NULL, KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_run: model is NULL");
  pthread_mutex_lock(&model->run_lock);
  kiln_status status = run_locked(model, inputs, num_inputs, outputs, num_outputs);
  pthread_mutex_unlock(&model->run_lock);
  return status;
}

KILN_API const char *kiln_model_last_error(const kiln_model *model) {
  return model ? model->error : kiln_thread_error_buffer();
}

KILN_API size_t kiln_model_num_layers(const kiln_model *model) {
  return model ? (size_t)model->abi->num_layers : 0;
}

KILN_API kiln_status kiln_model_layer_info(const kiln_model *model, size_t index,
                                           kiln_layer_info *out_info) {
  if (!model)
    return fail(NULL, KILN_ERROR_INVALID_ARGUMENT, "kiln_model_layer_info: model is NULL");
  if (!out_info)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT, "kiln_model_layer_info: out_info is NULL");
  if (index >= model->abi->num_layers)
    return fail(model, KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_layer_info: index %zu is out of range (model has %llu layers)",
                index, (unsigned long long)model->abi->num_layers);
  const kiln_abi_layer *l = &model->abi->layers[index];
  kiln_model *m = (kiln_model *)model; /* the lock is not logical state */
  pthread_mutex_lock(&m->run_lock);
  out_info->nodes = l->nodes;
  out_info->op = l->op;
  out_info->kernel = l->kernel;
  out_info->flops = l->flops;
  out_info->seconds = (double)model->layer_ns[index] * 1e-9;
  out_info->runs = model->profiled_runs;
  pthread_mutex_unlock(&m->run_lock);
  return KILN_OK;
}

KILN_API kiln_status kiln_model_set_profiling(kiln_model *model, int enabled) {
  if (!model)
    return fail(NULL, KILN_ERROR_INVALID_ARGUMENT, "kiln_model_set_profiling: model is NULL");
  pthread_mutex_lock(&model->run_lock);
  model->profiling = enabled != 0;
  if (enabled) {
    if (model->layer_ns)
      memset(model->layer_ns, 0, (size_t)model->abi->num_layers * sizeof(uint64_t));
    model->profiled_runs = 0;
  }
  pthread_mutex_unlock(&model->run_lock);
  return KILN_OK;
}
