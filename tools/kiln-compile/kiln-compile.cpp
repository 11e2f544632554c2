//===- kiln-compile.cpp - ONNX model to native shared library ---*- C++ -*-===//
//
// The kiln compiler driver: imports an ONNX model, runs the pipeline phase by
// phase (optionally dumping each phase's IR), and emits kiln IR, linalg IR,
// LLVM IR, assembly, an object file or a shared library with the runtime.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "codegen/ModelABI.h"
#include "codegen/Target.h"
#include "compiler/Importer.h"
#include "dialects/Kiln/KilnDialect.h"
#include "passes/Passes.h"
#include "passes/Pipeline.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace kiln;
namespace cl = llvm::cl;

static cl::OptionCategory kilnCat("kiln-compile options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(kilnCat));
static cl::opt<std::string> outputFile("o", cl::desc("Output file (IR levels: default stdout)"),
                                       cl::value_desc("path"), cl::cat(kilnCat));

enum class Emit { Kiln, Linalg, LLVMIR, Asm, Obj, SharedLib };
static cl::opt<Emit> emitKind(
    "emit", cl::desc("What to produce (default: so)"), cl::init(Emit::SharedLib),
    cl::values(clEnumValN(Emit::Kiln, "kiln", "optimized kiln graph IR (after layout)"),
               clEnumValN(Emit::Linalg, "linalg", "linalg/tensor IR"),
               clEnumValN(Emit::LLVMIR, "llvm-ir", "LLVM IR (optimized)"),
               clEnumValN(Emit::Asm, "asm", "target assembly"),
               clEnumValN(Emit::Obj, "obj", "object file"),
               clEnumValN(Emit::SharedLib, "so", "shared library with the kiln runtime")),
    cl::cat(kilnCat));
static cl::opt<std::string> targetTriple(
    "target", cl::desc("Target triple: host (default), x86_64-linux-gnu, aarch64-linux-gnu"),
    cl::init("host"), cl::cat(kilnCat));
static cl::opt<std::string> targetCpu("mcpu", cl::desc("Target CPU (default: host CPU or generic)"),
                                      cl::init(""), cl::cat(kilnCat));
static cl::opt<std::string> dumpDir(
    "dump-ir", cl::desc("Write the IR after every phase to DIR/NN-<phase>.mlir"),
    cl::value_desc("DIR"), cl::cat(kilnCat));
static cl::opt<bool> dumpWeights("dump-weights",
                                 cl::desc("Print weights in IR output and dumps (elided by default)"),
                                 cl::cat(kilnCat));
static cl::opt<bool> verbose("v", cl::desc("Print one line per phase with its time"),
                             cl::cat(kilnCat));
static cl::opt<bool> noVectorize("no-vectorize",
                                 cl::desc("Do not tile/vectorize (plain loops, for debugging)"),
                                 cl::cat(kilnCat));
static cl::opt<bool> noParallel("no-parallel",
                                cl::desc("Generate single-threaded code"), cl::cat(kilnCat));
static cl::opt<bool> noChecker("no-onnx-checker", cl::desc("Skip ONNX's model checker"),
                               cl::cat(kilnCat));

namespace {
/// Times phases for -v.
class PhaseClock {
public:
  void start() { t0 = std::chrono::steady_clock::now(); }
  void report(StringRef what) {
    if (!verbose)
      return;
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    llvm::errs() << llvm::format("kiln-compile: %-12s %9.1f ms\n", what.str().c_str(), ms);
  }

private:
  std::chrono::steady_clock::time_point t0;
};
} // namespace

static OpPrintingFlags printingFlags() {
  OpPrintingFlags flags;
  if (!dumpWeights) {
    flags.elideLargeElementsAttrs(16);
    flags.elideLargeResourceString(64);
  }
  return flags;
}

static LogicalResult writeIR(ModuleOp module, StringRef path) {
  std::string err;
  auto out = openOutputFile(path.empty() ? "-" : path, &err);
  if (!out) {
    llvm::errs() << "kiln-compile: error: " << err << "\n";
    return failure();
  }
  module->print(out->os(), printingFlags());
  out->keep();
  return success();
}

static std::string exeDir(const char *argv0) {
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, (void *)&exeDir);
  return llvm::sys::path::parent_path(exe).str();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Upstream passes are added to the pipeline by name.
  registerAllPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions({&kilnCat});
  // Weights stay elided in every printout, --mlir-print-ir-* included,
  // unless --dump-weights (or an explicit --mlir-elide-* choice).
  std::vector<const char *> args(argv, argv + argc);
  bool keepWeights = llvm::any_of(args, [](const char *a) {
    StringRef s(a);
    return s == "--dump-weights" || s == "-dump-weights" || s.contains("mlir-elide-");
  });
  if (!keepWeights) {
    args.push_back("--mlir-elide-resource-strings-if-larger=64");
    args.push_back("--mlir-elide-elementsattrs-if-larger=16");
  }
  cl::ParseCommandLineOptions(
      (int)args.size(), args.data(),
      "kiln-compile: compile an ONNX model to a native shared library\n\n"
      "  kiln-compile model.onnx -o libmodel.so\n"
      "  kiln-compile model.onnx --emit=linalg -o model.mlir\n"
      "  kiln-compile model.onnx --dump-ir=dumps -v -o libmodel.so\n\n"
      "Also accepts --mlir-print-ir-after-all, --mlir-timing and the other\n"
      "MLIR pass-manager options (see --help-hidden).\n");

  auto target = TargetInfo::fromTriple(targetTriple, targetCpu);
  if (!target) {
    llvm::errs() << "kiln-compile: error: " << llvm::toString(target.takeError()) << "\n";
    return 1;
  }
  if (emitKind == Emit::SharedLib && outputFile.empty()) {
    llvm::errs() << "kiln-compile: error: --emit=so needs an output path (-o)\n";
    return 1;
  }
  if ((emitKind == Emit::Obj) && outputFile.empty()) {
    llvm::errs() << "kiln-compile: error: --emit=obj needs an output path (-o)\n";
    return 1;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<KilnDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  PhaseClock clock;
  clock.start();
  ImportOptions importOptions;
  importOptions.runChecker = !noChecker;
  OwningOpRef<ModuleOp> module = importOnnxFile(&context, inputFile, importOptions);
  if (!module)
    return 1;
  clock.report("import");
  if (verbose)
    llvm::errs() << "kiln-compile: target " << target->describe() << "\n";
  FailureOr<ModelSignature> signature = getModelSignature(*module);
  if (failed(signature))
    return 1;

  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir)) {
      llvm::errs() << "kiln-compile: error: cannot create " << dumpDir << ": "
                   << ec.message() << "\n";
      return 1;
    }
  }
  auto dumpPhase = [&](int index, StringRef name) -> LogicalResult {
    if (dumpDir.empty())
      return success();
    llvm::SmallString<256> path(dumpDir);
    llvm::sys::path::append(path, llvm::formatv("{0:02}-{1}.mlir", index, name).str());
    return writeIR(*module, path);
  };
  if (failed(dumpPhase(0, "imported")))
    return 1;

  PipelineOptions options;
  options.target = *target;
  options.vectorize = !noVectorize;
  options.parallel = !noParallel;
  Phase last = emitKind == Emit::Kiln     ? Phase::Layout
               : emitKind == Emit::Linalg ? Phase::Linalg
                                          : Phase::LLVM;
  DefaultTimingManager tm;
  applyDefaultTimingManagerCLOptions(tm);
  TimingScope timing = tm.getRootScope();
  for (const PhaseInfo &info : getPhases()) {
    if (info.phase == Phase::Imported || info.phase > last)
      continue;
    clock.start();
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(applyPassManagerCLOptions(pm)))
      return 1;
    pm.enableTiming(timing);
    if (failed(buildPhase(pm, info.phase, options)))
      return 1;
    if (failed(pm.run(*module))) {
      llvm::errs() << "kiln-compile: error: phase '" << info.name << "' failed\n";
      return 1;
    }
    clock.report(info.name);
    if (failed(dumpPhase((int)info.phase, info.name)))
      return 1;
  }
  if (emitKind == Emit::Kiln || emitKind == Emit::Linalg)
    return failed(writeIR(*module, outputFile)) ? 1 : 0;

  clock.start();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVM(*module, llvmContext, *signature, *target);
  if (!llvmModule)
    return 1;
  clock.report("llvm-opt");
  std::string err;
  if (emitKind == Emit::LLVMIR) {
    auto out = openOutputFile(outputFile.empty() ? "-" : outputFile.getValue(), &err);
    if (!out) {
      llvm::errs() << "kiln-compile: error: " << err << "\n";
      return 1;
    }
    llvmModule->print(out->os(), nullptr);
    out->keep();
    return 0;
  }
  clock.start();
  if (emitKind == Emit::Asm || emitKind == Emit::Obj) {
    auto out = openOutputFile(outputFile.empty() ? "-" : outputFile.getValue(), &err);
    if (!out) {
      llvm::errs() << "kiln-compile: error: " << err << "\n";
      return 1;
    }
    if (failed(emitFile(*llvmModule, *target,
                        emitKind == Emit::Asm ? FileKind::Assembly : FileKind::Object,
                        out->os())))
      return 1;
    out->keep();
    clock.report("codegen");
    return 0;
  }

  // Shared library: object to a temporary file, then link with the runtime.
  llvm::SmallString<128> objPath;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("kiln", "o", objPath)) {
    llvm::errs() << "kiln-compile: error: cannot create a temporary file: "
                 << ec.message() << "\n";
    return 1;
  }
  llvm::FileRemover removeObj(objPath);
  {
    auto out = openOutputFile(objPath, &err);
    if (!out || failed(emitFile(*llvmModule, *target, FileKind::Object, out->os()))) {
      llvm::errs() << "kiln-compile: error: cannot write the object file " << err << "\n";
      return 1;
    }
    out->keep();
  }
  clock.report("codegen");
  clock.start();
  std::string arch = target->isAArch64() ? "aarch64" : "x86_64";
  llvm::SmallString<256> runtime(exeDir(argv[0]));
  llvm::sys::path::append(runtime, "..", "lib", "kiln");
  llvm::sys::path::append(runtime, arch, "libkiln_runtime.a");
  if (failed(linkSharedLibrary(objPath, outputFile, *target, runtime)))
    return 1;
  // Install the public header next to the library.
  llvm::SmallString<256> header(exeDir(argv[0]));
  llvm::sys::path::append(header, "..", "include", "kiln", "kiln.h");
  llvm::SmallString<256> headerOut(llvm::sys::path::parent_path(outputFile));
  llvm::sys::path::append(headerOut, "kiln.h");
  if (llvm::sys::fs::exists(header))
    (void)llvm::sys::fs::copy_file(header, headerOut);
  clock.report("link");
  return 0;
}
