// RUN: kiln-opt %s --split-input-file --kiln-select-kernels | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-select-kernels="target=aarch64-linux-gnu parallel=false" | FileCheck %s --check-prefix=OPTS
// RUN: kiln-opt %s --split-input-file --kiln-select-kernels="vectorize=false" | FileCheck %s --check-prefix=NOVEC

// kiln-select-kernels on an AVX-512 target (16 lanes, 32 registers): block =
// two vectors where it divides F (else 0 with the largest channel tile that
// does), 8 pixels per register tile (a quarter of the registers), channel
// blocks in parallel; pools over 2 vectors of channels with rows in
// parallel; Gemm as matmul; elementwise ops one 4-vector tile along the
// innermost dim; Flatten a view.
// CHECK-LABEL: func.func @avx512
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = false>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = false>
// CHECK: kiln.max_pool {{.*}}#kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 32, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>
// CHECK: kiln.gemm {{.*}}#kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 2, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 64], cache_tile = [], parallel_dims = [], lanes = 16, config = false>
// CHECK: kiln.flatten {{.*}}#kiln.kernel<kind = view,
// The module's own target and options win over the pass options.
// OPTS-LABEL: func.func @avx512
// OPTS: kiln.fused_conv {{.*}}block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16
// NOVEC-LABEL: func.func @avx512
// NOVEC: kiln.fused_conv {{.*}}block = 32
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @avx512(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %w3: tensor<3x3x16x24xf32>, %b: tensor<64xf32>, %b3: tensor<24xf32>, %g: tensor<4x64xf32>, %gw: tensor<64x10xf32>) -> (tensor<1x8x8x64xf32>, tensor<1x8x8x24xf32>, tensor<1x4x4x64xf32>, tensor<4x10xf32>, tensor<1x4096xf32>) {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %x, %w3, %b3 {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x24xf32>, tensor<24xf32>) -> tensor<1x8x8x24xf32>
  %2 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32>
  %3 = kiln.gemm %g, %gw : (tensor<4x64xf32>, tensor<64x10xf32>) -> tensor<4x10xf32>
  %4 = kiln.relu %0 : tensor<1x8x8x64xf32>
  %5 = kiln.flatten %4 {axis = 1 : i64} : tensor<1x8x8x64xf32> -> tensor<1x4096xf32>
  return %0, %1, %2, %3, %5 : tensor<1x8x8x64xf32>, tensor<1x8x8x24xf32>, tensor<1x4x4x64xf32>, tensor<4x10xf32>, tensor<1x4096xf32>
}
}

// -----

// AVX2 (8 lanes, 16 registers): block 16, 4 pixels x 16 channels.
// CHECK-LABEL: func.func @avx2
// CHECK: #kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 4, 16, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "c", features = "", vector_bits = 256, vector_registers = 16, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @avx2(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>) -> tensor<1x8x8x64xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return %0 : tensor<1x8x8x64xf32>
}
}

// -----

// NEON (4 lanes, 32 registers): block 8, 8 pixels x 8 channels.
// CHECK-LABEL: func.func @neon
// CHECK: #kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 4, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "c", features = "", vector_bits = 128, vector_registers = 32, l1_bytes = 65536, l2_bytes = 1048576>} {
func.func @neon(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>) -> tensor<1x8x8x64xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return %0 : tensor<1x8x8x64xf32>
}
}

// -----

// One block's filter slice (3x3x16x32 floats = 18 KiB) exceeds an 8 KiB L2:
// a cache tile over input channels, halved until the slice fits in half of it.
// CHECK-LABEL: func.func @small_l2
// CHECK: #kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [0, 0, 0, 0, 0, 0, 2], parallel_dims = [3], lanes = 16, config = false>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "c", features = "", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 8192>} {
func.func @small_l2(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>) -> tensor<1x8x8x64xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return %0 : tensor<1x8x8x64xf32>
}
}

// -----

// A module without kiln.target / kiln.options: the pass options fill them in
// and are recorded (AArch64, single-threaded: no parallel loops).
// OPTS: module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>, kiln.target = #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic", features = "+neon", vector_bits = 128, vector_registers = 32
// OPTS-LABEL: func.func @no_target
// OPTS: #kiln.kernel<kind = direct_conv, layout = nhwc, block = 8, register_tile = [1, 1, 8, 8, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 4, config = false>
// NOVEC: module attributes {kiln.options = #kiln.options<vectorize = false, parallel = true>
// NOVEC-LABEL: func.func @no_target
// NOVEC: #kiln.kernel<kind = loops, layout = nhwc, block = 0, register_tile = [], cache_tile = [], parallel_dims = []
module {
func.func @no_target(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>) -> tensor<1x8x8x64xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  return %0 : tensor<1x8x8x64xf32>
}
}

// -----

// An op that already has a kernel keeps it; NCHW convolutions get loops.
// CHECK-LABEL: func.func @keep_and_nchw
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 2, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = loops, layout = nchw,
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "c", features = "", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @keep_and_nchw(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>, %xn: tensor<1x16x8x8xf32>, %wn: tensor<64x16x3x3xf32>) -> (tensor<1x8x8x64xf32>, tensor<1x64x8x8xf32>) {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 2, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32>
  %1 = kiln.fused_conv %xn, %wn, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8xf32>, tensor<64x16x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32>
  return %0, %1 : tensor<1x8x8x64xf32>, tensor<1x64x8x8xf32>
}
}
