//===- Backend.h - the interface every code generator implements -*- C++ -*-===//
//
// A back end takes the module after the target-independent phases (kiln
// dialect to bufferized memrefs with the memory plan) and produces the
// artifact: it adds its own lowering (Phase::LLVM for the CPU), then
// translates, optimizes, emits and links. The CPU back end serves x86-64
// and AArch64; a device back end (NVPTX) plugs in here without touching the
// graph passes, and the runtime ABI (runtime/src/kiln_abi.h) reserves the
// fields it needs (device, device_image, device scratch).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CODEGEN_BACKEND_H
#define KILN_CODEGEN_BACKEND_H

#include "codegen/ModelABI.h"
#include "dialects/Kiln/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>

namespace kiln {

/// What the back end writes.
enum class EmitKind { LLVMIR, Assembly, Object, SharedLib };

struct EmitRequest {
  EmitKind kind = EmitKind::SharedLib;
  /// SharedLib: the library to link (required). Other kinds: ignored; the
  /// bytes come back in EmitResult::artifact.
  std::string outputPath;
  /// Folder with <arch>/libkiln_runtime.a (SharedLib only).
  std::string runtimeDir;
  /// Called after each step ("llvm-opt", "codegen", "link") with its time.
  std::function<void(llvm::StringRef step, double ms)> onStep;
};

struct EmitResult {
  std::string artifact; ///< IR text, assembly or object bytes
};

class Backend {
public:
  virtual ~Backend();
  /// e.g. "cpu"
  virtual llvm::StringRef name() const = 0;
  const TargetInfo &target() const { return targetInfo; }
  /// Adds the passes from the bufferized module to the back end's input
  /// (Phase::LLVM).
  virtual void buildLowering(mlir::OpPassManager &pm) const = 0;
  /// Turns the lowered module into the requested artifact. Errors carry
  /// their message; nothing is printed.
  virtual llvm::Error emit(mlir::ModuleOp module, const ModelSignature &signature,
                           const EmitRequest &request, EmitResult &result) const = 0;

protected:
  explicit Backend(TargetInfo target) : targetInfo(std::move(target)) {}
  TargetInfo targetInfo;
};

/// The back end for `target` (the CPU back end for x86-64 and AArch64).
llvm::Expected<std::unique_ptr<Backend>> createBackend(const TargetInfo &target);

} // namespace kiln

#endif // KILN_CODEGEN_BACKEND_H
