//===- Importer.h - ONNX to kiln dialect importer ---------------*- C++ -*-===//
//
// Reads an ONNX ModelProto (opsets 7-21, IR versions 3-10; opsets 1-6 are
// first upgraded to 7 with ONNX's version converter) into a module
// holding one `func.func @main_graph` of kiln ops. Every op's location is its
// ONNX node name, so later diagnostics point into the model. Weights become
// `dense_resource` constants, which dumps elide.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_IMPORTER_H
#define KILN_COMPILER_IMPORTER_H

#include "dialects/Kiln/KilnDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace kiln {

/// Supported ranges of the importer (models at opsets 1 to kMinOpset-1 are
/// upgraded to kMinOpset first).
constexpr int64_t kMinOpset = 7, kMaxOpset = 21;
constexpr int64_t kMinIrVersion = 3, kMaxIrVersion = 10;

// The function it creates (kMainFunctionName) and the name attribute
// (kNameAttr) are defined by the dialect (dialects/Kiln/KilnDialect.h).

struct ImportOptions {
  /// Run ONNX's checker where Debian's ONNX 1.12 understands the model.
  bool runChecker = true;
  /// Shapes for graph inputs by name (`--shape=NAME:1x3x224x224`): bind
  /// symbolic dimensions; static ones must agree.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// `--batch=N` (0: none): binds a symbolic first dimension of every graph
  /// input that `inputShapes` does not bind; a static one must equal N.
  int64_t batch = 0;
  /// Debugging aid (`--debug-perturb-node=NAME`): the float constants that
  /// the ONNX node NAME reads (its weights) are scaled by 1.05, so that the
  /// compiled model is wrong from that layer on. kiln-verify's test plants
  /// a bug with it. Empty: no perturbation.
  std::string perturbNode;
};

/// Imports the ONNX model in `path`. Errors are reported through the
/// context's diagnostic handler (all unsupported ops at once); returns null
/// on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext *context, llvm::StringRef path,
               const ImportOptions &options = {});

/// Imports a serialized ModelProto held in memory (`sourceName` names it in
/// diagnostics; external data is resolved against `modelDir`).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxBytes(mlir::MLIRContext *context, llvm::StringRef bytes, llvm::StringRef modelDir,
                llvm::StringRef sourceName, const ImportOptions &options = {});

/// Imports an already parsed model. `modelDir` is the folder external data
/// must stay inside; `sourceName` names the model in diagnostics.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext *context, const onnx::ModelProto &model,
                llvm::StringRef modelDir, llvm::StringRef sourceName,
                const ImportOptions &options = {});

/// Whether the importer accepts default-domain ONNX operator `opType` in a
/// model of opset `opset` (compiler/OpTable.h lists the forms it imports).
bool isSupportedOnnxOp(llvm::StringRef opType, int64_t opset = kMaxOpset);

} // namespace kiln

#endif // KILN_COMPILER_IMPORTER_H
