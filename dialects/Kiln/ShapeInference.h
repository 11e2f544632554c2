//===- ShapeInference.h - result types of kiln ops --------------*- C++ -*-===//
//
// ONNX's shape rules for the kiln ops, written once. The importer builds
// each op with the type these functions return, and the op's verifier
// compares its result type with the same function's answer, so the two
// cannot drift apart. Each function checks what it needs from its operands
// and attributes and reports a failure through `emitError`: the verifier
// passes `op->emitOpError()`, the importer a diagnostic naming the ONNX node.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_SHAPEINFERENCE_H
#define KILN_DIALECTS_KILN_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <array>
#include <string>

namespace kiln {

/// "[1,2,3]": how diagnostics print a shape.
std::string shapeStr(llvm::ArrayRef<int64_t> shape);

/// Starts the diagnostic a shape function streams its message into.
using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

//===----------------------------------------------------------------------===//
// Shape arithmetic
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Result types
//===----------------------------------------------------------------------===//
//
// Each returns the result type (the first operand's element type) or fails
// after reporting why. Layouts: `nhwc` selects NHWC data (filters
// [KH, KW, C/group, F], or packed [F/B, KH, KW, C, B]) instead of NCHW data
// (filters [F, C/group, KH, KW]).

/// kiln.conv / kiln.fused_conv: 4-D input, filter, optional bias [F]
/// (null when absent), strides and dilations [H, W], pads
/// [top, left, bottom, right]. With `winogradTile` m > 0 a packed filter is
/// Winograd-transformed, [F/B, m + KH - 1, m + KW - 1, C, B].
mlir::FailureOr<mlir::RankedTensorType>
inferConvType(EmitErrorFn emitError, mlir::RankedTensorType input,
              mlir::RankedTensorType filter, mlir::RankedTensorType bias,
              llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> pads,
              llvm::ArrayRef<int64_t> dilations, int64_t group, bool nhwc,
              int64_t winogradTile = 0);

/// kiln.max_pool / kiln.avg_pool (no dilations).
mlir::FailureOr<mlir::RankedTensorType>
inferPoolType(EmitErrorFn emitError, mlir::RankedTensorType input,
              llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
              llvm::ArrayRef<int64_t> pads, bool ceilMode, bool nhwc);

/// kiln.global_avg_pool: the spatial dimensions become 1.
mlir::FailureOr<mlir::RankedTensorType>
inferGlobalPoolType(EmitErrorFn emitError, mlir::RankedTensorType input, bool nhwc);

/// Elementwise ops: the broadcast of all operand shapes.
mlir::FailureOr<mlir::RankedTensorType>
inferBroadcastType(EmitErrorFn emitError, mlir::TypeRange operands);

/// kiln.gemm: [M, N] from A and B (each transposed when its flag is set);
/// the optional C (null when absent) must broadcast to [M, N].
mlir::FailureOr<mlir::RankedTensorType>
inferGemmType(EmitErrorFn emitError, mlir::RankedTensorType a,
              mlir::RankedTensorType b, mlir::RankedTensorType c, bool transA,
              bool transB);

/// kiln.matmul: [M, K] x [K, N] -> [M, N].
mlir::FailureOr<mlir::RankedTensorType>
inferMatMulType(EmitErrorFn emitError, mlir::RankedTensorType lhs,
                mlir::RankedTensorType rhs);

/// kiln.transpose: result dimension i is input dimension perm[i].
mlir::FailureOr<mlir::RankedTensorType>
inferTransposeType(EmitErrorFn emitError, mlir::RankedTensorType input,
                   llvm::ArrayRef<int64_t> perm);

/// kiln.concat: the inputs joined along `axis` (in [-rank, rank)); every
/// other dimension, the rank and the element type must agree.
mlir::FailureOr<mlir::RankedTensorType>
inferConcatType(EmitErrorFn emitError, mlir::TypeRange inputs, int64_t axis);

/// kiln.pad: every dimension grown by its leading pad `pads[d]` and its
/// trailing pad `pads[rank + d]` (2 x rank non-negative entries).
mlir::FailureOr<mlir::RankedTensorType>
inferPadType(EmitErrorFn emitError, mlir::RankedTensorType input, llvm::ArrayRef<int64_t> pads);

/// kiln.flatten: 2-D around `axis` (in [-rank, rank]).
mlir::FailureOr<mlir::RankedTensorType>
inferFlattenType(EmitErrorFn emitError, mlir::RankedTensorType input, int64_t axis);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_SHAPEINFERENCE_H
