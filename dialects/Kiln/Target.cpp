//===- Target.cpp - target detection --------------------------------------===//
//
// Host detection through LLVM's sys::getHostCPUName/getHostCPUFeatures, and
// vector widths derived from the feature set.
//
//===----------------------------------------------------------------------===//
#include "codegen/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace kiln;

bool TargetInfo::isX86() const {
  return llvm::Triple(triple).getArch() == llvm::Triple::x86_64;
}
bool TargetInfo::isAArch64() const {
  return llvm::Triple(triple).getArch() == llvm::Triple::aarch64;
}

/// Fills vector width and register count from the features string.
static void deriveVectorFacts(TargetInfo &t) {
  llvm::StringRef f(t.features);
  if (t.isX86()) {
    if (f.contains("+avx512f")) {
      t.vectorBits = 512;
      t.vectorRegisters = 32;
    } else if (f.contains("+avx")) {
      t.vectorBits = 256;
      t.vectorRegisters = 16;
    } else {
      t.vectorBits = 128;
      t.vectorRegisters = 16;
    }
  } else if (t.isAArch64()) {
    t.vectorBits = 128; // NEON
    t.vectorRegisters = 32;
  }
}

TargetInfo TargetInfo::host() {
  TargetInfo t;
  t.triple = llvm::sys::getDefaultTargetTriple();
  t.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string fs;
  for (const auto &f : features) {
    if (!fs.empty())
      fs += ",";
    fs += (f.second ? "+" : "-") + f.first().str();
  }
  t.features = fs;
  deriveVectorFacts(t);
  return t;
}

llvm::Expected<TargetInfo> TargetInfo::fromTriple(llvm::StringRef triple,
                                                  llvm::StringRef cpu) {
  if (triple.empty() || triple == "host" || triple == "native") {
    TargetInfo t = host();
    if (!cpu.empty() && cpu != "native")
      t.cpu = cpu.str();
    return t;
  }
  llvm::Triple tt(llvm::Triple::normalize(triple));
  if (tt.getArch() != llvm::Triple::x86_64 && tt.getArch() != llvm::Triple::aarch64)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unsupported target '" + triple +
            "' (kiln supports x86_64-linux-gnu and aarch64-linux-gnu)");
  TargetInfo t;
  t.triple = tt.str();
  if (tt.getArch() == llvm::Triple::aarch64) {
    t.cpu = cpu.empty() ? "generic" : cpu.str();
    t.features = "+neon";
  } else {
    t.cpu = cpu.empty() ? "x86-64-v3" : cpu.str();
    t.features = "+avx,+avx2,+fma";
  }
  deriveVectorFacts(t);
  return t;
}

std::string TargetInfo::describe() const {
  return triple + " cpu=" + cpu + " vector=" + std::to_string(vectorBits) +
         "b x" + std::to_string(vectorRegisters);
}
