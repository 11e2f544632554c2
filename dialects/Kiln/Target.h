//===- Target.h - the target machine as a pipeline parameter ----*- C++ -*-===//
//
// A TargetInfo describes what kiln generates code for: the LLVM triple, CPU
// and features, and the facts the tiling passes need (vector width, vector
// register count, cache sizes). It is passed explicitly through the whole
// pipeline, so a new target (NVPTX later) is one more constructor, not a
// reshaping of the passes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CODEGEN_TARGET_H
#define KILN_CODEGEN_TARGET_H

#include "llvm/Support/Error.h"

#include <string>

namespace kiln {

struct TargetInfo {
  std::string triple;   ///< e.g. "x86_64-unknown-linux-gnu"
  std::string cpu;      ///< e.g. "znver3", "generic"
  std::string features; ///< e.g. "+avx2,+fma"
  int64_t vectorBits = 128;  ///< widest vector register
  int64_t vectorRegisters = 16;
  int64_t l1Bytes = 32 * 1024, l2Bytes = 512 * 1024;

  /// f32 lanes of one vector register.
  int64_t f32Lanes() const { return vectorBits / 32; }
  /// Output rows of the register tile: accumulators (rows x 2 vectors)
  /// use half the register file, leaving room for operands.
  int64_t registerRows() const { return std::max<int64_t>(1, vectorRegisters / 4); }
  bool isX86() const;
  bool isAArch64() const;

  /// The machine kiln runs on (CPU name and features detected).
  static TargetInfo host();
  /// A target named by triple (`--target=`), with an optional CPU
  /// (`--mcpu=`, "native" = host); "host" or "" means host().
  static llvm::Expected<TargetInfo> fromTriple(llvm::StringRef triple,
                                               llvm::StringRef cpu = "");
  /// One line for `-v` and dumps.
  std::string describe() const;
};

} // namespace kiln

#endif // KILN_CODEGEN_TARGET_H
