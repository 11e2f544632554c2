//===- Target.cpp - target detection --------------------------------------===//
//
// Host detection through LLVM's sys::getHostCPUName/getHostCPUFeatures and
// the C library's cache-size queries; vector widths derived from the
// feature set; cache sizes of cross targets from the named CPU.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/Target.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/TargetParser/AArch64TargetParser.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

using namespace kiln;

bool TargetInfo::isX86() const {
  return llvm::Triple(triple).getArch() == llvm::Triple::x86_64;
}
bool TargetInfo::isAArch64() const {
  return llvm::Triple(triple).getArch() == llvm::Triple::aarch64;
}
std::string TargetInfo::archName() const { return isAArch64() ? "aarch64" : "x86_64"; }

/// Fills vector width and register count from the features string.
static void deriveVectorFacts(TargetInfo &t) {
  llvm::StringRef f(t.features);
  auto has = [&](llvm::StringRef feature) {
    llvm::SmallVector<llvm::StringRef> parts;
    f.split(parts, ',');
    return llvm::is_contained(parts, ("+" + feature).str());
  };
  if (t.isX86()) {
    if (has("avx512f")) {
      t.vectorBits = 512;
      t.vectorRegisters = 32;
    } else if (has("avx")) {
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

/// "+a,+b,...": sorted and without repeats, so output is reproducible.
static std::string joinFeatures(std::vector<std::string> features) {
  llvm::sort(features);
  features.erase(std::unique(features.begin(), features.end()), features.end());
  std::string fs;
  for (const std::string &f : features)
    fs += (fs.empty() ? "" : ",") + f;
  return fs;
}

/// Features of a named x86-64 CPU ("+avx2,+fma,..."), or "" if unknown.
static std::string x86FeaturesOf(llvm::StringRef cpu) {
  if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) == llvm::X86::CK_None)
    return "";
  llvm::SmallVector<llvm::StringRef> features;
  llvm::X86::getFeaturesForCPU(cpu, features, /*NeedPlus=*/true);
  return joinFeatures(std::vector<std::string>(features.begin(), features.end()));
}

/// Features of a named AArch64 CPU as LLVM's target parser lists them
/// ("+neon,+v8.2a,..."), or "" if LLVM does not know the CPU.
static std::string aarch64FeaturesOf(llvm::StringRef cpu) {
  std::optional<llvm::AArch64::CpuInfo> info = llvm::AArch64::parseCpu(cpu);
  if (!info)
    return "";
  llvm::AArch64::ExtensionSet set;
  set.addCPUDefaults(*info);
  std::vector<std::string> features;
  set.toLLVMFeatureList(features);
  // NEON is what kiln's kernels use; every AArch64 Linux CPU has it.
  features.push_back("+neon");
  return joinFeatures(std::move(features));
}

/// Cache sizes of a named cross-compilation CPU (per core; defaults for
/// unknown names).
static void deriveCacheFacts(TargetInfo &t) {
  if (t.isAArch64()) {
    t.l1Bytes = llvm::StringSwitch<int64_t>(t.cpu)
                    .StartsWith("apple-", 128 * 1024)
                    .Cases({"neoverse-n1", "neoverse-n2", "neoverse-v1", "neoverse-v2"}, 64 * 1024)
                    .Default(32 * 1024);
    t.l2Bytes = llvm::StringSwitch<int64_t>(t.cpu)
                    .StartsWith("apple-", 4 * 1024 * 1024)
                    .Cases({"neoverse-n1", "neoverse-n2", "neoverse-v1"}, 1024 * 1024)
                    .Case("neoverse-v2", 2 * 1024 * 1024)
                    .Default(512 * 1024);
    return;
  }
  t.l1Bytes = llvm::StringRef(t.cpu).starts_with("znver") ? 32 * 1024 : 48 * 1024;
  t.l2Bytes = llvm::StringSwitch<int64_t>(t.cpu)
                  .StartsWith("znver", 1024 * 1024)
                  .Cases({"skylake-avx512", "cascadelake", "cooperlake"}, 1024 * 1024)
                  .Cases({"icelake-server", "sapphirerapids", "emeraldrapids",
                          "graniterapids", "rocketlake"}, 2 * 1024 * 1024)
                  .Default(512 * 1024);
}

TargetInfo TargetInfo::host() {
  TargetInfo t;
  t.triple = llvm::sys::getDefaultTargetTriple();
  t.cpu = llvm::sys::getHostCPUName().str();
  // Every feature the host reports, enabled or not (a virtual machine may
  // lack features its CPU name implies), sorted so output is reproducible.
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> all;
  for (const auto &f : features)
    all.push_back((f.second ? "+" : "-") + f.first().str());
  t.features = joinFeatures(std::move(all));
  deriveVectorFacts(t);
  deriveCacheFacts(t);
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  if (long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE); l1 > 0)
    t.l1Bytes = l1;
  if (long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE); l2 > 0)
    t.l2Bytes = l2;
#endif
  return t;
}

llvm::Expected<TargetInfo> TargetInfo::fromTriple(llvm::StringRef triple,
                                                  llvm::StringRef cpu) {
  if (triple.empty() || triple == "host" || triple == "native") {
    TargetInfo t = host();
    if (!cpu.empty() && cpu != "native") {
      // Another CPU of the host's architecture: its own features, so
      // `--mcpu=haswell` on an AVX-512 machine generates AVX2 code.
      t.cpu = cpu.str();
      if (t.isX86()) {
        std::string fs = x86FeaturesOf(cpu);
        if (fs.empty())
          return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                         "unknown x86-64 CPU '" + cpu + "' for --mcpu");
        t.features = fs;
      }
      deriveVectorFacts(t);
      deriveCacheFacts(t);
    }
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
  if (cpu == "native")
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--mcpu=native needs --target=host");
  if (tt.getArch() == llvm::Triple::aarch64) {
    t.cpu = cpu.empty() ? "generic" : cpu.str();
    t.features = aarch64FeaturesOf(t.cpu);
    if (t.features.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "unknown AArch64 CPU '" + t.cpu +
                                         "' for --mcpu (e.g. neoverse-n1, cortex-a72, apple-m1)");
  } else {
    t.cpu = cpu.empty() ? "x86-64-v3" : cpu.str();
    t.features = x86FeaturesOf(t.cpu);
    if (t.features.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "unknown x86-64 CPU '" + t.cpu + "' for --mcpu");
  }
  deriveVectorFacts(t);
  deriveCacheFacts(t);
  return t;
}

std::string TargetInfo::describe() const {
  return triple + " cpu=" + cpu + " vector=" + std::to_string(vectorBits) + "b x" +
         std::to_string(vectorRegisters) + " L1=" + std::to_string(l1Bytes / 1024) +
         "K L2=" + std::to_string(l2Bytes / 1024) + "K";
}
