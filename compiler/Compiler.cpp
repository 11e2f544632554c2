//===- Compiler.cpp - kiln::compile ---------------------------------------===//
//
// The driver: one MLIR context per call, diagnostics captured as records,
// import, the phases of passes/Pipeline.h (dumping each), the compile
// report, and the target's back end. Nothing here prints.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"

#include "codegen/Backend.h"
#include "compiler/Importer.h"
#include "dialects/Kiln/KilnDialect.h"
#include "passes/KernelSelection.h"
#include "passes/Pipeline.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <chrono>
#include <dlfcn.h>
#include <set>

using namespace mlir;
using namespace kiln;

char CompileError::ID = 0;

#ifndef KILN_BUILD_RUNTIME_DIR
#define KILN_BUILD_RUNTIME_DIR ""
#endif
#ifndef KILN_INSTALL_RUNTIME_DIR
#define KILN_INSTALL_RUNTIME_DIR ""
#endif

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

std::string kiln::Diagnostic::str(llvm::StringRef tool) const {
  const char *sev = severity == Severity::Error     ? "error"
                    : severity == Severity::Warning ? "warning"
                    : severity == Severity::Note    ? "note"
                                                    : "remark";
  std::string out = file.empty() ? tool.str()
                                 : file + ":" + std::to_string(line) + ":" +
                                       std::to_string(column);
  out += std::string(": ") + sev + ": " + message;
  // Name the ONNX node where the message does not already (errors of the
  // passes on a fused op, a kernel-config override).
  if (!node.empty() && !llvm::StringRef(message).contains("'" + node + "'"))
    out += " (node '" + node + "')";
  return out;
}

void CompileError::log(llvm::raw_ostream &os) const {
  bool first = true;
  for (const Diagnostic &d : diagnostics) {
    if (d.severity != Diagnostic::Severity::Error && d.severity != Diagnostic::Severity::Note)
      continue;
    os << (first ? "" : "\n") << d.str();
    first = false;
  }
}

std::error_code CompileError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

std::vector<kiln::Diagnostic> kiln::takeDiagnostics(llvm::Error error) {
  std::vector<Diagnostic> out;
  llvm::handleAllErrors(
      std::move(error), [&](CompileError &e) { out = std::move(e.diagnostics); },
      [&](llvm::ErrorInfoBase &e) {
        out.push_back({Diagnostic::Severity::Error, "", "", e.message()});
      });
  return out;
}

namespace {
/// Collects every diagnostic of the context into records.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](mlir::Diagnostic &d) {
          add(d);
          return success();
        }) {}

  void add(mlir::Diagnostic &d) {
    kiln::Diagnostic r;
    switch (d.getSeverity()) {
    case DiagnosticSeverity::Error:
      r.severity = kiln::Diagnostic::Severity::Error;
      hasError = true;
      break;
    case DiagnosticSeverity::Warning:
      r.severity = kiln::Diagnostic::Severity::Warning;
      break;
    case DiagnosticSeverity::Note:
      r.severity = kiln::Diagnostic::Severity::Note;
      break;
    case DiagnosticSeverity::Remark:
      r.severity = kiln::Diagnostic::Severity::Remark;
      break;
    }
    SmallVector<std::string> names = nodeNames(d.getLocation());
    if (!names.empty())
      r.node = names.front();
    d.getLocation()->walk([&](Location l) {
      if (auto file = dyn_cast<FileLineColLoc>(l)) {
        r.file = file.getFilename().str();
        r.line = file.getLine();
        r.column = file.getColumn();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    r.message = d.str();
    records.push_back(std::move(r));
    for (mlir::Diagnostic &note : d.getNotes())
      add(note);
  }

  void error(const llvm::Twine &message, llvm::StringRef file = "") {
    records.push_back({kiln::Diagnostic::Severity::Error, "", file.str(), message.str()});
    hasError = true;
  }

  llvm::Error takeError() { return llvm::make_error<CompileError>(std::move(records)); }

  std::vector<kiln::Diagnostic> records;
  bool hasError = false;

private:
  ScopedDiagnosticHandler handler;
};

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
} // namespace

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

llvm::Expected<OutputKind> kiln::parseOutputKind(llvm::StringRef name) {
  static const std::pair<llvm::StringLiteral, OutputKind> kinds[] = {
      {"kiln", OutputKind::Kiln}, {"linalg", OutputKind::Linalg},
      {"llvm-ir", OutputKind::LLVMIR}, {"asm", OutputKind::Assembly},
      {"obj", OutputKind::Object}, {"so", OutputKind::SharedLib}};
  for (auto [n, k] : kinds)
    if (n == name)
      return k;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown output kind '" + name +
                                     "' (kiln, linalg, llvm-ir, asm, obj, so)");
}

/// Folder with <arch>/libkiln_runtime.a: the option, $KILN_RUNTIME_DIR,
/// ../lib/kiln next to the binary holding this code, the build tree, the
/// install prefix.
static std::string findRuntimeDir(const CompileOptions &options, const TargetInfo &target) {
  SmallVector<std::string> candidates;
  if (!options.runtimeDir.empty())
    return options.runtimeDir;
  if (std::optional<std::string> env = llvm::sys::Process::GetEnv("KILN_RUNTIME_DIR"))
    return *env;
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&findRuntimeDir), &info) && info.dli_fname) {
    llvm::SmallString<256> dir(llvm::sys::path::parent_path(info.dli_fname));
    llvm::sys::path::append(dir, "..", "lib", "kiln");
    candidates.push_back(dir.str().str());
  }
  candidates.push_back(KILN_BUILD_RUNTIME_DIR);
  candidates.push_back(KILN_INSTALL_RUNTIME_DIR);
  for (const std::string &c : candidates) {
    llvm::SmallString<256> archive(c);
    llvm::sys::path::append(archive, target.archName(), "libkiln_runtime.a");
    if (!c.empty() && llvm::sys::fs::exists(archive))
      return c;
  }
  return candidates.front();
}

/// The default flags honour MLIR's printer options (`--mlir-print-debuginfo`
/// and the rest) where the tool registered them. Locations (`loc(...)`
/// aliases at the end of the file) carry the ONNX node names and layer tags
/// that kernel-config matching by node name reads, so a dump replays such a
/// config only with them: `--mlir-print-debuginfo` or `dumpLocations`.
static OpPrintingFlags printingFlags(bool weights, bool locations) {
  OpPrintingFlags flags;
  if (locations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  if (!weights) {
    flags.elideLargeElementsAttrs(16);
    flags.elideLargeResourceString(64);
  }
  return flags;
}

static std::string printModule(ModuleOp module, bool weights, bool locations = false) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, printingFlags(weights, locations));
  return text;
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// failed compile never leaves a truncated file where a good one was.
static llvm::Error writeAtomically(llvm::StringRef path, llvm::StringRef bytes) {
  if (path == "-") {
    llvm::outs() << bytes;
    llvm::outs().flush();
    return llvm::Error::success();
  }
  llvm::SmallString<256> tmp(path);
  tmp += ".tmp%%%%%%";
  int fd;
  llvm::SmallString<256> tmpPath;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(tmp, fd, tmpPath))
    return llvm::createStringError(ec, "cannot write " + path + ": " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << bytes;
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(tmpPath);
      return llvm::createStringError(os.error(), "cannot write " + path);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmpPath, path)) {
    llvm::sys::fs::remove(tmpPath);
    return llvm::createStringError(ec, "cannot write " + path + ": " + ec.message());
  }
  return llvm::Error::success();
}

/// "NAME:1x3x224x224" -> (NAME, dims).
static llvm::Expected<std::pair<std::string, std::vector<int64_t>>>
parseShapeBinding(llvm::StringRef binding) {
  auto [name, dims] = binding.rsplit(':');
  std::vector<int64_t> shape;
  SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "bad shape binding '" + binding +
                                         "' (expected NAME:1x3x224x224)");
    shape.push_back(d);
  }
  if (name.empty() || dims.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "bad shape binding '" + binding +
                                       "' (expected NAME:1x3x224x224)");
  return std::make_pair(name.str(), shape);
}

//===----------------------------------------------------------------------===//
// The report
//===----------------------------------------------------------------------===//

static uint64_t numElements(Type t) {
  auto tt = dyn_cast<RankedTensorType>(t);
  return tt && tt.hasStaticShape() ? (uint64_t)tt.getNumElements() : 0;
}


static uint64_t weightBytesOf(Operation *op) {
  uint64_t bytes = 0;
  for (Value v : op->getOperands())
    if (v.getDefiningOp<arith::ConstantOp>())
      if (auto tt = dyn_cast<RankedTensorType>(v.getType()))
        bytes += numElements(tt) * tt.getElementTypeBitWidth() / 8;
  return bytes;
}

/// One row per kiln op with a kernel; ONNX nodes that no op carries any
/// more (folded away) get a row of their own.
static std::vector<ReportLayer> collectLayers(ModuleOp module,
                                              ArrayRef<std::string> importedNodes) {
  std::vector<ReportLayer> layers;
  std::set<std::string> seen;
  module.walk([&](Operation *op) {
    KernelAttr k = getKernel(op);
    if (!k)
      return;
    ReportLayer r;
    for (std::string &n : nodeNames(op->getLoc())) {
      seen.insert(n);
      r.nodes.push_back(std::move(n));
    }
    r.op = op->getName().getStringRef().str();
    r.kernel = stringifyKernelKind(k.getKind()).str();
    r.layout = stringifyLayout(k.getLayout()).str();
    r.block = k.getBlock();
    r.registerTile.assign(k.getRegisterTile().begin(), k.getRegisterTile().end());
    r.cacheTile.assign(k.getCacheTile().begin(), k.getCacheTile().end());
    r.parallelDims.assign(k.getParallelDims().begin(), k.getParallelDims().end());
    if (auto tt = dyn_cast<RankedTensorType>(op->getResult(0).getType()))
      r.outputShape.assign(tt.getShape().begin(), tt.getShape().end());
    r.source = k.getConfig() ? "config" : "heuristic";
    r.flops = flopsOf(op);
    r.weightBytes = weightBytesOf(op);
    layers.push_back(std::move(r));
  });
  for (const std::string &n : importedNodes)
    if (!seen.count(n)) {
      ReportLayer r;
      r.nodes = {n};
      r.op = "(folded)";
      r.kernel = "none";
      r.layout = "any";
      r.source = "heuristic";
      layers.push_back(std::move(r));
    }
  return layers;
}

//===----------------------------------------------------------------------===//
// kiln::compile
//===----------------------------------------------------------------------===//

llvm::Expected<CompileResult> kiln::compile(const CompileOptions &options) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<KilnDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the ONNX node; the IR of the op (the whole module for
  // a module-level error) is what --dump-ir is for.
  context.printOpOnDiagnostic(false);
  DiagnosticCollector diags(&context);
  CompileResult result;
  CompileReport &report = result.report;
  auto fail = [&]() { return diags.takeError(); };
  auto addPhase = [&](llvm::StringRef name, double ms) {
    report.phases.push_back({name.str(), ms});
  };

  llvm::Expected<TargetInfo> target = TargetInfo::fromTriple(options.target, options.cpu);
  if (!target) {
    diags.error(llvm::toString(target.takeError()));
    return fail();
  }
  report.target = target->describe();
  auto backend = createBackend(*target);
  if (!backend) {
    diags.error(llvm::toString(backend.takeError()));
    return fail();
  }
  if (options.output == OutputKind::SharedLib && options.outputPath.empty()) {
    diags.error("a shared library needs an output path");
    return fail();
  }
  // Before any work: the folder of the output must exist.
  if (!options.outputPath.empty() && options.outputPath != "-") {
    llvm::StringRef dir = llvm::sys::path::parent_path(options.outputPath);
    if (!dir.empty() && !llvm::sys::fs::is_directory(dir)) {
      diags.error("cannot write " + options.outputPath + ": the folder '" + dir +
                  "' does not exist");
      return fail();
    }
  }

  // Import.
  ImportOptions importOptions;
  importOptions.runChecker = options.onnxChecker;
  if (options.batch < 0) {
    diags.error("--batch must be positive, got " + std::to_string(options.batch));
    return fail();
  }
  importOptions.batch = options.batch;
  importOptions.perturbNode = options.debugPerturbNode;
  for (const std::string &b : options.shapeBindings) {
    auto binding = parseShapeBinding(b);
    if (!binding) {
      diags.error(llvm::toString(binding.takeError()));
      return fail();
    }
    importOptions.inputShapes[binding->first] = binding->second;
  }
  auto t0 = Clock::now();
  OwningOpRef<ModuleOp> module;
  if (!options.modelPath.empty())
    module = importOnnxFile(&context, options.modelPath, importOptions);
  else
    module = importOnnxBytes(&context, options.modelBytes,
                             options.modelDir.empty() ? "." : options.modelDir,
                             "<memory>", importOptions);
  if (!module || diags.hasError)
    return fail();
  addPhase("import", msSince(t0));
  FailureOr<ModelSignature> signature = getModelSignature(*module);
  if (failed(signature))
    return fail();
  result.signature.modelName = signature->modelName;
  for (auto [from, to] : {std::pair{&signature->inputs, &result.signature.inputs},
                          std::pair{&signature->outputs, &result.signature.outputs}})
    for (const TensorSignature &t : *from)
      to->push_back({t.name, t.elemType, t.shape});
  std::vector<std::string> importedNodes;
  std::set<std::string> seenNodes;
  module->walk([&](Operation *op) {
    for (std::string &n : nodeNames(op->getLoc()))
      if (seenNodes.insert(n).second)
        importedNodes.push_back(std::move(n));
  });

  // The target and options travel with the IR from here on.
  (*module)->setAttr(kTargetAttrName, getTargetAttr(&context, *target));
  (*module)->setAttr(kOptionsAttrName,
                     OptionsAttr::get(&context, options.vectorize, options.parallel,
                                     options.runtimeChecks));

  if (!options.dumpDir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(options.dumpDir)) {
      diags.error("cannot create " + options.dumpDir + ": " + ec.message());
      return fail();
    }
  auto dump = [&](Phase p, llvm::StringRef name) -> bool {
    if (options.dumpDir.empty())
      return true;
    llvm::SmallString<256> path(options.dumpDir);
    llvm::sys::path::append(path, llvm::formatv("{0:02}-{1}.mlir", (int)p, name).str());
    if (llvm::Error err = writeAtomically(path, printModule(*module, options.dumpWeights,
                                                                  options.dumpLocations))) {
      diags.error(llvm::toString(std::move(err)));
      return false;
    }
    return true;
  };
  if (!dump(Phase::Imported, "imported"))
    return fail();

  Phase last = options.output == OutputKind::Kiln     ? Phase::Kernels
               : options.output == OutputKind::Linalg ? Phase::Linalg
                                                      : Phase::LLVM;
  PipelineOptions pipeline;
  pipeline.kernelConfig = options.kernelConfigPath;
  DefaultTimingManager timingManager;
  if (options.useMlirCommandLineOptions)
    applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();
  for (const PhaseInfo &info : getPhases()) {
    if (info.phase == Phase::Imported || info.phase > last)
      continue;
    t0 = Clock::now();
    PassManager pm(&context, ModuleOp::getOperationName());
    if (options.useMlirCommandLineOptions && failed(applyPassManagerCLOptions(pm)))
      return fail();
    pm.enableTiming(timing);
    if (info.phase == Phase::LLVM)
      (*backend)->buildLowering(pm);
    else
      buildPhase(pm, info.phase, pipeline);
    if (failed(pm.run(*module))) {
      if (!diags.hasError)
        diags.error("phase '" + info.name + "' failed");
      return fail();
    }
    addPhase(info.name, msSince(t0));
    if (info.phase == Phase::Kernels)
      report.layers = collectLayers(*module, importedNodes);
    if (info.phase == Phase::Bufferized) {
      if (auto func = module->lookupSymbol<func::FuncOp>(kMainFunctionName)) {
        auto get = [&](llvm::StringRef name) -> uint64_t {
          auto a = func->getAttrOfType<IntegerAttr>(name);
          return a ? a.getInt() : 0;
        };
        report.memory.arenaBytes = get(kArenaBytesAttr);
        report.memory.livePeakBytes = get(kLivePeakBytesAttr);
        report.memory.unplannedBytes = get(kUnplannedBytesAttr);
      }
    }
    if (!dump(info.phase, info.name))
      return fail();
  }
  for (const ReportLayer &l : report.layers) {
    report.totalFlops += l.flops;
    report.memory.weightBytes += l.weightBytes;
  }

  auto writeArtifact = [&]() -> llvm::Expected<CompileResult> {
    if (!options.outputPath.empty())
      if (llvm::Error err = writeAtomically(options.outputPath, result.artifact)) {
        diags.error(llvm::toString(std::move(err)));
        return fail();
      }
    result.outputPath = options.outputPath;
    result.diagnostics = std::move(diags.records);
    return std::move(result);
  };
  if (options.output == OutputKind::Kiln || options.output == OutputKind::Linalg) {
    result.artifact = printModule(*module, options.dumpWeights);
    return writeArtifact();
  }

  // The back end.
  EmitRequest request;
  request.kind = options.output == OutputKind::LLVMIR     ? EmitKind::LLVMIR
                 : options.output == OutputKind::Assembly ? EmitKind::Assembly
                 : options.output == OutputKind::Object   ? EmitKind::Object
                                                          : EmitKind::SharedLib;
  request.outputPath = options.outputPath;
  request.runtimeDir = findRuntimeDir(options, *target);
  request.onStep = addPhase;
  EmitResult emitted;
  if (llvm::Error err = (*backend)->emit(*module, *signature, request, emitted)) {
    diags.error(llvm::toString(std::move(err)));
    return fail();
  }
  result.artifact = std::move(emitted.artifact);
  if (request.kind != EmitKind::SharedLib)
    return writeArtifact();
  // The public header next to the library.
  llvm::SmallString<256> header(request.runtimeDir);
  llvm::sys::path::append(header, "..", "..", "include");
  llvm::sys::path::append(header, "kiln", "kiln.h");
  llvm::SmallString<256> headerOut(llvm::sys::path::parent_path(options.outputPath));
  llvm::sys::path::append(headerOut, "kiln.h");
  // Replaced atomically too: a program being built against it never sees
  // half a header.
  if (auto text = llvm::MemoryBuffer::getFile(header))
    if (llvm::Error err = writeAtomically(headerOut, (*text)->getBuffer())) {
      diags.error(llvm::toString(std::move(err)));
      return fail();
    }
  result.outputPath = options.outputPath;
  result.diagnostics = std::move(diags.records);
  return std::move(result);
}
