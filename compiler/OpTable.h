//===- OpTable.h - the ONNX operators kiln imports --------------*- C++ -*-===//
//
// One table, keyed by ONNX op type and opset range, says which operators
// kiln supports and names the function that imports each. The importer's
// check for unsupported ops, its per-node dispatch and isSupportedOnnxOp
// all read it; an operator whose form changed between opsets (Softmax
// before and from 13, Dropout's training_mode input from 12, ...) has one
// entry per form. The import functions (OpTable.cpp) see the importer
// through NodeImporter: the node being imported, its inputs and
// attributes, and where its results go.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_OPTABLE_H
#define KILN_COMPILER_OPTABLE_H

#include "compiler/TensorData.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace onnx {
class AttributeProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace kiln {

/// The importer as an import function sees it, while it imports one node.
class NodeImporter {
public:
  virtual ~NodeImporter() = default;

  /// The node being imported, and the model's default-domain opset.
  virtual const onnx::NodeProto &node() const = 0;
  virtual int64_t opset() const = 0;
  /// Builds at the end of the graph function, at the node's location.
  virtual mlir::OpBuilder &builder() = 0;
  virtual mlir::Location loc() const = 0;

  /// Starts an error about the node: "<OpType> node '<name>': ...".
  virtual mlir::InFlightDiagnostic error() = 0;
  /// Input `i` as a value (constants are materialized on first use); null,
  /// with an error reported, when it is missing and not `optional`, or
  /// undefined. Optional inputs that are absent give null silently.
  virtual mlir::Value input(unsigned i, bool optional = false) = 0;
  /// Binds the node's outputs to `results` (fails on oversized tensors).
  virtual mlir::LogicalResult setOutputs(llvm::ArrayRef<mlir::Value> results) = 0;
  /// Fails with an error when an output past the first is used.
  virtual mlir::LogicalResult onlyFirstOutputUsed() = 0;

  /// The constant (initializer or Constant node output) named `name`, or null.
  virtual const onnx::TensorProto *constantTensor(llvm::StringRef name) = 0;
  /// Decodes a constant's payload (external data relative to the model).
  virtual llvm::Expected<TensorData> readConstant(const onnx::TensorProto &tensor) = 0;
  /// Whether `name` is already an SSA value (a graph input, node result or
  /// materialized constant).
  virtual bool hasValue(llvm::StringRef name) = 0;
  /// Makes `name` a constant whose payload is `tensor`, which must outlive
  /// the import (an initializer, or one from newTensor()).
  virtual void defineConstant(llvm::StringRef name, const onnx::TensorProto &tensor) = 0;
  /// A tensor owned by the importer, for Constant nodes to fill.
  virtual onnx::TensorProto &newTensor() = 0;

  // Attributes of the node (OpTable.cpp).
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> dflt) const;
};

/// Imports the current node; reports its own errors.
using OnnxImportFn = mlir::LogicalResult (*)(NodeImporter &);

/// One form of an ONNX operator: the opsets it covers and its importer.
struct OnnxOpEntry {
  llvm::StringLiteral opType;
  /// First and last default-domain opset of this form (inclusive).
  int64_t sinceOpset, untilOpset;
  OnnxImportFn import;
};

/// Every operator form kiln imports.
llvm::ArrayRef<OnnxOpEntry> onnxOpTable();

/// The entry importing default-domain `opType` at `opset`, or null.
const OnnxOpEntry *lookupOnnxOp(llvm::StringRef opType, int64_t opset);

} // namespace kiln

#endif // KILN_COMPILER_OPTABLE_H
