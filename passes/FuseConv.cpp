//===- FuseConv.cpp - fuse conv + bias + residual + relu ------------------===//
//
// Implements kiln-fuse-conv: every kiln.conv becomes a kiln.fused_conv, which
// then absorbs a following residual add and ReLU.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/Kiln/Constants.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSECONV
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {
/// kiln.conv -> kiln.fused_conv (zero bias if none).
struct ConvToFusedConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    Value bias = conv.getBias();
    if (!bias) {
      auto type = RankedTensorType::get(
          {cast<RankedTensorType>(conv.getFilter().getType()).getDimSize(0)},
          conv.getType().getElementType());
      bias = arith::ConstantOp::create(
          rewriter, conv.getLoc(),
          DenseElementsAttr::get(type, rewriter.getZeroAttr(type.getElementType())));
    }
    rewriter.replaceOpWithNewOp<FusedConvOp>(
        conv, conv.getType(), conv.getInput(), conv.getFilter(), bias,
        /*residual=*/Value(), conv.getStridesAttr(), conv.getPadsAttr(),
        conv.getDilationsAttr(), conv.getGroupAttr(), /*relu=*/UnitAttr(),
        rewriter.getStringAttr("NCHW"), /*relu_max=*/FloatAttr());
    return success();
  }
};

/// Returns a fused_conv with a single use that can take an epilogue.
static FusedConvOp fusable(Value v, bool needNoResidual) {
  auto op = v.getDefiningOp<FusedConvOp>();
  if (!op || !op->hasOneUse() || op.getRelu())
    return {};
  if (needNoResidual && op.getResidual())
    return {};
  return op;
}

/// add(fused_conv(...), r) -> fused_conv(..., residual = r).
struct FuseResidualAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getLhs().getType() != add.getRhs().getType())
      return rewriter.notifyMatchFailure(add, "broadcasting add");
    for (int i = 0; i < 2; ++i) {
      Value convSide = i == 0 ? add.getLhs() : add.getRhs();
      Value other = i == 0 ? add.getRhs() : add.getLhs();
      FusedConvOp conv = fusable(convSide, /*needNoResidual=*/true);
      if (!conv || conv.getType() != add.getType())
        continue;
      // The residual must be available before the conv to keep dominance.
      if (Operation *def = other.getDefiningOp())
        if (!def->isBeforeInBlock(conv) && def->getBlock() == conv->getBlock())
          rewriter.moveOpAfter(conv, def);
      // The fused op answers for both ONNX nodes (diagnostics, report).
      rewriter.modifyOpInPlace(conv, [&] {
        conv.getResidualMutable().assign(other);
        conv->setLoc(rewriter.getFusedLoc({conv.getLoc(), add.getLoc()}));
      });
      rewriter.replaceOp(add, conv.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no single-use fused_conv operand");
  }
};

/// Makes `conv` apply the ReLU that `op` computes on its result, and
/// replaces `op` by it (the locations fuse).
static void absorbRelu(PatternRewriter &rewriter, FusedConvOp conv, Operation *op) {
  rewriter.modifyOpInPlace(conv, [&] {
    conv.setRelu(true);
    conv->setLoc(rewriter.getFusedLoc({conv.getLoc(), op->getLoc()}));
  });
  rewriter.replaceOp(op, conv.getResult());
}

/// relu(fused_conv(...)) -> fused_conv(...) {relu}.
struct FuseRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    FusedConvOp conv = fusable(relu.getInput(), /*needNoResidual=*/false);
    if (!conv)
      return rewriter.notifyMatchFailure(relu, "input is not a single-use fused_conv");
    absorbRelu(rewriter, conv, relu);
    return success();
  }
};

/// relu(batch_norm(...)) -> batch_norm(...) {relu} when the ReLU is the batch
/// norm's only user (a pre-activation ResNet's BN + ReLU: one pass).
struct FuseBatchNormRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu, PatternRewriter &rewriter) const override {
    auto bn = relu.getInput().getDefiningOp<BatchNormOp>();
    if (!bn || !bn->hasOneUse() || bn.getRelu())
      return rewriter.notifyMatchFailure(relu, "input is not a single-use batch_norm");
    rewriter.modifyOpInPlace(bn, [&] {
      bn.setRelu(true);
      bn->setLoc(rewriter.getFusedLoc({bn.getLoc(), relu.getLoc()}));
    });
    rewriter.replaceOp(relu, bn.getResult());
    return success();
  }
};

/// The value of a rank-0 (or one-element) f32 constant, if `v` is one.
static std::optional<float> scalarConstant(Value v) {
  std::optional<std::vector<float>> data = getConstantF32(v);
  if (!data || data->size() != 1)
    return std::nullopt;
  return data->front();
}

/// max(fused_conv(...), 0) -> fused_conv(...) {relu}: Clip's lower bound
/// of ReLU6 (Clip(0, 6)).
struct FuseClipLow : OpRewritePattern<MaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxOp max, PatternRewriter &rewriter) const override {
    FusedConvOp conv = fusable(max.getLhs(), /*needNoResidual=*/false);
    std::optional<float> lo = scalarConstant(max.getRhs());
    if (!conv || !lo || *lo != 0.0f || max.getType() != conv.getType())
      return rewriter.notifyMatchFailure(max, "not max(single-use fused_conv, 0)");
    absorbRelu(rewriter, conv, max);
    return success();
  }
};

/// min(fused_conv(...) {relu}, M) with M >= 0 -> fused_conv {relu,
/// relu_max = M}: Clip's upper bound.
struct FuseClipHigh : OpRewritePattern<MinOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MinOp min, PatternRewriter &rewriter) const override {
    auto conv = min.getLhs().getDefiningOp<FusedConvOp>();
    std::optional<float> hi = scalarConstant(min.getRhs());
    if (!conv || !conv->hasOneUse() || !conv.getRelu() || conv.getReluMax() || !hi ||
        !(*hi >= 0.0f) || min.getType() != conv.getType())
      return rewriter.notifyMatchFailure(min, "not min(single-use relu fused_conv, M >= 0)");
    rewriter.modifyOpInPlace(conv, [&] {
      conv.setReluMaxAttr(rewriter.getF32FloatAttr(*hi));
      conv->setLoc(rewriter.getFusedLoc({conv.getLoc(), min.getLoc()}));
    });
    rewriter.replaceOp(min, conv.getResult());
    return success();
  }
};

struct KilnFuseConvPass : kiln::impl::KilnFuseConvBase<KilnFuseConvPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToFusedConv, FuseResidualAdd, FuseRelu, FuseClipLow, FuseClipHigh,
                 FuseBatchNormRelu>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
