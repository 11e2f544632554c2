//===- CpuBackend.cpp - the CPU back end (x86-64, AArch64) ----------------===//
//
// Lowers the bufferized module to the LLVM dialect (buildCpuLoweringPipeline),
// translates it to LLVM IR, adds the model descriptor, optimizes at O3 for
// the target, emits assembly or an object through LLVM's TargetMachine, and
// links the object with kiln's runtime into a shared library with ld.lld.
//
//===----------------------------------------------------------------------===//
#include "codegen/Backend.h"

#include "dialects/Kiln/KilnDialect.h"
#include "passes/Pipeline.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>

using namespace mlir;
using namespace kiln;

#ifndef KILN_LLVM_BINDIR
#define KILN_LLVM_BINDIR "/usr/lib/llvm-22/bin"
#endif

static void initTargets() {
  static bool done = [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeX86AsmParser();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
    LLVMInitializeAArch64AsmParser();
    return true;
  }();
  (void)done;
}

static llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetInfo &t) {
  initTargets();
  llvm::Triple triple(t.triple);
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return error("no LLVM target for '" + t.triple + "': " + err);
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, t.cpu, t.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}

namespace {
class CpuBackend : public Backend {
public:
  explicit CpuBackend(TargetInfo target) : Backend(std::move(target)) {}
  llvm::StringRef name() const override { return "cpu"; }
  void buildLowering(OpPassManager &pm) const override { buildCpuLoweringPipeline(pm); }
  llvm::Error emit(ModuleOp module, const ModelSignature &signature,
                   const EmitRequest &request, EmitResult &result) const override;

private:
  llvm::Expected<std::unique_ptr<llvm::Module>>
  translate(ModuleOp module, llvm::LLVMContext &context, const ModelSignature &signature,
            llvm::TargetMachine &tm) const;
  llvm::Error link(llvm::StringRef objectPath, llvm::StringRef outPath,
                   llvm::StringRef runtimeDir) const;
};
} // namespace

Backend::~Backend() = default;

llvm::Expected<std::unique_ptr<Backend>> kiln::createBackend(const TargetInfo &target) {
  if (target.isX86() || target.isAArch64())
    return std::make_unique<CpuBackend>(target);
  return error("no kiln back end for target '" + target.triple + "'");
}

llvm::Expected<std::unique_ptr<llvm::Module>>
CpuBackend::translate(ModuleOp module, llvm::LLVMContext &context,
                      const ModelSignature &signature, llvm::TargetMachine &tm) const {
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);
  // kiln's attributes served the dumps; LLVM has no use for them. The
  // arena size goes into the model descriptor.
  uint64_t arenaBytes = 0;
  module.walk([&](LLVM::LLVMFuncOp f) {
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i) {
      f.removeArgAttr(i, kNameAttr);
      f.removeArgAttr(i, kArenaArgAttr);
    }
    if (auto bytes = f->getAttrOfType<IntegerAttr>(kArenaBytesAttr))
      arenaBytes = bytes.getInt();
    for (StringRef a : {kNumInputsAttr, kArenaBytesAttr, kUnplannedBytesAttr,
                        kLivePeakBytesAttr})
      f->removeAttr(a);
  });
  // Weights as flat byte arrays: LLVM builds one constant per innermost row
  // of a multi-dimensional array and the asm printer writes its floats one
  // by one, while an i8 array is a single constant written as one block of
  // bytes (ResNet50: seconds of compile time). Every use is an addressof
  // plus a zero-index GEP, which computes the same address whatever the
  // global's value type (opaque pointers).
  module.walk([&](LLVM::GlobalOp g) {
    auto value = dyn_cast_or_null<DenseResourceElementsAttr>(g.getValueOrNull());
    if (!value || !value.getRawHandle().getBlob())
      return;
    int64_t bytes = value.getRawHandle().getBlob()->getData().size();
    auto i8 = IntegerType::get(module.getContext(), 8);
    g.setGlobalTypeAttr(TypeAttr::get(LLVM::LLVMArrayType::get(i8, bytes)));
    g.setValueAttr(DenseResourceElementsAttr::get(RankedTensorType::get({bytes}, i8),
                                                  value.getRawHandle()));
  });
  std::vector<LayerSignature> layers = getLayerTable(module);
  for (StringRef a : {kTargetAttrName, kOptionsAttrName, kLayersAttrName})
    module->removeAttr(a);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "kiln_model");
  if (!llvmModule)
    return error("translation to LLVM IR failed");
  llvmModule->setTargetTriple(llvm::Triple(targetInfo.triple));
  llvmModule->setDataLayout(tm.createDataLayout());
  if (llvm::Error err = emitModelDescriptor(*llvmModule, signature, arenaBytes, layers))
    return std::move(err);
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    // Only the (hidden) descriptor is the runtime's way in: every generated
    // function is local to the library, so two models linked into one
    // program never interpose each other's kiln_layer_K/kiln_parallel_body_K.
    f.setLinkage(llvm::GlobalValue::InternalLinkage);
    f.addFnAttr("target-cpu", targetInfo.cpu);
    f.addFnAttr("target-features", targetInfo.features);
  }

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(*llvmModule, mam);
  return llvmModule;
}

llvm::Error CpuBackend::emit(ModuleOp module, const ModelSignature &signature,
                             const EmitRequest &request, EmitResult &result) const {
  using Clock = std::chrono::steady_clock;
  auto step = [&](StringRef name, Clock::time_point t0) {
    if (request.onStep)
      request.onStep(name, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  };
  if (request.kind == EmitKind::SharedLib && request.outputPath.empty())
    return error("a shared library needs an output path");
  auto tm = createTargetMachine(targetInfo);
  if (!tm)
    return tm.takeError();
  auto t0 = Clock::now();
  llvm::LLVMContext context;
  auto llvmModule = translate(module, context, signature, **tm);
  if (!llvmModule)
    return llvmModule.takeError();
  step("llvm-opt", t0);
  if (request.kind == EmitKind::LLVMIR) {
    llvm::raw_string_ostream os(result.artifact);
    (*llvmModule)->print(os, nullptr);
    return llvm::Error::success();
  }
  t0 = Clock::now();
  llvm::SmallString<0> bytes;
  {
    llvm::raw_svector_ostream os(bytes);
    llvm::legacy::PassManager pm;
    auto type = request.kind == EmitKind::Assembly ? llvm::CodeGenFileType::AssemblyFile
                                                   : llvm::CodeGenFileType::ObjectFile;
    if ((*tm)->addPassesToEmitFile(pm, os, nullptr, type))
      return error("the target cannot emit this file type");
    pm.run(**llvmModule);
  }
  step("codegen", t0);
  if (request.kind != EmitKind::SharedLib) {
    result.artifact = bytes.str().str();
    return llvm::Error::success();
  }
  // Shared library: object to a temporary file, then link with the runtime.
  t0 = Clock::now();
  llvm::SmallString<128> objPath;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("kiln", "o", fd, objPath))
    return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObj(objPath);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << bytes;
    if (os.has_error())
      return error("cannot write the object file " + objPath);
  }
  if (llvm::Error err = link(objPath, request.outputPath, request.runtimeDir))
    return err;
  step("link", t0);
  return llvm::Error::success();
}

llvm::Error CpuBackend::link(StringRef objectPath, StringRef outPath,
                             StringRef runtimeDir) const {
  llvm::ErrorOr<std::string> lld =
      llvm::sys::findProgramByName("ld.lld", {KILN_LLVM_BINDIR});
  if (!lld)
    lld = llvm::sys::findProgramByName("ld.lld");
  if (!lld)
    return error("cannot find ld.lld (install lld-22)");
  llvm::SmallString<256> runtimeArchive(runtimeDir);
  llvm::sys::path::append(runtimeArchive, targetInfo.archName(), "libkiln_runtime.a");
  if (!llvm::sys::fs::exists(runtimeArchive))
    return error("the kiln runtime for " + targetInfo.triple + " is missing: " +
                 runtimeArchive);
  std::string soname = llvm::sys::path::filename(outPath).str();
  // Link to a temporary file next to the output and rename it into place,
  // so a failed or interrupted compile never leaves a truncated library
  // where a good one was.
  llvm::SmallString<256> tmpPath;
  {
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueFile(outPath + ".tmp%%%%%%", fd, tmpPath))
      return error("cannot write " + outPath + ": " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  llvm::FileRemover removeTmp(tmpPath);
  std::vector<std::string> args = {*lld, "-shared", "--gc-sections", "-z", "now",
                                   "-z", "noexecstack", "--hash-style=gnu",
                                   "-soname", soname, "-o", tmpPath.str().str(),
                                   objectPath.str(), "--whole-archive",
                                   runtimeArchive.str().str(), "--no-whole-archive"};
  // Link libc/libm where a sysroot for the target is installed; otherwise
  // their symbols resolve when the library is loaded.
  std::string libDir = targetInfo.isAArch64() ? "/usr/aarch64-linux-gnu/lib"
                                              : "/usr/lib/x86_64-linux-gnu";
  if (targetInfo.isX86() || llvm::sys::fs::exists(libDir + "/libc.so"))
    args.insert(args.end(), {"-L" + libDir, "--as-needed", "-lm", "-lc"});
  std::vector<StringRef> argRefs(args.begin(), args.end());
  std::string err;
  int rc = llvm::sys::ExecuteAndWait(*lld, argRefs, std::nullopt, {}, 0, 0, &err);
  if (rc != 0)
    return error("linking " + outPath + " failed" + (err.empty() ? "" : ": " + err) +
                 " (ld.lld exit code " + llvm::Twine(rc) + ")");
  if (std::error_code ec = llvm::sys::fs::rename(tmpPath, outPath))
    return error("cannot write " + outPath + ": " + ec.message());
  removeTmp.releaseFile();
  return llvm::Error::success();
}
