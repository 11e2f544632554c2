//===- Emit.h - LLVM IR, assembly, objects and shared libraries -*- C++ -*-===//
//
// The back end: translates the LLVM-dialect module to LLVM IR, adds the
// model descriptor, optimizes for the target, emits assembly or an object
// through LLVM's TargetMachine, and links the object with kiln's runtime
// into a shared library with ld.lld.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CODEGEN_EMIT_H
#define KILN_CODEGEN_EMIT_H

#include "codegen/ModelABI.h"
#include "codegen/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace kiln {

enum class FileKind { Assembly, Object };

/// Translates `module` (LLVM dialect) to an optimized LLVM module for
/// `target`, with the model descriptor for `signature`. Errors are printed
/// to stderr.
std::unique_ptr<llvm::Module> translateToLLVM(mlir::ModuleOp module,
                                              llvm::LLVMContext &context,
                                              const ModelSignature &signature,
                                              const TargetInfo &target);

/// Writes `module` as assembly or an object file for `target`.
mlir::LogicalResult emitFile(llvm::Module &module, const TargetInfo &target,
                             FileKind kind, llvm::raw_pwrite_stream &os);

/// Links `objectPath` with the runtime archive for `target` into the shared
/// library `outPath`. `runtimeArchive` is the static kiln runtime built for
/// the target.
mlir::LogicalResult linkSharedLibrary(llvm::StringRef objectPath,
                                      llvm::StringRef outPath,
                                      const TargetInfo &target,
                                      llvm::StringRef runtimeArchive);

} // namespace kiln

#endif // KILN_CODEGEN_EMIT_H
