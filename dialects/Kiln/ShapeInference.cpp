//===- ShapeInference.cpp - result types of kiln ops ----------------------===//
//
// ONNX's shape rules (convolution and pooling windows, broadcasting, Gemm,
// MatMul, Transpose, Flatten) for the importer and the verifiers. Messages
// say what was expected and what was found; the caller's `emitError` says
// where (the op, or the ONNX node).
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/ShapeInference.h"

#include "llvm/Support/MathExtras.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Shape arithmetic
//===----------------------------------------------------------------------===//

int64_t kiln::windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                               int64_t padBegin, int64_t padEnd,
                               int64_t dilation, bool ceilMode) {
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0 || stride <= 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // ONNX (like PyTorch) drops a last window that starts in the end padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

FailureOr<SmallVector<int64_t>>
kiln::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    result[i] = da == 1 ? db : da;
  }
  return result;
}

std::array<int64_t, 2> kiln::flattenedShape(ArrayRef<int64_t> shape, int64_t axis) {
  std::array<int64_t, 2> result = {1, 1};
  for (auto [i, d] : llvm::enumerate(shape))
    result[(int64_t)i < axis ? 0 : 1] *= d;
  return result;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string kiln::shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, ",");
  os << "]";
  return s;
}

static RankedTensorType withShape(RankedTensorType like, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, like.getElementType());
}

/// Checks a static, positive shape.
static LogicalResult checkStaticShape(EmitErrorFn emitError, RankedTensorType type,
                                      StringRef what) {
  for (int64_t d : type.getShape())
    if (ShapedType::isDynamic(d) || d <= 0)
      return emitError() << what << " must have a static, positive shape, got "
                         << type;
  return success();
}

/// Checks the spatial attributes shared by convolutions and pools.
static LogicalResult checkWindowAttrs(EmitErrorFn emitError, ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                      ArrayRef<int64_t> dilations) {
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2 ||
      pads.size() != 4)
    return emitError() << "expects 2 kernel dims, 2 strides, 2 dilations and 4 pads, got "
                       << kernel.size() << ", " << strides.size() << ", "
                       << dilations.size() << " and " << pads.size();
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0)
      return emitError() << "kernel sizes, strides and dilations must be positive";
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitError() << "pads must be non-negative";
  return success();
}

/// The 4-D result of sliding `kernel` over `input` ([N, OH, OW, C] or
/// [N, C, OH, OW]) with `channels` output channels.
static FailureOr<RankedTensorType>
windowResult(EmitErrorFn emitError, RankedTensorType input, int64_t channels,
             bool nhwc, ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations, bool ceilMode) {
  ArrayRef<int64_t> in = input.getShape();
  int hDim = nhwc ? 1 : 2, wDim = nhwc ? 2 : 3;
  int64_t oh = windowOutputSize(in[hDim], kernel[0], strides[0], pads[0], pads[2],
                                dilations[0], ceilMode);
  int64_t ow = windowOutputSize(in[wDim], kernel[1], strides[1], pads[1], pads[3],
                                dilations[1], ceilMode);
  if (oh <= 0 || ow <= 0)
    return emitError() << "window " << shapeStr(kernel)
                       << " does not fit the padded input " << shapeStr(in);
  SmallVector<int64_t> shape = nhwc ? SmallVector<int64_t>{in[0], oh, ow, channels}
                                    : SmallVector<int64_t>{in[0], channels, oh, ow};
  return withShape(input, shape);
}

//===----------------------------------------------------------------------===//
// Result types
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
kiln::inferConvType(EmitErrorFn emitError, RankedTensorType input,
                    RankedTensorType filter, RankedTensorType bias,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                    ArrayRef<int64_t> dilations, int64_t group, bool nhwc,
                    int64_t winogradTile) {
  ArrayRef<int64_t> in = input.getShape(), w = filter.getShape();
  if (in.size() != 4)
    return emitError() << "expects a 4-D input ("
                       << (nhwc ? "N, H, W, C" : "N, C, H, W") << "), got rank "
                       << in.size();
  bool packed = nhwc && w.size() == 5;
  if (w.size() != 4 && !packed)
    return emitError() << "expects a 4-D filter"
                       << (nhwc ? " or a 5-D packed filter" : "") << ", got rank "
                       << w.size();
  if (failed(checkStaticShape(emitError, input, "input")) ||
      failed(checkStaticShape(emitError, filter, "filter")))
    return failure();
  if (group < 1)
    return emitError() << "group must be >= 1, got " << group;
  // NCHW: [F, C/g, KH, KW]; NHWC: [KH, KW, C/g, F]; packed NHWC:
  // [F/B, KH, KW, C/g, B].
  int64_t c = nhwc ? in[3] : in[1];
  int64_t f = packed ? w[0] * w[4] : nhwc ? w[3] : w[0];
  int64_t fc = packed ? w[3] : nhwc ? w[2] : w[1];
  int64_t wt = packed && winogradTile > 0 ? winogradTile - 1 : 0;
  if (wt && (w[1] <= wt || w[2] <= wt))
    return emitError() << "a Winograd F(" << winogradTile << "x" << winogradTile
                       << ") filter needs transformed tiles larger than " << wt << ", got "
                       << w[1] << "x" << w[2];
  SmallVector<int64_t> kernel = packed ? SmallVector<int64_t>{w[1] - wt, w[2] - wt}
                                : nhwc ? SmallVector<int64_t>{w[0], w[1]}
                                       : SmallVector<int64_t>{w[2], w[3]};
  int64_t channels = 0;
  if (llvm::MulOverflow(fc, group, channels) || channels != c)
    return emitError() << "filter has " << fc << " input channels per group"
                       << " but the input has " << c << " channels and group "
                       << group;
  if (f % group != 0)
    return emitError() << "filter count " << f << " is not divisible by group "
                       << group;
  // A packed block lies in one group.
  if (packed && (f / group) % w[4] != 0)
    return emitError() << "packed block " << w[4] << " does not divide the " << f / group
                       << " output channels per group";
  if (bias && bias.getShape() != ArrayRef<int64_t>{f})
    return emitError() << "bias must have shape [" << f << "], got "
                       << shapeStr(bias.getShape());
  if (failed(checkWindowAttrs(emitError, kernel, strides, pads, dilations)))
    return failure();
  return windowResult(emitError, input, f, nhwc, kernel, strides, pads, dilations,
                      /*ceilMode=*/false);
}

FailureOr<RankedTensorType>
kiln::inferPoolType(EmitErrorFn emitError, RankedTensorType input,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> pads, bool ceilMode, bool nhwc) {
  ArrayRef<int64_t> in = input.getShape();
  if (in.size() != 4)
    return emitError() << "expects a 4-D input, got rank " << in.size();
  const int64_t dilations[2] = {1, 1};
  if (failed(checkWindowAttrs(emitError, kernel, strides, pads, dilations)))
    return failure();
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
      pads[3] >= kernel[1])
    return emitError() << "pads must be smaller than the kernel";
  return windowResult(emitError, input, nhwc ? in[3] : in[1], nhwc, kernel, strides,
                      pads, dilations, ceilMode);
}

FailureOr<RankedTensorType>
kiln::inferGlobalPoolType(EmitErrorFn emitError, RankedTensorType input, bool nhwc) {
  ArrayRef<int64_t> in = input.getShape();
  if (in.size() != 4)
    return emitError() << "expects a 4-D input, got rank " << in.size();
  return withShape(input, nhwc ? SmallVector<int64_t>{in[0], 1, 1, in[3]}
                               : SmallVector<int64_t>{in[0], in[1], 1, 1});
}

FailureOr<RankedTensorType> kiln::inferBroadcastType(EmitErrorFn emitError,
                                                     TypeRange operands) {
  assert(!operands.empty() && "an elementwise op has operands");
  auto result = cast<RankedTensorType>(operands.front());
  for (Type t : operands.drop_front()) {
    auto type = cast<RankedTensorType>(t);
    FailureOr<SmallVector<int64_t>> shape =
        broadcastShapes(result.getShape(), type.getShape());
    if (failed(shape))
      return emitError() << "operand shapes " << result << " and " << type
                         << " are not broadcast-compatible";
    if (type.getElementType() != result.getElementType())
      return emitError() << "operand element types " << result.getElementType()
                         << " and " << type.getElementType() << " differ";
    result = withShape(result, *shape);
  }
  return result;
}

FailureOr<RankedTensorType> kiln::inferGemmType(EmitErrorFn emitError,
                                                RankedTensorType a, RankedTensorType b,
                                                RankedTensorType c, bool transA,
                                                bool transB) {
  ArrayRef<int64_t> as = a.getShape(), bs = b.getShape();
  if (as.size() != 2 || bs.size() != 2)
    return emitError() << "expects 2-D A and B, got ranks " << as.size() << " and "
                       << bs.size();
  int64_t m = transA ? as[1] : as[0], ka = transA ? as[0] : as[1];
  int64_t kb = transB ? bs[1] : bs[0], n = transB ? bs[0] : bs[1];
  if (ka != kb)
    return emitError() << "inner dimensions differ: A gives K = " << ka
                       << ", B gives K = " << kb;
  SmallVector<int64_t> mn = {m, n};
  if (c) {
    FailureOr<SmallVector<int64_t>> s = broadcastShapes(c.getShape(), mn);
    if (failed(s) || ArrayRef<int64_t>(*s) != ArrayRef<int64_t>(mn) ||
        c.getRank() > 2)
      return emitError() << "C of shape " << shapeStr(c.getShape())
                         << " does not broadcast to " << shapeStr(mn);
  }
  return withShape(a, mn);
}

FailureOr<RankedTensorType> kiln::inferMatMulType(EmitErrorFn emitError,
                                                  RankedTensorType lhs,
                                                  RankedTensorType rhs) {
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  if (a.size() != 2 || b.size() != 2)
    return emitError() << "supports 2-D operands only, got ranks " << a.size()
                       << " and " << b.size();
  if (a[1] != b[0])
    return emitError() << "inner dimensions differ: " << a[1] << " vs " << b[0];
  return withShape(lhs, {a[0], b[1]});
}

FailureOr<RankedTensorType> kiln::inferTransposeType(EmitErrorFn emitError,
                                                     RankedTensorType input,
                                                     ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> in = input.getShape();
  if (perm.size() != in.size())
    return emitError() << "perm has " << perm.size()
                       << " entries but the input has rank " << in.size();
  llvm::SmallBitVector seen(perm.size());
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || seen.test(p))
      return emitError() << "perm " << shapeStr(perm) << " is not a permutation";
    seen.set(p);
    shape.push_back(in[p]);
  }
  return withShape(input, shape);
}

FailureOr<RankedTensorType> kiln::inferPadType(EmitErrorFn emitError,
                                               RankedTensorType input,
                                               ArrayRef<int64_t> pads) {
  int64_t rank = input.getRank();
  if ((int64_t)pads.size() != 2 * rank)
    return emitError() << "expects " << 2 * rank << " pads for rank " << rank << ", got "
                       << pads.size();
  // Bounded so that no padded dimension can overflow.
  constexpr int64_t kMaxPad = int64_t(1) << 24;
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t d = 0; d < rank; ++d) {
    for (int64_t p : {pads[d], pads[rank + d]})
      if (p < 0 || p > kMaxPad)
        return emitError() << "pad " << p << " of dimension " << d << " is out of range [0, "
                           << kMaxPad << "]";
    shape[d] += pads[d] + pads[rank + d];
  }
  return withShape(input, shape);
}

FailureOr<RankedTensorType> kiln::inferConcatType(EmitErrorFn emitError, TypeRange inputs,
                                                  int64_t axis) {
  if (inputs.empty())
    return emitError() << "needs at least one input";
  auto first = dyn_cast<RankedTensorType>(inputs[0]);
  if (!first)
    return emitError() << "inputs must be ranked tensors";
  int64_t rank = first.getRank();
  if (rank == 0)
    return emitError() << "cannot concatenate rank-0 tensors";
  if (axis < -rank || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (auto [i, t] : llvm::enumerate(inputs)) {
    auto type = dyn_cast<RankedTensorType>(t);
    if (!type || type.getElementType() != first.getElementType())
      return emitError() << "input " << i << " has type " << t << ", not a tensor of "
                         << first.getElementType();
    if (type.getRank() != rank)
      return emitError() << "input " << i << " has rank " << type.getRank()
                         << ", input 0 has rank " << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return emitError() << "input " << i << " has shape " << shapeStr(type.getShape())
                           << ", which differs from input 0's "
                           << shapeStr(first.getShape()) << " outside axis " << axis;
    shape[axis] += type.getDimSize(axis);
  }
  return withShape(first, shape);
}

FailureOr<RankedTensorType> kiln::inferFlattenType(EmitErrorFn emitError,
                                                   RankedTensorType input,
                                                   int64_t axis) {
  int64_t rank = input.getRank();
  if (axis < -rank || axis > rank)
    return emitError() << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  auto [outer, inner] = flattenedShape(input.getShape(), axis);
  return withShape(input, {outer, inner});
}
