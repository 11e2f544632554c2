// RUN: kiln-opt %s --split-input-file --kiln-tile-and-vectorize --canonicalize --cse | FileCheck %s

// kiln-tile-and-vectorize tiles each linalg op exactly as its #kiln.kernel
// says. These kernels are what kiln-select-kernels picks for an AVX2-like
// target (8 f32 lanes, 16 registers): register tiles of 4 output pixels x
// 16 channels, reduction step 1, FMAs on vector<16xf32>, accumulators
// carried through the reduction loops.

// F = 32 is two channel blocks of 16: they are the scf.forall iterations.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.conv
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c4
// CHECK: %[[ACC:.+]] = vector.transfer_read {{.*}} vector<4x16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.+}} = %[[ACC]]) -> (vector<4x16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<4x16xf32>
func.func @conv(%x: tensor<1x6x10x3xf32>, %w: tensor<3x3x3x32xf32>, %init: tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 4, 16, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>}
      ins(%x, %w : tensor<1x6x10x3xf32>, tensor<3x3x3x32xf32>) outs(%init : tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32>
  return %0 : tensor<1x4x8x32xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (vector<4x16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul {kiln.kernel = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 16, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Elementwise ops without a kernel get the vector kernel for the module
// target's lanes (8 without a target): tiled to vectors along the innermost
// dimension, never vectorized whole.
// CHECK-LABEL: func.func @relu
// CHECK-NOT: vector<2x4x64xf32>
// CHECK: arith.maximumf {{.*}} : vector<32xf32>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @relu(%x: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%x : tensor<2x4x64xf32>) {
  ^bb0(%out: f32):
    %1 = arith.maximumf %out, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<2x4x64xf32>
  return %0 : tensor<2x4x64xf32>
}

// -----

// Without parallel_dims the channel blocks are a plain loop, channel block
// outermost (interchange), so a block's filter slice stays hot.
// CHECK-LABEL: func.func @serial_conv
// CHECK-NOT: scf.forall
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c16
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c4
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @serial_conv(%x: tensor<1x6x10x3xf32>, %w: tensor<3x3x3x32xf32>, %init: tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 4, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      ins(%x, %w : tensor<1x6x10x3xf32>, tensor<3x3x3x32xf32>) outs(%init : tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32>
  return %0 : tensor<1x4x8x32xf32>
}

// -----

// A cache tile is an outer loop over its non-zero sizes (here input
// channels in steps of 2) around the register tile.
// CHECK-LABEL: func.func @cache_tiled_conv
// CHECK: scf.for %{{.+}} = %c0 to %c4 step %c2
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @cache_tiled_conv(%x: tensor<1x6x10x4xf32>, %w: tensor<3x3x4x16xf32>, %init: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 4, 16, 1, 1, 1], cache_tile = [0, 0, 0, 0, 0, 0, 2], parallel_dims = [], lanes = 8, config = false>}
      ins(%x, %w : tensor<1x6x10x4xf32>, tensor<3x3x4x16xf32>) outs(%init : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// kind = loops: left as it is.
// CHECK-LABEL: func.func @negative_loops
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @negative_loops(%x: tensor<1x6x10x3xf32>, %w: tensor<3x3x3x32xf32>, %init: tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
      kiln.kernel = #kiln.kernel<kind = loops, layout = nhwc, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      ins(%x, %w : tensor<1x6x10x3xf32>, tensor<3x3x3x32xf32>) outs(%init : tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32>
  return %0 : tensor<1x4x8x32xf32>
}

// -----

// The module's kiln.target sets the lanes of the vector kernel that ops
// without a kernel get: 16 on AVX-512, so 4 vectors = 64 floats.
// CHECK-LABEL: func.func @relu_avx512
// CHECK-NOT: vector<32xf32>
// CHECK: arith.maximumf {{.*}} : vector<64xf32>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @relu_avx512(%x: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%x : tensor<2x4x64xf32>) {
  ^bb0(%out: f32):
    %1 = arith.maximumf %out, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<2x4x64xf32>
  return %0 : tensor<2x4x64xf32>
}
}

// -----

// NEON: 4 lanes, so 16 floats.
// CHECK-LABEL: func.func @relu_neon
// CHECK-NOT: vector<{{32|64}}xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
module attributes {kiln.target = #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic", features = "+neon", vector_bits = 128, vector_registers = 32, l1_bytes = 32768, l2_bytes = 524288>} {
func.func @relu_neon(%x: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%x : tensor<2x4x64xf32>) {
  ^bb0(%out: f32):
    %1 = arith.maximumf %out, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<2x4x64xf32>
  return %0 : tensor<2x4x64xf32>
}
}

// -----

// A tensor.concat becomes insert_slices into one tensor.empty after
// vectorization (no whole-tensor vector transfer), in the order the inputs
// are produced, each right after its producer: %b (listed first, produced
// second) goes in after %a's insert, into the tensor that insert made, so
// eliminate-empty-tensors can have each producer write into its slice.
// CHECK-LABEL: func.func @concat_in_production_order
// CHECK: %[[A:.+]] = scf.for
// CHECK: arith.negf
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x8x16xf32>
// CHECK: %[[IA:.+]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 8] [1, 8, 8] [1, 1, 1] : tensor<1x8x8xf32> into tensor<1x8x16xf32>
// CHECK: %[[B:.+]] = scf.for
// CHECK: arith.negf
// CHECK: %[[IB:.+]] = tensor.insert_slice %[[B]] into %[[IA]][0, 0, 0] [1, 8, 8] [1, 1, 1] : tensor<1x8x8xf32> into tensor<1x8x16xf32>
// CHECK-NOT: tensor.concat
// CHECK-NOT: vector<1x8x16xf32>
// CHECK: return %[[IB]]
func.func @concat_in_production_order(%x: tensor<1x8x8xf32>, %y: tensor<1x8x8xf32>) -> tensor<1x8x16xf32> {
  %ea = tensor.empty() : tensor<1x8x8xf32>
  %a = linalg.negf ins(%x : tensor<1x8x8xf32>) outs(%ea : tensor<1x8x8xf32>) -> tensor<1x8x8xf32>
  %eb = tensor.empty() : tensor<1x8x8xf32>
  %b = linalg.negf ins(%y : tensor<1x8x8xf32>) outs(%eb : tensor<1x8x8xf32>) -> tensor<1x8x8xf32>
  %0 = tensor.concat dim(2) %b, %a : (tensor<1x8x8xf32>, tensor<1x8x8xf32>) -> tensor<1x8x16xf32>
  return %0 : tensor<1x8x16xf32>
}

// -----

// math.exp becomes MLIR's polynomial approximation on the vectors (FMAs
// and bit manipulation), not one libm expf call per lane after LLVM
// scalarizes it.
// CHECK-LABEL: func.func @exp_approximated
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<8xf32>
// CHECK-NOT: math.exp
func.func @exp_approximated(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.exp ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
