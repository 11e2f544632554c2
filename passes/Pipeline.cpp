//===- Pipeline.cpp - the kiln compilation pipeline -----------------------===//
//
// Builds each phase from kiln passes and upstream MLIR passes. Upstream
// passes are added through their textual pipeline names, the same spelling
// mlir-opt and kiln-opt accept, so a phase can be replayed by hand.
//
//===----------------------------------------------------------------------===//
#include "passes/Pipeline.h"

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln;

ArrayRef<PhaseInfo> kiln::getPhases() {
  static const PhaseInfo phases[] = {
      {Phase::Imported, "imported"}, {Phase::BNFolded, "bn-folded"},
      {Phase::Fused, "fused"},       {Phase::Layout, "layout"},
      {Phase::Linalg, "linalg"},     {Phase::Tiled, "tiled"},
      {Phase::Bufferized, "bufferized"}, {Phase::LLVM, "llvm"},
  };
  return phases;
}

/// Appends a textual pipeline (anchored like `pm`) to `pm`.
static LogicalResult addText(OpPassManager &pm, StringRef text) {
  std::string err;
  llvm::raw_string_ostream os(err);
  if (failed(parsePassPipeline(text, pm, os))) {
    llvm::errs() << "kiln: internal error: bad pipeline '" << text << "': " << err << "\n";
    return failure();
  }
  return success();
}

LogicalResult kiln::buildPhase(OpPassManager &pm, Phase p,
                               const PipelineOptions &options) {
  switch (p) {
  case Phase::Imported:
    return success();
  case Phase::BNFolded:
    pm.addNestedPass<func::FuncOp>(createKilnFoldBatchNorm());
    pm.addNestedPass<func::FuncOp>(createKilnFoldConstants());
    return addText(pm, "func.func(canonicalize,cse)");
  case Phase::Fused:
    pm.addNestedPass<func::FuncOp>(createKilnFuseConv());
    return addText(pm, "func.func(canonicalize)");
  case Phase::Layout: {
    pm.addNestedPass<func::FuncOp>(createKilnLayout());
    KilnPackFiltersOptions pack;
    pack.block = options.vectorize ? 2 * options.target.f32Lanes() : 0;
    pm.addNestedPass<func::FuncOp>(createKilnPackFilters(pack));
    return addText(pm, "func.func(canonicalize,cse)");
  }
  case Phase::Linalg:
    pm.addNestedPass<func::FuncOp>(createConvertKilnToLinalg());
    return addText(pm, "func.func(canonicalize,cse)");
  case Phase::Tiled: {
    if (!options.vectorize)
      return success();
    KilnTileAndVectorizeOptions tv;
    tv.vectorBits = options.target.vectorBits;
    tv.registerRows = options.target.registerRows();
    tv.parallelize = options.parallel;
    pm.addNestedPass<func::FuncOp>(createKilnTileAndVectorize(tv));
    // Before CSE can merge the tensor.empty ops that the tiling pass split
    // apart: producers of padded tensors then write into the padded buffer.
    return addText(pm, "func.func(eliminate-empty-tensors,canonicalize,cse)");
  }
  case Phase::Bufferized:
    pm.addPass(createKilnEntryABI());
    if (failed(addText(pm, "one-shot-bufferize{unknown-type-conversion=identity-layout-map "
                           "function-boundary-type-conversion=identity-layout-map},"
                           "canonicalize,cse,buffer-deallocation-pipeline,canonicalize")))
      return failure();
    pm.addNestedPass<func::FuncOp>(createKilnMemoryPlan());
    if (failed(addText(pm, "canonicalize,func.func(scf-forall-to-parallel)")))
      return failure();
    if (options.parallel)
      pm.addPass(createKilnOutlineParallel());
    return success();
  case Phase::LLVM:
    return addText(pm, "func.func(convert-linalg-to-loops),canonicalize,"
                       "convert-vector-to-scf{full-unroll=1},expand-strided-metadata,"
                       "lower-affine,convert-scf-to-cf,convert-vector-to-llvm,"
                       "convert-math-to-llvm,finalize-memref-to-llvm,"
                       "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
                       "convert-arith-to-llvm,convert-cf-to-llvm,convert-index-to-llvm,convert-ub-to-llvm,"
                       "reconcile-unrealized-casts");
  }
  return failure();
}

LogicalResult kiln::buildPipeline(OpPassManager &pm, Phase from, Phase to,
                                  const PipelineOptions &options) {
  for (const PhaseInfo &info : getPhases())
    if (info.phase > from && info.phase <= to)
      if (failed(buildPhase(pm, info.phase, options)))
        return failure();
  return success();
}

namespace {
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

struct KilnPipelineCLOptions : PassPipelineOptions<KilnPipelineCLOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("Target triple (default: host)"),
                             llvm::cl::init("host")};
  Option<bool> vectorize{*this, "vectorize", llvm::cl::desc("Tile and vectorize"),
                         llvm::cl::init(true)};
  Option<bool> parallel{*this, "parallel",
                        llvm::cl::desc("Run outer loops on the thread pool"),
                        llvm::cl::init(true)};
};

template <Phase From, Phase To>
void registerRange(StringRef name, StringRef summary) {
  PassPipelineRegistration<KilnPipelineCLOptions>(
      name, summary, [](OpPassManager &pm, const KilnPipelineCLOptions &cl) {
        PipelineOptions options;
        auto target = TargetInfo::fromTriple(cl.target);
        if (!target) {
          pm.addPass(std::make_unique<ReportErrorPass>(llvm::toString(target.takeError())));
          return;
        }
        options.target = *target;
        options.vectorize = cl.vectorize;
        options.parallel = cl.parallel;
        (void)buildPipeline(pm, From, To, options);
      });
}
} // namespace

void kiln::registerKilnPipelines() {
  registerRange<Phase::Imported, Phase::Layout>(
      "kiln-graph-pipeline", "kiln graph passes: BN folding, fusion, NHWC layout");
  registerRange<Phase::Layout, Phase::LLVM>(
      "kiln-lower-pipeline", "Lower optimized kiln IR to the LLVM dialect");
  registerRange<Phase::Imported, Phase::LLVM>(
      "kiln-pipeline", "The whole kiln pipeline, kiln dialect to LLVM dialect");
}
