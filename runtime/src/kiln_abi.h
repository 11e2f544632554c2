/*===- kiln_abi.h - Contract between generated code and runtime -*- C -*-===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Internal (not installed) description of the data and functions shared by
 * the object file that kiln-compile generates and the kiln runtime that is
 * linked next to it into the model shared library. kiln-compile emits these
 * structures directly as LLVM IR constants for x86-64 and aarch64 (LP64), so
 * the layout below must never change without bumping KILN_ABI_VERSION.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_KILN_ABI_H
#define KILN_RUNTIME_KILN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Version of the layout below; checked by kiln_model_create().
#define KILN_ABI_VERSION 3

/// Where the model's kernels run (kiln_abi_model.device).
#define KILN_ABI_DEVICE_CPU 0  /* invoke runs the model on the calling thread(s) */
#define KILN_ABI_DEVICE_CUDA 1 /* reserved: device_image holds PTX/cubin */

/// Static description of one graph input or output.
typedef struct kiln_abi_tensor {
  const char *name;        /* ONNX graph input/output name, NUL-terminated */
  int32_t elem_type;       /* kiln_elem_type (kiln.h) = ONNX TensorProto.DataType */
  int32_t rank;
  const int64_t *shape;    /* rank entries, all static and > 0 */
} kiln_abi_tensor;

/// Static description of one layer of the compiled model (the unit of the
/// profile): generated code calls kiln_rt_layer_end(index) after it.
typedef struct kiln_abi_layer {
  const char *nodes;       /* ONNX node names of the fused group, joined by "+" */
  const char *op;          /* kiln op, e.g. "kiln.fused_conv" */
  const char *kernel;      /* kernel kind, e.g. "direct_conv" */
  uint64_t flops;          /* floating-point operations per run */
} kiln_abi_layer;

/// Everything the runtime needs to know about the compiled model.
typedef struct kiln_abi_model {
  uint32_t abi_version;    /* == KILN_ABI_VERSION */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t device;         /* KILN_ABI_DEVICE_* */
  const kiln_abi_tensor *inputs;
  const kiln_abi_tensor *outputs;
  const char *model_name;
  /* Runs the model. buffers: num_inputs input pointers then num_outputs output pointers, each
     contiguous row-major data of the described shape/type, at least 64-byte aligned is NOT required.
     scratch: scratch_bytes bytes, 64-byte aligned, owned by the model instance (NULL if scratch_bytes==0). */
  void (*invoke)(void *const *buffers, void *scratch);
  uint64_t scratch_bytes;
  /* Device back ends (device != CPU): the code image the runtime loads at
     kiln_model_create (e.g. PTX), and bytes of device memory to plan.
     NULL/0 for the CPU. */
  const void *device_image;
  uint64_t device_image_bytes;
  uint64_t device_scratch_bytes;
  /* Version 3: the layer table (num_layers entries; NULL when 0). */
  uint64_t num_layers;
  const kiln_abi_layer *layers;
} kiln_abi_model;

/// Defined by the generated object (hidden visibility).
extern const kiln_abi_model kiln_generated_model;

/// Provided by the runtime, called by generated code (hidden visibility is
/// fine: same .so). Runs body(env, begin, end) over disjoint chunks covering
/// [0, n) on the calling model instance's thread pool (the instance currently
/// executing kiln_model_run on this thread; a thread-local pointer set by
/// kiln_model_run). With 1 thread or no current instance it runs
/// body(env, 0, n) inline. Must be safe to call from inside a body (nested
/// call runs inline). Does nothing when n <= 0.
void kiln_rt_parallel_for(int64_t n,
                          void (*body)(void *env, int64_t begin, int64_t end),
                          void *env);

/// Provided by the runtime, called by generated code on the thread that runs
/// the model after layer `index` (< num_layers) has finished. Returns at
/// once unless the current instance profiles (kiln_model_set_profiling);
/// then adds the time since the previous layer ended to layer `index`.
void kiln_rt_layer_end(int64_t index);

/// Provided by the runtime, called by code compiled with --runtime-checks
/// when a check fails: writes `message` and a newline to stderr (unbuffered,
/// so nothing is lost) and aborts the process.
void kiln_rt_check_failed(const char *message);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_KILN_ABI_H */
