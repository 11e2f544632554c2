/*===- status.c - Status strings, element types and error messages -------===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Implements the stateless parts of the public API (status and element-type
 * descriptions) and the storage for error messages that cannot be attached
 * to a model instance: those of kiln_model_create() and of calls made with a
 * NULL instance live in a thread-local buffer.
 *
 *===----------------------------------------------------------------------===*/

#include <stdio.h>

#include "kiln_internal.h"

/// Per-thread message for failures without an instance.
static _Thread_local char thread_error[KILN_ERROR_CAPACITY];

char *kiln_thread_error_buffer(void) { return thread_error; }

void kiln_vformat_error(char *buffer, const char *format, va_list args) {
  if (vsnprintf(buffer, KILN_ERROR_CAPACITY, format, args) < 0)
    buffer[0] = '\0';
}

void kiln_format_error(char *buffer, const char *format, ...) {
  va_list args;
  va_start(args, format);
  kiln_vformat_error(buffer, format, args);
  va_end(args);
}

KILN_API const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "ok";
  case KILN_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case KILN_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case KILN_ERROR_ABI_MISMATCH:
    return "ABI mismatch between generated code and runtime";
  case KILN_ERROR_INTERNAL:
    return "internal error";
  }
  return "unknown status";
}

size_t kiln_rt_elem_type_size(kiln_elem_type type) {
  switch (type) {
  case KILN_UINT8:
  case KILN_INT8:
  case KILN_BOOL:
    return 1;
  case KILN_UINT16:
  case KILN_INT16:
  case KILN_FLOAT16:
  case KILN_BFLOAT16:
    return 2;
  case KILN_FLOAT32:
  case KILN_INT32:
  case KILN_UINT32:
    return 4;
  case KILN_INT64:
  case KILN_FLOAT64:
  case KILN_UINT64:
    return 8;
  case KILN_ELEM_UNDEFINED:
    break;
  }
  return 0;
}

const char *kiln_rt_elem_type_name(kiln_elem_type type) {
  switch (type) {
  case KILN_FLOAT32:
    return "float32";
  case KILN_UINT8:
    return "uint8";
  case KILN_INT8:
    return "int8";
  case KILN_UINT16:
    return "uint16";
  case KILN_INT16:
    return "int16";
  case KILN_INT32:
    return "int32";
  case KILN_INT64:
    return "int64";
  case KILN_BOOL:
    return "bool";
  case KILN_FLOAT16:
    return "float16";
  case KILN_FLOAT64:
    return "float64";
  case KILN_UINT32:
    return "uint32";
  case KILN_UINT64:
    return "uint64";
  case KILN_BFLOAT16:
    return "bfloat16";
  case KILN_ELEM_UNDEFINED:
    break;
  }
  return "unknown";
}

KILN_API size_t kiln_elem_type_size(kiln_elem_type type) {
  return kiln_rt_elem_type_size(type);
}

KILN_API const char *kiln_elem_type_name(kiln_elem_type type) {
  return kiln_rt_elem_type_name(type);
}
