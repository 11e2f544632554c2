/*===- kiln/kiln.h - Public C API of a kiln-compiled model ------*- C -*-===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * This header is the complete public interface of a model shared library
 * produced by kiln-compile. Each such library contains exactly one model and
 * a private copy of the kiln runtime; the functions below are the only
 * symbols it exports. The API follows the conventions of IREE's runtime API:
 * opaque handle types, explicit status returns, output parameters last, and
 * the ownership of every pointer stated in the function's documentation.
 *
 * Typical use:
 *
 *   kiln_model *model = NULL;
 *   if (kiln_model_create(NULL, &model) != KILN_OK)
 *     fprintf(stderr, "%s\n", kiln_model_last_error(NULL));
 *   kiln_tensor in[1] = {...}, out[1] = {...};   // caller-owned buffers
 *   if (kiln_model_run(model, in, 1, out, 1) != KILN_OK)
 *     fprintf(stderr, "%s\n", kiln_model_last_error(model));
 *   kiln_model_destroy(model);
 *
 * Threading: distinct model instances are fully independent. kiln_model_run
 * may be called on one instance from several threads: the calls are
 * serialized (the instance owns one scratch buffer and one thread pool), so
 * create one instance per thread for parallel throughput. An instance's
 * error message (kiln_model_last_error) is that of its latest call, from
 * whichever thread. Destroying an instance while another thread uses it is
 * undefined. kiln_status_string() and kiln_model_options_init() are always
 * thread-safe.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_KILN_H
#define KILN_KILN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
/// Marks a symbol as part of the exported API of a model shared library.
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Result of every fallible API call. On any value other than KILN_OK a
/// human-readable description is available from kiln_model_last_error().
typedef enum kiln_status {
  KILN_OK = 0,                      ///< Success.
  KILN_ERROR_INVALID_ARGUMENT = 1,  ///< A caller-supplied argument is wrong.
  KILN_ERROR_OUT_OF_MEMORY = 2,     ///< An allocation failed.
  KILN_ERROR_ABI_MISMATCH = 3,      ///< Generated code/runtime ABI mismatch.
  KILN_ERROR_INTERNAL = 4,          ///< Runtime failure (e.g. thread start).
} kiln_status;

/// Tensor element type. The values are those of ONNX TensorProto.DataType.
typedef enum kiln_elem_type {
  KILN_ELEM_UNDEFINED = 0,
  KILN_FLOAT32 = 1,
  KILN_UINT8 = 2,
  KILN_INT8 = 3,
  KILN_UINT16 = 4,
  KILN_INT16 = 5,
  KILN_INT32 = 6,
  KILN_INT64 = 7,
  KILN_BOOL = 9,
  KILN_FLOAT16 = 10,
  KILN_FLOAT64 = 11,
  KILN_UINT32 = 12,
  KILN_UINT64 = 13,
  KILN_BFLOAT16 = 16,
} kiln_elem_type;

/// An instance of the compiled model: thread pool, scratch memory and the
/// last error message. Opaque; created by kiln_model_create() and owned by
/// the caller until passed to kiln_model_destroy().
typedef struct kiln_model kiln_model;

/// Options for kiln_model_create(). Always initialise with
/// kiln_model_options_init() before setting fields so that struct_size is
/// correct and new fields get their defaults.
typedef struct kiln_model_options {
  /// sizeof(kiln_model_options) as seen by the caller.
  uint32_t struct_size;
  /// Number of threads running the model, including the calling thread.
  /// <= 0 selects the value of the KILN_NUM_THREADS environment variable if
  /// it is a valid integer in [1, KILN_MAX_THREADS], else 1.
  int32_t num_threads;
} kiln_model_options;

/// Largest accepted thread count.
#define KILN_MAX_THREADS 256

/// Static description of one model input or output. All pointers refer to
/// memory owned by the model library; they stay valid while the library is
/// loaded, and at least as long as the instance they were obtained from.
typedef struct kiln_tensor_info {
  const char *name;          ///< ONNX graph input/output name.
  kiln_elem_type elem_type;  ///< Element type.
  int32_t rank;              ///< Number of dimensions (0 for a scalar).
  const int64_t *shape;      ///< `rank` dimensions, all > 0.
} kiln_tensor_info;

/// A caller-owned tensor passed to kiln_model_run(). `data` holds the
/// elements contiguously in row-major (C) order; no alignment is required.
/// `shape` (rank entries; may be NULL when rank == 0) must match the model's
/// declared shape exactly.
typedef struct kiln_tensor {
  void *data;                ///< Element buffer, borrowed for the call.
  size_t byte_size;          ///< Size of `data` in bytes; >= required size.
  kiln_elem_type elem_type;  ///< Must equal the model's element type.
  int32_t rank;              ///< Must equal the model's rank.
  const int64_t *shape;      ///< Must equal the model's shape.
} kiln_tensor;

/// Fills *out_options with defaults (struct_size set, num_threads = 0).
/// Does nothing when out_options is NULL.
KILN_API void kiln_model_options_init(kiln_model_options *out_options);

/// Creates a model instance. `options` is borrowed for the call and may be
/// NULL (defaults). On success stores a new instance, owned by the caller,
/// in *out_model; on failure stores NULL (if out_model is not NULL) and the
/// reason is available from kiln_model_last_error(NULL) on this thread.
KILN_API kiln_status kiln_model_create(const kiln_model_options *options,
                                       kiln_model **out_model);

/// Destroys an instance, joining its worker threads and freeing its memory.
/// Takes ownership of `model`; NULL is a no-op. Pointers previously returned
/// by kiln_model_last_error(model) become invalid.
KILN_API void kiln_model_destroy(kiln_model *model);

/// Returns the model's name (from the ONNX graph). The string is owned by the
/// model library. Returns "" when model is NULL.
KILN_API const char *kiln_model_name(const kiln_model *model);

/// Returns the number of model inputs, or 0 when model is NULL.
KILN_API size_t kiln_model_num_inputs(const kiln_model *model);

/// Returns the number of model outputs, or 0 when model is NULL.
KILN_API size_t kiln_model_num_outputs(const kiln_model *model);

/// Describes input `index` in *out_info (see kiln_tensor_info for the
/// lifetime of its pointers). Fails with KILN_ERROR_INVALID_ARGUMENT for a
/// NULL argument or an index out of range; the message is then recorded in
/// the instance (kiln_model_last_error(model)) or, when model is NULL, in the
/// calling thread (kiln_model_last_error(NULL)).
KILN_API kiln_status kiln_model_input_info(const kiln_model *model,
                                           size_t index,
                                           kiln_tensor_info *out_info);

/// Describes output `index` in *out_info; as kiln_model_input_info().
KILN_API kiln_status kiln_model_output_info(const kiln_model *model,
                                            size_t index,
                                            kiln_tensor_info *out_info);

/// Runs the model once. `inputs` (num_inputs entries) and `outputs`
/// (num_outputs entries) and the buffers they point to are borrowed for the
/// duration of the call; counts, element types, ranks and shapes must match
/// the model exactly, byte_size must cover the tensor, and no output buffer
/// may overlap another buffer. Input data is never modified; output data is
/// overwritten in place. Either array may be NULL when its count is 0. On
/// failure nothing has been written and kiln_model_last_error(model)
/// explains why.
KILN_API kiln_status kiln_model_run(kiln_model *model,
                                    const kiln_tensor *inputs,
                                    size_t num_inputs, kiln_tensor *outputs,
                                    size_t num_outputs);

/// Returns the message of the most recent failed call on `model`, or "" if
/// none failed since the instance was created or since the last successful
/// kiln_model_run() (which clears it). When model is NULL returns the calling
/// thread's message from the most recent kiln_model_create() ("" if it
/// succeeded) or from a later call that failed because its model was NULL.
/// Never returns NULL. The string is owned by the runtime and valid until
/// the next API call on the same instance (or thread, for NULL).
KILN_API const char *kiln_model_last_error(const kiln_model *model);

/// Returns a static, never-NULL description of `status`.
KILN_API const char *kiln_status_string(kiln_status status);

/// Returns the number of threads the instance runs with (>= 1), or 0 when
/// model is NULL.
KILN_API int32_t kiln_model_num_threads(const kiln_model *model);

/// Returns the size in bytes of one element of `type`, or 0 if unknown.
KILN_API size_t kiln_elem_type_size(kiln_elem_type type);

/// Returns a static name such as "float32" for `type` ("unknown" if unknown).
KILN_API const char *kiln_elem_type_name(kiln_elem_type type);

/*--- Layers and the per-layer profile ---------------------------------------*/

/// One layer of the compiled model: the unit kiln's code runs as one step
/// (usually one fused group of ONNX nodes), with what the profile measured.
/// The strings are owned by the model library.
typedef struct kiln_layer_info {
  const char *nodes;   ///< ONNX node names of the fused group, joined by "+".
  const char *op;      ///< kiln op, e.g. "kiln.fused_conv" ("-" for none).
  const char *kernel;  ///< kernel kind, e.g. "direct_conv" (see --report).
  uint64_t flops;      ///< floating-point operations per run (FMA = 2).
  double seconds;      ///< time spent in the layer, summed over `runs`.
  uint64_t runs;       ///< profiled runs since profiling was last enabled.
} kiln_layer_info;

/// Returns the number of layers (rows of the profile), or 0 when model is
/// NULL.
KILN_API size_t kiln_model_num_layers(const kiln_model *model);

/// Describes layer `index` (in execution order) in *out_info, with the time
/// measured since profiling was enabled (0 seconds and 0 runs when it never
/// was). Fails with KILN_ERROR_INVALID_ARGUMENT for a NULL argument or an
/// index out of range.
KILN_API kiln_status kiln_model_layer_info(const kiln_model *model, size_t index,
                                           kiln_layer_info *out_info);

/// Turns per-layer timing on (enabled != 0; this also resets the times and
/// the run count) or off (the times measured so far stay readable). While
/// it is on, each kiln_model_run reads a monotonic clock once per layer on
/// the calling thread; the layers of one run add up to the time spent in
/// the generated code. Off by default; off, a run pays one thread-local
/// load per layer. Fails with KILN_ERROR_INVALID_ARGUMENT when model is NULL.
KILN_API kiln_status kiln_model_set_profiling(kiln_model *model, int enabled);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_KILN_H */
