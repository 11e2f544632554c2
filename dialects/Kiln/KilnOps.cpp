//===- KilnOps.cpp - kiln op verifiers, folders, canonicalizers -*- C++ -*-===//
//
// Verifiers check ranks, attribute sizes and result shapes against ONNX's
// shape rules, with messages that say what was expected and what was found.
// Folders remove no-op shape ops; canonicalizers merge transposes.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Shape helpers
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

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, ",");
  os << "]";
  return s;
}

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Checks a static, positive shape.
static LogicalResult verifyStaticShape(Operation *op, Value v, StringRef what) {
  auto type = cast<RankedTensorType>(v.getType());
  for (int64_t d : type.getShape())
    if (ShapedType::isDynamic(d) || d <= 0)
      return op->emitOpError() << what << " must have a static, positive shape, got "
                               << type;
  return success();
}

/// Verifies the spatial attributes shared by convolutions and pools.
static LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations) {
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2 ||
      pads.size() != 4)
    return op->emitOpError()
           << "expects 2 kernel dims, 2 strides, 2 dilations and 4 pads, got "
           << kernel.size() << ", " << strides.size() << ", "
           << dilations.size() << " and " << pads.size();
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0)
      return op->emitOpError("kernel sizes, strides and dilations must be positive");
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must be non-negative");
  return success();
}

/// Verifies that `result` has the 4-D shape the window produces.
static LogicalResult verifyWindowResult(Operation *op, ArrayRef<int64_t> in,
                                        int64_t channels, bool nhwc,
                                        ArrayRef<int64_t> kernel,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> pads,
                                        ArrayRef<int64_t> dilations,
                                        bool ceilMode, Value result) {
  int hDim = nhwc ? 1 : 2, wDim = nhwc ? 2 : 3;
  int64_t oh = windowOutputSize(in[hDim], kernel[0], strides[0], pads[0],
                                pads[2], dilations[0], ceilMode);
  int64_t ow = windowOutputSize(in[wDim], kernel[1], strides[1], pads[1],
                                pads[3], dilations[1], ceilMode);
  if (oh <= 0 || ow <= 0)
    return op->emitOpError() << "window " << shapeStr(kernel)
                             << " does not fit the padded input " << shapeStr(in);
  SmallVector<int64_t> expected =
      nhwc ? SmallVector<int64_t>{in[0], oh, ow, channels}
           : SmallVector<int64_t>{in[0], channels, oh, ow};
  if (shapeOf(result) != ArrayRef<int64_t>(expected))
    return op->emitOpError() << "result shape " << shapeStr(shapeOf(result))
                             << " does not match the expected "
                             << shapeStr(expected);
  return success();
}

/// Shared verifier of kiln.conv and kiln.fused_conv.
static LogicalResult verifyConv(Operation *op, Value input, Value filter,
                                Value bias, Value residual, Value result,
                                ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations, int64_t group,
                                bool nhwc) {
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(filter);
  if (in.size() != 4)
    return op->emitOpError() << "expects a 4-D input ("
                             << (nhwc ? "N, H, W, C" : "N, C, H, W")
                             << "), got rank " << in.size();
  bool packed = nhwc && w.size() == 5;
  if (w.size() != 4 && !packed)
    return op->emitOpError() << "expects a 4-D filter"
                             << (nhwc ? " or a 5-D packed filter" : "")
                             << ", got rank " << w.size();
  if (failed(verifyStaticShape(op, input, "input")) ||
      failed(verifyStaticShape(op, filter, "filter")))
    return failure();
  if (group < 1)
    return op->emitOpError() << "group must be >= 1, got " << group;
  if (packed && group != 1)
    return op->emitOpError("packed filters support group 1 only");
  // NCHW: [F, C/g, KH, KW]; NHWC: [KH, KW, C/g, F]; packed NHWC:
  // [F/B, KH, KW, C, B].
  int64_t c = nhwc ? in[3] : in[1];
  int64_t f = packed ? w[0] * w[4] : nhwc ? w[3] : w[0];
  int64_t fc = packed ? w[3] : nhwc ? w[2] : w[1];
  SmallVector<int64_t> kernel = packed ? SmallVector<int64_t>{w[1], w[2]}
                                : nhwc ? SmallVector<int64_t>{w[0], w[1]}
                                       : SmallVector<int64_t>{w[2], w[3]};
  if (fc * group != c)
    return op->emitOpError() << "filter has " << fc << " input channels per group"
                             << " but the input has " << c << " channels and group "
                             << group;
  if (f % group != 0)
    return op->emitOpError() << "filter count " << f
                             << " is not divisible by group " << group;
  if (bias && shapeOf(bias) != ArrayRef<int64_t>{f})
    return op->emitOpError() << "bias must have shape [" << f << "], got "
                             << shapeStr(shapeOf(bias));
  if (failed(verifyWindowAttrs(op, kernel, strides, pads, dilations)))
    return failure();
  if (failed(verifyWindowResult(op, in, f, nhwc, kernel, strides, pads,
                                dilations, /*ceilMode=*/false, result)))
    return failure();
  if (residual && residual.getType() != result.getType())
    return op->emitOpError() << "residual type " << residual.getType()
                             << " does not match the result type "
                             << result.getType();
  return success();
}

static LogicalResult verifyLayout(Operation *op, StringRef layout) {
  if (layout != "NCHW" && layout != "NHWC")
    return op->emitOpError() << "layout must be \"NCHW\" or \"NHWC\", got \""
                             << layout << "\"";
  return success();
}

//===----------------------------------------------------------------------===//
// Op verifiers
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  return verifyConv(*this, getInput(), getFilter(), getBias(), Value(),
                    getOutput(), getStrides(), getPads(), getDilations(),
                    getGroup(), /*nhwc=*/false);
}

LogicalResult FusedConvOp::verify() {
  if (failed(verifyLayout(*this, getLayout())))
    return failure();
  return verifyConv(*this, getInput(), getFilter(), getBias(), getResidual(),
                    getOutput(), getStrides(), getPads(), getDilations(),
                    getGroup(), isNHWC());
}

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError() << "expects an input of rank >= 2, got rank " << in.size();
  if (getInput().getType() != getOutput().getType())
    return emitOpError("result type must match the input type");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()})
    if (shapeOf(v) != ArrayRef<int64_t>{in[1]})
      return emitOpError() << "scale, bias, mean and variance must have shape ["
                           << in[1] << "], got " << shapeStr(shapeOf(v));
  return success();
}

LogicalResult AddOp::verify() {
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(shapeOf(getLhs()), shapeOf(getRhs()));
  if (failed(shape))
    return emitOpError() << "operand shapes " << shapeStr(shapeOf(getLhs()))
                         << " and " << shapeStr(shapeOf(getRhs()))
                         << " are not broadcast-compatible";
  if (ArrayRef<int64_t>(*shape) != shapeOf(getOutput()))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput()))
                         << " does not match the broadcast shape "
                         << shapeStr(*shape);
  return success();
}

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  if (failed(verifyLayout(op, op.getLayout())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  if (in.size() != 4)
    return op.emitOpError() << "expects a 4-D input, got rank " << in.size();
  SmallVector<int64_t> dilations = {1, 1};
  if (failed(verifyWindowAttrs(op, op.getKernelShape(), op.getStrides(),
                               op.getPads(), dilations)))
    return failure();
  ArrayRef<int64_t> k = op.getKernelShape(), p = op.getPads();
  if (p[0] >= k[0] || p[2] >= k[0] || p[1] >= k[1] || p[3] >= k[1])
    return op.emitOpError("pads must be smaller than the kernel");
  bool nhwc = op.getLayout() == "NHWC";
  return verifyWindowResult(op, in, nhwc ? in[3] : in[1], nhwc, k,
                            op.getStrides(), p, dilations, op.getCeilMode(),
                            op.getOutput());
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }

LogicalResult GlobalAvgPoolOp::verify() {
  if (failed(verifyLayout(*this, getLayout())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() != 4)
    return emitOpError() << "expects a 4-D input, got rank " << in.size();
  SmallVector<int64_t> expected =
      getLayout() == "NHWC" ? SmallVector<int64_t>{in[0], 1, 1, in[3]}
                            : SmallVector<int64_t>{in[0], in[1], 1, 1};
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput()))
                         << " does not match the expected " << shapeStr(expected);
  return success();
}

static LogicalResult verifySameElements(Operation *op, Value in, Value out) {
  auto inTy = cast<RankedTensorType>(in.getType());
  auto outTy = cast<RankedTensorType>(out.getType());
  if (inTy.getElementType() != outTy.getElementType())
    return op->emitOpError("result element type must match the input's");
  if (!inTy.hasStaticShape() || !outTy.hasStaticShape())
    return op->emitOpError("expects static shapes");
  if (inTy.getNumElements() != outTy.getNumElements())
    return op->emitOpError() << "cannot reshape " << inTy.getNumElements()
                             << " elements " << shapeStr(inTy.getShape())
                             << " into " << outTy.getNumElements() << " elements "
                             << shapeStr(outTy.getShape());
  return success();
}

LogicalResult FlattenOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t rank = in.size(), axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  auto [outer, inner] = flattenedShape(in, axis);
  if (shapeOf(getOutput()) != ArrayRef<int64_t>{outer, inner})
    return emitOpError() << "result shape must be [" << outer << "," << inner
                         << "], got " << shapeStr(shapeOf(getOutput()));
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult ReshapeOp::verify() {
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), perm = getPerm();
  if (perm.size() != in.size())
    return emitOpError() << "perm has " << perm.size()
                         << " entries but the input has rank " << in.size();
  llvm::SmallBitVector seen(perm.size());
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || seen.test(p))
      return emitOpError() << "perm " << shapeStr(perm) << " is not a permutation";
    seen.set(p);
    expected.push_back(in[p]);
  }
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput()))
                         << " does not match the permuted shape "
                         << shapeStr(expected);
  return success();
}

LogicalResult GemmOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() != 2 || b.size() != 2)
    return emitOpError() << "expects 2-D A and B, got ranks " << a.size()
                         << " and " << b.size();
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (ka != kb)
    return emitOpError() << "inner dimensions differ: A gives K = " << ka
                         << ", B gives K = " << kb;
  SmallVector<int64_t> mn = {m, n};
  if (getC()) {
    FailureOr<SmallVector<int64_t>> s = broadcastShapes(shapeOf(getC()), mn);
    if (failed(s) || ArrayRef<int64_t>(*s) != ArrayRef<int64_t>(mn) ||
        shapeOf(getC()).size() > 2)
      return emitOpError() << "C of shape " << shapeStr(shapeOf(getC()))
                           << " does not broadcast to " << shapeStr(mn);
  }
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(mn))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput()))
                         << " does not match " << shapeStr(mn);
  return success();
}

LogicalResult MatMulOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getLhs()), b = shapeOf(getRhs());
  if (a.size() != 2 || b.size() != 2)
    return emitOpError() << "supports 2-D operands only, got ranks " << a.size()
                         << " and " << b.size();
  if (a[1] != b[0])
    return emitOpError() << "inner dimensions differ: " << a[1] << " vs " << b[0];
  if (shapeOf(getOutput()) != ArrayRef<int64_t>{a[0], b[1]})
    return emitOpError() << "result shape must be [" << a[0] << "," << b[1]
                         << "], got " << shapeStr(shapeOf(getOutput()));
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = shapeOf(getInput()).size(), axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Folders and canonicalizers
//===----------------------------------------------------------------------===//

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x)
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  return {};
}

namespace {
/// transpose(transpose(x, p1), p2) -> transpose(x, p1[p2]) (or x).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<TransposeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(producer.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(),
                                             producer.getInput(), perm);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}

#define GET_OP_CLASSES
#include "dialects/Kiln/KilnOps.cpp.inc"
