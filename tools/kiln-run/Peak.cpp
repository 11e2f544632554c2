//===- Peak.cpp - the machine's FMA peak, measured ----------------------===//
//
// Part of the kiln project. See Peak.h. Each kernel keeps enough
// independent accumulators in registers to cover the FMA latency times the
// FMA ports of current cores (AVX-512: 24 of 32 zmm, AVX2: 12 of 16 ymm,
// NEON: 24 of 32 q registers), so it measures throughput, not latency.
//
//===----------------------------------------------------------------------===//
#include "Peak.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace {

/// Runs `iters` steps of `Acc` independent FMAs on vectors of `Lanes`
/// floats; returns a value that depends on every accumulator so the loop
/// is not removed. Returns the flops done in `flops`.
#if defined(__x86_64__)
__attribute__((target("avx512f"))) float fmaLoopAvx512(int64_t iters, double &flops) {
  constexpr int kAcc = 24;
  __m512 acc[kAcc];
  for (int i = 0; i < kAcc; ++i)
    acc[i] = _mm512_set1_ps(0.001f * (float)i);
  __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    for (int i = 0; i < kAcc; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]));
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kAcc; ++i)
    sum = _mm512_add_ps(sum, acc[i]);
  flops = (double)iters * kAcc * 16 * 2;
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) float fmaLoopAvx2(int64_t iters, double &flops) {
  constexpr int kAcc = 12;
  __m256 acc[kAcc];
  for (int i = 0; i < kAcc; ++i)
    acc[i] = _mm256_set1_ps(0.001f * (float)i);
  __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    for (int i = 0; i < kAcc; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]));
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kAcc; ++i)
    sum = _mm256_add_ps(sum, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, sum);
  flops = (double)iters * kAcc * 8 * 2;
  return out[0] + out[7];
}
#elif defined(__aarch64__)
float fmaLoopNeon(int64_t iters, double &flops) {
  constexpr int kAcc = 24;
  float32x4_t acc[kAcc];
  for (int i = 0; i < kAcc; ++i)
    acc[i] = vdupq_n_f32(0.001f * (float)i);
  float32x4_t a = vdupq_n_f32(0.999999f), b = vdupq_n_f32(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
    for (int i = 0; i < kAcc; ++i)
      acc[i] = vfmaq_f32(b, acc[i], a);
    __asm__ volatile("" : "+w"(acc[0]), "+w"(acc[1]), "+w"(acc[2]), "+w"(acc[3]));
  }
  float32x4_t sum = acc[0];
  for (int i = 1; i < kAcc; ++i)
    sum = vaddq_f32(sum, acc[i]);
  flops = (double)iters * kAcc * 4 * 2;
  return vaddvq_f32(sum);
}
#endif

float fmaLoopScalar(int64_t iters, double &flops) {
  constexpr int kAcc = 8;
  float acc[kAcc];
  for (int i = 0; i < kAcc; ++i)
    acc[i] = 0.001f * (float)i;
  for (int64_t it = 0; it < iters; ++it)
    for (int i = 0; i < kAcc; ++i)
      acc[i] = __builtin_fmaf(acc[i], 0.999999f, 1e-7f);
  flops = (double)iters * kAcc * 2;
  float sum = 0;
  for (float v : acc)
    sum += v;
  return sum;
}

using Loop = float (*)(int64_t, double &);

Loop pickLoop(std::string &isa) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    isa = "avx512f";
    return fmaLoopAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    isa = "avx2+fma";
    return fmaLoopAvx2;
  }
#elif defined(__aarch64__)
  isa = "neon";
  return fmaLoopNeon;
#endif
  isa = "scalar";
  return fmaLoopScalar;
}

} // namespace

kiln::FmaPeak kiln::measureFmaPeak(int threads) {
  FmaPeak peak;
  peak.threads = std::max(1, threads);
  Loop loop = pickLoop(peak.isa);
  // About 50 ms per run on a 3 GHz core with 2 FMA ports.
  int64_t iters = peak.isa == "scalar" ? 20000000 : 4000000;
  volatile float sink = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::vector<double> flops(peak.threads);
    std::vector<float> results(peak.threads);
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 1; t < peak.threads; ++t)
      workers.emplace_back([&, t] { results[t] = loop(iters, flops[t]); });
    results[0] = loop(iters, flops[0]);
    for (std::thread &w : workers)
      w.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double total = 0;
    for (int t = 0; t < peak.threads; ++t) {
      total += flops[t];
      sink = sink + results[t];
    }
    peak.gflops = std::max(peak.gflops, total / seconds * 1e-9);
  }
  return peak;
}
