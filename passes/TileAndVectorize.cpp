//===- TileAndVectorize.cpp - register tiling and vectorization -----------===//
//
// Implements kiln-tile-and-vectorize with the transform dialect: the pass
// tags each linalg op with an id, writes a transform script with per-op tile
// sizes chosen from the target (vector lanes, register rows) and the op's
// shape, and applies it. Convolutions and matmuls get the register tile
// recorded in shared/CODEGEN-FACTS.md (R output pixels x 2 vectors of
// output channels, reduction step 1, 1-D decomposition, contraction lowered
// to outer products = FMAs, accumulators hoisted out of the reduction
// loops). Every other op is tiled to one vector along its innermost
// parallel dimension so vectorization never builds whole-tensor vectors.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

namespace kiln {
#define GEN_PASS_DEF_KILNTILEANDVECTORIZE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

static constexpr llvm::StringLiteral kTileIdAttr = "kiln.tile_id";

/// Largest of `candidates` (descending) that divides `dim`.
static int64_t largestDivisor(int64_t dim, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (c <= dim && dim % c == 0)
      return c;
  return 1;
}

namespace {
struct TileChoice {
  SmallVector<int64_t> sizes;
  /// Tile sizes of an outer scf.forall (empty: none); its tiled dims get
  /// size 0 in `sizes`.
  SmallVector<int64_t> parallelSizes;
  /// Loop interchange of the register tiling (empty: identity).
  SmallVector<int64_t> interchange;
  bool decompose = false;
};

struct KilnTileAndVectorizePass
    : kiln::impl::KilnTileAndVectorizeBase<KilnTileAndVectorizePass> {
  using KilnTileAndVectorizeBase::KilnTileAndVectorizeBase;

  /// Row candidates for the register tile, largest first, capped.
  SmallVector<int64_t> rowCandidates() const {
    SmallVector<int64_t> rows;
    for (int64_t r = registerRows; r >= 1; --r)
      rows.push_back(r);
    return rows;
  }

  std::optional<TileChoice> choose(linalg::LinalgOp op) const {
    int64_t lanes = std::max<int64_t>(1, vectorBits / 32);
    SmallVector<int64_t> lanesCands = {2 * lanes, lanes, 8, 4, 2, 1};
    SmallVector<int64_t> bounds = op.getStaticLoopRanges();
    if (llvm::any_of(bounds, ShapedType::isDynamic))
      return std::nullopt;
    TileChoice c;
    if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
      // (n, oh, ow, f, kh, kw, c)
      // Loop order (n, f-block, oh, ow-block, kh, kw, c): one block of
      // output channels keeps its filter slice (KH*KW*C*2L floats) hot in
      // L2 while all output pixels stream past it.
      int64_t fTile = largestDivisor(bounds[3], lanesCands);
      c.sizes = {1, 1, largestDivisor(bounds[2], rowCandidates()), fTile, 1, 1, 1};
      c.interchange = {0, 3, 1, 2, 4, 5, 6};
      c.decompose = true;
      if (parallelize && bounds[3] / fTile > 1) {
        // Output-channel blocks are the parallel iterations; the runtime
        // chunks them over its threads.
        c.parallelSizes = {0, 0, 0, fTile};
        c.sizes[3] = 0;
        c.interchange.clear();
      }
      return c;
    }
    if (isa<linalg::MatmulOp>(op)) {
      // (m, n, k)
      c.sizes = {largestDivisor(bounds[0], rowCandidates()),
                 largestDivisor(bounds[1], lanesCands), 1};
      return c;
    }
    if (isa<linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op)) {
      // (n, oh, ow, c, kh, kw): like a convolution, decomposed to 1-D
      // pools over vectors of channels; output rows run in parallel.
      c.sizes = {1, 1, largestDivisor(bounds[2], rowCandidates()),
                 largestDivisor(bounds[3], lanesCands), 1, 1};
      c.decompose = true;
      if (parallelize && bounds[1] > 1) {
        c.parallelSizes = {0, 1};
        c.sizes[1] = 0;
      }
      return c;
    }
    if (isa<linalg::ConvolutionOpInterface>(op.getOperation()))
      return std::nullopt; // NCHW/grouped convolutions stay scalar loops.
    // Everything else: one vector along the innermost parallel dimension,
    // unit tiles on the other parallel dims, reductions untiled.
    auto iters = op.getIteratorTypesArray();
    int64_t innermost = -1;
    for (int64_t i = (int64_t)iters.size() - 1; i >= 0; --i)
      if (iters[i] == utils::IteratorType::parallel) {
        innermost = i;
        break;
      }
    for (auto [i, it] : llvm::enumerate(iters)) {
      if (it != utils::IteratorType::parallel)
        c.sizes.push_back(0);
      else if ((int64_t)i == innermost)
        c.sizes.push_back(largestDivisor(bounds[i], {4 * lanes, 2 * lanes, lanes, 8, 4, 2, 1}));
      else
        c.sizes.push_back(1);
    }
    if (llvm::all_of(c.sizes, [](int64_t s) { return s == 0; }))
      return std::nullopt;
    return c;
  }

  /// Rewrites each tensor.pad into fill + insert_slice (the fill stays a
  /// linalg op; LLVM turns its loop into memset-like stores) and moves the fill
  /// of the padded tensor before the producer chain of the padded value, so
  /// that eliminate-empty-tensors can make that chain write straight into
  /// the padded buffer (no copy of the interior).
  void decomposePads(func::FuncOp func) {
    RewritePatternSet patterns(&getContext());
    linalg::populateDecomposePadPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return;
    func.walk([](tensor::InsertSliceOp insert) {
      auto fill = insert.getDest().getDefiningOp<linalg::FillOp>();
      if (!fill)
        return;
      auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
      Operation *padValue = fill.getInputs()[0].getDefiningOp();
      if (!empty || !padValue || !padValue->hasTrait<OpTrait::ConstantLike>())
        return;
      // Root of the source's destination chain: the tensor.empty that the
      // chain's first destination-style op writes into.
      Value v = insert.getSource();
      OpOperand *rootUse = nullptr;
      while (Operation *def = v.getDefiningOp()) {
        if (auto dps = dyn_cast<DestinationStyleOpInterface>(def)) {
          rootUse = dps.getDpsInitOperand(cast<OpResult>(v).getResultNumber());
        } else if (auto forall = dyn_cast<scf::ForallOp>(def)) {
          rootUse = &forall.getOutputsMutable()[cast<OpResult>(v).getResultNumber()];
        } else if (auto loop = dyn_cast<scf::ForOp>(def)) {
          rootUse = &loop.getInitArgsMutable()[cast<OpResult>(v).getResultNumber()];
        } else {
          break;
        }
        v = rootUse->get();
      }
      auto root = v.getDefiningOp<tensor::EmptyOp>();
      if (!rootUse || !root || root->getBlock() != fill->getBlock())
        return;
      // CSE shares tensor.empty between chains; give this chain its own.
      if (!root->hasOneUse()) {
        OpBuilder b(rootUse->getOwner());
        auto clone = cast<tensor::EmptyOp>(b.clone(*root));
        rootUse->set(clone);
        root = clone;
      }
      // Place constant, empty and fill right before the chain's root
      // (cloning what CSE shares with other users).
      OpBuilder b(root);
      if (!padValue->isBeforeInBlock(root))
        fill.getInputsMutable()[0].set(b.clone(*padValue)->getResult(0));
      // A bufferization.alloc_tensor (unlike tensor.empty) is never merged
      // by CSE with the padded buffer of another pad of the same shape.
      Value buffer = bufferization::AllocTensorOp::create(
          b, empty.getLoc(), empty.getType(), ValueRange{});
      fill.getOutputsMutable()[0].set(buffer);
      if (empty->use_empty())
        empty->erase();
      fill->moveBefore(root);
    });
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::string script;
    llvm::raw_string_ostream os(script);
    os << "module attributes {transform.with_named_sequence} {\n"
          "transform.named_sequence @__transform_main(%root: !transform.any_op "
          "{transform.readonly}) {\n";
    int64_t id = 0;
    Builder b(&getContext());
    func.walk([&](linalg::LinalgOp op) {
      std::optional<TileChoice> choice = choose(op);
      if (!choice)
        return;
      op->setAttr(kTileIdAttr, b.getI64IntegerAttr(id));
      int64_t loops = llvm::count_if(choice->sizes, [](int64_t s) { return s != 0; });
      os << llvm::formatv("%op{0} = transform.structured.match attributes{{{1} = {0} : i64} "
                          "in %root : (!transform.any_op) -> !transform.any_op\n",
                          id, kTileIdAttr);
      std::string target = llvm::formatv("%op{0}", id).str();
      if (!choice->parallelSizes.empty()) {
        os << llvm::formatv("%outer{0}, %forall{0} = transform.structured.tile_using_forall "
                            "%op{0} tile_sizes [",
                            id);
        llvm::interleaveComma(choice->parallelSizes, os);
        os << "] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)\n";
        target = llvm::formatv("%outer{0}", id).str();
      }
      os << llvm::formatv("%tiled{0}", id);
      if (loops)
        os << llvm::formatv(", %loops{0}:{1}", id, loops);
      os << " = transform.structured.tile_using_for " << target << " tile_sizes [";
      llvm::interleaveComma(choice->sizes, os);
      os << "]";
      if (!choice->interchange.empty()) {
        os << " interchange = [";
        llvm::interleaveComma(choice->interchange, os);
        os << "]";
      }
      os << " : (!transform.any_op) -> (!transform.any_op";
      for (int64_t i = 0; i < loops; ++i)
        os << ", !transform.any_op";
      os << ")\n";
      if (choice->decompose)
        os << llvm::formatv("%dec{0} = transform.structured.decompose %tiled{0} : "
                            "(!transform.any_op) -> !transform.any_op\n",
                            id);
      ++id;
    });
    if (id == 0) {
      decomposePads(func);
      return;
    }
    os << R"(
%f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
transform.apply_patterns to %f { transform.apply_patterns.canonicalization } : !transform.any_op
%v = transform.structured.vectorize_children_and_apply_patterns %f : (!transform.any_op) -> !transform.any_op
transform.apply_patterns to %v {
  transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
  transform.apply_patterns.vector.transfer_permutation_patterns
  transform.apply_patterns.vector.lower_outerproduct
  transform.apply_patterns.vector.cast_away_vector_leading_one_dim
  transform.apply_patterns.canonicalization
} : !transform.any_op
// n-D reductions (softmax, pools over whole rows) to 1-D ones that the LLVM
// lowering handles; on their own, since they fight the patterns above.
transform.apply_patterns to %v {
  transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerreduction"
} : !transform.any_op
transform.apply_cse to %v : !transform.any_op
%fors = transform.structured.match ops{["scf.for"]} in %v : (!transform.any_op) -> !transform.any_op
transform.foreach %fors : !transform.any_op {
^bb0(%l: !transform.any_op):
  transform.loop.hoist_loop_invariant_subsets %l : !transform.any_op
}
transform.yield
}
}
)";
    ParserConfig config(&getContext());
    OwningOpRef<ModuleOp> transformModule = parseSourceString<ModuleOp>(script, config);
    if (!transformModule) {
      func.emitError("kiln-tile-and-vectorize: internal error: bad transform script");
      return signalPassFailure();
    }
    Operation *entry = transformModule->lookupSymbol("__transform_main");
    transform::TransformOptions options;
    if (failed(transform::applyTransformNamedSequence(func, entry, *transformModule,
                                                      options)))
      return signalPassFailure();
    func.walk([](Operation *op) { op->removeAttr(kTileIdAttr); });
    // After vectorization, which would otherwise copy the interior with one
    // whole-tensor vector transfer.
    decomposePads(func);
  }
};
} // namespace
