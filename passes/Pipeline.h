//===- Pipeline.h - the kiln compilation pipeline ---------------*- C++ -*-===//
//
// The one function that builds kiln's pass pipeline, phase by phase. The
// kiln-compile driver runs it (dumping IR between phases with --dump-ir) and
// kiln-opt registers it, so tests run exactly what users run.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_PIPELINE_H
#define KILN_PASSES_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ArrayRef.h"

#include <optional>
#include <string>

namespace kiln {

/// Pipeline phases in order. IR after phase P is what `--dump-ir` writes to
/// `NN-<name>.mlir`.
enum class Phase {
  Imported,   ///< kiln dialect as imported
  BNFolded,   ///< BatchNorm folded, constants folded
  Fused,      ///< conv + bias + residual + relu fused
  Layout,     ///< NHWC with compile-time filter relayout
  Kernels,    ///< every compute op's #kiln.kernel chosen, filters packed
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

/// The phase named `name` ("bn-folded", ...).
std::optional<Phase> parsePhase(llvm::StringRef name);

/// What the pipeline needs besides the module. The target and the
/// vectorize/parallel choices travel in the module (#kiln.target,
/// #kiln.options), so any phase replays from a dump.
struct PipelineOptions {
  /// Kernel-config JSON file with per-layer overrides (empty: none).
  std::string kernelConfig;
  /// For IR without #kiln.target / #kiln.options only (hand-written tests
  /// through kiln-opt): what kiln-select-kernels records.
  std::string target = "host", cpu;
  bool vectorize = true, parallel = true;
};

/// Adds the passes that take IR from the end of phase `p - 1` to the end of
/// phase `p` (nothing for Imported). The pass manager is anchored on
/// builtin.module.
void buildPhase(mlir::OpPassManager &pm, Phase p, const PipelineOptions &options);

/// Adds every phase in (from, to].
void buildPipeline(mlir::OpPassManager &pm, Phase from, Phase to,
                   const PipelineOptions &options);

/// The CPU back end's lowering to the LLVM dialect (Phase::LLVM).
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// Registers `kiln-graph-pipeline` (to Kernels), `kiln-lower-pipeline`
/// (Kernels to LLVM), `kiln-pipeline` (all) and `kiln-phase{phase=P}` (one
/// phase) for kiln-opt.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_PASSES_PIPELINE_H
