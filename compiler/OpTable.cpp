//===- OpTable.cpp - the ONNX operators kiln imports ----------------------===//
//
// The import function of every supported ONNX operator form, and the table
// (at the end of the file) that names them. An import function checks
// what kiln does not support in ONNX terms, takes the result type from the
// dialect's shape functions (dialects/Kiln/ShapeInference.h, which the
// ops' verifiers use too) and builds the kiln op.
//
// An elementwise op (an op of the kiln dialect's ElementwiseOpInterface)
// needs no function of its own: its entry is importElementwise<TheOp>.
//
//===----------------------------------------------------------------------===//
#include "compiler/OpTable.h"

#include "compiler/Importer.h"
#include "dialects/Kiln/KilnDialect.h"
#include "dialects/Kiln/ShapeInference.h"

#include <onnx/onnx_pb.h>

#include <cstring>

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using llvm::StringRef;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node().attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeImporter::attrInt(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

float NodeImporter::attrFloat(StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeImporter::attrString(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> NodeImporter::attrInts(StringRef name,
                                            ArrayRef<int64_t> dflt) const {
  const auto *a = attr(name);
  if (!a)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

static UnitAttr unit(NodeImporter &n, bool set) {
  return set ? n.builder().getUnitAttr() : UnitAttr();
}

static LogicalResult requireRank(NodeImporter &n, Value v, int64_t rank,
                                 StringRef what) {
  if (typeOf(v).getRank() != rank)
    return n.error() << what << " must have rank " << rank << ", got " << typeOf(v);
  return success();
}

/// Explicit [top, left, bottom, right] pads from `pads` or `auto_pad`.
static FailureOr<SmallVector<int64_t>>
resolvePads(NodeImporter &n, ArrayRef<int64_t> inShape, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  // Bound every window attribute so no shape arithmetic can overflow.
  constexpr int64_t kMaxWindow = int64_t(1) << 24;
  for (auto [name, values] : {std::pair<StringRef, ArrayRef<int64_t>>{"kernel_shape", kernel},
                              {"strides", strides}, {"dilations", dilations}})
    for (int64_t v : values)
      if (v < 1 || v > kMaxWindow)
        return n.error() << name << " entry " << v << " is out of range [1, "
                         << kMaxWindow << "]";
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> pads = n.attrInts("pads", {0, 0, 0, 0});
  if (autoPad == "NOTSET") {
    if (pads.size() != 4)
      return n.error() << "expects 4 pads, got " << pads.size();
    for (int64_t p : pads)
      if (p < 0 || p > kMaxWindow)
        return n.error() << "pad " << p << " is out of range [0, " << kMaxWindow << "]";
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return n.error() << "unknown auto_pad '" << autoPad << "'";
  pads.assign(4, 0);
  for (int i = 0; i < 2; ++i) {
    int64_t in = inShape[2 + i];
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// Output 0 is input 0 (Identity, inference-mode Dropout). Aliasing a
/// constant keeps it a constant (shape inputs of Reshape).
static LogicalResult forwardInput(NodeImporter &n) {
  const onnx::NodeProto &node = n.node();
  if (node.input_size() < 1 || node.input(0).empty())
    return n.error() << "missing required input 0";
  if (const onnx::TensorProto *t = n.constantTensor(node.input(0))) {
    if (!n.hasValue(node.input(0))) {
      n.defineConstant(node.output(0), *t);
      return success();
    }
  }
  Value x = n.input(0);
  if (!x)
    return failure();
  return n.setOutputs(x);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Any op of the ElementwiseOpInterface: one input per operand, the result
/// the broadcast of the operands (ONNX multidirectional broadcasting).
template <typename OpTy>
static LogicalResult importElementwise(NodeImporter &n) {
  static_assert(OpTy::template hasTrait<ElementwiseOpInterface::Trait>(),
                "importElementwise imports elementwise ops");
  constexpr unsigned arity = OpTy::template hasTrait<OpTrait::OneOperand>() ? 1 : 2;
  SmallVector<Value, 2> operands;
  for (unsigned i = 0; i < arity; ++i)
    operands.push_back(n.input(i));
  if (llvm::is_contained(operands, Value()))
    return failure();
  FailureOr<RankedTensorType> type =
      inferBroadcastType([&] { return n.error(); }, ValueRange(operands).getTypes());
  if (failed(type))
    return failure();
  return n.setOutputs(
      OpTy::create(n.builder(), n.loc(), TypeRange{*type}, operands)->getResult(0));
}

/// Clip(x, lo, hi) = min(max(x, lo), hi); an absent bound is no bound (so
/// min > max gives max everywhere, as ONNX specifies). The bounds are
/// rank-0 tensors broadcast over x.
static LogicalResult buildClip(NodeImporter &n, Value x, Value lo, Value hi) {
  Value y = x;
  for (auto [bound, isLower] : {std::pair{lo, true}, std::pair{hi, false}}) {
    if (!bound)
      continue;
    FailureOr<RankedTensorType> type = inferBroadcastType(
        [&] { return n.error(); }, TypeRange{y.getType(), bound.getType()});
    if (failed(type))
      return failure();
    if (type->getShape() != cast<RankedTensorType>(x.getType()).getShape())
      return n.error() << (isLower ? "min" : "max") << " must broadcast to the input's shape "
                       << shapeStr(cast<RankedTensorType>(x.getType()).getShape());
    y = isLower ? MaxOp::create(n.builder(), n.loc(), TypeRange{*type}, ValueRange{y, bound})
                      .getResult()
                : MinOp::create(n.builder(), n.loc(), TypeRange{*type}, ValueRange{y, bound})
                      .getResult();
  }
  return n.setOutputs(y);
}

/// A rank-0 constant of `x`'s element type.
static Value scalarLike(NodeImporter &n, Value x, float v) {
  auto elem = typeOf(x).getElementType();
  auto type = RankedTensorType::get({}, elem);
  return arith::ConstantOp::create(n.builder(), n.loc(),
                                   DenseElementsAttr::get(type, n.builder().getFloatAttr(elem, v)));
}

/// Clip 6..10: bounds as attributes (default -inf, +inf).
static LogicalResult importClipAttrs(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  Value lo = n.attr("min") ? scalarLike(n, x, n.attrFloat("min", 0)) : Value();
  Value hi = n.attr("max") ? scalarLike(n, x, n.attrFloat("max", 0)) : Value();
  return buildClip(n, x, lo, hi);
}

/// HardSigmoid (MobileNet V3's gates and hard-swish): clip(alpha * x +
/// beta, 0, 1), from the elementwise ops (alpha 0.2 and beta 0.5 unless
/// given).
static LogicalResult importHardSigmoid(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  RankedTensorType type = typeOf(x);
  Value y = MulOp::create(n.builder(), n.loc(), TypeRange{type},
                          ValueRange{x, scalarLike(n, x, n.attrFloat("alpha", 0.2f))})
                .getResult();
  y = AddOp::create(n.builder(), n.loc(), TypeRange{type},
                    ValueRange{y, scalarLike(n, x, n.attrFloat("beta", 0.5f))})
          .getResult();
  return buildClip(n, y, scalarLike(n, x, 0.0f), scalarLike(n, x, 1.0f));
}

/// Clip 11+: bounds as optional inputs 1 and 2.
static LogicalResult importClipInputs(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  Value lo = n.node().input_size() > 1 ? n.input(1, /*optional=*/true) : Value();
  Value hi = n.node().input_size() > 2 ? n.input(2, /*optional=*/true) : Value();
  return buildClip(n, x, lo, hi);
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

static LogicalResult importConv(NodeImporter &n) {
  Value x = n.input(0), w = n.input(1);
  if (!x || !w)
    return failure();
  Value b = n.input(2, /*optional=*/true);
  if (n.node().input_size() > 2 && !n.node().input(2).empty() && !b)
    return failure();
  if (typeOf(x).getRank() != 4)
    return n.error() << "kiln supports 2-D convolutions (4-D input N x C x H x W);"
                     << " got input " << typeOf(x);
  if (failed(requireRank(n, w, 4, "filter")))
    return failure();
  auto wShape = typeOf(w).getShape();
  SmallVector<int64_t> kernel = n.attrInts("kernel_shape", {wShape[2], wShape[3]});
  if (kernel != SmallVector<int64_t>{wShape[2], wShape[3]})
    return n.error() << "kernel_shape does not match the filter's spatial dims";
  SmallVector<int64_t> strides = n.attrInts("strides", {1, 1});
  SmallVector<int64_t> dilations = n.attrInts("dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return n.error() << "expects 2 strides and 2 dilations";
  int64_t group = n.attrInt("group", 1);
  auto pads = resolvePads(n, typeOf(x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  FailureOr<RankedTensorType> type = inferConvType(
      [&] { return n.error(); }, typeOf(x), typeOf(w),
      b ? typeOf(b) : RankedTensorType(), strides, *pads, dilations, group,
      /*nhwc=*/false);
  if (failed(type))
    return failure();
  return n.setOutputs(ConvOp::create(n.builder(), n.loc(), *type, x, w, b, strides,
                                     *pads, dilations, group)
                          .getResult());
}

static LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.attrInt("training_mode", 0) != 0)
    return n.error() << "training_mode=1 is not supported (inference only)";
  if (failed(n.onlyFirstOutputUsed()))
    return failure();
  SmallVector<Value> in;
  for (unsigned i = 0; i < 5; ++i) {
    in.push_back(n.input(i));
    if (!in.back())
      return failure();
  }
  OpBuilder &b = n.builder();
  return n.setOutputs(
      BatchNormOp::create(b, n.loc(), typeOf(in[0]), in[0], in[1], in[2], in[3], in[4],
                          b.getF32FloatAttr(n.attrFloat("epsilon", 1e-5f)),
                          b.getStringAttr("NCHW"), /*relu=*/UnitAttr())
          .getResult());
}

/// BatchNormalization before opset 9 also has `spatial`.
static LogicalResult importBatchNormSpatial(NodeImporter &n) {
  if (n.attrInt("spatial", 1) != 1)
    return n.error() << "spatial=0 is not supported";
  return importBatchNorm(n);
}

/// MaxPool (`isMax`) and AveragePool.
static LogicalResult importPool(NodeImporter &n, bool isMax) {
  if (failed(n.onlyFirstOutputUsed()))
    return failure();
  Value x = n.input(0);
  if (!x)
    return failure();
  if (typeOf(x).getRank() != 4)
    return n.error() << "kiln supports 2-D pooling (4-D input); got " << typeOf(x);
  SmallVector<int64_t> kernel = n.attrInts("kernel_shape", {});
  if (kernel.size() != 2)
    return n.error() << "kernel_shape must have 2 entries";
  SmallVector<int64_t> strides = n.attrInts("strides", {1, 1});
  SmallVector<int64_t> dilations = n.attrInts("dilations", {1, 1});
  if (dilations != SmallVector<int64_t>{1, 1})
    return n.error() << "dilated pooling is not supported";
  if (n.attrInt("storage_order", 0) != 0)
    return n.error() << "storage_order=1 is not supported";
  if (strides.size() != 2)
    return n.error() << "expects 2 strides";
  auto pads = resolvePads(n, typeOf(x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool ceil = n.attrInt("ceil_mode", 0) != 0;
  FailureOr<RankedTensorType> type = inferPoolType(
      [&] { return n.error(); }, typeOf(x), kernel, strides, *pads, ceil, /*nhwc=*/false);
  if (failed(type))
    return failure();
  Operation *op;
  if (isMax)
    op = MaxPoolOp::create(n.builder(), n.loc(), *type, x, kernel, strides, *pads, ceil,
                           "NCHW");
  else
    op = AvgPoolOp::create(n.builder(), n.loc(), *type, x, kernel, strides, *pads, ceil,
                           "NCHW", n.attrInt("count_include_pad", 0) != 0);
  return n.setOutputs(op->getResult(0));
}

static LogicalResult importMaxPool(NodeImporter &n) { return importPool(n, true); }
static LogicalResult importAveragePool(NodeImporter &n) { return importPool(n, false); }

static LogicalResult importGlobalAveragePool(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  if (typeOf(x).getRank() != 4)
    return n.error() << "kiln supports 4-D input; got " << typeOf(x);
  FailureOr<RankedTensorType> type =
      inferGlobalPoolType([&] { return n.error(); }, typeOf(x), /*nhwc=*/false);
  if (failed(type))
    return failure();
  return n.setOutputs(
      GlobalAvgPoolOp::create(n.builder(), n.loc(), *type, x, "NCHW").getResult());
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

/// Gemm; C is an optional input from opset 11.
static LogicalResult importGemm(NodeImporter &n, bool optionalC) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  Value c = n.input(2, optionalC);
  if (n.node().input_size() > 2 && !n.node().input(2).empty() && !c)
    return failure();
  if (failed(requireRank(n, a, 2, "A")) || failed(requireRank(n, b, 2, "B")))
    return failure();
  bool ta = n.attrInt("transA", 0), tb = n.attrInt("transB", 0);
  FailureOr<RankedTensorType> type =
      inferGemmType([&] { return n.error(); }, typeOf(a), typeOf(b),
                    c ? typeOf(c) : RankedTensorType(), ta, tb);
  if (failed(type))
    return failure();
  OpBuilder &builder = n.builder();
  return n.setOutputs(
      GemmOp::create(builder, n.loc(), *type, a, b, c,
                     builder.getF32FloatAttr(n.attrFloat("alpha", 1.0f)),
                     builder.getF32FloatAttr(n.attrFloat("beta", 1.0f)), unit(n, ta),
                     unit(n, tb))
          .getResult());
}

static LogicalResult importGemmRequiredC(NodeImporter &n) { return importGemm(n, false); }
static LogicalResult importGemmOptionalC(NodeImporter &n) { return importGemm(n, true); }

static LogicalResult importMatMul(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  if (typeOf(a).getRank() != 2 || typeOf(b).getRank() != 2)
    return n.error() << "kiln supports MatMul of 2-D matrices; got " << typeOf(a)
                     << " and " << typeOf(b);
  FailureOr<RankedTensorType> type =
      inferMatMulType([&] { return n.error(); }, typeOf(a), typeOf(b));
  if (failed(type))
    return failure();
  return n.setOutputs(MatMulOp::create(n.builder(), n.loc(), *type, a, b).getResult());
}

/// Softmax; before opset 13 (`coerceTo2D`) it normalizes over the input
/// flattened to 2-D at `axis` (default 1), from 13 along `axis` (default -1).
static LogicalResult importSoftmax(NodeImporter &n, bool coerceTo2D) {
  Value x = n.input(0);
  if (!x)
    return failure();
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  int64_t axis = n.attrInt("axis", coerceTo2D ? 1 : -1);
  if (axis < -rank || axis >= rank)
    return n.error() << "axis " << axis << " is out of range for " << type;
  if (axis < 0)
    axis += rank;
  OpBuilder &b = n.builder();
  if (!coerceTo2D || axis == rank - 1)
    return n.setOutputs(SoftmaxOp::create(b, n.loc(), type, x, axis).getResult());
  auto [outer, inner] = flattenedShape(type.getShape(), axis);
  auto flatType = RankedTensorType::get({outer, inner}, type.getElementType());
  Value flat = ReshapeOp::create(b, n.loc(), flatType, x);
  Value sm = SoftmaxOp::create(b, n.loc(), flatType, flat, 1);
  return n.setOutputs(ReshapeOp::create(b, n.loc(), type, sm).getResult());
}

static LogicalResult importSoftmaxCoerced(NodeImporter &n) { return importSoftmax(n, true); }
static LogicalResult importSoftmaxAxis(NodeImporter &n) { return importSoftmax(n, false); }

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

/// Reshape with the shape as a constant input (opset 5 on; `allowzero`
/// from opset 14 is read when present).
/// The values of input `i`, which must be a constant 1-D INT64 tensor (a
/// Reshape's shape, a Pad's pads); `what` names it in diagnostics.
static FailureOr<SmallVector<int64_t>> constantInt64Input(NodeImporter &n, int i,
                                                          StringRef what) {
  const onnx::NodeProto &node = n.node();
  if (node.input_size() <= i || node.input(i).empty())
    return n.error() << "missing the " << what << " input";
  const onnx::TensorProto *t = n.constantTensor(node.input(i));
  if (!t)
    return n.error() << "the " << what << " input '" << node.input(i)
                     << "' must be a constant (initializer or Constant node)";
  auto data = n.readConstant(*t);
  if (!data)
    return n.error() << what << " tensor: " << llvm::toString(data.takeError());
  if (!data->type.getElementType().isInteger(64) || data->type.getRank() != 1)
    return n.error() << "the " << what << " input must be a 1-D INT64 tensor";
  std::vector<int64_t> values = data->asInt64();
  return SmallVector<int64_t>(values.begin(), values.end());
}

static LogicalResult importReshape(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  FailureOr<SmallVector<int64_t>> shapeInput = constantInt64Input(n, 1, "shape");
  if (failed(shapeInput))
    return failure();
  SmallVector<int64_t> shape = *shapeInput;
  bool allowZero = n.attrInt("allowzero", 0) != 0;
  RankedTensorType in = typeOf(x);
  int64_t known = 1, inferAt = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= in.getRank())
        return n.error() << "shape entry " << i << " is 0 but the input has rank "
                         << in.getRank();
      d = in.getDimSize(i);
    }
    if (d == -1) {
      if (inferAt >= 0)
        return n.error() << "shape has more than one -1";
      inferAt = i;
      continue;
    }
    if (d <= 0)
      return n.error() << "shape entry " << i << " is " << d
                       << "; dimensions must be positive";
    if (llvm::MulOverflow(known, d, known))
      return n.error() << "cannot reshape " << in << " (" << in.getNumElements()
                       << " elements): the shape's element count overflows at entry "
                       << i << " = " << d;
  }
  if (inferAt >= 0) {
    if (in.getNumElements() % known != 0)
      return n.error() << "cannot infer the -1 dimension: " << in.getNumElements()
                       << " elements are not divisible by " << known;
    shape[inferAt] = in.getNumElements() / known;
    known *= shape[inferAt];
  }
  if (known != in.getNumElements())
    return n.error() << "cannot reshape " << in << " (" << in.getNumElements()
                     << " elements) to " << known << " elements";
  auto type = RankedTensorType::get(shape, in.getElementType());
  return n.setOutputs(ReshapeOp::create(n.builder(), n.loc(), type, x).getResult());
}

static LogicalResult importFlatten(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t axis = n.attrInt("axis", 1);
  FailureOr<RankedTensorType> type =
      inferFlattenType([&] { return n.error(); }, typeOf(x), axis);
  if (failed(type))
    return failure();
  if (axis < 0)
    axis += typeOf(x).getRank();
  return n.setOutputs(FlattenOp::create(n.builder(), n.loc(), *type, x, axis).getResult());
}

static LogicalResult importTranspose(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  // The default reverses the dimensions.
  SmallVector<int64_t> perm;
  for (int64_t i = typeOf(x).getRank() - 1; i >= 0; --i)
    perm.push_back(i);
  perm = n.attrInts("perm", perm);
  FailureOr<RankedTensorType> type =
      inferTransposeType([&] { return n.error(); }, typeOf(x), perm);
  if (failed(type))
    return failure();
  return n.setOutputs(TransposeOp::create(n.builder(), n.loc(), *type, x, perm).getResult());
}

/// Pad, mode constant. Opsets 2-10 give the pads and the value as
/// attributes, 11 on as constant inputs (the value a float scalar; the
/// `axes` input of 18 on must be absent). All-zero pads (PyTorch writes
/// them before DenseNet's AveragePools) are the input itself; others
/// become a kiln.pad, which kiln-fold-constants folds into the padding of
/// the conv or pool that reads it.
static LogicalResult importPad(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  std::string mode = n.attrString("mode", "constant");
  if (mode != "constant")
    return n.error() << "mode '" << mode << "' is not supported (constant only)";
  const onnx::NodeProto &node = n.node();
  SmallVector<int64_t> pads;
  float value = 0.0f;
  if (n.opset() < 11) {
    pads = n.attrInts("pads", {});
    value = n.attrFloat("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> input = constantInt64Input(n, 1, "pads");
    if (failed(input))
      return failure();
    pads = *input;
    if (node.input_size() > 3 && !node.input(3).empty())
      return n.error() << "the axes input is not supported (pads for every dimension only)";
    if (node.input_size() > 2 && !node.input(2).empty()) {
      const onnx::TensorProto *t = n.constantTensor(node.input(2));
      if (!t)
        return n.error() << "the constant_value input '" << node.input(2)
                         << "' must be a constant (initializer or Constant node)";
      auto data = n.readConstant(*t);
      if (!data)
        return n.error() << "constant_value tensor: " << llvm::toString(data.takeError());
      if (!data->type.getElementType().isF32() || data->type.getNumElements() != 1)
        return n.error() << "constant_value must be one FLOAT, got " << data->type;
      std::memcpy(&value, data->bytes.data(), sizeof(float));
    }
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return n.error() << "pads " << shapeStr(pads)
                     << " are not supported: negative pads (cropping)";
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
      (int64_t)pads.size() == 2 * typeOf(x).getRank())
    return forwardInput(n);
  FailureOr<RankedTensorType> type = inferPadType([&] { return n.error(); }, typeOf(x), pads);
  if (failed(type))
    return failure();
  OpBuilder &b = n.builder();
  return n.setOutputs(
      PadOp::create(b, n.loc(), *type, x, pads, llvm::APFloat(value)).getResult());
}

/// Concat (axis required from opset 4; older models are upgraded first).
static LogicalResult importConcat(NodeImporter &n) {
  SmallVector<Value> inputs;
  for (int i = 0, e = n.node().input_size(); i < e; ++i) {
    Value v = n.input(i);
    if (!v)
      return failure();
    if (!isa<FloatType>(typeOf(v).getElementType()))
      return n.error() << "input " << i << " ('" << n.node().input(i) << "') is "
                       << typeOf(v) << ": kiln concatenates float tensors";
    inputs.push_back(v);
  }
  if (!n.attr("axis"))
    return n.error() << "needs the axis attribute";
  int64_t axis = n.attrInt("axis", 0);
  FailureOr<RankedTensorType> type = inferConcatType(
      [&] { return n.error(); }, ValueRange(inputs).getTypes(), axis);
  if (failed(type))
    return failure();
  // One input: the input itself.
  if (inputs.size() == 1)
    return n.setOutputs(inputs);
  return n.setOutputs(ConcatOp::create(n.builder(), n.loc(), *type, inputs, axis).getResult());
}

//===----------------------------------------------------------------------===//
// Constants and aliases
//===----------------------------------------------------------------------===//

static LogicalResult importConstant(NodeImporter &n) {
  const onnx::NodeProto &node = n.node();
  if (node.output_size() != 1)
    return n.error() << "expects one output";
  const onnx::AttributeProto *a = nullptr;
  for (const auto &at : node.attribute())
    a = &at;
  if (!a || node.attribute_size() != 1)
    return n.error() << "expects exactly one value attribute";
  onnx::TensorProto &t = n.newTensor();
  if (a->name() == "value") {
    t = a->t();
  } else if (a->name() == "value_float") {
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_float_data(a->f());
  } else if (a->name() == "value_floats") {
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_dims(a->floats_size());
    for (float f : a->floats())
      t.add_float_data(f);
  } else if (a->name() == "value_int") {
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_int64_data(a->i());
  } else if (a->name() == "value_ints") {
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_dims(a->ints_size());
    for (int64_t i : a->ints())
      t.add_int64_data(i);
  } else {
    return n.error() << "attribute '" << a->name() << "' is not supported";
  }
  n.defineConstant(node.output(0), t);
  return success();
}

/// Dropout before opset 12: `ratio` is an attribute; inference forwards
/// the input.
static LogicalResult importDropout(NodeImporter &n) {
  if (failed(n.onlyFirstOutputUsed()))
    return failure();
  return forwardInput(n);
}

/// Dropout from opset 12: `ratio` and `training_mode` are inputs; the
/// latter must be a constant false.
static LogicalResult importDropoutTrainingModeInput(NodeImporter &n) {
  const onnx::NodeProto &node = n.node();
  if (failed(n.onlyFirstOutputUsed()))
    return failure();
  if (node.input_size() > 2 && !node.input(2).empty()) {
    const onnx::TensorProto *t = n.constantTensor(node.input(2));
    auto data = t ? n.readConstant(*t)
                  : llvm::Expected<TensorData>(llvm::createStringError(
                        llvm::inconvertibleErrorCode(), "not constant"));
    if (!data || data->bytes.empty() || data->bytes[0] != 0) {
      if (!data)
        llvm::consumeError(data.takeError());
      return n.error() << "training_mode must be a constant false";
    }
  }
  return forwardInput(n);
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

/// Opset ranges start where the form kiln implements was introduced
/// (kMinOpset bounds them anyway).
static const OnnxOpEntry kOnnxOps[] = {
    // Elementwise: one line per op of the ElementwiseOpInterface.
    {"Relu", 6, kMaxOpset, importElementwise<ReluOp>},
    {"Sigmoid", 6, kMaxOpset, importElementwise<SigmoidOp>},
    {"Add", 7, kMaxOpset, importElementwise<AddOp>},
    {"Mul", 7, kMaxOpset, importElementwise<MulOp>},
    {"HardSigmoid", 6, kMaxOpset, importHardSigmoid},
    {"Clip", 6, 10, importClipAttrs},
    {"Clip", 11, kMaxOpset, importClipInputs},
    // Convolution, normalization, pooling.
    {"Conv", 1, kMaxOpset, importConv},
    {"BatchNormalization", 7, 8, importBatchNormSpatial},
    {"BatchNormalization", 9, kMaxOpset, importBatchNorm},
    {"MaxPool", 1, kMaxOpset, importMaxPool},
    {"AveragePool", 7, kMaxOpset, importAveragePool},
    {"GlobalAveragePool", 1, kMaxOpset, importGlobalAveragePool},
    // Dense layers.
    {"Gemm", 7, 10, importGemmRequiredC},
    {"Gemm", 11, kMaxOpset, importGemmOptionalC},
    {"MatMul", 1, kMaxOpset, importMatMul},
    {"Softmax", 1, 12, importSoftmaxCoerced},
    {"Softmax", 13, kMaxOpset, importSoftmaxAxis},
    // Shape ops.
    {"Reshape", 5, kMaxOpset, importReshape},
    {"Flatten", 1, kMaxOpset, importFlatten},
    {"Transpose", 1, kMaxOpset, importTranspose},
    {"Concat", 4, kMaxOpset, importConcat},
    {"Pad", 2, kMaxOpset, importPad},
    // Constants and aliases.
    {"Constant", 1, kMaxOpset, importConstant},
    {"Identity", 1, kMaxOpset, forwardInput},
    {"Dropout", 7, 11, importDropout},
    {"Dropout", 12, kMaxOpset, importDropoutTrainingModeInput},
};

ArrayRef<OnnxOpEntry> kiln::onnxOpTable() { return kOnnxOps; }

const OnnxOpEntry *kiln::lookupOnnxOp(StringRef opType, int64_t opset) {
  for (const OnnxOpEntry &e : kOnnxOps)
    if (e.opType == opType && e.sinceOpset <= opset && opset <= e.untilOpset)
      return &e;
  return nullptr;
}

bool kiln::isSupportedOnnxOp(StringRef opType, int64_t opset) {
  return lookupOnnxOp(opType, opset) != nullptr;
}
