/*===- alloc.c - Aligned allocation helpers --------------------------------===*
 *
 * Part of the kiln project: an ahead-of-time compiler from ONNX to native
 * shared libraries.
 *
 *===----------------------------------------------------------------------===*
 *
 * Thin wrappers over posix_memalign used for the 64-byte aligned scratch
 * arena that each model instance hands to generated code.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "kiln_internal.h"

void *kiln_aligned_alloc(size_t size, size_t alignment) {
  void *ptr = NULL;
  if (size == 0 || alignment < sizeof(void *) ||
      (alignment & (alignment - 1)) != 0)
    return NULL;
  if (posix_memalign(&ptr, alignment, size) != 0)
    return NULL;
  return ptr;
}

void kiln_aligned_free(void *ptr) { free(ptr); }
