//===- Target.h - the target machine as a compiler parameter ----*- C++ -*-===//
//
// A TargetInfo describes what kiln generates code for: the LLVM triple, CPU
// and features, and the facts kernel selection needs (vector width, vector
// register count, L1/L2 data-cache sizes). The driver attaches it to the
// module as `#kiln.target` (KilnDialect.h: getTargetInfo/setTargetInfo), so
// every pass and every dump sees the same target; a new target is one more
// case of fromTriple, not a reshaping of the passes. This library depends
// on LLVM only.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_TARGET_H
#define KILN_DIALECTS_KILN_TARGET_H

#include "llvm/Support/Error.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace kiln {

struct TargetInfo {
  std::string triple;   ///< e.g. "x86_64-unknown-linux-gnu"
  std::string cpu;      ///< e.g. "znver3", "generic"
  std::string features; ///< enabled LLVM features, e.g. "+avx2,+fma"
  int64_t vectorBits = 128; ///< widest vector register
  int64_t vectorRegisters = 16;
  int64_t l1Bytes = 32 * 1024;  ///< L1 data cache per core
  int64_t l2Bytes = 512 * 1024; ///< L2 cache per core

  /// f32 lanes of one vector register.
  int64_t f32Lanes() const { return std::max<int64_t>(1, vectorBits / 32); }
  bool isX86() const;
  bool isAArch64() const;
  /// "x86_64" or "aarch64": the folder of the runtime built for it.
  std::string archName() const;

  /// The machine kiln runs on (CPU, features and cache sizes detected).
  static TargetInfo host();
  /// A target named by triple (`--target=`), with an optional CPU
  /// (`--mcpu=`, "native" = host's); "host" or "" means host().
  static llvm::Expected<TargetInfo> fromTriple(llvm::StringRef triple,
                                               llvm::StringRef cpu = "");
  /// One line for `-v`, reports and dumps.
  std::string describe() const;
};

} // namespace kiln

#endif // KILN_DIALECTS_KILN_TARGET_H
