//===- Importer.h - ONNX to kiln dialect importer ---------------*- C++ -*-===//
//
// Reads an ONNX ModelProto (opsets 7-21, IR versions 3-10) into a module
// holding one `func.func @main_graph` of kiln ops. Every op's location is its
// ONNX node name, so later diagnostics point into the model. Weights become
// `dense_resource` constants, which dumps elide.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_IMPORTER_H
#define KILN_COMPILER_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace onnx {
class ModelProto;
} // namespace onnx

namespace kiln {

/// Supported ranges of the importer.
constexpr int64_t kMinOpset = 7, kMaxOpset = 21;
constexpr int64_t kMinIrVersion = 3, kMaxIrVersion = 10;

/// Name of the function the importer creates.
constexpr llvm::StringLiteral kMainFunctionName = "main_graph";
/// Argument/result attribute holding the ONNX graph input/output name.
constexpr llvm::StringLiteral kNameAttr = "kiln.name";

struct ImportOptions {
  /// Run ONNX's checker where Debian's ONNX 1.12 understands the model.
  bool runChecker = true;
};

/// Imports the ONNX model in `path`. Errors are reported through the
/// context's diagnostic handler (all unsupported ops at once); returns null
/// on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext *context, llvm::StringRef path,
               const ImportOptions &options = {});

/// Imports an already parsed model. `modelDir` is the folder external data
/// must stay inside; `sourceName` names the model in diagnostics.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext *context, const onnx::ModelProto &model,
                llvm::StringRef modelDir, llvm::StringRef sourceName,
                const ImportOptions &options = {});

/// The ONNX operator types the importer accepts.
bool isSupportedOnnxOp(llvm::StringRef opType);

} // namespace kiln

#endif // KILN_COMPILER_IMPORTER_H
