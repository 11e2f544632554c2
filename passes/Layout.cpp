//===- Layout.cpp - move convolution chains to NHWC -----------------------===//
//
// Implements kiln-layout. Layout-sensitive ops (fused_conv, pools) switch to
// NHWC between a pair of kiln.transpose ops; the transposes are then pushed
// through layout-agnostic (elementwise) ops and cancelled against
// each other, so only the edges of an NHWC region pay for a relayout.
// Filters are permuted to [KH, KW, C/G, F] at compile time (grouped
// convolutions too: G = 1 for the rest), making each
// filter row for one input channel a contiguous run of output channels:
// the vector dimension of the generated kernels.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/Kiln/Constants.h"
#include "passes/Winograd.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLAYOUT
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

static RankedTensorType permuteType(Type t, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(t);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return RankedTensorType::get(shape, type.getElementType());
}

static Value transpose(PatternRewriter &rewriter, Location loc, Value v,
                       ArrayRef<int64_t> perm) {
  return TransposeOp::create(rewriter, loc, permuteType(v.getType(), perm), v, perm);
}

/// When every value is a kiln.transpose by one permutation: their inputs
/// and that permutation.
static LogicalResult matchingTransposes(ValueRange values, SmallVectorImpl<Value> &inputs,
                                        ArrayRef<int64_t> &perm) {
  for (Value v : values) {
    auto t = v.getDefiningOp<TransposeOp>();
    if (!t || (!inputs.empty() && t.getPerm() != perm))
      return failure();
    perm = t.getPerm();
    inputs.push_back(t.getInput());
  }
  return success();
}

/// The type `t` has before the transpose by `perm` (result[i] =
/// inner[perm[i]]: the inverse permutation).
static RankedTensorType unpermutedType(Type t, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(t);
  SmallVector<int64_t> shape(type.getRank());
  for (auto [i, p] : llvm::enumerate(perm))
    shape[p] = type.getDimSize(i);
  return RankedTensorType::get(shape, type.getElementType());
}

namespace {
struct FusedConvToNHWC : OpRewritePattern<FusedConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FusedConvOp op,
                                PatternRewriter &rewriter) const override {
    if (op.isNHWC())
      return rewriter.notifyMatchFailure(op, "already NHWC");
    auto w = getConstantF32(op.getFilter());
    if (!w)
      return rewriter.notifyMatchFailure(op, "filter is not constant");
    Location loc = op.getLoc();
    auto wType = cast<RankedTensorType>(op.getFilter().getType());
    const int64_t fchwToHwcf[4] = {2, 3, 1, 0};
    Value filter = createF32Constant(
        rewriter, op.getFilter().getLoc(), permuteType(wType, fchwToHwcf),
        transposeData(*w, wType.getShape(), fchwToHwcf),
        constantNameHint(op.getFilter()) + "_hwcf");
    Value input = transpose(rewriter, loc, op.getInput(), kNCHWToNHWC);
    Value residual = op.getResidual()
                         ? transpose(rewriter, loc, op.getResidual(), kNCHWToNHWC)
                         : Value();
    auto conv = FusedConvOp::create(
        rewriter, loc, permuteType(op.getType(), kNCHWToNHWC), input, filter,
        op.getBias(), residual, op.getStridesAttr(), op.getPadsAttr(),
        op.getDilationsAttr(), op.getGroupAttr(), op.getReluAttr(),
        rewriter.getStringAttr("NHWC"), op.getReluMaxAttr());
    rewriter.replaceOp(op, transpose(rewriter, loc, conv, kNHWCToNCHW));
    return success();
  }
};

template <typename PoolOp>
struct PoolToNHWC : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp op, PatternRewriter &rewriter) const override {
    if (op.getLayout() == "NHWC")
      return rewriter.notifyMatchFailure(op, "already NHWC");
    Location loc = op.getLoc();
    Value input = transpose(rewriter, loc, op.getInput(), kNCHWToNHWC);
    auto newOp = cast<PoolOp>(rewriter.clone(*op.getOperation()));
    rewriter.modifyOpInPlace(newOp, [&] {
      newOp->setOperand(0, input);
      newOp->getResult(0).setType(permuteType(op.getType(), kNCHWToNHWC));
      newOp.setLayout("NHWC");
    });
    rewriter.replaceOp(op, transpose(rewriter, loc, newOp->getResult(0), kNHWCToNCHW));
    return success();
  }
};

/// batch_norm(transpose(x, NHWC->NCHW)) -> transpose(batch_norm_nhwc(x),
/// NHWC->NCHW): a batch norm on the output of an NHWC region (a
/// pre-activation ResNet's BN + ReLU between two blocks) stays in it, so the
/// transposes around it cancel. Its per-channel parameters are unchanged.
struct BatchNormToNHWC : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op, PatternRewriter &rewriter) const override {
    auto t = op.getInput().getDefiningOp<TransposeOp>();
    if (op.getLayout() != "NCHW" || !t || t.getPerm() != ArrayRef<int64_t>(kNHWCToNCHW))
      return rewriter.notifyMatchFailure(op, "input is not an NHWC tensor transposed to NCHW");
    auto bn = BatchNormOp::create(rewriter, op.getLoc(), t.getInput().getType(), t.getInput(),
                                  op.getScale(), op.getBias(), op.getMean(), op.getVariance(),
                                  op.getEpsilonAttr(), rewriter.getStringAttr("NHWC"),
                                  op.getReluAttr());
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), bn, kNHWCToNCHW));
    return success();
  }
};

/// op(transpose(a, p), transpose(b, p), ...) -> transpose(op(a, b, ...), p)
/// for every elementwise op: permuting all operands alike permutes the
/// result (broadcasting included, the ranks being equal).
struct ElementwiseThroughTransposes
    : OpInterfaceRewritePattern<ElementwiseOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(ElementwiseOpInterface op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> inputs;
    ArrayRef<int64_t> perm;
    if (failed(matchingTransposes(op->getOperands(), inputs, perm)))
      return rewriter.notifyMatchFailure(op, "operands are not matching transposes");
    Operation *inner = rewriter.clone(*op);
    rewriter.modifyOpInPlace(inner, [&] {
      inner->setOperands(inputs);
      inner->getResult(0).setType(unpermutedType(op->getResult(0).getType(), perm));
    });
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), inner->getResult(0), perm));
    return success();
  }
};

/// concat(transpose(a, p), transpose(b, p), ...) along axis k ->
/// transpose(concat(a, b, ...) along p[k], p): DenseNet's and Inception's
/// channel concats of NHWC convolutions stay NHWC (axis 1 -> 3).
struct ConcatThroughTransposes : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &rewriter) const override {
    SmallVector<Value> inputs;
    ArrayRef<int64_t> perm;
    if (failed(matchingTransposes(op.getInputs(), inputs, perm)))
      return rewriter.notifyMatchFailure(op, "inputs are not matching transposes");
    auto inner = ConcatOp::create(rewriter, op.getLoc(), unpermutedType(op.getType(), perm),
                                  inputs, perm[op.normalizedAxis()]);
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), inner, perm));
    return success();
  }
};

/// pad(transpose(x, p)) -> transpose(pad(x) with permuted pads, p): a pad
/// between NHWC ops stays NHWC (and folds into an NHWC pool there).
struct PadThroughTranspose : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op, PatternRewriter &rewriter) const override {
    auto t = op.getInput().getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm(), pads = op.getPads();
    int64_t rank = perm.size();
    SmallVector<int64_t> inner(pads.size());
    for (int64_t i = 0; i < rank; ++i) {
      inner[perm[i]] = pads[i];
      inner[rank + perm[i]] = pads[rank + i];
    }
    auto pad = PadOp::create(rewriter, op.getLoc(), unpermutedType(op.getType(), perm),
                             t.getInput(), ArrayRef<int64_t>(inner), op.getValue());
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), pad, perm));
    return success();
  }
};

struct KilnLayoutPass : kiln::impl::KilnLayoutBase<KilnLayoutPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FusedConvToNHWC, PoolToNHWC<MaxPoolOp>, PoolToNHWC<AvgPoolOp>,
                 PoolToNHWC<GlobalAvgPoolOp>, ElementwiseThroughTransposes, BatchNormToNHWC,
                 ConcatThroughTransposes, PadThroughTranspose>(ctx);
    populateKilnConstantFoldPatterns(patterns);
    TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// kiln-pack-filters
//===----------------------------------------------------------------------===//

namespace kiln {
#define GEN_PASS_DEF_KILNPACKFILTERS
#include "passes/Passes.h.inc"
} // namespace kiln

namespace {
struct PackFilter : OpRewritePattern<FusedConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FusedConvOp op,
                                PatternRewriter &rewriter) const override {
    // The block is the kernel's choice (kiln-select-kernels).
    KernelAttr kernel = getKernel(op);
    int64_t block = kernel ? kernel.getBlock() : 0;
    auto wType = cast<RankedTensorType>(op.getFilter().getType());
    if (!op.isNHWC() || wType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "not an NHWC conv with a 4-D filter");
    int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1);
    int64_t c = wType.getDimSize(2), f = wType.getDimSize(3);
    // The same packing serves a grouped convolution whose block divides F/G
    // (each block then lies in one group, c being C/G).
    if (block <= 0 || (f / op.getGroup()) % block != 0)
      return rewriter.notifyMatchFailure(op, "F/G is not a multiple of the block");
    auto w = getConstantF32(op.getFilter());
    if (!w)
      return rewriter.notifyMatchFailure(op, "filter is not constant");
    if (int64_t m = winogradOutputTile(kernel.getKind())) {
      if (kh != 3 || kw != 3 || op.getGroup() != 1)
        return rewriter.notifyMatchFailure(op, "Winograd needs a 3x3 filter and group 1");
      // U[fo, xi, nu, c, b] = (G g GT)[xi, nu] of the 3x3 filter g of
      // channel c and output channel fo * B + b (in double, then rounded).
      WinogradMatrices wm = winogradMatrices(m);
      int64_t a = wm.a;
      std::vector<float> u(f * a * a * c);
      std::vector<double> gg(a * 3);
      for (int64_t ci = 0; ci < c; ++ci)
        for (int64_t fi = 0; fi < f; ++fi) {
          auto g = [&](int64_t i, int64_t j) {
            return (double)(*w)[((i * kw + j) * c + ci) * f + fi];
          };
          for (int64_t x = 0; x < a; ++x) // G g
            for (int64_t j = 0; j < 3; ++j) {
              double s = 0;
              for (int64_t i = 0; i < 3; ++i)
                s += wm.g[x * 3 + i] * g(i, j);
              gg[x * 3 + j] = s;
            }
          int64_t fo = fi / block, bi = fi % block;
          for (int64_t x = 0; x < a; ++x) // (G g) GT
            for (int64_t y = 0; y < a; ++y) {
              double s = 0;
              for (int64_t j = 0; j < 3; ++j)
                s += gg[x * 3 + j] * wm.g[y * 3 + j];
              u[(((fo * a + x) * a + y) * c + ci) * block + bi] = (float)s;
            }
        }
      auto type = RankedTensorType::get({f / block, a, a, c, block}, wType.getElementType());
      Value filter = createF32Constant(rewriter, op.getFilter().getLoc(), type, u,
                                       constantNameHint(op.getFilter()) + "_winograd");
      rewriter.modifyOpInPlace(op, [&] { op.getFilterMutable().assign(filter); });
      return success();
    }
    // [KH, KW, C, F/B, B] -> [F/B, KH, KW, C, B]
    std::vector<float> packed =
        transposeData(*w, {kh, kw, c, f / block, block}, {3, 0, 1, 2, 4});
    auto type = RankedTensorType::get({f / block, kh, kw, c, block},
                                      wType.getElementType());
    Value filter = createF32Constant(rewriter, op.getFilter().getLoc(), type, packed,
                                     constantNameHint(op.getFilter()) + "_packed");
    rewriter.modifyOpInPlace(op, [&] { op.getFilterMutable().assign(filter); });
    return success();
  }
};

struct KilnPackFiltersPass : kiln::impl::KilnPackFiltersBase<KilnPackFiltersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PackFilter>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
