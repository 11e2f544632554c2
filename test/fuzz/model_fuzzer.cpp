//===- model_fuzzer.cpp - libFuzzer targets for the importer and pipeline -===//
//
// Two targets from one file (KILN_FUZZ_PIPELINE selects):
//
//  kiln-fuzz-importer  bytes -> onnx.ModelProto -> ONNX checker -> kiln
//                      dialect -> verifier (kiln::importOnnxBytes, one
//                      MLIRContext reused for 256 inputs), with libFuzzer's
//                      byte-level mutations.
//  kiln-fuzz-pipeline  the whole compiler down to a relocatable object
//                      (OutputKind::Object: tiling, bufferization, LLVM
//                      codegen) on structure-aware mutations of valid small
//                      models: changed dims, attributes and opsets, dropped
//                      or duplicated nodes, rewired inputs, initializers of
//                      the wrong size or type.
//
// kiln must never crash, hang or touch memory it does not own (ASan/UBSan),
// and a rejected model always comes with at least one error diagnostic.
// Both are built in the sanitizer build (tools/build.sh --sanitize=address,
// undefined), where all of kiln's C++ code carries libFuzzer's coverage
// instrumentation.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"
#include "compiler/Importer.h"
#include "dialects/Kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

namespace {

[[maybe_unused]] void compileOrDiagnose(const uint8_t *data, size_t size, kiln::OutputKind kind) {
  kiln::CompileOptions options;
  options.modelBytes.assign(reinterpret_cast<const char *>(data), size);
  options.output = kind;
  options.parallel = (size & 1) != 0; // both forms of the parallel loops
  llvm::Expected<kiln::CompileResult> result = kiln::compile(options);
  if (result)
    return;
  std::vector<kiln::Diagnostic> diagnostics = kiln::takeDiagnostics(result.takeError());
  for (const kiln::Diagnostic &d : diagnostics)
    if (d.severity == kiln::Diagnostic::Severity::Error && !d.message.empty())
      return;
  std::abort(); // a failure without an error message
}

#ifdef KILN_FUZZ_PIPELINE
/// Values that break code written for the usual ones.
int64_t interestingInt(std::mt19937_64 &rng) {
  static const int64_t values[] = {0, 1, 2, 3, -1, -2, 7, 64, 65537, INT32_MAX,
                                   int64_t(1) << 40, INT64_MAX, INT64_MIN};
  return values[rng() % (sizeof values / sizeof *values)];
}

/// One structural edit of `m`; false when the chosen edit does not apply.
bool mutateModel(onnx::ModelProto &m, std::mt19937_64 &rng) {
  onnx::GraphProto &g = *m.mutable_graph();
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  switch (pick(11)) {
  case 0: { // a graph input's dimension
    if (g.input_size() == 0)
      return false;
    onnx::TensorShapeProto *shape =
        g.mutable_input(pick(g.input_size()))->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() == 0)
      return false;
    onnx::TensorShapeProto::Dimension *d = shape->mutable_dim(pick(shape->dim_size()));
    if (pick(8) == 0)
      d->set_dim_param("N");
    else
      d->set_dim_value(pick(2) ? 1 + pick(9) : interestingInt(rng));
    return true;
  }
  case 1: { // an attribute's value
    if (g.node_size() == 0)
      return false;
    onnx::NodeProto *n = g.mutable_node(pick(g.node_size()));
    if (n->attribute_size() == 0)
      return false;
    onnx::AttributeProto *a = n->mutable_attribute(pick(n->attribute_size()));
    if (a->ints_size())
      a->set_ints(pick(a->ints_size()), pick(2) ? pick(5) : interestingInt(rng));
    else if (a->has_i())
      a->set_i(pick(2) ? pick(5) : interestingInt(rng));
    else if (a->has_f())
      a->set_f(pick(2) ? -a->f() : 1e30f);
    else
      a->set_type(static_cast<onnx::AttributeProto::AttributeType>(pick(14)));
    return true;
  }
  case 2: // the default opset
    for (onnx::OperatorSetIdProto &o : *m.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx")
        o.set_version(1 + pick(24));
    return true;
  case 3: // drop a node
    if (g.node_size() == 0)
      return false;
    g.mutable_node()->DeleteSubrange(pick(g.node_size()), 1);
    return true;
  case 4: { // duplicate a node (same outputs: not SSA any more)
    if (g.node_size() == 0)
      return false;
    int i = pick(g.node_size());
    *g.add_node() = g.node(i);
    return true;
  }
  case 5: { // rewire a node input to another tensor of the graph
    if (g.node_size() < 2)
      return false;
    onnx::NodeProto *n = g.mutable_node(pick(g.node_size()));
    const onnx::NodeProto &other = g.node(pick(g.node_size()));
    if (n->input_size() == 0 || other.output_size() == 0)
      return false;
    n->set_input(pick(n->input_size()), other.output(0));
    return true;
  }
  case 6: { // an initializer of the wrong size
    if (g.initializer_size() == 0)
      return false;
    onnx::TensorProto *t = g.mutable_initializer(pick(g.initializer_size()));
    if (!t->raw_data().empty())
      t->mutable_raw_data()->resize(pick(static_cast<int>(t->raw_data().size()) + 8));
    else if (t->float_data_size())
      t->mutable_float_data()->Truncate(pick(t->float_data_size()));
    else if (t->int64_data_size())
      t->mutable_int64_data()->Truncate(pick(t->int64_data_size()));
    else
      return false;
    return true;
  }
  case 7: { // an initializer's dims or type
    if (g.initializer_size() == 0)
      return false;
    onnx::TensorProto *t = g.mutable_initializer(pick(g.initializer_size()));
    if (pick(3) == 0)
      t->set_data_type(pick(17));
    else if (t->dims_size())
      t->set_dims(pick(t->dims_size()), pick(2) ? pick(9) : interestingInt(rng));
    else
      t->add_dims(pick(4));
    return true;
  }
  case 8: { // another op in a node's place
    static const char *ops[] = {"Relu", "Conv", "Add", "Mul", "MaxPool", "AveragePool",
                                "GlobalAveragePool", "Gemm", "MatMul", "Softmax", "Flatten",
                                "Reshape", "BatchNormalization", "Clip", "Transpose",
                                "Identity", "Sum", "Unknown"};
    if (g.node_size() == 0)
      return false;
    g.mutable_node(pick(g.node_size()))->set_op_type(ops[pick(sizeof ops / sizeof *ops)]);
    return true;
  }
  case 9: { // a graph input's element type or an output's name
    if (pick(2) && g.input_size()) {
      g.mutable_input(pick(g.input_size()))->mutable_type()->mutable_tensor_type()->set_elem_type(pick(17));
      return true;
    }
    if (g.output_size() && g.node_size()) {
      const onnx::NodeProto &n = g.node(pick(g.node_size()));
      if (n.output_size())
        g.mutable_output(pick(g.output_size()))->set_name(n.output(0));
      return true;
    }
    return false;
  }
  default: // the IR version
    m.set_ir_version(pick(2) ? 3 + pick(8) : interestingInt(rng));
    return true;
  }
}
#endif

} // namespace

#ifdef KILN_FUZZ_PIPELINE
/// Parses the input as a model and applies one to three structural edits;
/// inputs that are not models get libFuzzer's byte mutations.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxSize,
                                          unsigned int seed) {
  std::mt19937_64 rng(seed);
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size)) || !model.has_graph() ||
      rng() % 16 == 0)
    return LLVMFuzzerMutate(data, size, maxSize);
  bool changed = false;
  for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits)
    changed |= mutateModel(model, rng);
  std::string bytes;
  if (!changed || !model.SerializeToString(&bytes) || bytes.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::copy(bytes.begin(), bytes.end(), data);
  return bytes.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  compileOrDiagnose(data, size, kiln::OutputKind::Object);
  return 0;
}
#else
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context now and then: imported weights stay in the context's
  // resource table, so one context for every input would only grow.
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 256 == 0) {
    mlir::DialectRegistry registry;
    registry.insert<kiln::KilnDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect>();
    context = std::make_unique<mlir::MLIRContext>(registry);
    context->loadAllAvailableDialects();
  }
  bool reported = false;
  mlir::ScopedDiagnosticHandler handler(context.get(), [&](mlir::Diagnostic &d) {
    reported |= d.getSeverity() == mlir::DiagnosticSeverity::Error && !d.str().empty();
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::importOnnxBytes(
      context.get(), llvm::StringRef(reinterpret_cast<const char *>(data), size), ".",
      "fuzz.onnx");
  if (module ? failed(mlir::verify(*module)) : !reported)
    std::abort(); // an invalid module, or a failure without an error message
  return 0;
}
#endif
