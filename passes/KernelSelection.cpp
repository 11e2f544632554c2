//===- KernelSelection.cpp - kernel choices from target and shape --------===//
//
// Implements kiln-select-kernels and the heuristics behind it. The register
// tile of a convolution is R output pixels x B output channels with the
// reduction stepped by one (shared/CODEGEN-FACTS.md): B is two vectors of
// the target (one where two do not divide F), R uses a quarter of the
// vector registers, so R x 2
// accumulators take half the register file and leave room for operands.
// Where the width allows fewer than 8 accumulators that way (7x7 and 14x14
// outputs on 16 registers), B is one vector and R as large as fits, and the
// block is one vector too. A 1x1 stride-1 convolution is a GEMM over all
// pixels (conv1x1_gemm) where their count has a divisor R that gives 8
// accumulators, in chunks of pixels whose input rows fit a quarter of L2 so
// that every channel block reuses a chunk while it is cached.
// Grouped convolutions use the same kernel per block of output channels
// inside one group (B divides F/G, at least 4 wide), on that group's input
// channels; narrower groups (depthwise) are plain loops.
// Filters are packed by the same B so one block's filter slice is
// contiguous. A cache tile over input channels appears only when one
// block's filter slice would not fit in L2.
//
//===----------------------------------------------------------------------===//
#include "passes/KernelSelection.h"

#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSELECTKERNELS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

/// Largest of `candidates` (descending) that divides `dim`.
static int64_t largestDivisor(int64_t dim, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (c <= dim && dim % c == 0)
      return c;
  return 1;
}

/// Output pixels per register tile, largest first: a quarter of the
/// vector registers.
static SmallVector<int64_t> rowCandidates(const TargetInfo &t) {
  SmallVector<int64_t> rows;
  for (int64_t r = std::max<int64_t>(1, t.vectorRegisters / 4); r >= 1; --r)
    rows.push_back(r);
  return rows;
}

/// Independent accumulators that keep the FMA units busy: 2 FMA pipes times
/// a 4-cycle latency (Intel since Skylake, AMD since Zen 2, Neoverse N1).
static constexpr int64_t kLatencyAccumulators = 8;

static SmallVector<int64_t> channelCandidates(int64_t lanes) {
  return {2 * lanes, lanes, 8, 4, 2, 1};
}

static KernelAttr makeKernel(MLIRContext *ctx, KernelKind kind, Layout layout,
                             int64_t block, ArrayRef<int64_t> tile,
                             ArrayRef<int64_t> cache, ArrayRef<int64_t> parallel,
                             int64_t lanes) {
  return KernelAttr::get(ctx, kind, layout, block, tile, cache, parallel, lanes,
                         /*config=*/false);
}

static RankedTensorType resultType(Operation *op) {
  return op->getNumResults() == 1 ? dyn_cast<RankedTensorType>(op->getResult(0).getType())
                                  : RankedTensorType();
}

/// Index of the innermost loop of `kind`, or -1.
static int64_t innermostLoop(ArrayRef<utils::IteratorType> iters, utils::IteratorType kind) {
  for (int64_t i = (int64_t)iters.size() - 1; i >= 0; --i)
    if (iters[i] == kind)
      return i;
  return -1;
}

/// One vector along the innermost of `bounds`' parallel loops (4, 2 or 1
/// vectors where they divide it), unit tiles on the other parallel loops.
/// Reductions stay whole (one vector reduction per tile) while that vector
/// has at most kMaxVectorLanes vectors' worth of elements; beyond that (a
/// Softmax over 64k classes) the innermost reduction is tiled into chunks of
/// that size and the others to 1, so vector sizes, and with them compile
/// time, do not grow with the tensor.
static SmallVector<int64_t> vectorTile(ArrayRef<int64_t> bounds,
                                       ArrayRef<utils::IteratorType> iters,
                                       int64_t lanes) {
  constexpr int64_t kMaxVectorLanes = 64;
  const SmallVector<int64_t, 7> vectorSizes = {4 * lanes, 2 * lanes, lanes, 8, 4, 2, 1};
  SmallVector<int64_t> sizes;
  int64_t innermost = innermostLoop(iters, utils::IteratorType::parallel);
  int64_t elements = 1;
  for (auto [i, it] : llvm::enumerate(iters)) {
    if (it != utils::IteratorType::parallel) {
      sizes.push_back(0);
      elements *= bounds[i];
    } else if ((int64_t)i == innermost) {
      sizes.push_back(largestDivisor(bounds[i], vectorSizes));
      elements *= sizes.back();
    } else {
      sizes.push_back(1);
    }
  }
  if (elements > kMaxVectorLanes * lanes) {
    // The largest power-of-two chunk that fits: a tree reduction inside
    // each chunk and few sequential adds between chunks keep the rounding
    // error of long sums close to the untiled one's.
    SmallVector<int64_t> chunks;
    for (int64_t c = kMaxVectorLanes * lanes; c >= 1; c /= 2)
      chunks.push_back(c);
    int64_t inner = innermostLoop(iters, utils::IteratorType::reduction);
    for (auto [i, it] : llvm::enumerate(iters))
      if (it == utils::IteratorType::reduction)
        sizes[i] = (int64_t)i == inner ? largestDivisor(bounds[i], chunks) : 1;
  }
  return sizes;
}

KernelAttr kiln::selectVectorKernel(linalg::LinalgOp op, int64_t lanes) {
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  if (bounds.empty() || llvm::any_of(bounds, ShapedType::isDynamic))
    return {};
  SmallVector<int64_t> tile = vectorTile(bounds, op.getIteratorTypesArray(), lanes);
  if (llvm::all_of(tile, [](int64_t s) { return s == 0; }))
    return {};
  return makeKernel(op->getContext(), KernelKind::vector, Layout::any, 0, tile, {}, {},
                    lanes);
}

//===----------------------------------------------------------------------===//
// Heuristics
//===----------------------------------------------------------------------===//

/// Winograd for a 3x3 stride-1 convolution with a constant filter, at least
/// kMinWinogradChannels input channels and `block` (two vectors) dividing F:
/// F(4x4, 3x3) where that gives at least kMinF4Tiles tiles, else F(2x2,
/// 3x3). Each GEMM reads its slice of the transformed filter (A*A/9 times
/// the filter: 4x for F4, 1.8x for F2) once for all tiles, so with few
/// tiles the layer waits on that stream from memory. The GEMM's register
/// tile is R tiles x the block, R the number of rows (>= 8 accumulators, at
/// most a quarter of the registers) that rounds the tile count up least
/// (ties: the larger).
///
/// Measured on an Intel Xeon (Emerald Rapids, AVX-512), 1 thread, per
/// layer inside ResNet50 (weights not cached): 56x56 and 28x28 C64/C128
/// 2.3 ms direct, 0.9-1.0 ms F4; 14x14 C256 2.4 ms direct, 1.8 ms F4 (16
/// tiles), 1.4 ms F2; 7x7 C512 3.6 ms direct, 2.9 ms F2. Alone (weights in
/// cache) F4 wins at 14x14 too, and at batch 8 it has 128 tiles there.
static constexpr int64_t kMinWinogradChannels = 64, kMinF4Tiles = 32;
static KernelAttr selectWinograd(FusedConvOp op, const TargetInfo &t, int64_t block) {
  auto w = cast<RankedTensorType>(op.getFilter().getType());
  RankedTensorType out = op.getType();
  int64_t lanes = t.f32Lanes(), c = w.getDimSize(2);
  if (!block || w.getDimSize(0) != 3 || w.getDimSize(1) != 3 || op.getGroup() != 1 ||
      c < kMinWinogradChannels || c % lanes != 0 ||
      llvm::any_of(op.getStrides(), [](int64_t s) { return s != 1; }) ||
      llvm::any_of(op.getDilations(), [](int64_t d) { return d != 1; }))
    return {};
  auto tilesFor = [&](int64_t m) {
    return out.getDimSize(0) * llvm::divideCeil(out.getDimSize(1), m) *
           llvm::divideCeil(out.getDimSize(2), m);
  };
  KernelKind kind = tilesFor(4) >= kMinF4Tiles ? KernelKind::winograd_f4
                                                      : KernelKind::winograd_f2;
  int64_t tiles = tilesFor(winogradOutputTile(kind));
  int64_t vectors = block / lanes, best = 0;
  for (int64_t r : rowCandidates(t)) {
    if (r * vectors < kLatencyAccumulators)
      break;
    if (!best || llvm::alignTo(tiles, r) < llvm::alignTo(tiles, best))
      best = r;
  }
  if (!best)
    return {};
  // No parallel_dims: the three stages are scf.forall loops of their own
  // (tiles; transform elements x blocks), on the thread pool
  // unless --no-parallel.
  return makeKernel(op->getContext(), kind, Layout::nhwc, block, {best, block, 1}, {}, {},
                    lanes);
}

static KernelAttr selectConv(FusedConvOp op, const TargetInfo &t, bool parallel) {
  MLIRContext *ctx = op->getContext();
  int64_t lanes = t.f32Lanes();
  auto w = cast<RankedTensorType>(op.getFilter().getType());
  RankedTensorType out = op.getType();
  auto loops = [&] {
    return makeKernel(ctx, KernelKind::loops, op.isNHWC() ? Layout::nhwc : Layout::nchw, 0,
                      {}, {}, {}, lanes);
  };
  if (!op.isNHWC() || w.getRank() != 4)
    return loops();
  int64_t kh = w.getDimSize(0), kw = w.getDimSize(1), c = w.getDimSize(2),
          f = w.getDimSize(3);
  int64_t group = op.getGroup(), fPerGroup = f / group;
  // (n, oh, ow, f, kh, kw, c)
  // Only a constant filter is packed (at compile time, kiln-pack-filters).
  bool constFilter = op.getFilter().getDefiningOp<arith::ConstantOp>() != nullptr;
  // Two vectors where they divide F, else one (SqueezeNet's 1000-class
  // 1x1 conv classifier).
  int64_t block = !constFilter          ? 0
                  : f % (2 * lanes) == 0 ? 2 * lanes
                  : f % lanes == 0       ? lanes
                                         : 0;
  int64_t fTile = block ? block : largestDivisor(f, channelCandidates(lanes));
  if (group > 1) {
    // One block per group or a part of one (it reads that group's C/G
    // channels), at least 4 channels wide: depthwise and other narrow
    // groups stay plain loops.
    block = constFilter ? largestDivisor(fPerGroup, {2 * lanes, lanes, 8, 4}) : 1;
    if (block < 4)
      return loops();
    fTile = block;
  }
  int64_t ow = out.getDimSize(2);
  if (KernelAttr wino = selectWinograd(op, t, block))
    return wino;
  int64_t rows = largestDivisor(ow, rowCandidates(t));
  // Too few accumulators to hide the FMA latency (ResNet's 14x14 and 7x7
  // layers on 16 registers: 2x2 and 1x2): one vector of channels over more
  // pixels instead, as many as the registers hold next to the weight
  // vector, the broadcast and one spare. A block narrower than two vectors
  // (a grouped convolution's) gets as many pixels from the start.
  int64_t vectors = llvm::divideCeil(fTile, lanes);
  // A stride-1 pointwise convolution is a GEMM over all N*OH*OW pixels
  // (conv1x1_gemm, R pixels x two vectors) where the pixel count has a
  // divisor R that gives 8 accumulators: where the width alone leaves too
  // few (14x14 = 4 x 49 on AVX2; measured on Zen 3: 15-24% faster than
  // 7 x 8 on ResNet50's 14x14 1x1 convs), and where it gives enough too,
  // for the epilogue in registers (bias, residual and ReLU on the register
  // tile; the direct kernel makes a pass over the output for each):
  // measured on Zen 3 (AVX2, 512 KiB L2), 1 thread, in ResNet50, the
  // 56x56 and 28x28 1x1 convs 2.0-2.2 -> 1.3-1.5 ms (45-50 -> 67-79
  // GFLOP/s), the 3.2 MB outputs no longer passed over three times.
  bool unpadded1x1 = kh == 1 && kw == 1 && group == 1 && block &&
                     llvm::all_of(op.getPads(), [](int64_t p) { return p == 0; });
  bool strided = llvm::any_of(op.getStrides(), [](int64_t s) { return s != 1; });
  // With 32 registers every pointwise convolution is a GEMM, R up to 14
  // pixels (R x 2 accumulators next to the weight vectors and the
  // broadcast): measured on Emerald Rapids (AVX-512), ResNet50's 1x1 convs
  // as GEMMs with R = 14 (7 at 7x7) and pixel chunks were equal or faster
  // per layer (7x7 C512->F2048: 1.2-1.5 -> 0.75-0.96 ms, 56x56 C64->F256:
  // 1.35 -> 1.07 ms) and the whole model 5% faster on 2 threads, the same
  // on one.
  //
  // A strided 1x1 conv (ResNet's downsampling shortcuts) is the same GEMM
  // on every s-th input pixel, its register tiles in one output row (R
  // divides the width): 28 accumulators instead of the direct kernel's 14.
  bool wideFile = t.vectorRegisters >= 32;
  if (unpadded1x1 && (wideFile || !strided) &&
      c * block * 4 <= t.l2Bytes) {
    int64_t m = out.getDimSize(0) * out.getDimSize(1) * ow;
    SmallVector<int64_t> candidates = rowCandidates(t);
    if (wideFile) {
      candidates.clear();
      for (int64_t r = std::min<int64_t>(14, (t.vectorRegisters - vectors - 1) / vectors);
           r >= 1; --r)
        candidates.push_back(r);
    }
    int64_t rowsM = largestDivisor(strided ? ow : m, candidates);
    if (rowsM * vectors >= kLatencyAccumulators) {
      SmallVector<int64_t> cacheTile;
      int64_t f = out.getDimSize(3);
      if (f > c && c * f * 4 <= t.l2Bytes / 2 && ow % rowsM == 0 && out.getDimSize(1) > 1) {
        // An expansion (F > C) whose whole filter fits in half of L2: one
        // output row x all channels per iteration, the blocks innermost, so
        // a register tile's input rows stay in L1 while the filter passes
        // and the output (and residual) go by whole pixel rows. Measured on
        // Emerald Rapids, 1 thread, in ResNet50: the 56x56/28x28/14x14
        // expansions 10-27% faster (56x56 C64->F256 + residual 1.53 ->
        // 1.11 ms); on reductions (C > F) the same order was slower.
        cacheTile = {ow, f, 0};
      } else {
        // Pixel chunks whose input rows take at most a quarter of L2: every
        // block's filter slice passes over a chunk while it is cached.
        // Where R divides the width, chunks of whole output rows of one
        // image or of whole images (the GEMM then runs on the NHWC tensors;
        // a strided one must).
        bool rowsOnly = ow % rowsM == 0;
        int64_t unit = rowsOnly ? ow : rowsM, image = out.getDimSize(1) * ow;
        int64_t chunk = unit;
        for (int64_t d = m; d >= unit; --d)
          if (m % d == 0 && d % unit == 0 && d * c * 4 <= t.l2Bytes / 4 &&
              (!rowsOnly || image % d == 0 || d % image == 0)) {
            chunk = d;
            break;
          }
        if (chunk < m)
          cacheTile = {chunk, 0, 0};
      }
      return makeKernel(ctx, KernelKind::conv1x1_gemm, Layout::nhwc, block,
                        {rowsM, block, 1}, cacheTile,
                        parallel ? SmallVector<int64_t>{1} : SmallVector<int64_t>{}, lanes);
    }
  }
  if ((fTile % lanes == 0 || group > 1) && rows * vectors < kLatencyAccumulators) {
    SmallVector<int64_t> wide;
    for (int64_t r = t.vectorRegisters - 3; r > vectors * rows; --r)
      wide.push_back(r);
    int64_t r1 = largestDivisor(ow, wide);
    if (r1 > vectors * rows) {
      rows = r1;
      fTile = std::min(fTile, lanes);
      // The block follows: a one-vector tile on a two-vector block reads
      // half of each filter line per pass (j: 2048 -> 512 at 7x7 on Zen 3,
      // block 8 17% faster than 16).
      if (block)
        block = fTile;
    }
  }
  SmallVector<int64_t> tile = {1, 1, rows, fTile, 1, 1, 1};
  // A cache tile over input channels only where one block's filter slice
  // would not stay in L2 while the output pixels stream past it.
  SmallVector<int64_t> cache;
  int64_t sliceBytes = kh * kw * c * fTile * 4;
  if (sliceBytes > t.l2Bytes) {
    int64_t cTile = c;
    while (cTile % 2 == 0 && kh * kw * cTile * fTile * 4 > t.l2Bytes / 2)
      cTile /= 2;
    if (cTile < c)
      cache = {0, 0, 0, 0, 0, 0, cTile};
  }
  SmallVector<int64_t> par;
  if (parallel && f / fTile > 1)
    par = {3};
  return makeKernel(ctx, KernelKind::direct_conv, Layout::nhwc, block, tile, cache, par,
                    lanes);
}

template <typename PoolOp>
static KernelAttr selectPool(PoolOp op, ArrayRef<int64_t> outShape, bool nhwc,
                             const TargetInfo &t, bool parallel) {
  MLIRContext *ctx = op->getContext();
  int64_t lanes = t.f32Lanes();
  if (!nhwc)
    return makeKernel(ctx, KernelKind::loops, Layout::nchw, 0, {}, {}, {}, lanes);
  // (n, oh, ow, c, kh, kw): 1-D pools over vectors of channels, output rows
  // in parallel.
  SmallVector<int64_t> tile = {1, 1, largestDivisor(outShape[2], rowCandidates(t)),
                               largestDivisor(outShape[3], channelCandidates(lanes)), 1, 1};
  SmallVector<int64_t> par;
  if (parallel && outShape[1] > 1)
    par = {1};
  return makeKernel(ctx, KernelKind::pool, Layout::nhwc, 0, tile, {}, par, lanes);
}

KernelAttr kiln::selectKernel(Operation *op, const TargetInfo &t, bool vectorize,
                              bool parallel) {
  if (op->getDialect() == nullptr || !isa<KilnDialect>(op->getDialect()))
    return {};
  MLIRContext *ctx = op->getContext();
  int64_t lanes = t.f32Lanes();
  RankedTensorType out = resultType(op);
  if (!out)
    return {};
  // Concat and Pad have no compute of their own: their inputs' producers
  // write into their slices (a memref.copy where they cannot; a fill of
  // the pad).
  if (isa<ReshapeOp, FlattenOp, ConcatOp, PadOp>(op))
    return makeKernel(ctx, KernelKind::view, Layout::any, 0, {}, {}, {}, lanes);
  if (!vectorize) {
    Layout layout = Layout::any;
    if (auto conv = dyn_cast<FusedConvOp>(op))
      layout = conv.isNHWC() ? Layout::nhwc : Layout::nchw;
    return makeKernel(ctx, KernelKind::loops, layout, 0, {}, {}, {}, lanes);
  }
  if (auto conv = dyn_cast<FusedConvOp>(op))
    return selectConv(conv, t, parallel);
  if (isa<ConvOp>(op))
    return makeKernel(ctx, KernelKind::loops, Layout::nchw, 0, {}, {}, {}, lanes);
  if (auto pool = dyn_cast<MaxPoolOp>(op))
    return selectPool(pool, out.getShape(), pool.getLayout() == "NHWC", t, parallel);
  if (auto pool = dyn_cast<AvgPoolOp>(op))
    return selectPool(pool, out.getShape(), pool.getLayout() == "NHWC", t, parallel);
  if (auto pool = dyn_cast<GlobalAvgPoolOp>(op))
    return selectPool(pool, out.getShape(), pool.getLayout() == "NHWC", t,
                      /*parallel=*/false);
  if (isa<GemmOp, MatMulOp>(op) && out.getRank() == 2) {
    SmallVector<int64_t> tile = {largestDivisor(out.getDimSize(0), rowCandidates(t)),
                                 largestDivisor(out.getDimSize(1), channelCandidates(lanes)),
                                 1};
    // Columns on the thread pool: a classifier's GEMV (ResNet50's FC, 8 MB
    // of weights) waits on memory, and two cores stream twice as fast
    // (Emerald Rapids, 2 threads: 1.34 -> 0.79 ms).
    SmallVector<int64_t> par;
    if (parallel && out.getDimSize(1) > tile[1])
      par = {1};
    return makeKernel(ctx, KernelKind::matmul, Layout::any, 0, tile, {}, par, lanes);
  }
  // Elementwise ops, transposes, Softmax: one vector along the innermost
  // dimension of the result (Softmax's reduction pieces get the same rule).
  SmallVector<utils::IteratorType> iters(out.getRank(), utils::IteratorType::parallel);
  SmallVector<int64_t> tile = vectorTile(out.getShape(), iters, lanes);
  return makeKernel(ctx, KernelKind::vector, Layout::any, 0, tile, {}, {}, lanes);
}

//===----------------------------------------------------------------------===//
// Layer tags
//===----------------------------------------------------------------------===//

static uint64_t elementCount(Type t) {
  auto tt = dyn_cast<RankedTensorType>(t);
  return tt && tt.hasStaticShape() ? (uint64_t)tt.getNumElements() : 0;
}

uint64_t kiln::flopsOf(Operation *op) {
  if (op->getNumResults() != 1)
    return 0;
  uint64_t out = elementCount(op->getResult(0).getType());
  if (auto conv = dyn_cast<FusedConvOp>(op)) {
    auto w = cast<RankedTensorType>(conv.getFilter().getType());
    uint64_t perOutput = w.getNumElements() / (uint64_t)cast<RankedTensorType>(
                                                  op->getResult(0).getType())
                                                  .getDimSize(conv.isNHWC() ? 3 : 1);
    return 2 * out * perOutput;
  }
  if (auto conv = dyn_cast<ConvOp>(op)) {
    auto w = cast<RankedTensorType>(conv.getFilter().getType());
    return 2 * out * (w.getNumElements() / w.getDimSize(0));
  }
  if (isa<GemmOp, MatMulOp>(op)) {
    auto out2 = cast<RankedTensorType>(op->getResult(0).getType());
    uint64_t m = out2.getRank() >= 2 ? out2.getDimSize(out2.getRank() - 2) : 1;
    uint64_t k = m ? elementCount(op->getOperand(0).getType()) / m : 0;
    return 2 * out * k;
  }
  if (auto pool = dyn_cast<MaxPoolOp>(op))
    return out * pool.getKernelShape()[0] * pool.getKernelShape()[1];
  if (auto pool = dyn_cast<AvgPoolOp>(op))
    return out * pool.getKernelShape()[0] * pool.getKernelShape()[1];
  if (isa<GlobalAvgPoolOp>(op))
    return elementCount(op->getOperand(0).getType());
  if (isa<ReshapeOp, FlattenOp, TransposeOp, ConcatOp, PadOp>(op))
    return 0;
  return out;
}

static constexpr llvm::StringLiteral kTagOp = "kiln.layer_op", kTagKernel = "kiln.layer_kernel",
                                      kTagFlops = "kiln.layer_flops";

Location kiln::tagLayerLoc(Operation *op, KernelAttr kernel) {
  if (findLayerTag(op->getLoc()))
    return op->getLoc();
  MLIRContext *ctx = op->getContext();
  Builder b(ctx);
  auto meta = b.getDictionaryAttr(
      {b.getNamedAttr(kTagOp, b.getStringAttr(op->getName().getStringRef())),
       b.getNamedAttr(kTagKernel, b.getStringAttr(stringifyKernelKind(kernel.getKind()))),
       b.getNamedAttr(kTagFlops, b.getI64IntegerAttr((int64_t)flopsOf(op)))});
  return FusedLoc::get(ctx, {op->getLoc()}, meta);
}

std::optional<LayerTag> kiln::findLayerTag(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  if (!fused)
    return std::nullopt;
  if (auto meta = dyn_cast_or_null<DictionaryAttr>(fused.getMetadata())) {
    auto op = meta.getAs<StringAttr>(kTagOp);
    auto kernel = meta.getAs<StringAttr>(kTagKernel);
    auto flops = meta.getAs<IntegerAttr>(kTagFlops);
    if (op && kernel && flops)
      return LayerTag{fused, op.str(), kernel.str(), (uint64_t)flops.getInt()};
  }
  for (Location l : fused.getLocations())
    if (std::optional<LayerTag> t = findLayerTag(l))
      return t;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Checking a choice
//===----------------------------------------------------------------------===//

std::optional<int64_t> kiln::kernelLoopCount(Operation *op, KernelKind kind) {
  RankedTensorType out = resultType(op);
  switch (kind) {
  case KernelKind::direct_conv:
    return 7;
  case KernelKind::conv1x1_gemm:
  case KernelKind::matmul:
  case KernelKind::winograd_f2:
  case KernelKind::winograd_f4:
    return 3;
  case KernelKind::pool:
    return 6;
  case KernelKind::vector:
    return out ? std::optional<int64_t>(out.getRank()) : std::nullopt;
  case KernelKind::loops:
  case KernelKind::view:
    return 0;
  }
  return std::nullopt;
}

LogicalResult kiln::verifyKernelFor(Operation *op, KernelAttr k) {
  auto fail = [&]() {
    InFlightDiagnostic d = op->emitError();
    d << "kernel " << stringifyKernelKind(k.getKind()) << ": ";
    return d;
  };
  auto conv = dyn_cast<FusedConvOp>(op);
  bool isPool = isa<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp>(op);
  switch (k.getKind()) {
  case KernelKind::direct_conv:
  case KernelKind::conv1x1_gemm: {
    if (!conv || !conv.isNHWC())
      return fail() << "needs an NHWC convolution";
    auto w = cast<RankedTensorType>(conv.getFilter().getType());
    int64_t f = w.getDimSize(w.getRank() == 5 ? 0 : 3) *
                (w.getRank() == 5 ? w.getDimSize(4) : 1);
    if (int64_t g = conv.getGroup(); g > 1) {
      if (k.getKind() != KernelKind::direct_conv)
        return fail() << "needs a convolution with group 1 (this one has group " << g << ")";
      if (!k.getBlock() || (f / g) % k.getBlock() != 0)
        return fail() << "a grouped convolution needs a block that divides its " << f / g
                      << " output channels per group";
    }
    if (k.getBlock() && w.getRank() == 4 &&
        !conv.getFilter().getDefiningOp<arith::ConstantOp>())
      return fail() << "block " << k.getBlock()
                    << " needs a constant filter (packed at compile time)";
    if (k.getBlock() && f % k.getBlock() != 0)
      return fail() << "block " << k.getBlock() << " does not divide the " << f
                    << " output channels";
    if (k.getKind() == KernelKind::conv1x1_gemm) {
      if (w.getDimSize(w.getRank() == 5 ? 1 : 0) != 1 ||
          w.getDimSize(w.getRank() == 5 ? 2 : 1) != 1 ||
          llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; }))
        return fail() << "needs a 1x1 convolution with no padding";
      if (!k.getBlock())
        return fail() << "needs a filter-packing block";
      // A strided one runs on whole output rows: R divides the width and
      // a chunk is whole rows.
      ArrayRef<int64_t> o = conv.getType().getShape(), rt = k.getRegisterTile(),
                        ct = k.getCacheTile();
      int64_t image = o[1] * o[2];
      if (llvm::any_of(conv.getStrides(), [](int64_t s) { return s != 1; }) &&
          (rt.size() != 3 || rt[0] <= 0 || o[2] % rt[0] != 0 ||
           (ct.size() == 3 && ct[0] > 0 &&
            (ct[0] % o[2] != 0 || (image % ct[0] != 0 && ct[0] % image != 0)))))
        return fail() << "with stride > 1 needs register tile pixels that divide the " << o[2]
                      << " output columns and a cache tile of whole output rows of one image "
                         "or whole images";
    }
    if (k.getBlock() && k.getRegisterTile().size() >= 4 &&
        k.getKind() == KernelKind::direct_conv &&
        k.getBlock() % std::max<int64_t>(1, k.getRegisterTile()[3]) != 0)
      return fail() << "register tile channels " << k.getRegisterTile()[3]
                    << " do not divide block " << k.getBlock();
    // A register tile that does not divide its loop leaves that loop
    // unvectorized (scalar code, tens of times slower): refuse it.
    ArrayRef<int64_t> out = conv.getType().getShape();
    ArrayRef<int64_t> rt = k.getRegisterTile();
    if (k.getKind() == KernelKind::direct_conv && rt.size() == 7) {
      // The tile becomes a 1-D convolution along one output row (the
      // decomposition needs one output row and one filter row).
      if (rt[1] != 1 || rt[4] != 1)
        return fail() << "register tile rows and filter rows must be 1 (one output row "
                         "per micro-kernel), got " << rt[1] << " and " << rt[4];
      if (rt[2] > 0 && out[2] % rt[2] != 0)
        return fail() << "register tile pixels " << rt[2] << " do not divide the " << out[2]
                      << " output columns";
    }
    if (k.getKind() == KernelKind::conv1x1_gemm && rt.size() == 3 && rt[0] > 0 &&
        (out[0] * out[1] * out[2]) % rt[0] != 0)
      return fail() << "register tile pixels " << rt[0] << " do not divide the "
                    << out[0] * out[1] * out[2] << " output pixels";
    // conv1x1_gemm's cache tile is [MC, NC, 0]: a chunk of pixels and of
    // output channels (0: one block) per forall iteration.
    ArrayRef<int64_t> ct = k.getCacheTile();
    if (k.getKind() == KernelKind::conv1x1_gemm && ct.size() == 3) {
      int64_t m = out[0] * out[1] * out[2];
      if (ct[2] != 0)
        return fail() << "cache_tile is [pixels, channels, 0]: the K loop is not split";
      if (ct[1] < 0 || (ct[1] > 0 && (ct[1] % k.getBlock() != 0 || out[3] % ct[1] != 0)))
        return fail() << "cache tile channels " << ct[1]
                      << " must be 0 (one block) or a multiple of the block "
                      << k.getBlock() << " that divides the " << out[3] << " output channels";
      if (ct[0] < 0 || (ct[0] > 0 && (m % ct[0] != 0 || (rt.size() == 3 && rt[0] > 0 &&
                                                          ct[0] % rt[0] != 0))))
        return fail() << "cache tile pixels " << ct[0] << " must divide the " << m
                      << " output pixels and be a multiple of the register tile's";
    }
    break;
  }
  case KernelKind::winograd_f2:
  case KernelKind::winograd_f4: {
    if (!conv || !conv.isNHWC())
      return fail() << "needs an NHWC convolution";
    auto w = cast<RankedTensorType>(conv.getFilter().getType());
    int64_t m = winogradOutputTile(k.getKind());
    bool packed = w.getRank() == 5;
    int64_t f = packed ? w.getDimSize(0) * w.getDimSize(4) : w.getDimSize(3);
    int64_t c = packed ? w.getDimSize(3) : w.getDimSize(2);
    int64_t kh = packed ? w.getDimSize(1) - m + 1 : w.getDimSize(0);
    int64_t kw = packed ? w.getDimSize(2) - m + 1 : w.getDimSize(1);
    if (kh != 3 || kw != 3 || conv.getGroup() != 1 ||
        llvm::any_of(conv.getStrides(), [](int64_t s) { return s != 1; }) ||
        llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; }))
      return fail() << "needs a 3x3 convolution with stride 1, dilation 1 and group 1";
    if (!packed && !conv.getFilter().getDefiningOp<arith::ConstantOp>())
      return fail() << "needs a constant filter (transformed at compile time)";
    if (k.getBlock() <= 0 || f % k.getBlock() != 0)
      return fail() << "needs a block that divides the " << f << " output channels";
    int64_t lanes = std::max<int64_t>(1, k.getLanes());
    if (c % lanes != 0 || k.getBlock() % lanes != 0)
      return fail() << "needs input channels (" << c << ") and block (" << k.getBlock()
                    << ") that are multiples of the " << lanes << " vector lanes";
    ArrayRef<int64_t> rt = k.getRegisterTile();
    if (rt.size() == 3 && (rt[1] != k.getBlock() || rt[2] != 1))
      return fail() << "register_tile is [tiles, block, 1]: the GEMM's channels are the "
                       "block's and its reduction steps by 1";
    if (!k.getCacheTile().empty())
      return fail() << "has no cache tile (cache_tile = [])";
    break;
  }
  case KernelKind::pool:
    if (!isPool)
      return fail() << "needs a pooling op";
    break;
  case KernelKind::matmul:
    if (!isa<GemmOp, MatMulOp>(op))
      return fail() << "needs a Gemm or MatMul";
    break;
  case KernelKind::view:
    if (!isa<ReshapeOp, FlattenOp, ConcatOp, PadOp>(op))
      return fail() << "only Reshape, Flatten, Concat and Pad are views";
    break;
  case KernelKind::vector:
    if (conv || isPool ||
        isa<GemmOp, MatMulOp, ReshapeOp, FlattenOp, ConcatOp, PadOp, ConvOp>(op))
      return fail() << "is for elementwise ops, transposes and Softmax";
    break;
  case KernelKind::loops:
    if (isa<ReshapeOp, FlattenOp, ConcatOp, PadOp>(op))
      return fail() << "Reshape, Flatten, Concat and Pad are views";
    break;
  }
  if (k.getKind() != KernelKind::view && k.getKind() != KernelKind::loops) {
    std::optional<int64_t> loops = kernelLoopCount(op, k.getKind());
    if (loops && (int64_t)k.getRegisterTile().size() != *loops)
      return fail() << "register_tile needs " << *loops << " sizes (one per loop), got "
                    << k.getRegisterTile().size();
    if (!k.getCacheTile().empty() && k.getCacheTile().size() != k.getRegisterTile().size())
      return fail() << "cache_tile needs " << k.getRegisterTile().size() << " sizes, got "
                    << k.getCacheTile().size();
    for (int64_t d : k.getParallelDims())
      if (d < 0 || d >= (int64_t)k.getRegisterTile().size())
        return fail() << "parallel dimension " << d << " is not one of its "
                      << k.getRegisterTile().size() << " loops";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Kernel config files
//===----------------------------------------------------------------------===//

static llvm::Error configError(llvm::StringRef name, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + msg);
}

llvm::Expected<KernelConfig> KernelConfig::load(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return configError(path, "cannot read the kernel config: " +
                                 buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

llvm::Expected<KernelConfig> KernelConfig::parse(llvm::StringRef text, llvm::StringRef name) {
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json)
    return configError(name, "not valid JSON: " + llvm::toString(json.takeError()));
  KernelConfig config;
  config.name = name.str();
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *layers = root ? root->getArray("layers") : nullptr;
  if (!layers)
    return configError(name, "expected an object with a \"layers\" array");
  for (auto [i, value] : llvm::enumerate(*layers)) {
    std::string where = "layers[" + std::to_string(i) + "]";
    const llvm::json::Object *obj = value.getAsObject();
    if (!obj)
      return configError(name, where + " is not an object");
    Entry e;
    auto ints = [&](llvm::StringRef key,
                    std::optional<std::vector<int64_t>> &out) -> llvm::Error {
      const llvm::json::Value *v = obj->get(key);
      if (!v)
        return llvm::Error::success();
      const llvm::json::Array *a = v->getAsArray();
      if (!a)
        return configError(name, where + "." + key + " is not an array of integers");
      std::vector<int64_t> r;
      for (const llvm::json::Value &x : *a) {
        std::optional<int64_t> n = x.getAsInteger();
        if (!n)
          return configError(name, where + "." + key + " is not an array of integers");
        r.push_back(*n);
      }
      out = std::move(r);
      return llvm::Error::success();
    };
    for (const auto &kv : *obj) {
      llvm::StringRef key = kv.first;
      if (!llvm::is_contained({"node", "op", "output_shape", "filter_shape", "kind", "layout",
                               "block", "register_tile", "cache_tile", "parallel_dims"},
                              key))
        return configError(name, where + " has an unknown key \"" + key + "\"");
    }
    if (auto node = obj->getString("node"))
      e.node = node->str();
    if (auto op = obj->getString("op"))
      e.op = op->str();
    if (llvm::Error err = ints("output_shape", e.outputShape))
      return std::move(err);
    if (llvm::Error err = ints("filter_shape", e.filterShape))
      return std::move(err);
    if (llvm::Error err = ints("register_tile", e.registerTile))
      return std::move(err);
    if (llvm::Error err = ints("cache_tile", e.cacheTile))
      return std::move(err);
    if (llvm::Error err = ints("parallel_dims", e.parallelDims))
      return std::move(err);
    if (e.node.empty() && !e.outputShape)
      return configError(name, where + " needs \"node\" or \"output_shape\" to match a layer");
    if (auto kind = obj->getString("kind")) {
      e.kind = symbolizeKernelKind(*kind);
      if (!e.kind)
        return configError(name, where + ".kind \"" + *kind + "\" is not a kernel kind");
    }
    if (auto layout = obj->getString("layout")) {
      e.layout = symbolizeLayout(*layout);
      if (!e.layout)
        return configError(name, where + ".layout \"" + *layout + "\" is not a layout");
    }
    if (const llvm::json::Value *b = obj->get("block")) {
      e.block = b->getAsInteger();
      if (!e.block || *e.block < 0)
        return configError(name, where + ".block is not a non-negative integer");
    }
    config.entries.push_back(std::move(e));
  }
  return config;
}

KernelConfig::Entry *KernelConfig::match(Operation *op) {
  RankedTensorType out = resultType(op);
  SmallVector<std::string> names = nodeNames(op->getLoc());
  for (Entry &e : entries) {
    if (!e.op.empty() && op->getName().getStringRef() != e.op)
      continue;
    if (!e.node.empty() && !llvm::is_contained(names, e.node))
      continue;
    // The relayouts kiln-layout adds around a node carry its name too; an
    // entry names them only with an explicit "op".
    if (e.op.empty() && isa<TransposeOp>(op))
      continue;
    if (e.outputShape && (!out || ArrayRef<int64_t>(*e.outputShape) != out.getShape()))
      continue;
    if (e.filterShape) {
      auto conv = dyn_cast<FusedConvOp>(op);
      if (!conv || ArrayRef<int64_t>(*e.filterShape) !=
                       cast<RankedTensorType>(conv.getFilter().getType()).getShape())
        continue;
    }
    return &e;
  }
  return nullptr;
}

KernelAttr KernelConfig::apply(const Entry &e, KernelAttr base) {
  auto pick = [](const std::optional<std::vector<int64_t>> &v, ArrayRef<int64_t> dflt) {
    return v ? ArrayRef<int64_t>(*v) : dflt;
  };
  return KernelAttr::get(base.getContext(), e.kind.value_or(base.getKind()),
                         e.layout.value_or(base.getLayout()), e.block.value_or(base.getBlock()),
                         pick(e.registerTile, base.getRegisterTile()),
                         pick(e.cacheTile, base.getCacheTile()),
                         pick(e.parallelDims, base.getParallelDims()), base.getLanes(),
                         /*config=*/true);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct KilnSelectKernelsPass
    : kiln::impl::KilnSelectKernelsBase<KilnSelectKernelsPass> {
  using KilnSelectKernelsBase::KilnSelectKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    // The module's own target and options win; the pass options only fill
    // them in for IR that has none (hand-written tests).
    std::optional<TargetInfo> target = lookupTarget(module);
    if (!target) {
      auto t = TargetInfo::fromTriple(targetTriple, cpu);
      if (!t) {
        module.emitError() << llvm::toString(t.takeError());
        return signalPassFailure();
      }
      target = *t;
      module->setAttr(kTargetAttrName, getTargetAttr(ctx, *target));
    }
    OptionsAttr options = lookupOptions(module);
    if (!options) {
      options = OptionsAttr::get(ctx, vectorize, parallel, /*runtime_checks=*/false);
      module->setAttr(kOptionsAttrName, options);
    }
    std::optional<KernelConfig> config;
    if (!configFile.empty()) {
      auto c = KernelConfig::load(configFile);
      if (!c) {
        module.emitError() << llvm::toString(c.takeError());
        return signalPassFailure();
      }
      config = std::move(*c);
    }
    bool failedAny = false;
    module.walk([&](Operation *op) {
      if (op->hasAttr(kKernelAttrName))
        return;
      KernelAttr k = selectKernel(op, *target, options.getVectorize(), options.getParallel());
      if (!k)
        return;
      if (config)
        if (KernelConfig::Entry *e = config->match(op)) {
          ++e->matches;
          k = KernelConfig::apply(*e, k);
          if (failed(verifyKernelFor(op, k))) {
            failedAny = true;
            return;
          }
        }
      op->setAttr(kKernelAttrName, k);
      op->setLoc(tagLayerLoc(op, k));
    });
    if (failedAny)
      return signalPassFailure();
    if (config)
      for (auto [i, e] : llvm::enumerate(config->entries))
        if (!e.matches)
          module.emitWarning() << config->name << ": layers[" << i
                               << "] matches no layer of the model";
  }
};
} // namespace
