//===- KilnToLinalg.cpp - lower kiln ops to linalg on tensors -------------===//
//
// Implements convert-kiln-to-linalg. Each kiln op becomes named linalg ops
// where upstream has one (convolutions, pools, matmul, transpose, softmax)
// and elementwise linalg.generic ops otherwise, so the tiling and
// vectorization passes see the structure they know.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Winograd.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }

Value floatConst(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value filled(OpBuilder &b, Location loc, RankedTensorType type, double v) {
  Value cst = floatConst(b, loc, type.getElementType(), v);
  return linalg::FillOp::create(b, loc, ValueRange{cst},
                                ValueRange{emptyLike(b, loc, type)})
      .getResult(0);
}

/// Indexing map reading `inShape` broadcast (NumPy, right-aligned) to
/// `outShape`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> inShape,
                       ArrayRef<int64_t> outShape) {
  SmallVector<AffineExpr> exprs;
  size_t offset = outShape.size() - inShape.size();
  for (size_t i = 0; i < inShape.size(); ++i) {
    if (inShape[i] == 1 && outShape[i + offset] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(outShape.size(), 0, exprs, ctx);
}

/// Elementwise linalg.generic over `type` reading `inputs` through `maps`
/// (broadcast maps when empty). With `inPlace`, inputs[0] (of `type`) is
/// the generic's output operand, read through its block argument, so
/// bufferization updates that buffer in place instead of allocating.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange inputs, BodyFn body, ArrayRef<AffineMap> maps = {},
                  bool inPlace = false) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> indexing;
  ValueRange ins = inPlace ? inputs.drop_front() : inputs;
  for (auto [i, in] : llvm::enumerate(ins))
    indexing.push_back(maps.empty() ? broadcastMap(ctx, tensorType(in).getShape(),
                                                   type.getShape())
                                    : maps[i + (inPlace ? 1 : 0)]);
  indexing.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iters(type.getRank(),
                                         utils::IteratorType::parallel);
  Value init = inPlace ? inputs.front() : emptyLike(b, loc, type);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ins, ValueRange{init}, indexing, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> operands;
        if (inPlace)
          operands.push_back(args.back());
        llvm::append_range(operands, args.drop_back());
        Value r = body(nb, nloc, operands);
        linalg::YieldOp::create(nb, nloc, r);
      });
  return op.getResult(0);
}

/// kiln.relu's scalar body (for fused epilogues).
Value relu(OpBuilder &b, Location loc, Value x) { return ReluOp::buildScalar(b, loc, x); }

/// Pads the two spatial dims of a 4-D tensor.
Value padSpatial(OpBuilder &b, Location loc, Value x, bool nhwc, int64_t top,
                 int64_t left, int64_t bottom, int64_t right, double value) {
  if (!top && !left && !bottom && !right)
    return x;
  RankedTensorType type = tensorType(x);
  int hDim = nhwc ? 1 : 2;
  SmallVector<int64_t> low(4, 0), high(4, 0), shape(type.getShape());
  low[hDim] = top;
  low[hDim + 1] = left;
  high[hDim] = bottom;
  high[hDim + 1] = right;
  shape[hDim] += top + bottom;
  shape[hDim + 1] += left + right;
  auto padType = RankedTensorType::get(shape, type.getElementType());
  Value padValue = floatConst(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, padType, x, getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high), padValue,
                               /*nofold=*/false);
}

Value reshapeTo(OpBuilder &b, Location loc, Value x, RankedTensorType type) {
  RankedTensorType in = tensorType(x);
  if (in == type)
    return x;
  Value flat = x;
  if (in.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < in.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, x, ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

/// Extra end padding so a ceil-mode window grid fits: returns how far the
/// last window reaches past the padded input.
int64_t ceilExtra(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe,
                  int64_t out) {
  return std::max<int64_t>(0, (out - 1) * s + k - (in + pb + pe));
}

/// `v` clamped into [0, size): the nearest valid index of a dimension,
/// for reads that stay inside an unpadded input.
Value clampIndex(OpBuilder &b, Location loc, Value v, int64_t size) {
  Value lo = arith::MaxSIOp::create(b, loc, v, arith::ConstantIndexOp::create(b, loc, 0));
  return arith::MinSIOp::create(b, loc, lo, arith::ConstantIndexOp::create(b, loc, size - 1));
}

/// scf.for over [lb, ub) by `step` threading one tensor through `body`.
Value loopOver(OpBuilder &b, Location loc, int64_t lb, int64_t ub, int64_t step, Value init,
               function_ref<Value(OpBuilder &, Value, Value)> body) {
  auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  auto loop = scf::ForOp::create(b, loc, cst(lb), cst(ub), cst(step), ValueRange{init},
                                 [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
                                   scf::YieldOp::create(nb, nl, body(nb, iv, args[0]));
                                 });
  return loop.getResult(0);
}

/// A slice one iteration of a forall computes, and where it goes.
struct SliceOut {
  Value value;
  SmallVector<OpFoldResult> offsets;
  SmallVector<int64_t> sizes;
};

/// An scf.forall over [0, count) with one shared output `init`: `body`
/// builds iteration i's slice from (i, the shared output), which the
/// terminator inserts.
Value parallelOver(OpBuilder &b, Location loc, int64_t count, Value init,
                   function_ref<SliceOut(Value, Value)> body) {
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(count)},
                                      ValueRange{init}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value out = forall.getRegionIterArgs()[0];
  SliceOut s = body(forall.getInductionVar(0), out);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> sizes, ones(s.sizes.size(), b.getIndexAttr(1));
  for (int64_t v : s.sizes)
    sizes.push_back(b.getIndexAttr(v));
  tensor::ParallelInsertSliceOp::create(b, loc, s.value, out, s.offsets, sizes, ones);
  return forall.getResult(0);
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

struct ConvParams {
  Value input, filter, bias, residual;
  ArrayRef<int64_t> strides, pads, dilations;
  int64_t group;
  bool relu, nhwc;
  RankedTensorType resultType;
  /// The op's kernel (kiln-select-kernels); null: plain loops.
  KernelAttr kernel;
  /// With relu: the upper clamp (ReLU6), if any.
  std::optional<float> reluMax = std::nullopt;
};

/// Hands the kiln op's kernel to the linalg op that implements it.
void setKernel(Operation *root, KernelAttr kernel) {
  if (kernel)
    root->setAttr(kKernelAttrName, kernel);
}

/// Applies the residual add and ReLU of `p` to `conv` (elementwise).
Value epilogue(OpBuilder &b, Location loc, const ConvParams &p, Value conv,
               Value residual, RankedTensorType type) {
  if (!residual && !p.relu)
    return conv;
  SmallVector<Value> ins = {conv};
  if (residual)
    ins.push_back(residual);
  bool doRelu = p.relu;
  std::optional<float> reluMax = p.reluMax;
  // In place on the convolution's result: no extra buffer per conv.
  return elementwise(
      b, loc, type, ins,
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value v = a.size() > 1 ? arith::AddFOp::create(nb, nl, a[0], a[1]).getResult() : a[0];
        if (!doRelu)
          return v;
        v = relu(nb, nl, v);
        if (reluMax) {
          Value hi = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(v.getType(), *reluMax));
          v = MinOp::buildScalar(nb, nl, {v, hi});
        }
        return v;
      },
      {}, /*inPlace=*/true);
}

/// Block `fo` of a packed [F/B, KH, KW, C, B] filter as `type` ([KH, KW,
/// C, B], or [C, B] for a 1x1 filter: the unit dims dropped).
Value filterBlock(OpBuilder &b, Location loc, Value filter, Value fo, RankedTensorType type) {
  ArrayRef<int64_t> w = tensorType(filter).getShape();
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  return tensor::ExtractSliceOp::create(
      b, loc, type, filter, ArrayRef<OpFoldResult>{fo, idx(0), idx(0), idx(0), idx(0)},
      ArrayRef<OpFoldResult>{idx(1), idx(w[1]), idx(w[2]), idx(w[3]), idx(w[4])},
      ArrayRef<OpFoldResult>{idx(1), idx(1), idx(1), idx(1), idx(1)});
}

/// The bias of the channels [fOffset, fOffset + B) broadcast into
/// `outSlice` (channels last, B of them): a block's accumulator init.
Value biasInit(OpBuilder &b, Location loc, Value bias, Value fOffset, Value outSlice) {
  RankedTensorType out = tensorType(outSlice);
  int64_t block = out.getShape().back();
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({block}, out.getElementType()), bias,
      ArrayRef<OpFoldResult>{fOffset}, ArrayRef<OpFoldResult>{b.getIndexAttr(block)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, out.getRank() - 1));
  return linalg::BroadcastOp::create(b, loc, slice, outSlice, dims).getResult()[0];
}

/// conv1x1_gemm: a 1x1 stride-1 unpadded convolution with a packed
/// [F/B, 1, 1, C, B] filter as [pixels, C] x [C, B] per channel block,
/// accumulating onto the bias. The kernel's cache tile [MC, NC, 0] splits
/// the output into chunks of MC pixels x NC channels (NC = 0: one block):
/// one scf.forall over chunks x channel groups, the group index inner.
/// With one block per iteration, each chunk's input rows stay in cache
/// while every block's filter slice passes over them (the input is read
/// from memory once, not once per block). With NC > B the blocks are the
/// innermost loop: one register tile's input rows stay in L1 while the
/// group's filter (in L2) passes over them, and the output and residual are
/// written and read in whole pixel rows.
///
/// Inside a chunk, one register tile of R pixels x the block per iteration:
/// bias broadcast, K loop and epilogue on the same [R, B] tile, which the
/// vectorizer keeps in registers, so the output is written once. Measured
/// on Emerald Rapids, 1 thread: 56x56 C64->F256 1.35-1.46 -> 1.01 ms, 7x7
/// C512->F2048 1.06-1.1 -> 0.77-0.85 ms; ResNet50 82 -> 68 ms.
///
/// The loops run on a 4-D view [N, H', W', C]: a chunk is whole rows of it
/// and a register tile lies in one row. Where R divides the width and a
/// chunk is whole image rows (ResNet's layers), the view is the tensor
/// itself, so the result is an NHWC tensor that a padded consumer's buffer
/// can take in place (no copy into the padding); otherwise the pixels are
/// reshaped to [1, M / MC, MC, C], a chunk per row. A register tile of 0
/// pixels takes a row of the view as one tile.
Value lowerPointwiseGemm(OpBuilder &b, Location loc, const ConvParams &p) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType w = tensorType(p.filter), type = p.resultType;
  int64_t blocks = w.getDimSize(0), c = w.getDimSize(3), block = w.getDimSize(4);
  int64_t n = type.getDimSize(0), h = type.getDimSize(1), wd = type.getDimSize(2);
  int64_t m = n * h * wd;
  KernelAttr k = p.kernel;
  ArrayRef<int64_t> cache = k.getCacheTile(), reg = k.getRegisterTile();
  int64_t mc = !cache.empty() && cache[0] > 0 && m % cache[0] == 0 ? cache[0] : m;
  if (mc % (h * wd) == 0)
    mc = h * wd; // a chunk per image at most
  int64_t r = reg.size() == 3 && reg[0] > 0 ? reg[0] : 0;
  Type f32 = type.getElementType();
  int64_t sh = p.strides[0], sw = p.strides[1];
  bool spatial = (r == 0 || wd % r == 0) && mc % wd == 0 && h % (mc / wd) == 0;
  if (!spatial && (sh != 1 || sw != 1))
    return Value(); // kiln-select-kernels checks: whole rows
  int64_t vn = spatial ? n : 1, vh = spatial ? h : m / mc, vw = spatial ? wd : mc;
  int64_t chunkRows = mc / vw, chunksPerImage = vh / chunkRows;
  bool regTile = r > 0;
  if (!regTile)
    r = vw;
  auto view = [&](Value v) -> Value {
    if (!v || spatial)
      return v;
    return reshapeTo(b, loc, v,
                     RankedTensorType::get({1, vh, vw, tensorType(v).getDimSize(3)}, f32));
  };
  Value input = view(p.input), residual = view(p.residual);
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  SmallVector<OpFoldResult> ones(4, idx(1));
  auto regType = RankedTensorType::get({r, block}, f32);
  // The epilogue's ops stay whole: vectors of [R, B], no loops.
  KernelAttr whole = regTile ? KernelAttr::get(ctx, KernelKind::vector, Layout::any, 0, {0, 0},
                                               {}, {}, k.getLanes(), false)
                             : KernelAttr();
  auto gemm = KernelAttr::get(ctx, k.getKind(), k.getLayout(), k.getBlock(),
                              regTile ? ArrayRef<int64_t>{r, block, 1} : reg, {}, {},
                              k.getLanes(), k.getConfig());
  auto outType = RankedTensorType::get({vn, vh, vw, blocks * block}, f32);
  // Blocks per forall iteration (the cache tile's channels): 1, or more,
  // the block loop then innermost, inside each register tile's pixels.
  int64_t inner = cache.size() == 3 && cache[1] > 0 ? cache[1] / block : 1;
  int64_t chunks = vn * chunksPerImage, groups = blocks / inner;
  Value result = parallelOver(
      b, loc, chunks * groups, emptyLike(b, loc, outType), [&](Value i, Value out) -> SliceOut {
        Value g = arith::RemUIOp::create(b, loc, i, cst(groups));
        Value q = arith::DivUIOp::create(b, loc, i, cst(groups));
        Value ni = arith::DivUIOp::create(b, loc, q, cst(chunksPerImage));
        Value h0 = arith::MulIOp::create(
            b, loc, arith::RemUIOp::create(b, loc, q, cst(chunksPerImage)), cst(chunkRows));
        Value gOff = arith::MulIOp::create(b, loc, g, cst(inner * block));
        SmallVector<OpFoldResult> offsets = {ni, h0, idx(0), gOff};
        SmallVector<int64_t> sliceSizes = {1, chunkRows, vw, inner * block};
        Value outSlice = tensor::ExtractSliceOp::create(
            b, loc, RankedTensorType::get(sliceSizes, f32), out, offsets,
            ArrayRef<OpFoldResult>{idx(1), idx(chunkRows), idx(vw), idx(inner * block)}, ones);
        SmallVector<OpFoldResult> regSizes = {idx(1), idx(1), idx(r), idx(block)};
        Value tiles = loopOver(b, loc, 0, chunkRows, 1, outSlice, [&](OpBuilder &, Value row,
                                                                     Value acc) {
          Value y = arith::AddIOp::create(b, loc, h0, row);
          return loopOver(b, loc, 0, vw, r, acc, [&](OpBuilder &, Value x, Value acc) {
            // Every s-th input pixel of a strided conv.
            auto at = [&](Value v, int64_t s) -> OpFoldResult {
              return s == 1 ? OpFoldResult(v) : arith::MulIOp::create(b, loc, v, cst(s)).getResult();
            };
            Value aTile = tensor::ExtractSliceOp::create(
                b, loc, RankedTensorType::get({r, c}, f32), input,
                ArrayRef<OpFoldResult>{ni, at(y, sh), at(x, sw), idx(0)},
                ArrayRef<OpFoldResult>{idx(1), idx(1), idx(r), idx(c)},
                ArrayRef<OpFoldResult>{idx(1), idx(1), idx(sw), idx(1)});
            // Block j (a channel offset in the group; null: the group's one
            // block).
            auto blockTile = [&](Value j, Value acc) -> Value {
              Value fOff = j ? arith::AddIOp::create(b, loc, gOff, j).getResult() : gOff;
              Value fo = j ? arith::DivUIOp::create(b, loc, fOff, cst(block)).getResult() : g;
              Value wSlice =
                  filterBlock(b, loc, p.filter, fo, RankedTensorType::get({c, block}, f32));
              SmallVector<OpFoldResult> at = {idx(0), row, x, j ? OpFoldResult(j) : idx(0)};
              Value oTile =
                  tensor::ExtractSliceOp::create(b, loc, regType, acc, at, regSizes, ones);
              Value init = biasInit(b, loc, p.bias, fOff, oTile);
              setKernel(init.getDefiningOp(), whole);
              auto mm = linalg::MatmulOp::create(b, loc, TypeRange{regType},
                                                 ValueRange{aTile, wSlice}, ValueRange{init});
              setKernel(mm, gemm);
              Value resTile;
              if (residual)
                resTile = tensor::ExtractSliceOp::create(b, loc, regType, residual,
                                                         ArrayRef<OpFoldResult>{ni, y, x, fOff},
                                                         regSizes, ones);
              Value e = epilogue(b, loc, p, mm.getResult(0), resTile, regType);
              if (e != mm.getResult(0))
                setKernel(e.getDefiningOp(), whole);
              return tensor::InsertSliceOp::create(b, loc, e, acc, at, regSizes, ones)
                  .getResult();
            };
            if (inner == 1)
              return blockTile(Value(), acc);
            return loopOver(b, loc, 0, inner * block, block, acc,
                            [&](OpBuilder &, Value j, Value acc) { return blockTile(j, acc); });
          });
        });
        return {tiles, offsets, sliceSizes};
      });
  return spatial ? result : reshapeTo(b, loc, result, type);
}

/// NHWC convolution with a packed [F/B, KH, KW, C/G, B] filter: an
/// scf.forall over channel blocks, each broadcasting its bias slice into its
/// output slice (while that slice is cache-hot), then a conv_2d_nhwc_hwcf
/// with its contiguous [KH, KW, C/G, B] filter slice and the epilogue. In a
/// grouped convolution B divides F/G, so a block lies in one group and reads
/// that group's C/G input channels: a channel slice of the input.
Value lowerPackedConv(OpBuilder &b, Location loc, const ConvParams &p, Value padded,
                      Attribute strides, Attribute dilations) {
  RankedTensorType w = tensorType(p.filter), type = p.resultType;
  int64_t blocks = w.getDimSize(0), kh = w.getDimSize(1), kw = w.getDimSize(2),
          c = w.getDimSize(3), block = w.getDimSize(4);
  int64_t blocksPerGroup = blocks / p.group;
  Type f32 = type.getElementType();
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(blocks)},
                                      ValueRange{emptyLike(b, loc, type)}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value fo = forall.getInductionVar(0);
  Value out = forall.getRegionIterArgs()[0];
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  Value wSlice =
      filterBlock(b, loc, p.filter, fo, RankedTensorType::get({kh, kw, c, block}, f32));
  Value fOffset = arith::MulIOp::create(b, loc, fo, arith::ConstantIndexOp::create(b, loc, block));
  auto sliceType = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2), block}, f32);
  SmallVector<OpFoldResult> offsets = {idx(0), idx(0), idx(0), fOffset};
  SmallVector<OpFoldResult> sizes = {idx(type.getDimSize(0)), idx(type.getDimSize(1)),
                                     idx(type.getDimSize(2)), idx(block)};
  SmallVector<OpFoldResult> ones(4, idx(1));
  Value outSlice = tensor::ExtractSliceOp::create(b, loc, sliceType, out, offsets, sizes, ones);
  Value init = biasInit(b, loc, p.bias, fOffset, outSlice);
  if (p.group > 1) {
    // Channels [g * C/G, (g + 1) * C/G) with g = fo / (blocks per group).
    RankedTensorType in = tensorType(padded);
    Value g = arith::DivUIOp::create(b, loc, fo,
                                     arith::ConstantIndexOp::create(b, loc, blocksPerGroup));
    Value cOffset = arith::MulIOp::create(b, loc, g, arith::ConstantIndexOp::create(b, loc, c));
    padded = tensor::ExtractSliceOp::create(
        b, loc,
        RankedTensorType::get({in.getDimSize(0), in.getDimSize(1), in.getDimSize(2), c}, f32),
        padded, ArrayRef<OpFoldResult>{idx(0), idx(0), idx(0), cOffset},
        ArrayRef<OpFoldResult>{idx(in.getDimSize(0)), idx(in.getDimSize(1)),
                               idx(in.getDimSize(2)), idx(c)},
        ArrayRef<OpFoldResult>(ones));
  }
  auto op = linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{sliceType},
                                             ValueRange{padded, wSlice}, ValueRange{init},
                                             strides, dilations);
  setKernel(op, p.kernel);
  Value conv = op.getResult(0);
  Value residual;
  if (p.residual)
    residual = tensor::ExtractSliceOp::create(b, loc, sliceType, p.residual, offsets,
                                              sizes, ones);
  Value result = epilogue(b, loc, p, conv, residual, sliceType);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result, out, offsets, sizes, ones);
  return forall.getResult(0);
}

/// Grouped NHWC convolution with an unpacked [KH, KW, C/G, F] filter, as
/// plain loops: a linalg.generic over (n, oh, ow, g, f, kh, kw, c) on the
/// input viewed as [N, H, W, G, C/G], the filter as [KH, KW, C/G, G, F/G]
/// and the output as [N, OH, OW, G, F/G].
Value groupedNhwcConv(OpBuilder &b, Location loc, Value input, Value filter, Value init,
                      int64_t group, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType in = tensorType(input), w = tensorType(filter), out = tensorType(init);
  Type f32 = out.getElementType();
  int64_t cg = w.getDimSize(2), fg = w.getDimSize(3) / group;
  auto in5 = RankedTensorType::get(
      {in.getDimSize(0), in.getDimSize(1), in.getDimSize(2), group, cg}, f32);
  auto w5 = RankedTensorType::get({w.getDimSize(0), w.getDimSize(1), cg, group, fg}, f32);
  auto out5 = RankedTensorType::get(
      {out.getDimSize(0), out.getDimSize(1), out.getDimSize(2), group, fg}, f32);
  SmallVector<ReassociationIndices> re = {{0}, {1}, {2}, {3, 4}};
  Value x5 = tensor::ExpandShapeOp::create(b, loc, in5, input, re);
  Value f5 = tensor::ExpandShapeOp::create(b, loc, w5, filter, re);
  Value o5 = tensor::ExpandShapeOp::create(b, loc, out5, init, re);
  AffineExpr n, oh, ow, g, f, kh, kw, c;
  bindDims(ctx, n, oh, ow, g, f, kh, kw, c);
  SmallVector<AffineMap> maps = {
      AffineMap::get(8, 0,
                     {n, oh * strides[0] + kh * dilations[0],
                      ow * strides[1] + kw * dilations[1], g, c},
                     ctx),
      AffineMap::get(8, 0, {kh, kw, c, g, f}, ctx),
      AffineMap::get(8, 0, {n, oh, ow, g, f}, ctx)};
  using utils::IteratorType;
  SmallVector<IteratorType> iters(5, IteratorType::parallel);
  iters.append(3, IteratorType::reduction);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{out5}, ValueRange{x5, f5}, ValueRange{o5}, maps, iters,
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value mul = arith::MulFOp::create(nb, nl, a[0], a[1]);
        linalg::YieldOp::create(nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], mul)});
      });
  return tensor::CollapseShapeOp::create(b, loc, out, op.getResult(0), re);
}

//===----------------------------------------------------------------------===//
// Winograd F(m x m, 3 x 3)
//===----------------------------------------------------------------------===//

/// out[r] = sum_k coef[r][k] in[k] for the constant [rows][in.size()]
/// matrix `coef`: zeros skipped, +-1 as adds and subtractions, the rest as
/// FMAs with a splat.
SmallVector<Value> applyMatrix(OpBuilder &b, Location loc, const double *coef, int64_t rows,
                               ArrayRef<Value> in) {
  auto vt = cast<VectorType>(in[0].getType());
  auto splat = [&](double c) -> Value {
    float v = (float)c;
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vt, ArrayRef<float>(v)));
  };
  int64_t n = in.size();
  SmallVector<Value> out;
  for (int64_t r = 0; r < rows; ++r) {
    Value acc;
    for (int64_t k = 0; k < n; ++k) {
      double c = coef[r * n + k];
      if (c == 0)
        continue;
      if (!acc)
        acc = c == 1 ? in[k] : arith::MulFOp::create(b, loc, in[k], splat(c)).getResult();
      else if (c == 1)
        acc = arith::AddFOp::create(b, loc, acc, in[k]);
      else if (c == -1)
        acc = arith::SubFOp::create(b, loc, acc, in[k]);
      else
        acc = vector::FMAOp::create(b, loc, in[k], splat(c), acc);
    }
    out.push_back(acc ? acc : splat(0));
  }
  return out;
}

/// M D MT for the [n][n] tile `d` (row-major vectors) and the constant
/// [rows][n] matrix M: the columns first, then the rows.
SmallVector<Value> transform2D(OpBuilder &b, Location loc, const double *coef, int64_t rows,
                               int64_t n, ArrayRef<Value> d) {
  SmallVector<Value> t(rows * n);
  for (int64_t j = 0; j < n; ++j) {
    SmallVector<Value> col;
    for (int64_t i = 0; i < n; ++i)
      col.push_back(d[i * n + j]);
    for (auto [x, v] : llvm::enumerate(applyMatrix(b, loc, coef, rows, col)))
      t[x * n + j] = v;
  }
  SmallVector<Value> out;
  for (int64_t x = 0; x < rows; ++x)
    llvm::append_range(out, applyMatrix(b, loc, coef, rows, ArrayRef<Value>(t).slice(x * n, n)));
  return out;
}

/// Winograd F(m x m, 3 x 3) with a transformed, packed [F/B, A, A, C, B]
/// filter (kiln-pack-filters), A = m + 2, in three stages:
///  1. input transform: an scf.forall over the T tiles, each A x A input
///     tile (vectors of channels) to BT d B, written to V [A*A, T, C]
///     (T rounded up to the register tile's rows with zero tiles);
///  2. one GEMM [T, C] x [C, B] per transform element and channel block,
///     M [A*A, T, F] (an scf.forall over both; the matmul has the kernel's
///     register tile);
///  3. output transform AT m A of every tile plus bias, residual and ReLU in
///     registers, stored straight into the result: an scf.forall over the T
///     tiles (balanced across threads). Where m does not divide the output,
///     into a result rounded up to whole tiles and then copied out of it.
Value lowerWinograd(OpBuilder &b, Location loc, const ConvParams &p) {
  MLIRContext *ctx = b.getContext();
  KernelAttr k = p.kernel;
  WinogradMatrices wm = winogradMatrices(winogradOutputTile(k.getKind()));
  const int64_t m = wm.m, a = wm.a, aa = a * a;
  RankedTensorType w = tensorType(p.filter), type = p.resultType, in = tensorType(p.input);
  int64_t blocks = w.getDimSize(0), c = w.getDimSize(3), block = w.getDimSize(4);
  int64_t n = type.getDimSize(0), oh = type.getDimSize(1), ow = type.getDimSize(2),
          f = type.getDimSize(3);
  int64_t th = llvm::divideCeil(oh, m), tw = llvm::divideCeil(ow, m), tiles = n * th * tw;
  ArrayRef<int64_t> rt = k.getRegisterTile();
  int64_t rows = rt.size() == 3 && rt[0] > 0 ? rt[0] : 1;
  int64_t tilesPad = llvm::alignTo(tiles, rows);
  int64_t lanes = k.getLanes();
  Type f32 = type.getElementType();
  auto vt = VectorType::get({lanes}, f32);
  auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  auto mul = [&](Value x, int64_t v) -> Value { return arith::MulIOp::create(b, loc, x, cst(v)); };
  auto add = [&](Value x, int64_t v) -> Value {
    return v ? arith::AddIOp::create(b, loc, x, cst(v)).getResult() : x;
  };
  auto divMod = [&](Value x, int64_t v) -> std::pair<Value, Value> {
    return {arith::DivUIOp::create(b, loc, x, cst(v)), arith::RemUIOp::create(b, loc, x, cst(v))};
  };
  Value zero = floatConst(b, loc, f32, 0.0);
  auto read = [&](Value src, ValueRange indices) -> Value {
    return vector::TransferReadOp::create(b, loc, vt, src, indices, zero,
                                          ArrayRef<bool>{true});
  };
  auto write = [&](Value v, Value dest, ValueRange indices) -> Value {
    return vector::TransferWriteOp::create(b, loc, v, dest, indices, ArrayRef<bool>{true})
        .getResult();
  };
  auto slice = [&](Value src, RankedTensorType t, ArrayRef<OpFoldResult> offsets,
                   ArrayRef<int64_t> sizes) -> Value {
    SmallVector<OpFoldResult> sz, ones(sizes.size(), idx(1));
    for (int64_t s : sizes)
      sz.push_back(idx(s));
    return tensor::ExtractSliceOp::create(b, loc, t, src, offsets, sz, ones);
  };
  // 1. Input transform.
  auto vType = RankedTensorType::get({aa, tilesPad, c}, f32);
  Value vInit = emptyLike(b, loc, vType);
  // Tile i: image i / (TH * TW), tile row (i / TW) % TH, tile column i % TW.
  auto tileOrigin = [&](Value i) -> std::array<Value, 3> {
    auto [ni, rem] = divMod(i, th * tw);
    auto [ti, j] = divMod(rem, tw);
    return {ni, mul(ti, m), mul(j, m)};
  };
  // The input is read where it is, not padded: each tile reads its A x A
  // window (origin shifted by the pads) at clamped coordinates and selects
  // zero outside the image, so no padded copy of the input is made. (A
  // separate path for the tiles inside the image measured no faster on
  // ResNet50 and cost 1-2 s of compile time.)
  int64_t ih = in.getDimSize(1), iw = in.getDimSize(2), pt = p.pads[0], pl = p.pads[1];
  Value zeroVec =
      arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vt, ArrayRef<float>(0.0f)));
  auto cmp = [&](arith::CmpIPredicate pred, Value x, int64_t v) -> Value {
    return arith::CmpIOp::create(b, loc, pred, x, cst(v));
  };
  auto both = [&](Value x, Value y) -> Value { return arith::AndIOp::create(b, loc, x, y); };
  // The tiles that round the count up to whole register tiles (tilesPad)
  // are zeros from the same loop: their image index is clamped and every
  // read selects zero. (A zero tensor inserted into V instead became one
  // fully unrolled copy of A*A x pad x C floats: 36x3x128 on AVX2, 20 s of
  // LLVM instruction scheduling for ResNet18.)
  Value vTensor = parallelOver(b, loc, tilesPad, vInit, [&](Value i, Value out) -> SliceOut {
    std::array<Value, 3> origin = tileOrigin(i);
    Value ni = origin[0], y0 = add(origin[1], -pt), x0 = add(origin[2], -pl);
    Value real;
    if (tilesPad > tiles) {
      real = cmp(arith::CmpIPredicate::slt, i, tiles);
      ni = clampIndex(b, loc, ni, n);
    }
    SmallVector<OpFoldResult> offsets = {idx(0), i, idx(0)};
    Value tile = slice(out, RankedTensorType::get({aa, 1, c}, f32), offsets, {aa, 1, c});
    using P = arith::CmpIPredicate;
    SmallVector<Value> ys, xs, yOk, xOk;
    for (int64_t r = 0; r < a; ++r) {
      Value y = add(y0, r);
      ys.push_back(clampIndex(b, loc, y, ih));
      Value ok = both(cmp(P::sge, y, 0), cmp(P::slt, y, ih));
      yOk.push_back(real ? both(ok, real) : ok);
    }
    for (int64_t q = 0; q < a; ++q) {
      Value x = add(x0, q);
      xs.push_back(clampIndex(b, loc, x, iw));
      xOk.push_back(both(cmp(P::sge, x, 0), cmp(P::slt, x, iw)));
    }
    tile = loopOver(b, loc, 0, c, lanes, tile, [&](OpBuilder &, Value cc, Value acc) {
      SmallVector<Value> d;
      for (int64_t r = 0; r < a; ++r)
        for (int64_t q = 0; q < a; ++q) {
          Value v = read(p.input, {ni, ys[r], xs[q], cc});
          d.push_back(arith::SelectOp::create(b, loc, both(yOk[r], xOk[q]), v, zeroVec));
        }
      for (auto [e, v] : llvm::enumerate(transform2D(b, loc, wm.bt, a, a, d)))
        acc = write(v, acc, {cst(e), cst(0), cc});
      return acc;
    });
    return {tile, offsets, {aa, 1, c}};
  });

  // 2. The GEMMs, one per transform element and channel block.
  auto mType = RankedTensorType::get({aa, tilesPad, f}, f32);
  Value mTensor = parallelOver(b, loc, aa * blocks, emptyLike(b, loc, mType),
                               [&](Value i, Value out) -> SliceOut {
    auto [e_, fo_] = divMod(i, blocks);
    Value e = e_, fo = fo_;
    auto [xi_, nu_] = divMod(e, a);
    Value xi = xi_, nu = nu_;
    Value fOff = mul(fo, block);
    auto tileType = RankedTensorType::get({tilesPad, block}, f32);
    Value lhs = slice(vTensor, RankedTensorType::get({tilesPad, c}, f32), {e, idx(0), idx(0)},
                      {1, tilesPad, c});
    Value rhs = slice(p.filter, RankedTensorType::get({c, block}, f32),
                      {fo, xi, nu, idx(0), idx(0)}, {1, 1, 1, c, block});
    SmallVector<OpFoldResult> offsets = {e, idx(0), fOff};
    Value acc = slice(out, tileType, offsets, {1, tilesPad, block});
    acc = linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{acc}).getResult(0);
    auto mm = linalg::MatmulOp::create(b, loc, TypeRange{tileType}, ValueRange{lhs, rhs},
                                       ValueRange{acc});
    setKernel(mm, KernelAttr::get(ctx, k.getKind(), k.getLayout(), k.getBlock(),
                                  k.getRegisterTile(), {}, {}, k.getLanes(), k.getConfig()));
    return {mm.getResult(0), offsets, {1, tilesPad, block}};
  });

  // 3. Output transform and epilogue of every tile, into the result rounded
  // up to whole tiles where m does not divide it (then copied out of it; the
  // residual is read at clamped coordinates there).
  Value reluMax = p.reluMax ? arith::ConstantOp::create(
                                  b, loc, DenseElementsAttr::get(vt, ArrayRef<float>(*p.reluMax)))
                                  .getResult()
                            : Value();
  bool padOut = oh % m || ow % m;
  auto outType = padOut ? RankedTensorType::get({n, th * m, tw * m, f}, f32) : type;
  auto clamp = [&](Value v, int64_t last) -> Value {
    return padOut ? arith::MinUIOp::create(b, loc, v, cst(last)).getResult() : v;
  };
  Value result = parallelOver(b, loc, tiles, emptyLike(b, loc, outType),
                              [&](Value i, Value out) -> SliceOut {
    std::array<Value, 3> origin = tileOrigin(i);
    Value ni = origin[0], y0 = origin[1], x0 = origin[2];
    SmallVector<OpFoldResult> offsets = {ni, y0, x0, idx(0)};
    Value tile = slice(out, RankedTensorType::get({1, m, m, f}, f32), offsets, {1, m, m, f});
    tile = loopOver(b, loc, 0, f, lanes, tile, [&](OpBuilder &, Value ff, Value acc) {
      SmallVector<Value> mv;
      for (int64_t e = 0; e < aa; ++e)
        mv.push_back(read(mTensor, {cst(e), i, ff}));
      SmallVector<Value> y = transform2D(b, loc, wm.at, m, a, mv);
      Value bias = p.bias ? read(p.bias, {ff}) : Value();
      for (int64_t r = 0; r < m; ++r)
        for (int64_t q = 0; q < m; ++q) {
          Value v = y[r * m + q];
          if (bias)
            v = arith::AddFOp::create(b, loc, v, bias);
          if (p.residual)
            v = arith::AddFOp::create(
                b, loc, v,
                read(p.residual, {ni, clamp(add(y0, r), oh - 1), clamp(add(x0, q), ow - 1), ff}));
          if (p.relu)
            v = arith::MaxNumFOp::create(b, loc, v, zeroVec);
          if (reluMax)
            v = arith::MinNumFOp::create(b, loc, v, reluMax);
          acc = write(v, acc, {cst(0), cst(r), cst(q), ff});
        }
      return acc;
    });
    return {tile, offsets, {1, m, m, f}};
  });
  if (!padOut)
    return result;
  Value valid = slice(result, type, {idx(0), idx(0), idx(0), idx(0)}, {n, oh, ow, f});
  return linalg::CopyOp::create(b, loc, valid, emptyLike(b, loc, type)).getResult(0);
}

FailureOr<Value> lowerConv(OpBuilder &b, Location loc, const ConvParams &p) {
  RankedTensorType type = p.resultType;
  Attribute strides = b.getI64TensorAttr(p.strides);
  Attribute dilations = b.getI64TensorAttr(p.dilations);
  // Packed filters ([F/B, KH, KW, C, B]) are the kernel's choice.
  bool packed = tensorType(p.filter).getRank() == 5;
  if (packed != (p.nhwc && p.kernel && p.kernel.getBlock() > 0))
    return failure(); // filter packing and kernel disagree
  if (packed && winogradOutputTile(p.kernel.getKind()))
    return lowerWinograd(b, loc, p); // reads its input unpadded
  if (packed && p.kernel.getKind() == KernelKind::conv1x1_gemm) {
    Value r = lowerPointwiseGemm(b, loc, p); // no padding: the kernel checked
    if (!r)
      return failure();
    return r;
  }
  Value padded = padSpatial(b, loc, p.input, p.nhwc, p.pads[0], p.pads[1],
                            p.pads[2], p.pads[3], 0.0);
  if (packed)
    return lowerPackedConv(b, loc, p, padded, strides, dilations);
  Value init;
  if (p.bias) {
    SmallVector<int64_t> dims = p.nhwc ? SmallVector<int64_t>{0, 1, 2}
                                       : SmallVector<int64_t>{0, 2, 3};
    init = linalg::BroadcastOp::create(b, loc, p.bias, emptyLike(b, loc, type), dims)
               .getResult()[0];
  } else {
    init = filled(b, loc, type, 0.0);
  }
  Value conv;
  if (p.group == 1) {
    if (p.nhwc) {
      auto op = linalg::Conv2DNhwcHwcfOp::create(b, loc, TypeRange{type},
                                                 ValueRange{padded, p.filter},
                                                 ValueRange{init}, strides, dilations);
      setKernel(op, p.kernel);
      conv = op.getResult(0);
    } else
      conv = linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{type},
                                              ValueRange{padded, p.filter},
                                              ValueRange{init}, strides, dilations)
                 .getResult(0);
  } else if (p.nhwc) {
    conv = groupedNhwcConv(b, loc, padded, p.filter, init, p.group, p.strides,
                           p.dilations);
  } else {
    // [N, C, H, W] -> [N, G, C/G, H, W]; [F, C/G, KH, KW] -> [G, F/G, C/G, KH, KW].
    RankedTensorType in = tensorType(padded), w = tensorType(p.filter);
    int64_t g = p.group;
    auto inG = RankedTensorType::get(
        {in.getDimSize(0), g, in.getDimSize(1) / g, in.getDimSize(2), in.getDimSize(3)},
        in.getElementType());
    auto wG = RankedTensorType::get({g, w.getDimSize(0) / g, w.getDimSize(1),
                                     w.getDimSize(2), w.getDimSize(3)},
                                    w.getElementType());
    auto outG = RankedTensorType::get({type.getDimSize(0), g, type.getDimSize(1) / g,
                                       type.getDimSize(2), type.getDimSize(3)},
                                      type.getElementType());
    SmallVector<ReassociationIndices> inRe = {{0}, {1, 2}, {3}, {4}};
    SmallVector<ReassociationIndices> wRe = {{0, 1}, {2}, {3}, {4}};
    Value x5 = tensor::ExpandShapeOp::create(b, loc, inG, padded, inRe);
    Value w5 = tensor::ExpandShapeOp::create(b, loc, wG, p.filter, wRe);
    Value init5 = tensor::ExpandShapeOp::create(b, loc, outG, init, inRe);
    Value c5 = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{outG},
                                                  ValueRange{x5, w5}, ValueRange{init5},
                                                  strides, dilations)
                   .getResult(0);
    conv = tensor::CollapseShapeOp::create(b, loc, type, c5, inRe);
  }
  return epilogue(b, loc, p, conv, p.residual, type);
}

struct LowerConv : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    ConvParams p{adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(), Value(),
                 op.getStrides(), op.getPads(), op.getDilations(), (int64_t)op.getGroup(),
                 false, false, op.getType(), getKernel(op)};
    auto v = lowerConv(rewriter, op.getLoc(), p);
    if (failed(v))
      return rewriter.notifyMatchFailure(op, "unsupported convolution");
    rewriter.replaceOp(op, *v);
    return success();
  }
};

struct LowerFusedConv : OpConversionPattern<FusedConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(FusedConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    ConvParams p{adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
                 adaptor.getResidual(), op.getStrides(), op.getPads(),
                 op.getDilations(), (int64_t)op.getGroup(), op.getRelu(), op.isNHWC(),
                 op.getType(), getKernel(op)};
    if (std::optional<llvm::APFloat> hi = op.getReluMax())
      p.reluMax = hi->convertToFloat();
    auto v = lowerConv(rewriter, op.getLoc(), p);
    if (failed(v))
      return rewriter.notifyMatchFailure(op, "a packed filter without a packing kernel");
    rewriter.replaceOp(op, *v);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise and normalization
//===----------------------------------------------------------------------===//

/// Every op of the ElementwiseOpInterface: a linalg.generic over the result
/// (operands read through broadcast maps) whose body is the op's buildScalar.
struct LowerElementwise : OpInterfaceConversionPattern<ElementwiseOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;
  LogicalResult matchAndRewrite(ElementwiseOpInterface op, ArrayRef<Value> operands,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Value r = elementwise(rewriter, op.getLoc(), type, operands,
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            return op.buildScalar(b, l, a);
                          });
    setKernel(r.getDefiningOp(), getKernel(op));
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct LowerBatchNorm : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
    AffineMap channel =
        AffineMap::get(type.getRank(), 0, getAffineDimExpr(op.channelDim(), ctx));
    SmallVector<AffineMap> maps = {id, channel, channel, channel, channel};
    double eps = op.getEpsilon().convertToFloat();
    bool withRelu = op.getRelu();
    rewriter.replaceOp(
        op, elementwise(
                rewriter, op.getLoc(), type,
                ValueRange{adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
                           adaptor.getMean(), adaptor.getVariance()},
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value e = floatConst(b, l, a[0].getType(), eps);
                  Value inv = math::RsqrtOp::create(
                      b, l, arith::AddFOp::create(b, l, a[4], e));
                  Value k = arith::MulFOp::create(b, l, a[1], inv);
                  Value c = arith::SubFOp::create(b, l, a[0], a[3]);
                  Value y = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, c, k), a[2]);
                  return withRelu ? relu(b, l, y) : y;
                },
                maps));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename PoolOp>
struct WindowGeometry {
  int64_t inH, inW, outH, outW, extraH, extraW;
  explicit WindowGeometry(PoolOp op) {
    bool nhwc = op.getLayout() == "NHWC";
    auto in = tensorType(op.getInput()).getShape();
    auto out = op.getType().getShape();
    int h = nhwc ? 1 : 2;
    inH = in[h], inW = in[h + 1], outH = out[h], outW = out[h + 1];
    auto k = op.getKernelShape(), s = op.getStrides(), p = op.getPads();
    extraH = ceilExtra(inH, k[0], s[0], p[0], p[2], outH);
    extraW = ceilExtra(inW, k[1], s[1], p[1], p[3], outW);
  }
};

/// NHWC max pool as vector code on the unpadded input: an scf.forall over
/// the N x OH output rows, each pixel's channel vectors the maximum of the
/// KH x KW input vectors at clamped coordinates. Clamping moves a padded
/// position to the nearest input position of the same window, which never
/// changes the maximum, so no padded copy of the input (filled with -inf)
/// is needed. Needs every window to overlap the input and whole vectors of
/// channels; std::nullopt otherwise.
std::optional<Value> lowerMaxPoolNhwc(OpBuilder &b, Location loc, MaxPoolOp op, Value input) {
  KernelAttr kernel = getKernel(op);
  RankedTensorType type = op.getType(), in = tensorType(input);
  auto k = op.getKernelShape(), s = op.getStrides(), p = op.getPads();
  int64_t n = type.getDimSize(0), oh = type.getDimSize(1), ow = type.getDimSize(2),
          c = type.getDimSize(3), ih = in.getDimSize(1), iw = in.getDimSize(2);
  int64_t lanes = kernel ? kernel.getLanes() : 0;
  if (!kernel || kernel.getKind() != KernelKind::pool || lanes <= 0 || c % lanes ||
      p[0] > k[0] - 1 || p[1] > k[1] - 1 || (oh - 1) * s[0] - p[0] > ih - 1 ||
      (ow - 1) * s[1] - p[1] > iw - 1)
    return std::nullopt;
  Type f32 = type.getElementType();
  auto vt = VectorType::get({lanes}, f32);
  auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  auto clampAt = [&](Value base, int64_t off, int64_t size) -> Value {
    return clampIndex(b, loc, arith::AddIOp::create(b, loc, base, cst(off)), size);
  };
  Value pad = floatConst(b, loc, f32, 0.0);
  auto rowType = RankedTensorType::get({1, 1, ow, c}, f32);
  return parallelOver(b, loc, n * oh, emptyLike(b, loc, type), [&](Value i, Value out) {
    Value ni = arith::DivUIOp::create(b, loc, i, cst(oh));
    Value y = arith::RemUIOp::create(b, loc, i, cst(oh));
    Value y0 = arith::MulIOp::create(b, loc, y, cst(s[0]));
    SmallVector<OpFoldResult> offsets = {ni, y, b.getIndexAttr(0), b.getIndexAttr(0)};
    Value row = tensor::ExtractSliceOp::create(
        b, loc, rowType, out, offsets,
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(ow),
                               b.getIndexAttr(c)},
        SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
    SmallVector<Value> ys;
    for (int64_t r = 0; r < k[0]; ++r)
      ys.push_back(clampAt(y0, r - p[0], ih));
    row = loopOver(b, loc, 0, ow, 1, row, [&](OpBuilder &, Value x, Value acc) {
      Value x0 = arith::MulIOp::create(b, loc, x, cst(s[1]));
      SmallVector<Value> xs;
      for (int64_t q = 0; q < k[1]; ++q)
        xs.push_back(clampAt(x0, q - p[1], iw));
      return loopOver(b, loc, 0, c, lanes, acc, [&](OpBuilder &, Value cc, Value acc) {
        Value m;
        for (Value yy : ys)
          for (Value xx : xs) {
            Value v = vector::TransferReadOp::create(b, loc, vt, input,
                                                     ValueRange{ni, yy, xx, cc}, pad,
                                                     ArrayRef<bool>{true});
            m = m ? arith::MaximumFOp::create(b, loc, m, v).getResult() : v;
          }
        return vector::TransferWriteOp::create(b, loc, m, acc, ValueRange{cst(0), cst(0), x, cc},
                                               ArrayRef<bool>{true})
            .getResult();
      });
    });
    return SliceOut{row, offsets, {1, 1, ow, c}};
  });
}

struct LowerMaxPool : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool nhwc = op.getLayout() == "NHWC";
    if (nhwc) {
      if (std::optional<Value> r = lowerMaxPoolNhwc(rewriter, loc, op, adaptor.getInput())) {
        rewriter.replaceOp(op, *r);
        return success();
      }
    }
    WindowGeometry<MaxPoolOp> g(op);
    auto p = op.getPads();
    double lowest = -std::numeric_limits<double>::infinity();
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), nhwc, p[0], p[1],
                              p[2] + g.extraH, p[3] + g.extraW, lowest);
    Value init = filled(rewriter, loc, op.getType(), lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernelShape(),
                                           op.getType().getElementType());
    Attribute strides = rewriter.getI64TensorAttr(op.getStrides());
    Attribute dil = rewriter.getI64TensorAttr({1, 1});
    Value r;
    if (nhwc) {
      auto pool = linalg::PoolingNhwcMaxOp::create(rewriter, loc, TypeRange{op.getType()},
                                                   ValueRange{padded, window},
                                                   ValueRange{init}, strides, dil);
      setKernel(pool, getKernel(op));
      r = pool.getResult(0);
    } else
      r = linalg::PoolingNchwMaxOp::create(rewriter, loc, TypeRange{op.getType()},
                                           ValueRange{padded, window}, ValueRange{init},
                                           strides, dil)
              .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Sum-pools `input` (already padded) with `kernel`/`strides` into `type`.
Value sumPool(OpBuilder &b, Location loc, Value padded, bool nhwc,
              ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
              RankedTensorType type, KernelAttr choice) {
  Value init = filled(b, loc, type, 0.0);
  Value window = tensor::EmptyOp::create(b, loc, kernel, type.getElementType());
  Attribute s = b.getI64TensorAttr(strides);
  Attribute d = b.getI64TensorAttr({1, 1});
  if (nhwc) {
    auto pool = linalg::PoolingNhwcSumOp::create(b, loc, TypeRange{type},
                                                 ValueRange{padded, window},
                                                 ValueRange{init}, s, d);
    setKernel(pool, choice);
    return pool.getResult(0);
  }
  return linalg::PoolingNchwSumOp::create(b, loc, TypeRange{type},
                                          ValueRange{padded, window}, ValueRange{init},
                                          s, d)
      .getResult(0);
}

struct LowerAvgPool : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool nhwc = op.getLayout() == "NHWC";
    WindowGeometry<AvgPoolOp> g(op);
    auto p = op.getPads();
    auto k = op.getKernelShape(), s = op.getStrides();
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), nhwc, p[0], p[1],
                              p[2] + g.extraH, p[3] + g.extraW, 0.0);
    Value sum = sumPool(rewriter, loc, padded, nhwc, k, s, op.getType(), getKernel(op));
    // Reciprocal of each window's element count, computed at compile time:
    // windows clip at the explicit pads (count_include_pad) or at the input.
    std::vector<float> inv(g.outH * g.outW);
    bool include = op.getCountIncludePad();
    for (int64_t oh = 0; oh < g.outH; ++oh) {
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        auto count = [&](int64_t o, int64_t kk, int64_t st, int64_t pb, int64_t pe,
                         int64_t in) {
          int64_t start = o * st - pb, end = start + kk;
          int64_t lo = include ? -pb : 0, hi = include ? in + pe : in;
          return std::max<int64_t>(0, std::min(end, hi) - std::max(start, lo));
        };
        int64_t c = count(oh, k[0], s[0], p[0], p[2], g.inH) *
                    count(ow, k[1], s[1], p[1], p[3], g.inW);
        inv[oh * g.outW + ow] = c > 0 ? 1.0f / c : 0.0f;
      }
    }
    Type f32 = op.getType().getElementType();
    SmallVector<int64_t> cShape = nhwc ? SmallVector<int64_t>{1, g.outH, g.outW, 1}
                                       : SmallVector<int64_t>{1, 1, g.outH, g.outW};
    auto cType = RankedTensorType::get(cShape, f32);
    Value counts = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(cType, ArrayRef<float>(inv)));
    rewriter.replaceOp(op, elementwise(rewriter, loc, op.getType(), {sum, counts},
                                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                         return arith::MulFOp::create(b, l, a[0], a[1]);
                                       }));
    return success();
  }
};

struct LowerGlobalAvgPool : OpConversionPattern<GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool nhwc = op.getLayout() == "NHWC";
    auto in = tensorType(adaptor.getInput()).getShape();
    int64_t h = in[nhwc ? 1 : 2], w = in[nhwc ? 2 : 3];
    Value sum = sumPool(rewriter, loc, adaptor.getInput(), nhwc, {h, w}, {1, 1},
                        op.getType(), getKernel(op));
    double scale = 1.0 / double(h * w);
    rewriter.replaceOp(op, elementwise(rewriter, loc, op.getType(), sum,
                                       [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                         return arith::MulFOp::create(
                                             b, l, a[0], floatConst(b, l, a[0].getType(), scale));
                                       }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct LowerReshape : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct LowerTranspose : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = cast<RankedTensorType>(op.getType());
    // Moving only unit dimensions keeps the memory order: a reshape.
    SmallVector<int64_t> nonUnit;
    for (int64_t p : op.getPerm())
      if (tensorType(adaptor.getInput()).getDimSize(p) != 1)
        nonUnit.push_back(p);
    if (llvm::is_sorted(nonUnit)) {
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, adaptor.getInput(), type));
      return success();
    }
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc, adaptor.getInput(),
                                                       emptyLike(rewriter, loc, type),
                                                       op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

Value matmul(OpBuilder &b, Location loc, Value a, Value bm, RankedTensorType type,
             KernelAttr kernel) {
  Value init = filled(b, loc, type, 0.0);
  auto mm = linalg::MatmulOp::create(b, loc, TypeRange{type}, ValueRange{a, bm},
                                     ValueRange{init});
  setKernel(mm, kernel);
  return mm.getResult(0);
}

Value transpose2D(OpBuilder &b, Location loc, Value v) {
  RankedTensorType t = tensorType(v);
  auto type = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)}, t.getElementType());
  return linalg::TransposeOp::create(b, loc, v, emptyLike(b, loc, type),
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// kiln.concat: a tensor.concat, which kiln-tile-and-vectorize decomposes
/// after vectorization into inserts that let each input's producer write
/// straight into its slice. An input that cannot be (a graph argument, a
/// constant, a value another op reads too, like DenseNet's features that
/// every later concat of a block joins again) is copied into its slice by
/// a memref.copy after bufferization: the runtime's strided copy, one
/// memcpy per contiguous run (a pixel's channels in NHWC), with no code
/// generated per copy (DenseNet121 has 535 of them).
struct LowerConcat : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, op.getType(),
                                                  (uint64_t)op.normalizedAxis(),
                                                  adaptor.getInputs());
    return success();
  }
};

/// kiln.pad (one that kiln-fold-constants could not fold into a conv or
/// pool): a tensor.pad, which kiln-tile-and-vectorize decomposes into a
/// fill and an insert that the input's producer writes straight into.
struct LowerPad : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int64_t> pads = op.getPads();
    int64_t rank = op.getType().getRank();
    MLIRContext *ctx = op.getContext();
    Value value = floatConst(rewriter, op.getLoc(), op.getType().getElementType(),
                             op.getValue().convertToFloat());
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        op, op.getType(), adaptor.getInput(), getAsIndexOpFoldResult(ctx, pads.take_front(rank)),
        getAsIndexOpFoldResult(ctx, pads.drop_front(rank)), value, /*nofold=*/false);
    return success();
  }
};

struct LowerGemm : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = adaptor.getA(), b = adaptor.getB();
    if (op.getTransA())
      a = transpose2D(rewriter, loc, a);
    if (op.getTransB())
      b = transpose2D(rewriter, loc, b);
    Value acc = matmul(rewriter, loc, a, b, op.getType(), getKernel(op));
    double alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
    if (alpha == 1.0 && (!adaptor.getC() || beta == 0.0)) {
      rewriter.replaceOp(op, acc);
      return success();
    }
    SmallVector<Value> ins = {acc};
    if (adaptor.getC() && beta != 0.0)
      ins.push_back(adaptor.getC());
    rewriter.replaceOp(op, elementwise(rewriter, loc, op.getType(), ins,
                                       [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
                                         Type t = v[0].getType();
                                         Value r = v[0];
                                         if (alpha != 1.0)
                                           r = arith::MulFOp::create(nb, l, r, floatConst(nb, l, t, alpha));
                                         if (v.size() > 1) {
                                           Value c = v[1];
                                           if (beta != 1.0)
                                             c = arith::MulFOp::create(nb, l, c, floatConst(nb, l, t, beta));
                                           r = arith::AddFOp::create(nb, l, r, c);
                                         }
                                         return r;
                                       }));
    return success();
  }
};

struct LowerMatMul : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, matmul(rewriter, op.getLoc(), adaptor.getLhs(),
                                  adaptor.getRhs(), op.getType(), getKernel(op)));
    return success();
  }
};

struct LowerSoftmax : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += type.getRank();
    auto softmax = linalg::SoftmaxOp::create(rewriter, loc, TypeRange{type},
                                             adaptor.getInput(),
                                             emptyLike(rewriter, loc, type), axis);
    FailureOr<SmallVector<Value>> decomposed =
        cast<linalg::AggregatedOpInterface>(softmax.getOperation())
            .decomposeOperation(rewriter);
    if (failed(decomposed))
      return rewriter.notifyMatchFailure(op, "softmax decomposition failed");
    rewriter.replaceOp(op, (*decomposed)[0]);
    rewriter.eraseOp(softmax);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertKilnToLinalgPass
    : kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           tensor::TensorDialect, math::MathDialect, scf::SCFDialect,
                           vector::VectorDialect>();
    target.addLegalOp<func::FuncOp, func::ReturnOp>();
    RewritePatternSet patterns(ctx);
    populateKilnToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns)))) {
      signalPassFailure();
      return;
    }
    // Each layer's destination stays its own value: CSE would otherwise
    // merge every tensor.empty of one type into one, which ties all those
    // layers into one alias set (quadratic bufferization analysis and
    // empty-tensor elimination) and gives their loops equal operands (CSE
    // then compares every pair of them in depth).
    Builder b(&getContext());
    int64_t id = 0;
    getOperation().walk([&](tensor::EmptyOp empty) {
      empty->setAttr(kEmptyIdAttr, b.getI64IntegerAttr(id++));
    });
  }
};
} // namespace

void kiln::populateKilnToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConv, LowerFusedConv, LowerElementwise, LowerBatchNorm,
               LowerMaxPool, LowerAvgPool, LowerGlobalAvgPool,
               LowerReshape<ReshapeOp>, LowerReshape<FlattenOp>, LowerTranspose, LowerConcat, LowerPad,
               LowerGemm, LowerMatMul, LowerSoftmax>(patterns.getContext());
}
