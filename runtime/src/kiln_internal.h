/*===- kiln_internal.h - Private declarations of the kiln runtime -*- C -*-===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Declarations shared between the runtime's translation units: error-message
 * formatting, aligned allocation and the per-instance thread pool. Nothing
 * here is exported from a model shared library (the runtime is compiled with
 * hidden visibility; only KILN_API functions are default-visible).
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_KILN_INTERNAL_H
#define KILN_RUNTIME_KILN_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/kiln.h"

/* Everything declared from here on, including the generated-code contract,
   is internal to the model library: hidden declarations let the compiler
   use direct PC-relative references instead of GOT/PLT indirections. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(hidden)
#endif

#include "kiln_abi.h"

#if defined(__GNUC__) || defined(__clang__)
#define KILN_PRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define KILN_PRINTF_FORMAT(fmt, args)
#endif

/* Calls into generated code (the model's invoke function, parallel loop
   bodies) go through pointers to functions that the kiln compiler emitted
   without the type signature that -fsanitize=function reads in the 8 bytes
   before the callee: such a check reads whatever precedes the function,
   and faults when that is the start of a mapping. Functions that make those
   calls opt out of that one check. */
#if defined(__clang__)
#define KILN_CALLS_GENERATED_CODE __attribute__((no_sanitize("function")))
#else
#define KILN_CALLS_GENERATED_CODE
#endif

/// Capacity (including the NUL) of every stored error message.
#define KILN_ERROR_CAPACITY 512

/// Alignment of scratch memory handed to generated code.
#define KILN_SCRATCH_ALIGNMENT 64

/*--- status.c ---------------------------------------------------------------*/

/// Formats a message into `buffer` (KILN_ERROR_CAPACITY bytes), truncating.
void kiln_format_error(char *buffer, const char *format, ...)
    KILN_PRINTF_FORMAT(2, 3);

/// va_list variant of kiln_format_error().
void kiln_vformat_error(char *buffer, const char *format, va_list args);

/// Returns the calling thread's error buffer (KILN_ERROR_CAPACITY bytes).
char *kiln_thread_error_buffer(void);

/*--- alloc.c ----------------------------------------------------------------*/

/// Allocates `size` bytes aligned to `alignment` (a power of two that is a
/// multiple of sizeof(void *)). Returns NULL on failure or when size == 0.
/// Release with kiln_aligned_free().
void *kiln_aligned_alloc(size_t size, size_t alignment);

/// Frees memory from kiln_aligned_alloc(); NULL is a no-op.
void kiln_aligned_free(void *ptr);

/*--- threadpool.c -----------------------------------------------------------*/

/// A fixed set of worker threads executing parallel_for chunks; the thread
/// that submits work runs chunk 0 itself.
typedef struct kiln_threadpool kiln_threadpool;

/// Signature of a parallel loop body over [begin, end).
typedef void (*kiln_parallel_body)(void *env, int64_t begin, int64_t end);

/// Creates a pool running work on `num_threads` threads in total (the caller
/// plus num_threads - 1 workers). On failure returns an error status, writes
/// a message to `error` (KILN_ERROR_CAPACITY bytes) and stores NULL.
kiln_status kiln_threadpool_create(int32_t num_threads, char *error,
                                   kiln_threadpool **out_pool);

/// Stops and joins all workers and frees the pool; NULL is a no-op. Must not
/// be called while work is executing.
void kiln_threadpool_destroy(kiln_threadpool *pool);

/// Makes `pool` the calling thread's current pool (used by
/// kiln_rt_parallel_for) and returns the previous one.
kiln_threadpool *kiln_threadpool_set_current(kiln_threadpool *pool);

/// Internal, non-interposable implementation of kiln_elem_type_size().
size_t kiln_rt_elem_type_size(kiln_elem_type type);

/// Internal, non-interposable implementation of kiln_elem_type_name().
const char *kiln_rt_elem_type_name(kiln_elem_type type);

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#endif /* KILN_RUNTIME_KILN_INTERNAL_H */
