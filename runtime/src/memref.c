/*===- memref.c - strided memref copy for generated code ------------------===*
 *
 * MLIR lowers a memref.copy between non-contiguous memrefs (e.g. writing a
 * convolution input into the interior of its padded buffer) to a call to
 * `memrefCopy(elemSize, src, dst)` on unranked descriptors. Upstream ships it
 * in libmlir_c_runner_utils; kiln's runtime provides its own so a model .so
 * depends on nothing but libc.
 *
 *===----------------------------------------------------------------------===*/
#include <stdint.h>
#include <string.h>

/* Unranked memref: { rank, pointer to the ranked descriptor }. The ranked
 * descriptor is { allocated, aligned, offset, sizes[rank], strides[rank] }. */
typedef struct kiln_unranked_memref {
  int64_t rank;
  void *descriptor;
} kiln_unranked_memref;

typedef struct kiln_memref_header {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes_and_strides[]; /* sizes[rank] then strides[rank] */
} kiln_memref_header;

#define KILN_MAX_COPY_RANK 16

__attribute__((visibility("hidden"))) void
memrefCopy(int64_t elem_size, kiln_unranked_memref *src_arg,
           kiln_unranked_memref *dst_arg) {
  int64_t rank = src_arg->rank;
  const kiln_memref_header *src = (const kiln_memref_header *)src_arg->descriptor;
  const kiln_memref_header *dst = (const kiln_memref_header *)dst_arg->descriptor;
  const int64_t *sizes = src->sizes_and_strides;
  const int64_t *src_strides = src->sizes_and_strides + rank;
  const int64_t *dst_strides = dst->sizes_and_strides + rank;
  const char *s = src->aligned + src->offset * elem_size;
  char *d = dst->aligned + dst->offset * elem_size;
  if (rank == 0) {
    memcpy(d, s, (size_t)elem_size);
    return;
  }
  if (rank > KILN_MAX_COPY_RANK)
    return;
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  /* Copy the innermost dimension as one run when it is contiguous. */
  int64_t inner = sizes[rank - 1];
  int contiguous = src_strides[rank - 1] == 1 && dst_strides[rank - 1] == 1;
  int64_t index[KILN_MAX_COPY_RANK] = {0};
  for (;;) {
    int64_t so = 0, dof = 0;
    for (int64_t i = 0; i < rank - 1; ++i) {
      so += index[i] * src_strides[i];
      dof += index[i] * dst_strides[i];
    }
    if (contiguous) {
      memcpy(d + dof * elem_size, s + so * elem_size, (size_t)(inner * elem_size));
    } else {
      for (int64_t j = 0; j < inner; ++j)
        memcpy(d + (dof + j * dst_strides[rank - 1]) * elem_size,
               s + (so + j * src_strides[rank - 1]) * elem_size, (size_t)elem_size);
    }
    int64_t axis = rank - 2;
    while (axis >= 0 && ++index[axis] == sizes[axis])
      index[axis--] = 0;
    if (axis < 0)
      return;
  }
}
