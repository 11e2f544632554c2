//===- Importer.cpp - ONNX to kiln dialect importer -----------------------===//
//
// Turns an ONNX graph into kiln ops, one node at a time in the graph's
// (topological) order. The importer computes every result type itself from
// static shapes, rather than trusting value_info or ONNX 1.12's shape
// inference (which applies opset-17 rules to newer models). Unsupported ops
// are collected up front and reported together.
//
//===----------------------------------------------------------------------===//
#include "compiler/Importer.h"

#include "compiler/OnnxChecker.h"
#include "compiler/TensorData.h"
#include "dialects/Kiln/Constants.h"
#include "dialects/Kiln/KilnDialect.h"

#include <onnx/onnx_pb.h>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <deque>
#include <numeric>

using namespace mlir;
using llvm::StringRef;
using namespace kiln;

/// Largest tensor kiln compiles (bytes); keeps every size computation of
/// the pipeline (memory plan included) far from int64 overflow.
constexpr uint64_t kMaxTensorBytes = uint64_t(1) << 36;

/// Byte size of a static tensor type, or std::nullopt past kMaxTensorBytes.
static std::optional<uint64_t> tensorBytes(RankedTensorType type) {
  uint64_t bytes = type.getElementTypeBitWidth() / 8;
  for (int64_t d : type.getShape()) {
    if (d < 0 || (d && bytes > kMaxTensorBytes / (uint64_t)d))
      return std::nullopt;
    bytes *= d;
  }
  return bytes;
}

namespace {

/// Operators the importer handles, with the kiln op (or alias) they become.
const llvm::StringSet<> &supportedOps() {
  static const llvm::StringSet<> ops = {
      "Add",      "AveragePool", "BatchNormalization", "Constant",
      "Conv",     "Dropout",     "Flatten",            "Gemm",
      "GlobalAveragePool",       "Identity",           "MatMul",
      "MaxPool",  "Relu",        "Reshape",            "Softmax",
      "Transpose"};
  return ops;
}

std::string nodeLabel(const onnx::NodeProto &node, int index) {
  if (!node.name().empty())
    return node.name();
  return (node.op_type() + "_" + llvm::Twine(index)).str();
}

class OnnxImporter {
public:
  OnnxImporter(MLIRContext *ctx, const onnx::ModelProto &model,
               StringRef modelDir, StringRef sourceName, StringRef modelPath)
      : ctx(ctx), model(model), graph(model.graph()), modelDir(modelDir),
        sourceName(sourceName), modelPath(modelPath), builder(ctx),
        fileLoc(FileLineColLoc::get(ctx, sourceName, 0, 0)) {}

  OwningOpRef<ModuleOp> run(const ImportOptions &options);

private:
  // Model-level checks.
  LogicalResult checkVersions();
  LogicalResult checkSupportedOps();
  FailureOr<RankedTensorType> graphValueType(const onnx::ValueInfoProto &info,
                                             StringRef what);

  // Values.
  Value lookup(StringRef name);
  Value materializeConstant(StringRef name, const onnx::TensorProto &tensor,
                            Location loc);
  const onnx::TensorProto *constantTensor(StringRef name);

  // Nodes.
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  InFlightDiagnostic nodeError();
  Value input(unsigned i, bool optional = false);
  LogicalResult setOutputs(ArrayRef<Value> results);
  LogicalResult onlyFirstOutputUsed();

  LogicalResult importConv();
  LogicalResult importBatchNorm();
  LogicalResult importPool(bool isMax);
  LogicalResult importGemm();
  LogicalResult importMatMul();
  LogicalResult importSoftmax();
  LogicalResult importReshape();
  LogicalResult importFlatten();
  LogicalResult importTranspose();
  LogicalResult importConstant();
  LogicalResult importAdd();
  LogicalResult importAlias();

  // Attributes of the current node.
  const onnx::AttributeProto *attr(StringRef name);
  int64_t attrInt(StringRef name, int64_t dflt);
  float attrFloat(StringRef name, float dflt);
  std::string attrString(StringRef name, StringRef dflt);
  SmallVector<int64_t> attrInts(StringRef name, ArrayRef<int64_t> dflt);
  FailureOr<SmallVector<int64_t>>
  resolvePads(ArrayRef<int64_t> inShape, ArrayRef<int64_t> kernel,
              ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations);

  RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  LogicalResult requireRank(Value v, int64_t rank, StringRef what);
  UnitAttr unit(bool set) { return set ? builder.getUnitAttr() : UnitAttr(); }

  MLIRContext *ctx;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  std::string modelDir, sourceName;
  /// The model file, when imported from one (empty for in-memory models).
  std::string modelPath;
  OpBuilder builder;
  Location fileLoc;
  int64_t opset = 0;

  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> constants;
  std::deque<onnx::TensorProto> ownedTensors;
  Block *entryBlock = nullptr;
  /// Set when materializing a constant reported an error.
  bool constantError = false;

  // The node being imported.
  const onnx::NodeProto *node = nullptr;
  std::string label;
  Location loc = fileLoc;
};

} // namespace

//===----------------------------------------------------------------------===//
// Model-level checks
//===----------------------------------------------------------------------===//

LogicalResult OnnxImporter::checkVersions() {
  int64_t ir = model.ir_version();
  if (ir < kMinIrVersion || ir > kMaxIrVersion)
    return emitError(fileLoc) << "unsupported ONNX IR version " << ir
                              << " (kiln supports " << kMinIrVersion << " to "
                              << kMaxIrVersion << ")";
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  }
  if (opset == 0)
    return emitError(fileLoc) << "model imports no default-domain ONNX opset";
  if (opset > kMaxOpset)
    return emitError(fileLoc) << "opset " << opset
                              << " is newer than the newest supported (opset "
                              << kMaxOpset << ")";
  if (opset < kMinOpset)
    return emitError(fileLoc) << "opset " << opset
                              << " is older than the oldest supported (opset "
                              << kMinOpset << ")";
  return success();
}

LogicalResult OnnxImporter::checkSupportedOps() {
  // op type -> labels of its nodes, in first-seen order.
  std::vector<std::pair<std::string, SmallVector<std::string>>> unsupported;
  size_t count = 0;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
    if (defaultDomain && supportedOps().contains(n.op_type()))
      continue;
    std::string type =
        defaultDomain ? n.op_type() : n.domain() + "::" + n.op_type();
    auto it = llvm::find_if(unsupported, [&](const auto &e) { return e.first == type; });
    if (it == unsupported.end())
      it = unsupported.insert(unsupported.end(), {type, {}});
    it->second.push_back(nodeLabel(n, i));
    ++count;
  }
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitError(fileLoc);
  diag << count << " node" << (count == 1 ? "" : "s") << " use"
       << (count == 1 ? "s" : "") << " unsupported ONNX operators: ";
  llvm::interleaveComma(unsupported, diag, [&](const auto &entry) {
    diag << entry.first << " (x" << entry.second.size() << ")";
  });
  for (const auto &entry : unsupported) {
    std::string names;
    llvm::raw_string_ostream os(names);
    llvm::interleave(
        entry.second, os, [&](const std::string &s) { os << "'" << s << "'"; },
        ", ");
    diag.attachNote() << entry.first << " at node" << (entry.second.size() > 1 ? "s " : " ")
                      << names;
  }
  return failure();
}

FailureOr<RankedTensorType>
OnnxImporter::graphValueType(const onnx::ValueInfoProto &info, StringRef what) {
  if (!info.type().has_tensor_type())
    return emitError(fileLoc) << what << " '" << info.name()
                              << "' is not a tensor";
  const auto &tt = info.type().tensor_type();
  Type elementType = elementTypeFromOnnx(ctx, tt.elem_type());
  if (!elementType || !isa<Float32Type>(elementType))
    return emitError(fileLoc) << what << " '" << info.name() << "' has element type "
                              << onnxTypeName(tt.elem_type())
                              << "; kiln supports FLOAT graph inputs and outputs";
  if (!tt.has_shape())
    return emitError(fileLoc) << what << " '" << info.name()
                              << "' has no shape; kiln needs static shapes";
  SmallVector<int64_t> shape;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto &dim = tt.shape().dim(i);
    if (dim.has_dim_param() || !dim.has_dim_value())
      return emitError(fileLoc)
             << what << " '" << info.name() << "' has a symbolic dimension '"
             << dim.dim_param() << "' at axis " << i
             << "; kiln needs static shapes";
    if (dim.dim_value() <= 0)
      return emitError(fileLoc)
             << what << " '" << info.name() << "' has dimension "
             << dim.dim_value() << " at axis " << i
             << "; dimensions must be positive";
    shape.push_back(dim.dim_value());
  }
  auto type = RankedTensorType::get(shape, elementType);
  if (!tensorBytes(type))
    return emitError(fileLoc) << what << " '" << info.name() << "' of type " << type
                              << " is larger than the 64 GiB kiln supports";
  return type;
}

//===----------------------------------------------------------------------===//
// Values and constants
//===----------------------------------------------------------------------===//

const onnx::TensorProto *OnnxImporter::constantTensor(StringRef name) {
  auto it = constants.find(name);
  return it == constants.end() ? nullptr : it->second;
}

Value OnnxImporter::materializeConstant(StringRef name,
                                        const onnx::TensorProto &tensor,
                                        Location loc) {
  auto data = readTensor(ctx, tensor, modelDir);
  if (!data) {
    emitError(loc) << "tensor '" << name << "' "
                   << llvm::toString(data.takeError());
    constantError = true;
    return {};
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entryBlock);
  Value v = createConstant(builder, NameLoc::get(builder.getStringAttr(name)),
                           data->type, data->bytes, name);
  values[name] = v;
  return v;
}

Value OnnxImporter::lookup(StringRef name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  if (const onnx::TensorProto *t = constantTensor(name))
    return materializeConstant(name, *t, loc);
  return {};
}

//===----------------------------------------------------------------------===//
// Node helpers
//===----------------------------------------------------------------------===//

InFlightDiagnostic OnnxImporter::nodeError() {
  return emitError(loc) << node->op_type() << " node '" << label << "': ";
}

Value OnnxImporter::input(unsigned i, bool optional) {
  if ((int)i >= node->input_size() || node->input(i).empty()) {
    if (!optional)
      nodeError() << "missing required input " << i;
    return {};
  }
  constantError = false;
  Value v = lookup(node->input(i));
  if (!v && !constantError)
    nodeError() << "input " << i << " '" << node->input(i)
                << "' is not produced by any node, graph input or initializer";
  return v;
}

LogicalResult OnnxImporter::setOutputs(ArrayRef<Value> results) {
  for (Value v : results)
    if (!tensorBytes(typeOf(v)))
      return nodeError() << "result type " << typeOf(v)
                         << " is larger than the 64 GiB kiln supports";
  for (auto [i, v] : llvm::enumerate(results)) {
    if ((int)i < node->output_size() && !node->output(i).empty())
      values[node->output(i)] = v;
  }
  return success();
}

LogicalResult OnnxImporter::onlyFirstOutputUsed() {
  for (int i = 1; i < node->output_size(); ++i) {
    if (node->output(i).empty())
      continue;
    for (const auto &n : graph.node())
      for (const auto &in : n.input())
        if (in == node->output(i))
          return nodeError() << "output " << i << " '" << node->output(i)
                             << "' is used, but kiln supports only the first"
                             << " output of this operator (inference mode)";
    for (const auto &out : graph.output())
      if (out.name() == node->output(i))
        return nodeError() << "output " << i << " '" << node->output(i)
                           << "' is a graph output, but kiln supports only"
                           << " the first output of this operator";
  }
  return success();
}

const onnx::AttributeProto *OnnxImporter::attr(StringRef name) {
  for (const auto &a : node->attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t OnnxImporter::attrInt(StringRef name, int64_t dflt) {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

float OnnxImporter::attrFloat(StringRef name, float dflt) {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string OnnxImporter::attrString(StringRef name, StringRef dflt) {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> OnnxImporter::attrInts(StringRef name,
                                            ArrayRef<int64_t> dflt) {
  const auto *a = attr(name);
  if (!a)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

LogicalResult OnnxImporter::requireRank(Value v, int64_t rank, StringRef what) {
  if (typeOf(v).getRank() != rank)
    return nodeError() << what << " must have rank " << rank << ", got "
                       << typeOf(v);
  return success();
}

FailureOr<SmallVector<int64_t>>
OnnxImporter::resolvePads(ArrayRef<int64_t> inShape, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations) {
  // Bound every window attribute so no shape arithmetic can overflow.
  constexpr int64_t kMaxWindow = int64_t(1) << 24;
  for (auto [name, values] : {std::pair<StringRef, ArrayRef<int64_t>>{"kernel_shape", kernel},
                              {"strides", strides}, {"dilations", dilations}})
    for (int64_t v : values)
      if (v < 1 || v > kMaxWindow)
        return nodeError() << name << " entry " << v << " is out of range [1, "
                           << kMaxWindow << "]";
  std::string autoPad = attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> pads = attrInts("pads", {0, 0, 0, 0});
  if (autoPad == "NOTSET") {
    if (pads.size() != 4)
      return nodeError() << "expects 4 pads, got " << pads.size();
    for (int64_t p : pads)
      if (p < 0 || p > kMaxWindow)
        return nodeError() << "pad " << p << " is out of range [0, " << kMaxWindow
                           << "]";
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return nodeError() << "unknown auto_pad '" << autoPad << "'";
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

//===----------------------------------------------------------------------===//
// Node importers
//===----------------------------------------------------------------------===//

LogicalResult OnnxImporter::importConv() {
  Value x = input(0), w = input(1);
  if (!x || !w)
    return failure();
  Value b = input(2, /*optional=*/true);
  if (node->input_size() > 2 && !node->input(2).empty() && !b)
    return failure();
  if (typeOf(x).getRank() != 4)
    return nodeError() << "kiln supports 2-D convolutions (4-D input N x C x H x W);"
                       << " got input " << typeOf(x);
  if (failed(requireRank(w, 4, "filter")))
    return failure();
  auto wShape = typeOf(w).getShape();
  SmallVector<int64_t> kernel = attrInts("kernel_shape", {wShape[2], wShape[3]});
  if (kernel != SmallVector<int64_t>{wShape[2], wShape[3]})
    return nodeError() << "kernel_shape does not match the filter's spatial dims";
  SmallVector<int64_t> strides = attrInts("strides", {1, 1});
  SmallVector<int64_t> dilations = attrInts("dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return nodeError() << "expects 2 strides and 2 dilations";
  int64_t group = attrInt("group", 1);
  auto pads = resolvePads(typeOf(x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  auto xShape = typeOf(x).getShape();
  int64_t oh = kiln::windowOutputSize(xShape[2], kernel[0], strides[0], (*pads)[0],
                                      (*pads)[2], dilations[0], false);
  int64_t ow = kiln::windowOutputSize(xShape[3], kernel[1], strides[1], (*pads)[1],
                                      (*pads)[3], dilations[1], false);
  if (oh <= 0 || ow <= 0)
    return nodeError() << "the " << kernel[0] << "x" << kernel[1]
                       << " kernel does not fit the padded input " << typeOf(x);
  auto type = RankedTensorType::get({xShape[0], wShape[0], oh, ow},
                                    typeOf(x).getElementType());
  auto op = kiln::ConvOp::create(builder, loc, type, x, w, b, strides, *pads,
                                 dilations, group);
  return setOutputs(op.getResult());
}

LogicalResult OnnxImporter::importBatchNorm() {
  if (attrInt("training_mode", 0) != 0)
    return nodeError() << "training_mode=1 is not supported (inference only)";
  if (opset < 9 && attrInt("spatial", 1) != 1)
    return nodeError() << "spatial=0 is not supported";
  if (failed(onlyFirstOutputUsed()))
    return failure();
  SmallVector<Value> in;
  for (unsigned i = 0; i < 5; ++i) {
    in.push_back(input(i));
    if (!in.back())
      return failure();
  }
  auto op = kiln::BatchNormOp::create(builder, loc, typeOf(in[0]), in[0], in[1],
                                      in[2], in[3], in[4],
                                      builder.getF32FloatAttr(attrFloat("epsilon", 1e-5f)));
  return setOutputs(op.getResult());
}

LogicalResult OnnxImporter::importPool(bool isMax) {
  if (failed(onlyFirstOutputUsed()))
    return failure();
  Value x = input(0);
  if (!x)
    return failure();
  if (typeOf(x).getRank() != 4)
    return nodeError() << "kiln supports 2-D pooling (4-D input); got " << typeOf(x);
  SmallVector<int64_t> kernel = attrInts("kernel_shape", {});
  if (kernel.size() != 2)
    return nodeError() << "kernel_shape must have 2 entries";
  SmallVector<int64_t> strides = attrInts("strides", {1, 1});
  SmallVector<int64_t> dilations = attrInts("dilations", {1, 1});
  if (dilations != SmallVector<int64_t>{1, 1})
    return nodeError() << "dilated pooling is not supported";
  if (attrInt("storage_order", 0) != 0)
    return nodeError() << "storage_order=1 is not supported";
  if (strides.size() != 2)
    return nodeError() << "expects 2 strides";
  auto pads = resolvePads(typeOf(x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool ceil = attrInt("ceil_mode", 0) != 0;
  auto s = typeOf(x).getShape();
  int64_t oh = kiln::windowOutputSize(s[2], kernel[0], strides[0], (*pads)[0],
                                      (*pads)[2], 1, ceil);
  int64_t ow = kiln::windowOutputSize(s[3], kernel[1], strides[1], (*pads)[1],
                                      (*pads)[3], 1, ceil);
  if (oh <= 0 || ow <= 0)
    return nodeError() << "the pooling window does not fit the input " << typeOf(x);
  auto type = RankedTensorType::get({s[0], s[1], oh, ow}, typeOf(x).getElementType());
  Operation *op;
  if (isMax) {
    op = kiln::MaxPoolOp::create(builder, loc, type, x, kernel, strides, *pads,
                                 ceil, "NCHW");
  } else {
    op = kiln::AvgPoolOp::create(builder, loc, type, x, kernel, strides, *pads,
                                 ceil, "NCHW", attrInt("count_include_pad", 0) != 0);
  }
  return setOutputs(op->getResult(0));
}

LogicalResult OnnxImporter::importGemm() {
  Value a = input(0), b = input(1);
  if (!a || !b)
    return failure();
  Value c = input(2, /*optional=*/opset >= 11);
  if (node->input_size() > 2 && !node->input(2).empty() && !c)
    return failure();
  if (failed(requireRank(a, 2, "A")) || failed(requireRank(b, 2, "B")))
    return failure();
  bool ta = attrInt("transA", 0), tb = attrInt("transB", 0);
  int64_t m = typeOf(a).getDimSize(ta ? 1 : 0);
  int64_t n = typeOf(b).getDimSize(tb ? 0 : 1);
  int64_t ka = typeOf(a).getDimSize(ta ? 0 : 1), kb = typeOf(b).getDimSize(tb ? 1 : 0);
  if (ka != kb)
    return nodeError() << "inner dimensions differ: A " << typeOf(a) << " and B "
                       << typeOf(b) << " (transA=" << ta << ", transB=" << tb << ")";
  auto type = RankedTensorType::get({m, n}, typeOf(a).getElementType());
  auto op = kiln::GemmOp::create(
      builder, loc, type, a, b, c, builder.getF32FloatAttr(attrFloat("alpha", 1.0f)),
      builder.getF32FloatAttr(attrFloat("beta", 1.0f)), unit(ta), unit(tb));
  return setOutputs(op.getResult());
}

LogicalResult OnnxImporter::importMatMul() {
  Value a = input(0), b = input(1);
  if (!a || !b)
    return failure();
  if (typeOf(a).getRank() != 2 || typeOf(b).getRank() != 2)
    return nodeError() << "kiln supports MatMul of 2-D matrices; got " << typeOf(a)
                       << " and " << typeOf(b);
  if (typeOf(a).getDimSize(1) != typeOf(b).getDimSize(0))
    return nodeError() << "inner dimensions differ: " << typeOf(a) << " and "
                       << typeOf(b);
  auto type = RankedTensorType::get({typeOf(a).getDimSize(0), typeOf(b).getDimSize(1)},
                                    typeOf(a).getElementType());
  return setOutputs(kiln::MatMulOp::create(builder, loc, type, a, b).getResult());
}

LogicalResult OnnxImporter::importSoftmax() {
  Value x = input(0);
  if (!x)
    return failure();
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  int64_t axis = attrInt("axis", opset >= 13 ? -1 : 1);
  if (axis < -rank || axis >= rank)
    return nodeError() << "axis " << axis << " is out of range for " << type;
  if (axis < 0)
    axis += rank;
  if (opset >= 13 || axis == rank - 1)
    return setOutputs(kiln::SoftmaxOp::create(builder, loc, type, x, axis).getResult());
  // Before opset 13, Softmax normalises over the input flattened at `axis`.
  auto [outer, inner] = flattenedShape(type.getShape(), axis);
  auto flatType = RankedTensorType::get({outer, inner}, type.getElementType());
  Value flat = kiln::ReshapeOp::create(builder, loc, flatType, x);
  Value sm = kiln::SoftmaxOp::create(builder, loc, flatType, flat, 1);
  return setOutputs(kiln::ReshapeOp::create(builder, loc, type, sm).getResult());
}

LogicalResult OnnxImporter::importReshape() {
  Value x = input(0);
  if (!x)
    return failure();
  SmallVector<int64_t> shape;
  {
    if (node->input_size() < 2)
      return nodeError() << "missing the shape input";
    const onnx::TensorProto *t = constantTensor(node->input(1));
    if (!t)
      return nodeError() << "the shape input '" << node->input(1)
                         << "' must be a constant (initializer or Constant node)";
    auto data = readTensor(ctx, *t, modelDir);
    if (!data)
      return nodeError() << "shape tensor: " << llvm::toString(data.takeError());
    if (!data->type.getElementType().isInteger(64) || data->type.getRank() != 1)
      return nodeError() << "the shape input must be a 1-D INT64 tensor";
    std::vector<int64_t> values = data->asInt64();
    shape.assign(values.begin(), values.end());
  }
  bool allowZero = attrInt("allowzero", 0) != 0;
  RankedTensorType in = typeOf(x);
  int64_t known = 1, inferAt = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= in.getRank())
        return nodeError() << "shape entry " << i << " is 0 but the input has rank "
                           << in.getRank();
      d = in.getDimSize(i);
    }
    if (d == -1) {
      if (inferAt >= 0)
        return nodeError() << "shape has more than one -1";
      inferAt = i;
      continue;
    }
    if (d <= 0)
      return nodeError() << "shape entry " << i << " is " << d
                         << "; dimensions must be positive";
    known *= d;
  }
  if (inferAt >= 0) {
    if (in.getNumElements() % known != 0)
      return nodeError() << "cannot infer the -1 dimension: " << in.getNumElements()
                         << " elements are not divisible by " << known;
    shape[inferAt] = in.getNumElements() / known;
    known *= shape[inferAt];
  }
  if (known != in.getNumElements())
    return nodeError() << "cannot reshape " << in << " (" << in.getNumElements()
                       << " elements) to " << known << " elements";
  auto type = RankedTensorType::get(shape, in.getElementType());
  return setOutputs(kiln::ReshapeOp::create(builder, loc, type, x).getResult());
}

LogicalResult OnnxImporter::importFlatten() {
  Value x = input(0);
  if (!x)
    return failure();
  RankedTensorType in = typeOf(x);
  int64_t rank = in.getRank(), axis = attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return nodeError() << "axis " << axis << " is out of range for " << in;
  if (axis < 0)
    axis += rank;
  auto [outer, inner] = flattenedShape(in.getShape(), axis);
  auto type = RankedTensorType::get({outer, inner}, in.getElementType());
  return setOutputs(kiln::FlattenOp::create(builder, loc, type, x, axis).getResult());
}

LogicalResult OnnxImporter::importTranspose() {
  Value x = input(0);
  if (!x)
    return failure();
  RankedTensorType in = typeOf(x);
  SmallVector<int64_t> perm;
  for (int64_t i = in.getRank() - 1; i >= 0; --i)
    perm.push_back(i);
  perm = attrInts("perm", perm);
  SmallVector<int64_t> shape;
  SmallVector<bool> seen(in.getRank(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p] || perm.size() != (size_t)in.getRank())
      return nodeError() << "perm is not a permutation of the input's " << in.getRank()
                         << " dimensions";
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  auto type = RankedTensorType::get(shape, in.getElementType());
  return setOutputs(kiln::TransposeOp::create(builder, loc, type, x, perm).getResult());
}

LogicalResult OnnxImporter::importConstant() {
  if (node->output_size() != 1)
    return nodeError() << "expects one output";
  const onnx::AttributeProto *a = nullptr;
  for (const auto &at : node->attribute())
    a = &at;
  if (!a || node->attribute_size() != 1)
    return nodeError() << "expects exactly one value attribute";
  onnx::TensorProto *t = &ownedTensors.emplace_back();
  if (a->name() == "value") {
    *t = a->t();
  } else if (a->name() == "value_float") {
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(a->f());
  } else if (a->name() == "value_floats") {
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(a->floats_size());
    for (float f : a->floats())
      t->add_float_data(f);
  } else if (a->name() == "value_int") {
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_int64_data(a->i());
  } else if (a->name() == "value_ints") {
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(a->ints_size());
    for (int64_t i : a->ints())
      t->add_int64_data(i);
  } else {
    return nodeError() << "attribute '" << a->name() << "' is not supported";
  }
  constants[node->output(0)] = t;
  return success();
}

LogicalResult OnnxImporter::importAdd() {
  Value a = input(0), b = input(1);
  if (!a || !b)
    return failure();
  auto shape = kiln::broadcastShapes(typeOf(a).getShape(), typeOf(b).getShape());
  if (failed(shape))
    return nodeError() << "operand shapes " << typeOf(a) << " and " << typeOf(b)
                       << " are not broadcast-compatible";
  auto type = RankedTensorType::get(*shape, typeOf(a).getElementType());
  return setOutputs(kiln::AddOp::create(builder, loc, type, a, b).getResult());
}

/// Identity and inference-mode Dropout forward their input.
LogicalResult OnnxImporter::importAlias() {
  if (node->op_type() == "Dropout") {
    if (failed(onlyFirstOutputUsed()))
      return failure();
    if (node->input_size() > 2 && !node->input(2).empty()) {
      const onnx::TensorProto *t = constantTensor(node->input(2));
      auto data = t ? readTensor(ctx, *t, modelDir)
                    : llvm::Expected<kiln::TensorData>(llvm::createStringError(
                          llvm::inconvertibleErrorCode(), "not constant"));
      if (!data || data->bytes.empty() || data->bytes[0] != 0) {
        if (!data)
          llvm::consumeError(data.takeError());
        return nodeError() << "training_mode must be a constant false";
      }
    }
  }
  if (node->input_size() < 1 || node->input(0).empty())
    return nodeError() << "missing required input 0";
  // Aliasing a constant keeps it a constant (shape inputs of Reshape).
  if (const onnx::TensorProto *t = constantTensor(node->input(0))) {
    if (!values.count(node->input(0))) {
      constants[node->output(0)] = t;
      return success();
    }
  }
  Value x = input(0);
  if (!x)
    return failure();
  return setOutputs(x);
}

LogicalResult OnnxImporter::importNode(const onnx::NodeProto &n, int index) {
  node = &n;
  label = nodeLabel(n, index);
  loc = NameLoc::get(builder.getStringAttr(label), fileLoc);
  StringRef type = n.op_type();
  if (type == "Conv")
    return importConv();
  if (type == "BatchNormalization")
    return importBatchNorm();
  if (type == "Relu") {
    Value x = input(0);
    return x ? setOutputs(kiln::ReluOp::create(builder, loc, x.getType(), x).getResult())
             : failure();
  }
  if (type == "Add")
    return importAdd();
  if (type == "MaxPool" || type == "AveragePool")
    return importPool(type == "MaxPool");
  if (type == "GlobalAveragePool") {
    Value x = input(0);
    if (!x)
      return failure();
    if (typeOf(x).getRank() != 4)
      return nodeError() << "kiln supports 4-D input; got " << typeOf(x);
    auto s = typeOf(x).getShape();
    auto t = RankedTensorType::get({s[0], s[1], 1, 1}, typeOf(x).getElementType());
    return setOutputs(kiln::GlobalAvgPoolOp::create(builder, loc, t, x, "NCHW").getResult());
  }
  if (type == "Flatten")
    return importFlatten();
  if (type == "Reshape")
    return importReshape();
  if (type == "Gemm")
    return importGemm();
  if (type == "MatMul")
    return importMatMul();
  if (type == "Softmax")
    return importSoftmax();
  if (type == "Transpose")
    return importTranspose();
  if (type == "Constant")
    return importConstant();
  if (type == "Identity" || type == "Dropout")
    return importAlias();
  return nodeError() << "unsupported operator";
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> OnnxImporter::run(const ImportOptions &options) {
  // kiln's own checks come first: they list every unsupported op at once
  // and vet external-data paths before anything (the checker included)
  // opens a file.
  if (failed(checkVersions()) || failed(checkSupportedOps()))
    return {};
  bool hasExternalData = false;
  for (const auto &init : graph.initializer()) {
    if (init.name().empty()) {
      emitError(fileLoc) << "an initializer has no name";
      return {};
    }
    if (llvm::Error err = checkExternalData(ctx, init, modelDir)) {
      emitError(fileLoc) << "tensor '" << init.name() << "' "
                         << llvm::toString(std::move(err));
      return {};
    }
    hasExternalData |= init.data_location() == onnx::TensorProto::EXTERNAL;
    constants[init.name()] = &init;
  }
  // Debian's ONNX 1.12 checker understands IR <= 8 and opset <= 17. It
  // resolves external data relative to the model file, so such models are
  // checked from their path (and skipped when imported from memory).
  bool runChecker = options.runChecker &&
                    model.ir_version() <= kiln::kCheckerMaxIrVersion &&
                    opset <= kiln::kCheckerMaxOpset &&
                    (!hasExternalData || !modelPath.empty());
  if (runChecker) {
    std::string msg =
        kiln::runOnnxChecker(model, hasExternalData ? modelPath : std::string());
    if (!msg.empty()) {
      // The checker's messages span lines; keep the diagnostic on one.
      std::string oneLine;
      for (char c : StringRef(msg).trim())
        if (!(llvm::isSpace(c) && (oneLine.empty() || oneLine.back() == ' ')))
          oneLine += llvm::isSpace(c) ? ' ' : c;
      emitError(fileLoc) << "the ONNX checker rejected the model: " << oneLine;
      return {};
    }
  }

  // Graph inputs that are also initializers are constants (their initializer
  // is the value kiln compiles in).
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (constants.count(in.name()))
      continue;
    auto type = graphValueType(in, "graph input");
    if (failed(type))
      return {};
    argTypes.push_back(*type);
    argNames.push_back(in.name());
  }
  if (graph.output_size() == 0) {
    emitError(fileLoc) << "the graph has no outputs";
    return {};
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  if (!graph.name().empty())
    module->setSymName(graph.name());
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, kiln::kMainFunctionName,
                                   builder.getFunctionType(argTypes, {}));
  entryBlock = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entryBlock->getArgument(i);
    func.setArgAttr(i, kiln::kNameAttr, builder.getStringAttr(name));
  }
  builder.setInsertionPointToEnd(entryBlock);

  bool ok = true;
  for (int i = 0; i < graph.node_size(); ++i) {
    if (failed(importNode(graph.node(i), i))) {
      ok = false;
      break;
    }
  }
  if (!ok)
    return {};

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    Value v = lookup(out.name());
    if (!v) {
      emitError(fileLoc) << "graph output '" << out.name()
                         << "' is not produced by any node";
      return {};
    }
    if (!isa<Float32Type>(typeOf(v).getElementType())) {
      emitError(fileLoc) << "graph output '" << out.name() << "' is not FLOAT";
      return {};
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kiln::kNameAttr, builder.getStringAttr(out.name()));
  if (failed(verify(*module)))
    return {};
  return module;
}

bool kiln::isSupportedOnnxOp(StringRef opType) {
  return supportedOps().contains(opType);
}

OwningOpRef<ModuleOp> kiln::importOnnxModel(MLIRContext *context,
                                            const onnx::ModelProto &model,
                                            StringRef modelDir,
                                            StringRef sourceName,
                                            const ImportOptions &options) {
  context->loadDialect<KilnDialect, arith::ArithDialect, func::FuncDialect>();
  OnnxImporter importer(context, model, modelDir, sourceName, /*modelPath=*/"");
  return importer.run(options);
}

OwningOpRef<ModuleOp> kiln::importOnnxFile(MLIRContext *context, StringRef path,
                                           const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(fileLoc) << "cannot read the model: " << buffer.getError().message();
    return {};
  }
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.empty()) {
    emitError(fileLoc) << "the model file is empty";
    return {};
  }
  if (bytes.size() > (size_t)INT32_MAX) {
    emitError(fileLoc) << "the model file is larger than 2 GiB; store weights as"
                       << " external data";
    return {};
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), (int)bytes.size())) {
    emitError(fileLoc) << "not a valid ONNX model: the protobuf could not be"
                       << " parsed (truncated or not an ONNX file?)";
    return {};
  }
  if (!model.has_graph() || model.ir_version() == 0) {
    emitError(fileLoc) << "not a valid ONNX model: no graph or no IR version";
    return {};
  }
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  context->loadDialect<KilnDialect, arith::ArithDialect, func::FuncDialect>();
  OnnxImporter importer(context, model, dir, path, path);
  return importer.run(options);
}
