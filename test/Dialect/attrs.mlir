// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s
// RUN: kiln-opt %s --split-input-file --mlir-print-op-generic | kiln-opt --split-input-file | FileCheck %s

// Round trip of the three kiln attributes (dialects/Kiln/KilnAttrs.td):
// #kiln.target and #kiln.options on the module, #kiln.kernel on compute
// ops, with every kernel kind and layout, empty and non-empty tile lists.
// attrs-invalid.mlir has KernelAttr::verify's diagnostics.

// CHECK: module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f,-amx-tile", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>}
// CHECK-LABEL: func.func @kernels_on_ops
// CHECK: kiln.fused_conv {{.*}}{kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [0, 0, 0, 0, 0, 0, 4], parallel_dims = [3], lanes = 16, config = true>, layout = "NHWC"}
// CHECK: kiln.relu {{.*}}{kiln.kernel = #kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 64], cache_tile = [], parallel_dims = [], lanes = 16, config = false>}
// CHECK: kiln.flatten {{.*}}{kiln.kernel = #kiln.kernel<kind = view, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>}
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f,-amx-tile", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @kernels_on_ops(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>) -> tensor<1x2304xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [0, 0, 0, 0, 0, 0, 4], parallel_dims = [3], lanes = 16, config = true>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x6x6x64xf32>
  %1 = kiln.relu %0 {kiln.kernel = #kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 64], cache_tile = [], parallel_dims = [], lanes = 16, config = false>} : tensor<1x6x6x64xf32>
  %2 = kiln.flatten %1 {axis = 1 : i64, kiln.kernel = #kiln.kernel<kind = view, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = false>} : tensor<1x6x6x64xf32> -> tensor<1x2304xf32>
  return %2 : tensor<1x2304xf32>
}
}

// -----

// The remaining kinds and layouts; the parameters are printed in their
// fixed order, whatever the spelling of the values.
// CHECK: module attributes {kiln.options = #kiln.options<vectorize = false, parallel = true>, kiln.target = #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic", features = "+neon", vector_bits = 128, vector_registers = 32, l1_bytes = 65536, l2_bytes = 524288>}
// CHECK-LABEL: func.func @all_kinds
// CHECK-SAME: gemm = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 8, register_tile = [8, 8, 1], cache_tile = [], parallel_dims = [1], lanes = 4, config = false>
// CHECK-SAME: loops = #kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 4, config = false>
// CHECK-SAME: matmul = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 8, 1], cache_tile = [0, 0, 64], parallel_dims = [0, 1], lanes = 4, config = true>
// CHECK-SAME: pool = #kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 8, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 4, config = false>
module attributes {kiln.target = #kiln.target<triple = "aarch64-unknown-linux-gnu", cpu = "generic", features = "+neon", vector_bits = 128, vector_registers = 32, l1_bytes = 65536, l2_bytes = 524288>, kiln.options = #kiln.options<vectorize = false, parallel = true>} {
func.func @all_kinds() attributes {
    gemm = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 8, register_tile = [8, 8, 1], cache_tile = [], parallel_dims = [1], lanes = 4, config = false>,
    pool = #kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 8, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 4, config = false>,
    matmul = #kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [4, 8, 1], cache_tile = [0, 0, 64], parallel_dims = [0, 1], lanes = 4, config = true>,
    loops = #kiln.kernel<kind = loops, layout = nchw, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 4, config = false>} {
  return
}
}
