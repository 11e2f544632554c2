//===- Emit.cpp - LLVM IR, assembly, objects and shared libraries ---------===//
//
// See Emit.h.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

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

static std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetInfo &t) {
  initTargets();
  llvm::Triple triple(t.triple);
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target) {
    llvm::errs() << "kiln: error: no LLVM target for '" << t.triple << "': " << err << "\n";
    return nullptr;
  }
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, t.cpu, t.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}

std::unique_ptr<llvm::Module> kiln::translateToLLVM(ModuleOp module,
                                                    llvm::LLVMContext &context,
                                                    const ModelSignature &signature,
                                                    const TargetInfo &target) {
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);
  // kiln's attributes served the dumps; LLVM has no use for them. The
  // arena size goes into the model descriptor.
  uint64_t arenaBytes = 0;
  module.walk([&](LLVM::LLVMFuncOp f) {
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i) {
      f.removeArgAttr(i, "kiln.name");
      f.removeArgAttr(i, "kiln.arena");
    }
    if (auto bytes = f->getAttrOfType<IntegerAttr>(kArenaBytesAttr))
      arenaBytes = bytes.getInt();
    f->removeAttr(kNumInputsAttr);
    f->removeAttr(kArenaBytesAttr);
  });
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "kiln_model");
  if (!llvmModule) {
    llvm::errs() << "kiln: error: translation to LLVM IR failed\n";
    return nullptr;
  }
  if (failed(emitModelDescriptor(*llvmModule, signature, arenaBytes)))
    return nullptr;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(target);
  if (!tm)
    return nullptr;
  llvmModule->setTargetTriple(llvm::Triple(target.triple));
  llvmModule->setDataLayout(tm->createDataLayout());
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", target.cpu);
    f.addFnAttr("target-features", target.features);
  }

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(*llvmModule, mam);
  return llvmModule;
}

LogicalResult kiln::emitFile(llvm::Module &module, const TargetInfo &target,
                             FileKind kind, llvm::raw_pwrite_stream &os) {
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(target);
  if (!tm)
    return failure();
  llvm::legacy::PassManager pm;
  auto type = kind == FileKind::Object ? llvm::CodeGenFileType::ObjectFile
                                       : llvm::CodeGenFileType::AssemblyFile;
  if (tm->addPassesToEmitFile(pm, os, nullptr, type)) {
    llvm::errs() << "kiln: error: the target cannot emit this file type\n";
    return failure();
  }
  pm.run(module);
  return success();
}

LogicalResult kiln::linkSharedLibrary(StringRef objectPath, StringRef outPath,
                                      const TargetInfo &target,
                                      StringRef runtimeArchive) {
  llvm::ErrorOr<std::string> lld =
      llvm::sys::findProgramByName("ld.lld", {KILN_LLVM_BINDIR});
  if (!lld)
    lld = llvm::sys::findProgramByName("ld.lld");
  if (!lld) {
    llvm::errs() << "kiln: error: cannot find ld.lld (install lld-22)\n";
    return failure();
  }
  if (!llvm::sys::fs::exists(runtimeArchive)) {
    llvm::errs() << "kiln: error: the kiln runtime for " << target.triple
                 << " is missing: " << runtimeArchive << "\n";
    return failure();
  }
  std::string soname = llvm::sys::path::filename(outPath).str();
  std::vector<std::string> args = {*lld, "-shared", "--gc-sections", "-z", "now",
                                   "-z", "noexecstack", "--hash-style=gnu",
                                   "-soname", soname, "-o", outPath.str(),
                                   objectPath.str(), "--whole-archive",
                                   runtimeArchive.str(), "--no-whole-archive"};
  // Link libc/libm where a sysroot for the target is installed; otherwise
  // their symbols resolve when the library is loaded.
  std::string libDir = target.isAArch64() ? "/usr/aarch64-linux-gnu/lib"
                                          : "/usr/lib/x86_64-linux-gnu";
  if (target.isX86() || llvm::sys::fs::exists(libDir + "/libc.so")) {
    args.insert(args.end(), {"-L" + libDir, "--as-needed", "-lm", "-lc"});
  }
  std::vector<StringRef> argRefs(args.begin(), args.end());
  std::string err;
  int rc = llvm::sys::ExecuteAndWait(*lld, argRefs, std::nullopt, {}, 0, 0, &err);
  if (rc != 0) {
    llvm::errs() << "kiln: error: linking " << outPath << " failed"
                 << (err.empty() ? "" : ": " + err) << " (ld.lld exit code " << rc
                 << ")\n";
    return failure();
  }
  return success();
}
