//===- FoldBatchNorm.cpp - fold BatchNormalization into conv --------------===//
//
// Implements kiln-fold-batch-norm: scales a convolution's constant filter and
// bias by the BatchNormalization that follows it, at compile time.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/Kiln/Constants.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {
struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || bn.getLayout() != "NCHW")
      return rewriter.notifyMatchFailure(bn, "input is not a kiln.conv (NCHW)");
    if (!conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the conv has other users");
    auto w = getConstantF32(conv.getFilter());
    auto scale = getConstantF32(bn.getScale()), beta = getConstantF32(bn.getBias());
    auto mean = getConstantF32(bn.getMean()), var = getConstantF32(bn.getVariance());
    if (!w || !scale || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "filter or BN parameters not constant");
    std::optional<std::vector<float>> b;
    if (conv.getBias() && !(b = getConstantF32(conv.getBias())))
      return rewriter.notifyMatchFailure(bn, "conv bias is not constant");

    auto wType = cast<RankedTensorType>(conv.getFilter().getType());
    int64_t f = wType.getDimSize(0);
    size_t perFilter = w->size() / f;
    std::vector<float> newB(f);
    double eps = bn.getEpsilon().convertToFloat();
    for (int64_t i = 0; i < f; ++i) {
      float k = (*scale)[i] / std::sqrt((*var)[i] + eps);
      for (size_t j = 0; j < perFilter; ++j)
        (*w)[i * perFilter + j] *= k;
      newB[i] = ((b ? (*b)[i] : 0.0f) - (*mean)[i]) * k + (*beta)[i];
    }
    auto bType = RankedTensorType::get({f}, wType.getElementType());
    Value newW = createF32Constant(rewriter, conv.getFilter().getLoc(), wType, *w,
                                   constantNameHint(conv.getFilter()) + "_bn");
    Value newBias = createF32Constant(rewriter, bn.getLoc(), bType, newB,
                                      constantNameHint(bn.getBias()) + "_bn");
    // The folded conv answers for both ONNX nodes in diagnostics.
    Location loc = rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()});
    auto folded = ConvOp::create(rewriter, loc, bn.getType(), conv.getInput(), newW,
                                 newBias, conv.getStridesAttr(), conv.getPadsAttr(),
                                 conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getResult());
    return success();
  }
};

struct KilnFoldBatchNormPass
    : kiln::impl::KilnFoldBatchNormBase<KilnFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
