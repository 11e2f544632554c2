//===- ModelABI.h - the model descriptor the runtime reads ------*- C++ -*-===//
//
// Every compiled model exports `kiln_generated_model`, a kiln_abi_model
// struct (runtime/src/kiln_abi.h) describing its inputs and outputs and
// pointing at an `invoke(buffers, scratch)` wrapper around @main_graph. This
// file extracts the signature from the imported IR and emits the struct and
// wrapper in LLVM IR for any 64-bit target. The layout, version and
// element-type codes come from the runtime's own headers (kiln_abi.h,
// kiln.h), checked field by field against the emitted struct.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CODEGEN_MODELABI_H
#define KILN_CODEGEN_MODELABI_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln {

struct TensorSignature {
  std::string name;
  int32_t elemType; ///< kiln_elem_type (= ONNX TensorProto.DataType)
  std::vector<int64_t> shape;
};

/// One row of the layer table (kiln-layer-table's `kiln.layers`).
struct LayerSignature {
  std::string nodes, op, kernel; ///< nodes joined by "+"
  uint64_t flops = 0;
};

/// The layer table recorded in `module` (empty when it has none).
std::vector<LayerSignature> getLayerTable(mlir::ModuleOp module);

struct ModelSignature {
  std::string modelName;
  std::vector<TensorSignature> inputs, outputs;
};

/// Reads the signature of @main_graph as the importer created it (tensor
/// arguments and results with `kiln.name`).
mlir::FailureOr<ModelSignature> getModelSignature(mlir::ModuleOp module);

/// Adds `kiln_generated_model` and its invoke wrapper to `llvmModule`, which
/// must define `main_graph` taking one pointer per input then per output,
/// plus the activation arena when `arenaBytes` > 0 (the runtime's scratch).
llvm::Error emitModelDescriptor(llvm::Module &llvmModule, const ModelSignature &signature,
                                uint64_t arenaBytes,
                                const std::vector<LayerSignature> &layers);

} // namespace kiln

#endif // KILN_CODEGEN_MODELABI_H
