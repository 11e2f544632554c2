//===- KernelSelection.h - one place that decides every kernel --*- C++ -*-===//
//
// Kernel selection writes a #kiln.kernel on every compute op: the kernel
// kind, its layout, filter-packing block, register tile, cache tile and
// parallel dimensions, chosen from the target (vector width, registers,
// L1/L2) and the op's shape, or taken from a kernel-config file (per ONNX
// node name or per shape: the hook a tuner uses). Packing, lowering and
// tiling read that attribute and nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_KERNELSELECTION_H
#define KILN_PASSES_KERNELSELECTION_H

#include "dialects/Kiln/KilnDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace kiln {

/// The heuristic kernel of a kiln compute op for `target`, or null for ops
/// that are not compute ops (constants, function structure).
KernelAttr selectKernel(mlir::Operation *op, const TargetInfo &target, bool vectorize,
                        bool parallel);

/// The kernel of a linalg op the lowering created without one (fills,
/// broadcasts, epilogues, the pieces of a decomposed Softmax): one vector
/// of `lanes` along the innermost parallel loop. Null when nothing to tile.
KernelAttr selectVectorKernel(mlir::linalg::LinalgOp op, int64_t lanes);

/// Checks that `kernel` can implement `op` (kind, tile lengths, block);
/// emits a diagnostic at `op` and fails otherwise.
mlir::LogicalResult verifyKernelFor(mlir::Operation *op, KernelAttr kernel);

/// Number of loops of the linalg op that implements `op` with `kind`.
std::optional<int64_t> kernelLoopCount(mlir::Operation *op, KernelKind kind);

/// Floating-point operations of one kiln op (multiply-adds count twice,
/// elementwise ops one per output element, views none).
uint64_t flopsOf(mlir::Operation *op);

/// What kiln-select-kernels records about a compute op in its location (a
/// `FusedLoc` whose metadata is a dictionary {kiln.layer_op, kiln.layer_kernel,
/// kiln.layer_flops} around the op's own location), so that the layer table
/// of the profile (kiln-layer-table) can still name the op, its kernel and
/// its work after lowering turned it into loops: MLIR keeps an op's
/// location through every rewrite.
struct LayerTag {
  mlir::FusedLoc loc;             ///< the tagged location (node names inside)
  std::string op, kernel;         ///< "kiln.fused_conv", "direct_conv"
  uint64_t flops = 0;
};

/// `op`'s location tagged with `kernel` (unchanged when already tagged).
mlir::Location tagLayerLoc(mlir::Operation *op, KernelAttr kernel);

/// The layer tag in `loc` (searched through fused locations), if any.
std::optional<LayerTag> findLayerTag(mlir::Location loc);

/// Per-layer overrides read from a JSON file (README "Kernel choices").
class KernelConfig {
public:
  struct Entry {
    std::string node;                        ///< match by ONNX node name, or
    std::string op;                          ///< and/or kiln op ("kiln.fused_conv")
    std::optional<std::vector<int64_t>> outputShape, filterShape; ///< by shape
    std::optional<KernelKind> kind;
    std::optional<Layout> layout;
    std::optional<int64_t> block;
    std::optional<std::vector<int64_t>> registerTile, cacheTile, parallelDims;
    unsigned matches = 0;
  };
  static llvm::Expected<KernelConfig> load(llvm::StringRef path);
  static llvm::Expected<KernelConfig> parse(llvm::StringRef json, llvm::StringRef name);
  /// The first entry that matches `op`, or null.
  Entry *match(mlir::Operation *op);
  /// `base` with the fields `entry` sets.
  static KernelAttr apply(const Entry &entry, KernelAttr base);
  std::vector<Entry> entries;
  std::string name;
};

} // namespace kiln

#endif // KILN_PASSES_KERNELSELECTION_H
