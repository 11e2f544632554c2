//===- KilnOps.cpp - kiln op verifiers, folders, canonicalizers -*- C++ -*-===//
//
// Verifiers compare each op's result type with the one ONNX's shape rules
// give (ShapeInference.h, the functions the importer builds ops with), with
// messages that say what was expected and what was found. Folders remove
// no-op shape ops; canonicalizers merge transposes.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/KilnDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

static ArrayRef<int64_t> shapeOf(Value v) { return typeOf(v).getShape(); }

/// The shape functions report through the op: "'kiln.x' op ...".
static auto opError(Operation *op) {
  return [op] { return op->emitOpError(); };
}

/// Checks that `result` has `expected`'s shape: "result shape R does not
/// match <what> E".
static LogicalResult verifyResultShape(Operation *op, Value result,
                                       FailureOr<RankedTensorType> expected,
                                       StringRef what = "the expected") {
  if (failed(expected))
    return failure();
  if (shapeOf(result) != expected->getShape())
    return op->emitOpError() << "result shape " << shapeStr(shapeOf(result))
                             << " does not match " << what << (what.empty() ? "" : " ")
                             << shapeStr(expected->getShape());
  return success();
}

static LogicalResult verifyLayout(Operation *op, StringRef layout) {
  if (layout != "NCHW" && layout != "NHWC")
    return op->emitOpError() << "layout must be \"NCHW\" or \"NHWC\", got \""
                             << layout << "\"";
  return success();
}

//===----------------------------------------------------------------------===//
// Interfaces
//===----------------------------------------------------------------------===//

#include "dialects/Kiln/KilnInterfaces.cpp.inc"

LogicalResult kiln::detail::verifyElementwiseOp(Operation *op) {
  FailureOr<RankedTensorType> expected =
      inferBroadcastType(opError(op), op->getOperandTypes());
  Value result = op->getResult(0);
  if (failed(verifyResultShape(op, result, expected, "the broadcast shape")))
    return failure();
  if (typeOf(result).getElementType() != expected->getElementType())
    return op->emitOpError() << "result element type " << typeOf(result).getElementType()
                             << " does not match the operands' "
                             << expected->getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// Op verifiers
//===----------------------------------------------------------------------===//

/// Shared verifier of kiln.conv and kiln.fused_conv.
static LogicalResult verifyConv(Operation *op, Value input, Value filter,
                                Value bias, Value residual, Value result,
                                ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations, int64_t group,
                                bool nhwc) {
  // A Winograd kernel's packed filter is the transformed one.
  int64_t winogradTile = 0;
  if (KernelAttr k = getKernel(op))
    winogradTile = winogradOutputTile(k.getKind());
  FailureOr<RankedTensorType> expected =
      inferConvType(opError(op), typeOf(input), typeOf(filter),
                    bias ? typeOf(bias) : RankedTensorType(), strides, pads,
                    dilations, group, nhwc, winogradTile);
  if (failed(verifyResultShape(op, result, expected)))
    return failure();
  if (residual && residual.getType() != result.getType())
    return op->emitOpError() << "residual type " << residual.getType()
                             << " does not match the result type "
                             << result.getType();
  return success();
}

LogicalResult ConvOp::verify() {
  return verifyConv(*this, getInput(), getFilter(), getBias(), Value(),
                    getOutput(), getStrides(), getPads(), getDilations(),
                    getGroup(), /*nhwc=*/false);
}

LogicalResult FusedConvOp::verify() {
  if (failed(verifyLayout(*this, getLayout())))
    return failure();
  if (std::optional<llvm::APFloat> hi = getReluMax()) {
    if (!getRelu())
      return emitOpError("relu_max needs relu");
    if (!(hi->convertToFloat() >= 0.0f))
      return emitOpError() << "relu_max must be >= 0, got " << hi->convertToFloat();
  }
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
  if (failed(verifyLayout(*this, getLayout())))
    return failure();
  if (getLayout() == "NHWC" && in.size() != 4)
    return emitOpError() << "an NHWC batch norm needs a 4-D input, got rank " << in.size();
  int64_t c = in[channelDim()];
  for (Value v : {getScale(), getBias(), getMean(), getVariance()})
    if (shapeOf(v) != ArrayRef<int64_t>{c})
      return emitOpError() << "scale, bias, mean and variance must have shape [" << c
                           << "], got " << shapeStr(shapeOf(v));
  return success();
}

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  if (failed(verifyLayout(op, op.getLayout())))
    return failure();
  return verifyResultShape(
      op, op.getOutput(),
      inferPoolType(opError(op), typeOf(op.getInput()), op.getKernelShape(),
                    op.getStrides(), op.getPads(), op.getCeilMode(),
                    op.getLayout() == "NHWC"));
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }

LogicalResult GlobalAvgPoolOp::verify() {
  if (failed(verifyLayout(*this, getLayout())))
    return failure();
  return verifyResultShape(*this, getOutput(),
                           inferGlobalPoolType(opError(*this), typeOf(getInput()),
                                               getLayout() == "NHWC"));
}

static LogicalResult verifySameElements(Operation *op, Value in, Value out) {
  auto inTy = typeOf(in), outTy = typeOf(out);
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
  FailureOr<RankedTensorType> expected =
      inferFlattenType(opError(*this), typeOf(getInput()), getAxis());
  if (failed(expected))
    return failure();
  if (shapeOf(getOutput()) != expected->getShape())
    return emitOpError() << "result shape must be " << shapeStr(expected->getShape())
                         << ", got " << shapeStr(shapeOf(getOutput()));
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult ReshapeOp::verify() {
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult ConcatOp::verify() {
  return verifyResultShape(
      *this, getOutput(),
      inferConcatType(opError(*this), getInputs().getTypes(), getAxis()),
      "the concatenated shape");
}

LogicalResult PadOp::verify() {
  return verifyResultShape(*this, getOutput(),
                           inferPadType(opError(*this), typeOf(getInput()), getPads()),
                           "the padded shape");
}

LogicalResult TransposeOp::verify() {
  return verifyResultShape(
      *this, getOutput(),
      inferTransposeType(opError(*this), typeOf(getInput()), getPerm()),
      "the permuted shape");
}

LogicalResult GemmOp::verify() {
  return verifyResultShape(
      *this, getOutput(),
      inferGemmType(opError(*this), typeOf(getA()), typeOf(getB()),
                    getC() ? typeOf(getC()) : RankedTensorType(), getTransA(),
                    getTransB()),
      /*what=*/"");
}

LogicalResult MatMulOp::verify() {
  FailureOr<RankedTensorType> expected =
      inferMatMulType(opError(*this), typeOf(getLhs()), typeOf(getRhs()));
  if (failed(expected))
    return failure();
  if (shapeOf(getOutput()) != expected->getShape())
    return emitOpError() << "result shape must be " << shapeStr(expected->getShape())
                         << ", got " << shapeStr(shapeOf(getOutput()));
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
