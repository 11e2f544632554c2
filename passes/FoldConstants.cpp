//===- FoldConstants.cpp - evaluate kiln ops on constants -----------------===//
//
// Implements kiln-fold-constants: transposes and reshapes of constants are
// computed at compile time, and Gemm's transposed constant B is stored
// pre-transposed so the matmul streams it row by row.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/Kiln/Constants.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDCONSTANTS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {
struct FoldTransposeOfConstant : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto data = getConstantF32(op.getInput());
    if (!data)
      return rewriter.notifyMatchFailure(op, "input is not an f32 constant");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    std::vector<float> out = transposeData(*data, inType.getShape(), op.getPerm());
    rewriter.replaceOp(op, createF32Constant(rewriter, op.getLoc(), op.getType(), out,
                                             constantNameHint(op.getInput()) + "_t"));
    return success();
  }
};

/// reshape/flatten of a constant: the same bytes with the new type.
template <typename OpTy>
struct FoldReshapeOfConstant : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto data = getConstantF32(op.getInput());
    if (!data)
      return rewriter.notifyMatchFailure(op, "input is not an f32 constant");
    rewriter.replaceOp(op, createF32Constant(rewriter, op.getLoc(), op.getType(), *data,
                                             constantNameHint(op.getInput())));
    return success();
  }
};

struct GemmPretransposeB : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op, PatternRewriter &rewriter) const override {
    if (!op.getTransB())
      return rewriter.notifyMatchFailure(op, "B is not transposed");
    auto data = getConstantF32(op.getB());
    if (!data)
      return rewriter.notifyMatchFailure(op, "B is not constant");
    auto bType = cast<RankedTensorType>(op.getB().getType());
    std::vector<float> out = transposeData(*data, bType.getShape(), {1, 0});
    auto newType = RankedTensorType::get({bType.getDimSize(1), bType.getDimSize(0)},
                                         bType.getElementType());
    Value b = createF32Constant(rewriter, op.getB().getLoc(), newType, out,
                                constantNameHint(op.getB()) + "_t");
    rewriter.modifyOpInPlace(op, [&] {
      op.getBMutable().assign(b);
      op.setTransB(false);
    });
    return success();
  }
};

struct KilnFoldConstantsPass
    : kiln::impl::KilnFoldConstantsBase<KilnFoldConstantsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateKilnConstantFoldPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void kiln::populateKilnConstantFoldPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldTransposeOfConstant, FoldReshapeOfConstant<ReshapeOp>,
               FoldReshapeOfConstant<FlattenOp>, GemmPretransposeB>(
      patterns.getContext());
}
