//===- KilnDialect.h - kiln graph dialect -----------------------*- C++ -*-===//
//
// Declares the kiln dialect and its ops. Include this header to use the
// dialect; KilnOps.td is the source of truth for the op definitions.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_KILNDIALECT_H
#define KILN_DIALECTS_KILN_KILNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <array>

#include "dialects/Kiln/KilnDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/Kiln/KilnOps.h.inc"

namespace kiln {

/// Output size of one spatial dimension of a convolution or pooling window:
/// floor-or-ceil((in + padBegin + padEnd - dilation*(kernel-1) - 1) / stride) + 1.
/// Returns a value <= 0 when the window does not fit.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

/// NumPy/ONNX multidirectional broadcast of two static shapes. Returns
/// failure when a dimension pair is neither equal nor contains a 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// ONNX Flatten's 2-D shape: [product of dims before `axis`, product of
/// the rest]. `axis` must be in [0, rank].
std::array<int64_t, 2> flattenedShape(llvm::ArrayRef<int64_t> shape, int64_t axis);

/// Permutations between NCHW and NHWC.
inline constexpr int64_t kNCHWToNHWC[4] = {0, 2, 3, 1};
inline constexpr int64_t kNHWCToNCHW[4] = {0, 3, 1, 2};

} // namespace kiln

#endif // KILN_DIALECTS_KILN_KILNDIALECT_H
