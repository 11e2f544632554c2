//===- Peak.h - the machine's FMA peak, measured -------------*- C++ -*-===//
//
// Part of the kiln project. A register-only loop of independent fused
// multiply-adds on the widest vectors the CPU has (AVX-512, AVX2+FMA, NEON),
// run on N threads at once: the ceiling kiln-run --profile quotes each
// layer's GFLOP/s against.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TOOLS_KILN_RUN_PEAK_H
#define KILN_TOOLS_KILN_RUN_PEAK_H

#include <string>

namespace kiln {

struct FmaPeak {
  double gflops = 0;   ///< fp32 GFLOP/s of all threads together (FMA = 2)
  std::string isa;     ///< "avx512f", "avx2+fma", "neon" or "scalar"
  int threads = 1;
};

/// Measures the fp32 FMA peak of `threads` threads running at once (best
/// of five runs of about 50 ms each: on a shared machine the best run is
/// the one least disturbed).
FmaPeak measureFmaPeak(int threads);

} // namespace kiln

#endif // KILN_TOOLS_KILN_RUN_PEAK_H
