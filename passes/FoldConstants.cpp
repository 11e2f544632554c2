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

#include <limits>
#include <optional>

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

/// The [top, left, bottom, right] pads of the spatial dimensions of a
/// rank-4 kiln.pad (H and W at `hDim`, `hDim + 1`) that pads nothing else
/// and pads with `value`.
static std::optional<SmallVector<int64_t, 4>> spatialPads(PadOp pad, int64_t hDim,
                                                          float value) {
  ArrayRef<int64_t> p = pad.getPads();
  if (p.size() != 8 || pad.getValue().convertToFloat() != value)
    return std::nullopt;
  for (int64_t d = 0; d < 4; ++d)
    if (d != hDim && d != hDim + 1 && (p[d] != 0 || p[4 + d] != 0))
      return std::nullopt;
  return SmallVector<int64_t, 4>{p[hDim], p[hDim + 1], p[4 + hDim], p[4 + hDim + 1]};
}

static SmallVector<int64_t> addPads(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  SmallVector<int64_t> sum(a);
  for (auto [s, x] : llvm::zip(sum, b))
    s += x;
  return sum;
}

/// conv(pad(x, 0)) -> conv(x) with the pad added to the conv's own
/// (TensorFlow converters write the stem's and strided convs' padding as
/// a Pad). The pad stays while others read it.
struct FoldPadIntoConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op, PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<PadOp>();
    if (!pad)
      return rewriter.notifyMatchFailure(op, "input is not a kiln.pad");
    auto p = spatialPads(pad, /*hDim=*/2, 0.0f);
    if (!p)
      return rewriter.notifyMatchFailure(op, "the pad is not a zero pad of H and W");
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(addPads(op.getPads(), *p));
    });
    return success();
  }
};

/// pool(pad(x)) -> pool(x) with the pad added to the pool's own: a -inf
/// pad for a max pool; a zero pad for an average pool that counts its pads
/// (or has none, and then counts them): Inception's 3x3 stride-1 average
/// pools, which PyTorch writes as Pad + AveragePool. Not with ceil_mode,
/// where the last window may reach past the pads.
template <typename PoolOp>
struct FoldPadIntoPool : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp op, PatternRewriter &rewriter) const override {
    auto pad = op.getInput().template getDefiningOp<PadOp>();
    if (!pad || op.getCeilMode())
      return rewriter.notifyMatchFailure(op, "input is not a kiln.pad, or ceil_mode");
    constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;
    auto p = spatialPads(pad, op.getLayout() == "NHWC" ? 1 : 2,
                         isMax ? -std::numeric_limits<float>::infinity() : 0.0f);
    if (!p)
      return rewriter.notifyMatchFailure(op, "the pad is not a constant pad of H and W");
    if constexpr (!isMax) {
      if (!op.getCountIncludePad() && llvm::any_of(op.getPads(), [](int64_t v) { return v; }))
        return rewriter.notifyMatchFailure(op, "padded pool that does not count its pads");
    }
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(addPads(op.getPads(), *p));
      if constexpr (!isMax)
        op.setCountIncludePad(true);
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
               FoldReshapeOfConstant<FlattenOp>, GemmPretransposeB, FoldPadIntoConv,
               FoldPadIntoPool<MaxPoolOp>, FoldPadIntoPool<AvgPoolOp>>(
      patterns.getContext());
}
