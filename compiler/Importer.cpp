//===- Importer.cpp - ONNX to kiln dialect importer -----------------------===//
//
// Turns an ONNX graph into kiln ops, one node at a time in the graph's
// (topological) order. The importer computes every result type itself from
// static shapes, rather than trusting value_info or ONNX 1.12's shape
// inference (which applies opset-17 rules to newer models). Unsupported ops
// are collected up front and reported together. Which ops are supported,
// and how each is imported, is the op table's business (OpTable.h).
//
//===----------------------------------------------------------------------===//
#include "compiler/Importer.h"

#include "compiler/OnnxChecker.h"
#include "compiler/OpTable.h"
#include "compiler/TensorData.h"
#include "dialects/Kiln/Constants.h"
#include "dialects/Kiln/KilnDialect.h"
#include "dialects/Kiln/ShapeInference.h"

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

std::string nodeLabel(const onnx::NodeProto &node, int index) {
  if (!node.name().empty())
    return node.name();
  return (node.op_type() + "_" + llvm::Twine(index)).str();
}

class OnnxImporter {
  friend class NodeView;

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
  LogicalResult checkSingleAssignment();
  LogicalResult checkInputInitializer(const onnx::ValueInfoProto &in,
                                      const onnx::TensorProto &init);
  FailureOr<RankedTensorType> graphValueType(const onnx::ValueInfoProto &info,
                                             StringRef what);

  // Values.
  Value lookup(StringRef name);
  Value materializeConstant(StringRef name, const onnx::TensorProto &tensor,
                            Location loc);
  const onnx::TensorProto *constantTensor(StringRef name);

  // Nodes.
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  LogicalResult perturbWeights(ArrayRef<Operation *> ops);
  InFlightDiagnostic nodeError();
  Value input(unsigned i, bool optional = false);
  LogicalResult setOutputs(ArrayRef<Value> results);
  LogicalResult onlyFirstOutputUsed();

  RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }

  MLIRContext *ctx;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  std::string modelDir, sourceName;
  /// The model file, when imported from one (empty for in-memory models).
  std::string modelPath;
  OpBuilder builder;
  Location fileLoc;
  int64_t opset = 0;
  /// Caller-bound graph input shapes (ImportOptions::inputShapes).
  const std::map<std::string, std::vector<int64_t>> *inputShapes = nullptr;
  /// ImportOptions::batch.
  int64_t batch = 0;
  /// ImportOptions::perturbNode, and whether it has been found.
  std::string perturbNode;
  bool perturbed = false;

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

/// The default-domain opset a model imports (0 if none).
static int64_t defaultOpset(const onnx::ModelProto &model) {
  int64_t opset = 0;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  return opset;
}

/// A message of ONNX's (which spans lines) on one line.
static std::string oneLine(StringRef msg) {
  std::string line;
  for (char c : msg.trim())
    if (!(llvm::isSpace(c) && (line.empty() || line.back() == ' ')))
      line += llvm::isSpace(c) ? ' ' : c;
  return line;
}

LogicalResult OnnxImporter::checkVersions() {
  int64_t ir = model.ir_version();
  if (ir < kMinIrVersion || ir > kMaxIrVersion)
    return emitError(fileLoc) << "unsupported ONNX IR version " << ir
                              << " (kiln supports " << kMinIrVersion << " to "
                              << kMaxIrVersion << ")";
  // The default domain ("" and its alias "ai.onnx") imported once, at a
  // version that exists.
  SmallVector<int64_t> defaultImports;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      defaultImports.push_back(imp.version());
  if (defaultImports.size() > 1)
    return emitError(fileLoc) << "the model imports the default ONNX domain "
                              << defaultImports.size() << " times (opsets "
                              << llvm::join(llvm::map_range(defaultImports,
                                                            [](int64_t v) { return std::to_string(v); }),
                                            ", ")
                              << "); it must import it once";
  if (!defaultImports.empty() && defaultImports[0] < 1)
    return emitError(fileLoc) << "opset " << defaultImports[0]
                              << " does not exist (ONNX opsets start at 1)";
  opset = defaultOpset(model);
  if (opset == 0) {
    // A graph of another domain's operators only (e.g. ONNX's training
    // ops): name them, as for any unsupported operator.
    bool allForeign = graph.node_size() > 0 && llvm::all_of(graph.node(), [](const auto &n) {
      return !n.domain().empty() && n.domain() != "ai.onnx";
    });
    if (allForeign && failed(checkSupportedOps()))
      return failure();
    return emitError(fileLoc) << "model imports no default-domain ONNX opset";
  }
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

LogicalResult OnnxImporter::checkSingleAssignment() {
  // tensor name -> the node (label) that writes it; graph inputs and
  // initializers are written by nobody.
  llvm::StringMap<std::string> producer;
  for (const auto &in : graph.input())
    producer.try_emplace(in.name(), "");
  for (const auto &init : graph.initializer())
    producer.try_emplace(init.name(), "");
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    std::string name = nodeLabel(n, i);
    Location nodeLoc = NameLoc::get(builder.getStringAttr(name), fileLoc);
    for (const auto &[k, in] : llvm::enumerate(n.input()))
      if (!in.empty() && llvm::is_contained(n.output(), in))
        return emitError(nodeLoc) << n.op_type() << " node '" << name << "': input " << k
                                  << " '" << in << "' is the node's own output (a cycle)";
    for (const auto &[k, out] : llvm::enumerate(n.output())) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(out, name);
      if (inserted)
        continue;
      InFlightDiagnostic d = emitError(nodeLoc) << n.op_type() << " node '" << name
                                                << "': output " << k << " '" << out << "' ";
      if (it->second.empty())
        d << "is already a graph input or initializer";
      else
        d << "is also written by node '" << it->second << "'";
      return d << " (ONNX graphs assign each tensor once)";
    }
  }
  return success();
}

LogicalResult OnnxImporter::checkInputInitializer(const onnx::ValueInfoProto &in,
                                                  const onnx::TensorProto &init) {
  const onnx::TypeProto::Tensor &t = in.type().tensor_type();
  bool sameType = !t.has_elem_type() || t.elem_type() == init.data_type();
  bool sameShape = !t.has_shape() || t.shape().dim_size() == init.dims_size();
  for (int d = 0; sameShape && t.has_shape() && d < t.shape().dim_size(); ++d)
    sameShape = !t.shape().dim(d).has_dim_value() ||
                t.shape().dim(d).dim_value() == init.dims(d);
  if (sameType && sameShape)
    return success();
  SmallVector<int64_t> declared;
  for (const auto &d : t.shape().dim())
    declared.push_back(d.has_dim_value() ? d.dim_value() : -1);
  return emitError(fileLoc) << "graph input '" << in.name() << "' is declared as "
                            << onnx::TensorProto::DataType_Name(
                                   static_cast<onnx::TensorProto::DataType>(t.elem_type()))
                            << " " << kiln::shapeStr(declared) << " but the initializer of that name is "
                            << onnx::TensorProto::DataType_Name(
                                   static_cast<onnx::TensorProto::DataType>(init.data_type()))
                            << " " << kiln::shapeStr(SmallVector<int64_t>(init.dims().begin(), init.dims().end()));
}

LogicalResult OnnxImporter::checkSupportedOps() {
  // op type -> labels of its nodes, in first-seen order.
  std::vector<std::pair<std::string, SmallVector<std::string>>> unsupported;
  size_t count = 0;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
    if (defaultDomain && lookupOnnxOp(n.op_type(), opset))
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
  // A shape bound by the caller (--shape=NAME:...) fixes symbolic dims.
  const std::vector<int64_t> *bound = nullptr;
  if (inputShapes)
    if (auto it = inputShapes->find(info.name()); it != inputShapes->end())
      bound = &it->second;
  if (bound && (int64_t)bound->size() != tt.shape().dim_size())
    return emitError(fileLoc) << what << " '" << info.name() << "' has rank "
                              << tt.shape().dim_size() << " but its shape binding has "
                              << bound->size() << " dimensions";
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto &dim = tt.shape().dim(i);
    bool symbolic = dim.has_dim_param() || !dim.has_dim_value();
    if (bound && !symbolic && dim.dim_value() != (*bound)[i])
      return emitError(fileLoc) << what << " '" << info.name() << "' has dimension "
                                << dim.dim_value() << " at axis " << i
                                << " but its shape binding says " << (*bound)[i];
    if (bound) {
      shape.push_back((*bound)[i]);
      continue;
    }
    if (i == 0 && batch > 0) {
      if (!symbolic && dim.dim_value() != batch)
        return emitError(fileLoc)
               << what << " '" << info.name() << "' has a static batch of "
               << dim.dim_value() << " at axis 0; --batch=" << batch
               << " binds only a symbolic one (export the model with a dynamic batch axis, "
                  "or bind the whole shape with --shape)";
      shape.push_back(batch);
      continue;
    }
    if (symbolic)
      return emitError(fileLoc)
             << what << " '" << info.name() << "' has a symbolic dimension '"
             << dim.dim_param() << "' at axis " << i
             << "; kiln needs static shapes: bind it with " << (i == 0 ? "--batch=N or " : "")
             << "--shape=" << info.name() << ":DIMS";
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

namespace {
/// The importer as the op table's import functions see it.
class NodeView final : public NodeImporter {
public:
  explicit NodeView(OnnxImporter &imp) : imp(imp) {}

  const onnx::NodeProto &node() const override { return *imp.node; }
  int64_t opset() const override { return imp.opset; }
  OpBuilder &builder() override { return imp.builder; }
  Location loc() const override { return imp.loc; }
  InFlightDiagnostic error() override { return imp.nodeError(); }
  Value input(unsigned i, bool optional) override { return imp.input(i, optional); }
  LogicalResult setOutputs(ArrayRef<Value> results) override {
    return imp.setOutputs(results);
  }
  LogicalResult onlyFirstOutputUsed() override { return imp.onlyFirstOutputUsed(); }
  const onnx::TensorProto *constantTensor(StringRef name) override {
    return imp.constantTensor(name);
  }
  llvm::Expected<TensorData> readConstant(const onnx::TensorProto &tensor) override {
    return readTensor(imp.ctx, tensor, imp.modelDir);
  }
  bool hasValue(StringRef name) override { return imp.values.count(name); }
  void defineConstant(StringRef name, const onnx::TensorProto &tensor) override {
    imp.constants[name] = &tensor;
  }
  onnx::TensorProto &newTensor() override { return imp.ownedTensors.emplace_back(); }

private:
  OnnxImporter &imp;
};
} // namespace

/// Scales every float constant operand of `ops` by 1.05 (ImportOptions::
/// perturbNode); fails when there is none.
LogicalResult OnnxImporter::perturbWeights(ArrayRef<Operation *> ops) {
  bool any = false;
  for (Operation *op : ops) {
    for (OpOperand &operand : op->getOpOperands()) {
      std::optional<std::vector<float>> data = getConstantF32(operand.get());
      if (!data)
        continue;
      for (float &v : *data)
        v *= 1.05f;
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(op);
      operand.set(createF32Constant(builder, operand.get().getLoc(), typeOf(operand.get()),
                                    *data, constantNameHint(operand.get()) + "_perturbed"));
      any = true;
    }
  }
  return success(any);
}

LogicalResult OnnxImporter::importNode(const onnx::NodeProto &n, int index) {
  node = &n;
  label = nodeLabel(n, index);
  loc = NameLoc::get(builder.getStringAttr(label), fileLoc);
  const OnnxOpEntry *entry = lookupOnnxOp(n.op_type(), opset);
  if (!entry)
    return nodeError() << "unsupported operator";
  std::string badAttribute = kiln::checkAttributeTypes(n, opset);
  if (!badAttribute.empty())
    return nodeError() << badAttribute;
  NodeView view(*this);
  // Verify what the node created right away, so that an operand an op
  // cannot take (an INT64 filter, say) is reported with the node's name.
  struct Created : OpBuilder::Listener {
    SmallVector<Operation *> ops;
    void notifyOperationInserted(Operation *op, OpBuilder::InsertPoint) override {
      ops.push_back(op);
    }
  } created;
  OpBuilder::Listener *previous = builder.getListener();
  builder.setListener(&created);
  LogicalResult imported = entry->import(view);
  builder.setListener(previous);
  if (failed(imported))
    return failure();
  if (!perturbNode.empty() && n.name() == perturbNode) {
    perturbed = true;
    if (failed(perturbWeights(created.ops)))
      return nodeError() << "--debug-perturb-node: the node reads no float constant "
                            "(weights) to perturb";
  }
  for (Operation *op : created.ops) {
    std::string message;
    LogicalResult verified = success();
    {
      ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &d) {
        if (message.empty() && d.getSeverity() == DiagnosticSeverity::Error)
          message = d.str();
        return success();
      });
      verified = mlir::verify(op);
    }
    if (failed(verified))
      return nodeError() << message;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> OnnxImporter::run(const ImportOptions &options) {
  inputShapes = &options.inputShapes;
  batch = options.batch;
  perturbNode = options.perturbNode;
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
    if (constants.count(init.name())) {
      emitError(fileLoc) << "initializer '" << init.name() << "' is defined twice";
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
      emitError(fileLoc) << "the ONNX checker rejected the model: " << oneLine(msg);
      return {};
    }
  }

  if (failed(checkSingleAssignment()))
    return {};

  // Graph inputs that are also initializers are constants (their initializer
  // is the value kiln compiles in); both must describe the same tensor.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (auto it = constants.find(in.name()); it != constants.end()) {
      if (failed(checkInputInitializer(in, *it->second)))
        return {};
      continue;
    }
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
  if (!perturbNode.empty() && !perturbed) {
    emitError(fileLoc) << "--debug-perturb-node: the graph has no node named '" << perturbNode
                       << "'";
    return {};
  }

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

/// Models at default-domain opsets 1 to kMinOpset-1 (old model-zoo files)
/// are upgraded to kMinOpset with ONNX's version converter; the importer
/// then sees the same ops a newer exporter would have written.
static bool needsUpgrade(const onnx::ModelProto &model) {
  int64_t opset = defaultOpset(model);
  return opset >= 1 && opset < kMinOpset;
}

/// A value the graph uses but nothing defines before that use (ONNX's
/// version converter dereferences such a value without a check), as a
/// message; empty when every node input and graph output is defined.
static std::string undefinedValue(const onnx::GraphProto &graph) {
  llvm::StringSet<> defined;
  for (const auto &in : graph.input())
    defined.insert(in.name());
  for (const auto &init : graph.initializer())
    defined.insert(init.name());
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    for (const auto &[k, in] : llvm::enumerate(n.input()))
      if (!in.empty() && !defined.contains(in))
        return n.op_type() + " node '" + nodeLabel(n, i) + "': input " + std::to_string(k) +
               " '" + in + "' is not produced by any node, graph input or initializer";
    for (const auto &out : n.output())
      defined.insert(out);
  }
  for (const auto &out : graph.output())
    if (!defined.contains(out.name()))
      return "graph output '" + out.name() + "' is not produced by any node";
  return {};
}

static LogicalResult upgradeOldOpset(onnx::ModelProto &model, Location fileLoc) {
  if (!needsUpgrade(model))
    return success();
  int64_t opset = defaultOpset(model);
  // The converter trusts its input: ONNX's checker vets the model first,
  // and kiln checks what that checker lets through.
  if (std::string msg = kiln::runOnnxChecker(model, std::string()); !msg.empty())
    return emitError(fileLoc) << "the ONNX checker rejected the model: " << oneLine(msg);
  if (std::string msg = undefinedValue(model.graph()); !msg.empty())
    return emitError(fileLoc) << msg;
  std::string msg = kiln::upgradeOnnxOpset(model, kMinOpset);
  if (msg.empty())
    return success();
  return emitError(fileLoc) << "opset " << opset << " is older than kiln's oldest ("
                            << kMinOpset << ") and ONNX's version converter could not"
                            << " upgrade the model: " << oneLine(msg);
}

OwningOpRef<ModuleOp> kiln::importOnnxModel(MLIRContext *context,
                                            const onnx::ModelProto &model,
                                            StringRef modelDir,
                                            StringRef sourceName,
                                            const ImportOptions &options) {
  context->loadDialect<KilnDialect, arith::ArithDialect, func::FuncDialect>();
  if (needsUpgrade(model)) {
    onnx::ModelProto upgraded = model;
    if (failed(upgradeOldOpset(upgraded, FileLineColLoc::get(context, sourceName, 0, 0))))
      return {};
    OnnxImporter importer(context, upgraded, modelDir, sourceName, /*modelPath=*/"");
    return importer.run(options);
  }
  OnnxImporter importer(context, model, modelDir, sourceName, /*modelPath=*/"");
  return importer.run(options);
}

/// Parses and imports `bytes`; `path` is the model file (empty for models
/// in memory), `sourceName` names the model in diagnostics.
static OwningOpRef<ModuleOp> importBytes(MLIRContext *context, StringRef bytes,
                                         StringRef dir, StringRef sourceName,
                                         StringRef path, const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, sourceName, 0, 0);
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
  if (failed(upgradeOldOpset(model, fileLoc)))
    return {};
  context->loadDialect<KilnDialect, arith::ArithDialect, func::FuncDialect>();
  OnnxImporter importer(context, model, dir, sourceName, path);
  return importer.run(options);
}

OwningOpRef<ModuleOp> kiln::importOnnxBytes(MLIRContext *context, StringRef bytes,
                                            StringRef modelDir, StringRef sourceName,
                                            const ImportOptions &options) {
  return importBytes(context, bytes, modelDir, sourceName, /*path=*/"", options);
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
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  return importBytes(context, (*buffer)->getBuffer(), dir, path, path, options);
}
