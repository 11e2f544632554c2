//===- Pipeline.cpp - the kiln compilation pipeline -----------------------===//
//
// Builds each phase from kiln passes and upstream MLIR passes, all added
// through their typed constructors (no pass registry needed). Nothing here
// depends on the target: the passes read it from the module's
// #kiln.target and the kernels' #kiln.kernel, so a phase replays exactly
// on any dump (kiln-opt --kiln-phase=...).
//
//===----------------------------------------------------------------------===//
#include "passes/Pipeline.h"

#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace kiln;

ArrayRef<PhaseInfo> kiln::getPhases() {
  static const PhaseInfo phases[] = {
      {Phase::Imported, "imported"}, {Phase::BNFolded, "bn-folded"},
      {Phase::Fused, "fused"},       {Phase::Layout, "layout"},
      {Phase::Kernels, "kernels"},   {Phase::Linalg, "linalg"},
      {Phase::Tiled, "tiled"},       {Phase::Bufferized, "bufferized"},
      {Phase::LLVM, "llvm"},
  };
  return phases;
}

std::optional<Phase> kiln::parsePhase(StringRef name) {
  for (const PhaseInfo &info : getPhases())
    if (info.name == name)
      return info.phase;
  return std::nullopt;
}

/// canonicalize (and cse) on every function.
static void cleanup(OpPassManager &pm, bool cse = true) {
  OpPassManager &f = pm.nest<func::FuncOp>();
  f.addPass(createCanonicalizerPass());
  if (cse)
    f.addPass(createCSEPass());
}

void kiln::buildCpuLoweringPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  VectorTransferToSCFOptions toScf;
  toScf.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(toScf));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Floating-point vector reductions as trees (LLVM's reduce.fadd is
  // otherwise strictly ordered: a 64k-element Softmax sum was one serial
  // chain, 3e-4 relative error against 7e-6 for ONNX Runtime).
  ConvertVectorToLLVMPassOptions vectorOptions;
  vectorOptions.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void kiln::buildPhase(OpPassManager &pm, Phase p, const PipelineOptions &options) {
  switch (p) {
  case Phase::Imported:
    return;
  case Phase::BNFolded:
    pm.addNestedPass<func::FuncOp>(createKilnFoldBatchNorm());
    pm.addNestedPass<func::FuncOp>(createKilnFoldConstants());
    return cleanup(pm);
  case Phase::Fused:
    pm.addNestedPass<func::FuncOp>(createKilnFuseConv());
    return cleanup(pm, /*cse=*/false);
  case Phase::Layout:
    pm.addNestedPass<func::FuncOp>(createKilnLayout());
    return cleanup(pm);
  case Phase::Kernels: {
    KilnSelectKernelsOptions select;
    select.configFile = options.kernelConfig;
    select.targetTriple = options.target;
    select.cpu = options.cpu;
    select.vectorize = options.vectorize;
    select.parallel = options.parallel;
    pm.addPass(createKilnSelectKernels(select));
    pm.addNestedPass<func::FuncOp>(createKilnPackFilters());
    return cleanup(pm);
  }
  case Phase::Linalg:
    pm.addNestedPass<func::FuncOp>(createConvertKilnToLinalg());
    return cleanup(pm);
  case Phase::Tiled: {
    pm.addNestedPass<func::FuncOp>(createKilnTileAndVectorize());
    // Before CSE can merge the tensor.empty ops that the tiling pass split
    // apart: producers of padded tensors then write into the padded buffer.
    OpPassManager &f = pm.nest<func::FuncOp>();
    f.addPass(bufferization::createEmptyTensorEliminationPass());
    f.addPass(createCanonicalizerPass());
    f.addPass(createCSEPass());
    return;
  }
  case Phase::Bufferized: {
    pm.addPass(createKilnEntryABI());
    bufferization::OneShotBufferizePassOptions bufferize;
    bufferize.unknownTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
    bufferize.functionBoundaryTypeConversion =
        bufferization::LayoutMapOption::IdentityLayoutMap;
    pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    bufferization::buildBufferDeallocationPipeline(pm);
    pm.addPass(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createKilnMemoryPlan());
    pm.addPass(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
    // A no-op for modules compiled with kiln.options<parallel = false>.
    pm.addPass(createKilnOutlineParallel());
    pm.addPass(createKilnOutlineLayers());
    pm.addPass(createKilnLayerTable());
    // A no-op unless the module has kiln.options<runtime_checks = true>.
    pm.addPass(createKilnRuntimeChecks());
    return;
  }
  case Phase::LLVM:
    return buildCpuLoweringPipeline(pm);
  }
}

void kiln::buildPipeline(OpPassManager &pm, Phase from, Phase to,
                         const PipelineOptions &options) {
  for (const PhaseInfo &info : getPhases())
    if (info.phase > from && info.phase <= to)
      buildPhase(pm, info.phase, options);
}

namespace {
struct KilnPipelineCLOptions : PassPipelineOptions<KilnPipelineCLOptions> {
  Option<std::string> kernelConfig{*this, "kernel-config",
                                   llvm::cl::desc("Kernel-config JSON file")};
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("Target triple for IR without kiln.target "
                                            "(default: host)"),
                             llvm::cl::init("host")};
  Option<std::string> cpu{*this, "cpu", llvm::cl::desc("Target CPU for IR without kiln.target")};
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Tile and vectorize (IR without kiln.options)"),
                         llvm::cl::init(true)};
  Option<bool> parallel{*this, "parallel",
                        llvm::cl::desc("Use the thread pool (IR without kiln.options)"),
                        llvm::cl::init(true)};
};

struct KilnPhaseCLOptions : PassPipelineOptions<KilnPhaseCLOptions> {
  Option<std::string> phase{*this, "phase",
                            llvm::cl::desc("Phase to run: bn-folded, fused, layout, kernels, "
                                           "linalg, tiled, bufferized, llvm")};
  Option<std::string> kernelConfig{*this, "kernel-config",
                                   llvm::cl::desc("Kernel-config JSON file")};
};

/// Stands in for a pipeline whose options were invalid: fails with `message`.
struct ReportErrorPass : PassWrapper<ReportErrorPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReportErrorPass)
  explicit ReportErrorPass(std::string message) : message(std::move(message)) {}
  StringRef getArgument() const override { return "kiln-report-error"; }
  void runOnOperation() override {
    getOperation()->emitError() << message;
    signalPassFailure();
  }
  std::string message;
};

template <Phase From, Phase To>
void registerRange(StringRef name, StringRef summary) {
  PassPipelineRegistration<KilnPipelineCLOptions>(
      name, summary, [](OpPassManager &pm, const KilnPipelineCLOptions &cl) {
        PipelineOptions options;
        options.kernelConfig = cl.kernelConfig;
        options.target = cl.target;
        options.cpu = cl.cpu;
        options.vectorize = cl.vectorize;
        options.parallel = cl.parallel;
        buildPipeline(pm, From, To, options);
      });
}
} // namespace

void kiln::registerKilnPipelines() {
  registerRange<Phase::Imported, Phase::Kernels>(
      "kiln-graph-pipeline",
      "kiln graph passes: BN folding, fusion, NHWC layout, kernel selection");
  registerRange<Phase::Kernels, Phase::LLVM>(
      "kiln-lower-pipeline", "Lower kiln IR with chosen kernels to the LLVM dialect");
  registerRange<Phase::Imported, Phase::LLVM>(
      "kiln-pipeline", "The whole kiln pipeline, kiln dialect to LLVM dialect");
  PassPipelineRegistration<KilnPhaseCLOptions>(
      "kiln-phase",
      "One phase of the kiln pipeline, as kiln-compile runs it: replays a "
      "--dump-ir file NN-<p>.mlir into the next one (target and options come "
      "from the module's kiln.target and kiln.options)",
      [](OpPassManager &pm, const KilnPhaseCLOptions &cl) {
        std::optional<Phase> p = parsePhase(cl.phase);
        if (!p || *p == Phase::Imported) {
          pm.addPass(std::make_unique<ReportErrorPass>(
              "kiln-phase: unknown phase '" + cl.phase + "'"));
          return;
        }
        PipelineOptions options;
        options.kernelConfig = cl.kernelConfig;
        buildPhase(pm, *p, options);
      });
}
