//===- Pipeline.h - the kiln compilation pipeline ---------------*- C++ -*-===//
//
// The one function that builds kiln's pass pipeline, phase by phase. The
// kiln-compile driver runs it (dumping IR between phases with --dump-ir) and
// kiln-opt registers it, so tests run exactly what users run.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_PIPELINE_H
#define KILN_PASSES_PIPELINE_H

#include "codegen/Target.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ArrayRef.h"

namespace kiln {

/// Pipeline phases in order. IR after phase P is what `--dump-ir` writes to
/// `NN-<name>.mlir`.
enum class Phase {
  Imported,   ///< kiln dialect as imported
  BNFolded,   ///< BatchNorm folded, constants folded
  Fused,      ///< conv + bias + residual + relu fused
  Layout,     ///< NHWC with compile-time filter relayout
  Linalg,     ///< linalg/tensor/arith on tensors
  Tiled,      ///< tiled and vectorized
  Bufferized, ///< memrefs, destination-passing ABI, static memory plan
  LLVM,       ///< LLVM dialect
};

struct PhaseInfo {
  Phase phase;
  llvm::StringLiteral name; ///< file-name part, e.g. "fused"
};

/// All phases in order.
llvm::ArrayRef<PhaseInfo> getPhases();

struct PipelineOptions {
  TargetInfo target;
  /// Tile and vectorize kernels (off: plain loops, for debugging).
  bool vectorize = true;
  /// Run outer tile loops on the runtime's thread pool.
  bool parallel = true;
};

/// Adds the passes that take IR from the end of phase `p - 1` to the end of
/// phase `p` (nothing for Imported). The pass manager is anchored on
/// builtin.module.
mlir::LogicalResult buildPhase(mlir::OpPassManager &pm, Phase p,
                               const PipelineOptions &options);

/// Adds every phase in (from, to].
mlir::LogicalResult buildPipeline(mlir::OpPassManager &pm, Phase from, Phase to,
                                  const PipelineOptions &options);

/// Registers `kiln-graph-pipeline` (to Layout), `kiln-lower-pipeline`
/// (Layout to LLVM) and `kiln-pipeline` (all) for kiln-opt.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_PASSES_PIPELINE_H
