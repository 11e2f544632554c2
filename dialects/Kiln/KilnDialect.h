//===- KilnDialect.h - kiln graph dialect -----------------------*- C++ -*-===//
//
// Declares the kiln dialect and its ops. Include this header to use the
// dialect; KilnOps.td is the source of truth for the op definitions.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_KILNDIALECT_H
#define KILN_DIALECTS_KILN_KILNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <array>

#include "dialects/Kiln/Target.h"
// Shape rules (windowOutputSize, broadcastShapes, infer*Type, ...) and
// op interfaces (ElementwiseOpInterface).
#include "dialects/Kiln/KilnInterfaces.h"
#include "dialects/Kiln/ShapeInference.h"

#include "dialects/Kiln/KilnDialect.h.inc"
#include "dialects/Kiln/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Kiln/KilnAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Kiln/KilnOps.h.inc"

namespace kiln {

//===----------------------------------------------------------------------===//
// Names shared by importer, passes, code generation and runtime
//===----------------------------------------------------------------------===//

/// The model function the importer creates and the runtime's invoke calls.
constexpr llvm::StringLiteral kMainFunctionName = "main_graph";
/// Argument/result attribute holding the ONNX graph input/output name.
constexpr llvm::StringLiteral kNameAttr = "kiln.name";
/// Entry-function attribute: number of leading arguments that are model
/// inputs (the rest are outputs, then the arena); set by kiln-entry-abi.
constexpr llvm::StringLiteral kNumInputsAttr = "kiln.num_inputs";
/// Entry-function attribute: bytes of the activation arena (kiln-memory-plan).
constexpr llvm::StringLiteral kArenaBytesAttr = "kiln.arena_bytes";
/// Entry-function attribute: bytes of all activation buffers before planning.
constexpr llvm::StringLiteral kUnplannedBytesAttr = "kiln.unplanned_bytes";
/// Entry-function attribute: the largest sum of simultaneously live buffers.
constexpr llvm::StringLiteral kLivePeakBytesAttr = "kiln.live_peak_bytes";
/// Argument attribute marking the activation arena (the runtime's scratch).
constexpr llvm::StringLiteral kArenaArgAttr = "kiln.arena";
/// Module attribute holding the #kiln.target.
constexpr llvm::StringLiteral kTargetAttrName = "kiln.target";
/// Module attribute holding the #kiln.options.
constexpr llvm::StringLiteral kOptionsAttrName = "kiln.options";
/// Op attribute holding the op's #kiln.kernel.
constexpr llvm::StringLiteral kKernelAttrName = "kiln.kernel";
/// Module attribute: the layer table of the profile (kiln-layer-table).
constexpr llvm::StringLiteral kLayersAttrName = "kiln.layers";
/// Unique per tensor.empty from convert-kiln-to-linalg, so that CSE keeps
/// each layer's destination apart (see KilnToLinalg.cpp).
constexpr llvm::StringLiteral kEmptyIdAttr = "kiln.empty_id";

//===----------------------------------------------------------------------===//
// Target and kernel attributes
//===----------------------------------------------------------------------===//

TargetAttr getTargetAttr(mlir::MLIRContext *ctx, const TargetInfo &target);
TargetInfo getTargetInfo(TargetAttr attr);
/// The target of the module enclosing `op`, if it has a `kiln.target`.
std::optional<TargetInfo> lookupTarget(mlir::Operation *op);
/// The options of the module enclosing `op`, if it has `kiln.options`.
OptionsAttr lookupOptions(mlir::Operation *op);
/// The op's kernel choice, if it has one.
inline KernelAttr getKernel(mlir::Operation *op) {
  return op->getAttrOfType<KernelAttr>(kKernelAttrName);
}

/// The output tile m of a Winograd F(m x m, 3 x 3) kernel kind, 0 for the
/// other kinds.
inline int64_t winogradOutputTile(KernelKind kind) {
  return kind == KernelKind::winograd_f2 ? 2 : kind == KernelKind::winograd_f4 ? 4 : 0;
}

/// ONNX node names that make up `loc` (NameLocs, also inside fused
/// locations), in order, without duplicates.
llvm::SmallVector<std::string> nodeNames(mlir::Location loc);

/// Permutations between NCHW and NHWC.
inline constexpr int64_t kNCHWToNHWC[4] = {0, 2, 3, 1};
inline constexpr int64_t kNHWCToNCHW[4] = {0, 3, 1, 2};

} // namespace kiln

#endif // KILN_DIALECTS_KILN_KILNDIALECT_H
