//===- kiln-compile.cpp - ONNX model to native shared library ---*- C++ -*-===//
//
// The command-line front end of kiln::compile (compiler/Compiler.h): parses
// options, calls the library, prints its diagnostics and the report, and
// turns the outcome into an exit code.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::OptionCategory cat("kiln-compile options");
static cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                                  cl::cat(cat));
static cl::opt<std::string> output("o", cl::desc("Output file (IR levels: default stdout)"),
                                   cl::value_desc("path"), cl::cat(cat));
using kiln::OutputKind;
static cl::opt<OutputKind> emit(
    "emit", cl::desc("What to produce (default: so)"), cl::init(OutputKind::SharedLib),
    cl::values(clEnumValN(OutputKind::Kiln, "kiln", "kiln graph IR with kernel choices"),
               clEnumValN(OutputKind::Linalg, "linalg", "linalg/tensor IR"),
               clEnumValN(OutputKind::LLVMIR, "llvm-ir", "LLVM IR (optimized)"),
               clEnumValN(OutputKind::Assembly, "asm", "target assembly"),
               clEnumValN(OutputKind::Object, "obj", "object file"),
               clEnumValN(OutputKind::SharedLib, "so", "shared library with the kiln runtime")),
    cl::cat(cat));
static cl::opt<std::string> target("target",
                                   cl::desc("Target triple: host (default), x86_64-linux-gnu, "
                                            "aarch64-linux-gnu"),
                                   cl::init("host"), cl::cat(cat));
static cl::opt<std::string> cpu("mcpu",
                                cl::desc("Target CPU, e.g. haswell, znver4, neoverse-n1, "
                                         "cortex-a72 (default: the host's; x86-64-v3 or "
                                         "generic for cross targets)"),
                                cl::cat(cat));
static cl::opt<std::string> dumpDir("dump-ir",
                                    cl::desc("Write the IR after every phase to "
                                             "DIR/NN-<phase>.mlir"),
                                    cl::value_desc("DIR"), cl::cat(cat));
static cl::opt<bool> dumpWeights("dump-weights",
                                 cl::desc("Print weights in IR output and dumps"), cl::cat(cat));
static cl::opt<std::string> kernelConfig("kernel-config",
                                         cl::desc("Override kernel choices per layer "
                                                  "(JSON; see README 'Kernel choices')"),
                                         cl::value_desc("FILE.json"), cl::cat(cat));
static cl::opt<std::string> report("report",
                                   cl::desc("Write the compile report as JSON to FILE; "
                                            "--report alone prints a table"),
                                   cl::ValueOptional, cl::value_desc("FILE.json"),
                                   cl::cat(cat));
static cl::list<std::string> shapes("shape",
                                    cl::desc("Bind a graph input's shape, NAME:1x3x224x224"),
                                    cl::value_desc("NAME:DIMS"), cl::cat(cat));
static cl::opt<int64_t> batch("batch",
                             cl::desc("Batch size for graph inputs whose first dimension is "
                                      "symbolic (a dynamic batch axis)"),
                             cl::value_desc("N"), cl::init(0), cl::cat(cat));
static cl::opt<bool> verbose("v", cl::desc("Print one line per phase with its time"),
                             cl::cat(cat));
static cl::opt<bool> noVectorize("no-vectorize", cl::desc("Plain loops (for debugging)"),
                                 cl::cat(cat));
static cl::opt<bool> noParallel("no-parallel", cl::desc("Single-threaded code"),
                                cl::cat(cat));
static cl::opt<bool> runtimeChecks(
    "runtime-checks",
    cl::desc("Bounds checks in the generated code: an out-of-bounds access prints "
             "the ONNX node and aborts (for testing; slower)"),
    cl::cat(cat));
static cl::opt<std::string> perturbNode(
    "debug-perturb-node",
    cl::desc("Debugging: scale the weights of ONNX node NAME by 1.05, so the model is "
             "wrong from that layer on (kiln-verify's planted-bug test)"),
    cl::value_desc("NAME"), cl::cat(cat));
static cl::opt<bool> noChecker("no-onnx-checker", cl::desc("Skip ONNX's model checker"),
                               cl::cat(cat));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions({&cat});
  // Weights stay elided in every printout, --mlir-print-ir-* included,
  // unless --dump-weights (or an explicit --mlir-elide-* choice).
  std::vector<const char *> args(argv, argv + argc);
  if (!llvm::any_of(args, [](llvm::StringRef a) {
        return a == "--dump-weights" || a == "-dump-weights" || a.contains("mlir-elide-");
      })) {
    args.push_back("--mlir-elide-resource-strings-if-larger=64");
    args.push_back("--mlir-elide-elementsattrs-if-larger=16");
  }
  cl::ParseCommandLineOptions(
      (int)args.size(), args.data(),
      "kiln-compile: compile an ONNX model to a native shared library\n\n"
      "  kiln-compile model.onnx -o libmodel.so\n"
      "  kiln-compile model.onnx --emit=linalg -o model.mlir\n"
      "  kiln-compile model.onnx --dump-ir=dumps --report -v -o libmodel.so\n\n"
      "Also accepts --mlir-print-ir-after-all, --mlir-timing and the other\n"
      "MLIR pass-manager options (see --help-hidden).\n");

  kiln::CompileOptions options;
  options.modelPath = input;
  options.outputPath = output;
  options.output = emit;
  if ((emit == OutputKind::Object || emit == OutputKind::SharedLib) && output.empty()) {
    llvm::errs() << "kiln-compile: error: --emit=" << (emit == OutputKind::Object ? "obj" : "so")
                 << " needs an output path (-o)\n";
    return 1;
  }
  if (options.outputPath.empty())
    options.outputPath = "-"; // IR levels and assembly go to stdout
  options.target = target;
  options.cpu = cpu;
  options.dumpDir = dumpDir;
  options.dumpWeights = dumpWeights;
  options.kernelConfigPath = kernelConfig;
  options.vectorize = !noVectorize;
  options.parallel = !noParallel;
  options.runtimeChecks = runtimeChecks;
  options.onnxChecker = !noChecker;
  options.shapeBindings.assign(shapes.begin(), shapes.end());
  options.batch = batch;
  options.debugPerturbNode = perturbNode;
  options.useMlirCommandLineOptions = true;

  llvm::Expected<kiln::CompileResult> result = kiln::compile(options);
  if (!result) {
    for (const kiln::Diagnostic &d : kiln::takeDiagnostics(result.takeError()))
      llvm::errs() << d.str("kiln-compile") << "\n";
    return 1;
  }
  for (const kiln::Diagnostic &d : result->diagnostics)
    llvm::errs() << d.str("kiln-compile") << "\n";
  if (verbose) {
    llvm::errs() << "kiln-compile: target " << result->report.target << "\n";
    for (const kiln::PhaseTime &p : result->report.phases)
      llvm::errs() << llvm::format("kiln-compile: %-12s %9.1f ms\n", p.phase.c_str(), p.ms);
  }
  if (report.getNumOccurrences()) {
    if (report.empty()) {
      llvm::outs() << result->report.toTable();
    } else {
      std::error_code ec;
      llvm::raw_fd_ostream os(report, ec);
      if (ec) {
        llvm::errs() << "kiln-compile: error: cannot write " << report << ": "
                     << ec.message() << "\n";
        return 1;
      }
      os << result->report.toJSON();
    }
  }
  return 0;
}
