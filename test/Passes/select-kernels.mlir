// RUN: kiln-opt %s --split-input-file --kiln-select-kernels | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-select-kernels="target=aarch64-linux-gnu parallel=false" | FileCheck %s --check-prefix=OPTS
// RUN: kiln-opt %s --split-input-file --kiln-select-kernels="vectorize=false" | FileCheck %s --check-prefix=NOVEC

// kiln-select-kernels writes a #kiln.kernel on every compute op, chosen from
// the module's #kiln.target (passes/KernelSelection.cpp):
//  - NHWC group-1 convolutions: direct_conv with the register tile
//    (n, oh, ow, f, kh, kw, c) = (1, 1, R, B, 1, 1, 1), R the largest
//    divisor of OW up to a quarter of the vector registers, B = block = two
//    vectors where that divides F and the filter is a constant (packed at
//    compile time); otherwise block 0 and the largest of 2 vectors, 1
//    vector, 8, 4, 2, 1 dividing F. Channel blocks in parallel (dim 3).
//  - NHWC pools: pool, (1, 1, R, channels, 1, 1), output rows in parallel
//    (not for global pooling); NCHW convolutions, NCHW pools: loops.
//  - NHWC grouped convolutions: direct_conv per block inside a group
//    (@grouped_avx2); depthwise ones: loops.
//  - Gemm/MatMul: matmul (R, channels, 1), columns in parallel (dim 1) where
//    there is more than one tile of them; Reshape/Flatten: view; the rest
//    (elementwise, transpose, softmax): one vector tile of 4, 2 or 1
//    vectors along the innermost dimension.

// AVX-512: 16 lanes, 32 registers (R up to 8), 1 MiB L2.
// CHECK-LABEL: func.func @avx512
// F = 64: block 32.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = false>
// F = 24 is no multiple of 32: block 0, 8 channels per tile.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = false>
// A filter that is no constant cannot be packed: block 0, same tile.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 32, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>
// 48 channels: one vector.
// CHECK: kiln.avg_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 16, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>
// CHECK: kiln.global_avg_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 1, 16, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.gemm {{.*}}#kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 2, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.matmul {{.*}}#kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [6, 8, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 64], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// 100 = 25 x 4: no vector divides it, 4 does.
// CHECK: kiln.add {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 4], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.transpose {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 64], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.softmax {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 4], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.reshape {{.*}}#kiln.kernel<kind = view, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.flatten {{.*}}#kiln.kernel<kind = view, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// The module's own target and options win over the pass options.
// OPTS-LABEL: func.func @avx512
// OPTS: kiln.fused_conv {{.*}}block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16
// NOVEC-LABEL: func.func @avx512
// NOVEC: kiln.fused_conv {{.*}}kind = direct_conv, layout = nhwc, block = 32
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @avx512(%x: tensor<1x8x8x16xf32>, %wd: tensor<3x3x16x64xf32>, %b: tensor<64xf32>, %b3: tensor<24xf32>,
    %p: tensor<1x8x8x48xf32>, %g: tensor<4x64xf32>, %gw: tensor<64x2xf32>, %a: tensor<6x64xf32>, %m: tensor<64x40xf32>,
    %s: tensor<2x3x100xf32>, %t: tensor<2x64x32xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %w3 = arith.constant dense<1.0> : tensor<3x3x16x24xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %x, %w3, %b3 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x24xf32>, tensor<24xf32>) -> tensor<1x8x8x24xf32>
  %2 = kiln.fused_conv %x, %wd, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %3 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32>
  %4 = kiln.avg_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x48xf32> -> tensor<1x4x4x48xf32>
  %5 = kiln.global_avg_pool %p {layout = "NHWC"} : tensor<1x8x8x48xf32> -> tensor<1x1x1x48xf32>
  %6 = kiln.gemm %g, %gw : (tensor<4x64xf32>, tensor<64x2xf32>) -> tensor<4x2xf32>
  %7 = kiln.matmul %a, %m : (tensor<6x64xf32>, tensor<64x40xf32>) -> tensor<6x40xf32>
  %8 = kiln.relu %0 : tensor<1x8x8x64xf32>
  %9 = kiln.add %s, %s : (tensor<2x3x100xf32>, tensor<2x3x100xf32>) -> tensor<2x3x100xf32>
  %10 = kiln.transpose %t {perm = array<i64: 0, 2, 1>} : tensor<2x64x32xf32> -> tensor<2x32x64xf32>
  %11 = kiln.softmax %s {axis = -1 : i64} : tensor<2x3x100xf32>
  %12 = kiln.reshape %s : tensor<2x3x100xf32> -> tensor<600xf32>
  %13 = kiln.flatten %8 {axis = 1 : i64} : tensor<1x8x8x64xf32> -> tensor<1x4096xf32>
  return
}
}

// -----

// NCHW and grouped convolutions and NCHW pools are plain loops.
// CHECK-LABEL: func.func @nchw_and_grouped
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}group = 2 : i64, kiln.kernel = #kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.conv {{.*}}#kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @nchw_and_grouped(%x: tensor<1x16x8x8xf32>, %b: tensor<64xf32>) {
  %w = arith.constant dense<1.0> : tensor<64x16x3x3xf32>
  %wg = arith.constant dense<1.0> : tensor<64x8x3x3xf32>
  %0 = kiln.fused_conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8xf32>, tensor<64x16x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %1 = kiln.fused_conv %x, %wg, %b {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8xf32>, tensor<64x8x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %2 = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8xf32>, tensor<64x16x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  %3 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x16x8x8xf32> -> tensor<1x16x4x4xf32>
  return
}
}

// -----

// AVX2: 8 lanes, 16 registers (R up to 4).
// CHECK-LABEL: func.func @avx2
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 4, 16, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// F = 24 is no multiple of 16: blocks of one vector, over 8 pixels (8
// accumulators; 4 x 8 would leave 4).
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 16, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 8, config = false>
// CHECK: kiln.gemm {{.*}}#kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [3, 16, 1], cache_tile = [], parallel_dims = [1], lanes = 8, config = false>
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 32], cache_tile = [], parallel_dims = [], lanes = 8, config = false>
// 7x7 and 14x14 outputs: 1x16 and 2x16 would leave 2 and 4 accumulators;
// one vector over 7 pixels (7 accumulators) instead, on blocks of one vector.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 7, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 7, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// 1x1 at 14x14: a GEMM over the 196 = 4 x 49 pixels, 4 x 16 (8 accumulators).
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 16, register_tile = [4, 16, 1], cache_tile = [], parallel_dims = [1], lanes = 8, config = false>
// With 512 input channels a pixel's row is 2 KiB: chunks of 28 pixels (56
// KiB, at most a quarter of the 256 KiB L2) that every block reuses.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 16, register_tile = [4, 16, 1], cache_tile = [28, 0, 0], parallel_dims = [1], lanes = 8, config = false>
// 1x1 at 7x7 (49 pixels: no divisor from 2 to 4) and 1x1 with stride 2: direct.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 7, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 7, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// 1x1 stride 1 where the width alone gives 8 accumulators (4 x 16 at 8x8):
// a GEMM too, for its epilogue in registers (an expansion: one output row
// x all 64 channels per iteration).
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 16, register_tile = [4, 16, 1], cache_tile = [8, 64, 0], parallel_dims = [1], lanes = 8, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "haswell", features = "+avx,+avx2,+fma", vector_bits = 256, vector_registers = 16, l1_bytes = 32768, l2_bytes = 262144>} {
func.func @avx2(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>, %b3: tensor<24xf32>, %g: tensor<6x64xf32>, %gw: tensor<64x48xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %w3 = arith.constant dense<1.0> : tensor<3x3x16x24xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %x, %w3, %b3 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x24xf32>, tensor<24xf32>) -> tensor<1x8x8x24xf32>
  %2 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32>
  %3 = kiln.gemm %g, %gw : (tensor<6x64xf32>, tensor<64x48xf32>) -> tensor<6x48xf32>
  %4 = kiln.relu %0 : tensor<1x8x8x64xf32>
  %x7 = tensor.empty() : tensor<1x7x7x16xf32>
  %5 = kiln.fused_conv %x7, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x7x7x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x7x7x64xf32>
  %x14 = tensor.empty() : tensor<1x14x14x16xf32>
  %6 = kiln.fused_conv %x14, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x14x14x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x14x14x64xf32>
  %w1 = arith.constant dense<1.0> : tensor<1x1x16x64xf32>
  %7 = kiln.fused_conv %x14, %w1, %b {layout = "NHWC"} : (tensor<1x14x14x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x14x14x64xf32>
  %x512 = tensor.empty() : tensor<1x14x14x512xf32>
  %w512 = arith.constant dense<1.0> : tensor<1x1x512x64xf32>
  %10 = kiln.fused_conv %x512, %w512, %b {layout = "NHWC"} : (tensor<1x14x14x512xf32>, tensor<1x1x512x64xf32>, tensor<64xf32>) -> tensor<1x14x14x64xf32>
  %8 = kiln.fused_conv %x7, %w1, %b {layout = "NHWC"} : (tensor<1x7x7x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x7x7x64xf32>
  %9 = kiln.fused_conv %x14, %w1, %b {layout = "NHWC", strides = array<i64: 2, 2>} : (tensor<1x14x14x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x7x7x64xf32>
  %11 = kiln.fused_conv %x, %w1, %b {layout = "NHWC", relu} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return
}
}

// -----

// Grouped NHWC convolutions on AVX2: the direct_conv kernel per block of
// output channels inside one group (the block divides F/G: two vectors, one,
// 8 or 4), with as many pixels as 8+ accumulators need; groups narrower than
// 4 channels (depthwise) and filters that are no constant: plain loops.
// CHECK-LABEL: func.func @grouped_avx2
// F/G = 32: block 16, 4 x 16 (8 accumulators).
// CHECK: kiln.fused_conv {{.*}}group = 2 : i64, kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 4, 16, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// F/G = 8: block 8, one vector over 8 pixels.
// CHECK: kiln.fused_conv {{.*}}group = 8 : i64, kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// F/G = 4 (ResNeXt's first stage): half a vector over 8 pixels.
// CHECK: kiln.fused_conv {{.*}}group = 16 : i64, kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 4, register_tile = [1, 1, 8, 4, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
// CHECK: kiln.fused_conv {{.*}}group = 16 : i64, kiln.kernel = #kiln.kernel<kind = loops, layout = nhwc, block = 0
// CHECK: kiln.fused_conv {{.*}}group = 2 : i64, kiln.kernel = #kiln.kernel<kind = loops, layout = nhwc, block = 0
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "haswell", features = "+avx,+avx2,+fma", vector_bits = 256, vector_registers = 16, l1_bytes = 32768, l2_bytes = 262144>} {
func.func @grouped_avx2(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>, %b16: tensor<16xf32>, %wd: tensor<3x3x8x64xf32>) {
  %w2 = arith.constant dense<1.0> : tensor<3x3x8x64xf32>
  %w8 = arith.constant dense<1.0> : tensor<3x3x2x64xf32>
  %w16 = arith.constant dense<1.0> : tensor<3x3x1x64xf32>
  %wdw = arith.constant dense<1.0> : tensor<3x3x1x16xf32>
  %0 = kiln.fused_conv %x, %w2, %b {layout = "NHWC", group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x8x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %x, %w8, %b {layout = "NHWC", group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x2x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %2 = kiln.fused_conv %x, %w16, %b {layout = "NHWC", group = 16 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x1x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %3 = kiln.fused_conv %x, %wdw, %b16 {layout = "NHWC", group = 16 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x1x16xf32>, tensor<16xf32>) -> tensor<1x8x8x16xf32>
  %4 = kiln.fused_conv %x, %wd, %b {layout = "NHWC", group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x8x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return
}
}

// -----

// AArch64 NEON: 4 lanes, 32 registers (R up to 8).
// CHECK-LABEL: func.func @neon
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 4, config = false>
// F = 12 is no multiple of 8: blocks of one vector of 4 channels.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 4, register_tile = [1, 1, 8, 4, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 4, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 8, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 4, config = false>
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 16], cache_tile = [], parallel_dims = [], lanes = 4, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "neoverse-n1", features = "+neon", vector_bits = 128, vector_registers = 32, l1_bytes = 65536, l2_bytes = 1048576>} {
func.func @neon(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>, %b12: tensor<12xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %w12 = arith.constant dense<1.0> : tensor<3x3x16x12xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %x, %w12, %b12 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x12xf32>, tensor<12xf32>) -> tensor<1x8x8x12xf32>
  %2 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32>
  %3 = kiln.relu %0 : tensor<1x8x8x64xf32>
  return
}
}

// -----

// One block's filter slice, 3x3x256x32 floats (288 KiB), exceeds a 64 KiB
// L2: a cache tile over input channels, halved from 256 until the slice
// fits in half of L2 (32 channels: 36 KiB, still too big; 16: 18 KiB).
// (Dilation 2: no Winograd.)
// A 1x1 conv's slice (1x1x256x32 floats = 32 KiB) fits: no cache tile over
// channels; with 32 registers it is a GEMM over the 64 pixels, R = 8 (the
// largest divisor up to 14), in chunks whose input rows fit a quarter of
// L2 (16 x 256 floats = 16 KiB).
// CHECK-LABEL: func.func @small_l2
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [0, 0, 0, 0, 0, 0, 16], parallel_dims = [3], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [8, 32, 1], cache_tile = [16, 0, 0], parallel_dims = [1], lanes = 16, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 65536>} {
func.func @small_l2(%x: tensor<1x8x8x256xf32>, %b: tensor<64xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x256x64xf32>
  %w1 = arith.constant dense<1.0> : tensor<1x1x256x64xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x8x8x256xf32>, tensor<3x3x256x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x256xf32>, tensor<1x1x256x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return
}
}

// -----

// 1x1 expansions (F > C) whose whole filter fits in half of L2 (64 -> 256:
// 64 KiB of 1 MiB): a cache tile of one output row (14 pixels) x all 256
// channels, the blocks innermost. A reduction (256 -> 64) and an expansion
// whose filter does not fit (512 -> 2048: 4 MiB) keep one block per
// iteration (here the whole image is one chunk: no cache tile).
// CHECK-LABEL: func.func @expansion
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [14, 32, 1], cache_tile = [14, 256, 0], parallel_dims = [1], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [14, 32, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [7, 32, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>
// A strided 1x1 conv (a downsampling shortcut, 14x14 -> 7x7) is the same
// GEMM on every other input pixel, R = 7 dividing the width.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [7, 32, 1], cache_tile = [7, 256, 0], parallel_dims = [1], lanes = 16, config = false>{{.*}}strides = array<i64: 2, 2>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "sapphirerapids", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 49152, l2_bytes = 1048576>} {
func.func @expansion(%x: tensor<1x14x14x64xf32>, %y: tensor<1x14x14x256xf32>, %z: tensor<1x7x7x512xf32>, %b: tensor<256xf32>, %b64: tensor<64xf32>, %b2k: tensor<2048xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x64x256xf32>
  %wr = arith.constant dense<1.0> : tensor<1x1x256x64xf32>
  %wz = arith.constant dense<1.0> : tensor<1x1x512x2048xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x14x14x64xf32>, tensor<1x1x64x256xf32>, tensor<256xf32>) -> tensor<1x14x14x256xf32>
  %1 = kiln.fused_conv %y, %wr, %b64 {layout = "NHWC"} : (tensor<1x14x14x256xf32>, tensor<1x1x256x64xf32>, tensor<64xf32>) -> tensor<1x14x14x64xf32>
  %2 = kiln.fused_conv %z, %wz, %b2k {layout = "NHWC"} : (tensor<1x7x7x512xf32>, tensor<1x1x512x2048xf32>, tensor<2048xf32>) -> tensor<1x7x7x2048xf32>
  %3 = kiln.fused_conv %x, %w, %b {layout = "NHWC", strides = array<i64: 2, 2>} : (tensor<1x14x14x64xf32>, tensor<1x1x64x256xf32>, tensor<256xf32>) -> tensor<1x7x7x256xf32>
  return
}
}

// -----

// 3x3 stride-1 convolutions with a constant filter, >= 64 input channels and
// a block dividing F: Winograd. F(4x4, 3x3) where it has >= 32 tiles
// (56x56: 196), F(2x2, 3x3) below (14x14: 16 tiles of 4x4, so F2 with 49;
// 7x7: 16). The GEMM's register tile [R, block, 1]: R >= 4 (two vectors
// each: >= 8 accumulators) that rounds the tile count up least, the larger
// on a tie (196 = 7 * 28 = 4 * 49: 7; 49: 7; 16: 8). No cache tile, no
// parallel_dims (the stages are foralls of their own).
// CHECK-LABEL: func.func @winograd
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = winograd_f4, layout = nhwc, block = 32, register_tile = [7, 32, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = winograd_f2, layout = nhwc, block = 32, register_tile = [7, 32, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = winograd_f2, layout = nhwc, block = 32, register_tile = [8, 32, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// Not Winograd: 32 input channels; stride 2; a filter that is no constant.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv,
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv,
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv,
// AVX2 (8 lanes, 16 registers: R = 4): 28x28 has 49 tiles of 4x4.
// CHECK-LABEL: func.func @winograd_avx2
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = winograd_f4, layout = nhwc, block = 16, register_tile = [4, 16, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>
// NOVEC-LABEL: func.func @winograd
// NOVEC: kiln.fused_conv {{.*}}#kiln.kernel<kind = loops,
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @winograd(%x56: tensor<1x56x56x64xf32>, %x14: tensor<1x14x14x256xf32>, %x7: tensor<1x7x7x512xf32>, %x32: tensor<1x56x56x32xf32>, %w64: tensor<3x3x64x64xf32>, %b64: tensor<64xf32>, %b256: tensor<256xf32>, %b512: tensor<512xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x64x64xf32>
  %w256 = arith.constant dense<1.0> : tensor<3x3x256x256xf32>
  %w512 = arith.constant dense<1.0> : tensor<3x3x512x512xf32>
  %w32 = arith.constant dense<1.0> : tensor<3x3x32x64xf32>
  %0 = kiln.fused_conv %x56, %w, %b64 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, relu} : (tensor<1x56x56x64xf32>, tensor<3x3x64x64xf32>, tensor<64xf32>) -> tensor<1x56x56x64xf32>
  %1 = kiln.fused_conv %x14, %w256, %b256 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x14x14x256xf32>, tensor<3x3x256x256xf32>, tensor<256xf32>) -> tensor<1x14x14x256xf32>
  %2 = kiln.fused_conv %x7, %w512, %b512 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x7x7x512xf32>, tensor<3x3x512x512xf32>, tensor<512xf32>) -> tensor<1x7x7x512xf32>
  %3 = kiln.fused_conv %x32, %w32, %b64 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x56x56x32xf32>, tensor<3x3x32x64xf32>, tensor<64xf32>) -> tensor<1x56x56x64xf32>
  %4 = kiln.fused_conv %x56, %w, %b64 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x56x56x64xf32>, tensor<3x3x64x64xf32>, tensor<64xf32>) -> tensor<1x28x28x64xf32>
  %5 = kiln.fused_conv %x56, %w64, %b64 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x56x56x64xf32>, tensor<3x3x64x64xf32>, tensor<64xf32>) -> tensor<1x56x56x64xf32>
  return
}
}

// -----

module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "haswell", features = "+avx2,+fma", vector_bits = 256, vector_registers = 16, l1_bytes = 32768, l2_bytes = 262144>} {
func.func @winograd_avx2(%x: tensor<1x28x28x128xf32>, %b: tensor<128xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x128x128xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x28x28x128xf32>, tensor<3x3x128x128xf32>, tensor<128xf32>) -> tensor<1x28x28x128xf32>
  return
}
}

// -----

// kiln.options<vectorize = false>: every compute op gets plain loops (the
// conv keeps its layout), Reshape/Flatten stay views.
// CHECK-LABEL: func.func @no_vectorize
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = loops, layout = nhwc, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = loops, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.gemm {{.*}}#kiln.kernel<kind = loops, layout = any,
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = loops, layout = any,
// CHECK: kiln.flatten {{.*}}#kiln.kernel<kind = view, layout = any,
module attributes {kiln.options = #kiln.options<vectorize = false, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @no_vectorize(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>, %g: tensor<4x64xf32>, %gw: tensor<64x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32>
  %2 = kiln.gemm %g, %gw : (tensor<4x64xf32>, tensor<64x2xf32>) -> tensor<4x2xf32>
  %3 = kiln.relu %0 : tensor<1x8x8x64xf32>
  %4 = kiln.flatten %3 {axis = 1 : i64} : tensor<1x8x8x64xf32> -> tensor<1x4096xf32>
  return
}
}

// -----

// kiln.options<parallel = false>: the same tiles, no parallel loops.
// CHECK-LABEL: func.func @serial
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 32, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @serial(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32>
  return
}
}

// -----

// A module without kiln.target / kiln.options: the pass options fill them in
// and are recorded (default: the host, vectorized and parallel).
// CHECK: module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple =
// CHECK-LABEL: func.func @no_target
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv
// AArch64, single-threaded: NEON tiles, no parallel loops.
// OPTS: module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>, kiln.target = #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic", features = "{{[^"]*}}+neon{{[^"]*}}", vector_bits = 128, vector_registers = 32, l1_bytes = 32768, l2_bytes = 524288>}
// OPTS-LABEL: func.func @no_target
// OPTS: #kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 4, config = false>
// NOVEC: module attributes {kiln.options = #kiln.options<vectorize = false, parallel = true>
// NOVEC-LABEL: func.func @no_target
// NOVEC: #kiln.kernel<kind = loops, layout = nhwc, block = 0, register_tile = [], cache_tile = [], parallel_dims = []
module {
func.func @no_target(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>) -> tensor<1x8x8x64xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return %0 : tensor<1x8x8x64xf32>
}
}

// -----

// An op that already has a kernel keeps it (the pass is idempotent).
// CHECK-LABEL: func.func @keep
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 2, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = loops, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 4, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @keep(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 2, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.relu %0 {kiln.kernel = #kiln.kernel<kind = loops, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 4, config = false>} : tensor<1x8x8x64xf32>
  return
}
}
