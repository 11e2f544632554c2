// RUN: kiln-opt %s --split-input-file --kiln-graph-pipeline="target=x86_64-linux-gnu cpu=skylake-avx512" | FileCheck %s

// kiln-graph-pipeline = the bn-folded, fused, layout and kernels phases of
// kiln-compile: BN folds into the conv (k = scale / sqrt(var + 1) =
// [0.5, 2, 1]), ReLU fuses, the conv chain and the pools go NHWC with the
// filter relaid out to HWCF at compile time, transposes stay at the edges,
// and every compute op gets its kernel for the recorded AVX-512 target
// (F = 3 is no multiple of the 32-channel block: the filter stays unpacked).

// W [F=3, C=2]: [[2, 1], [3, 0], [1, 1]] * k = [[1, 0.5], [6, 0], [1, 1]];
// as HWCF [1, 1, 2, 3]: c0 = [1, 6, 1], c1 = [0.5, 0, 1].
// b' = (0 - mean) * k + beta = [-0.5 + 0.5, 0, 0 + 1] = [0, 0, 1].
// CHECK: module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "skylake-avx512", features = "{{.*}}+avx512f{{.*}}", vector_bits = 512, vector_registers = 32
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x6x6xf32> {kiln.name = "X"}) -> (tensor<1x3xf32> {kiln.name = "Y"})
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[0.000000e+00, 0.000000e+00, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 6.000000e+00, 1.000000e+00], [5.000000e-01, 0.000000e+00, 1.000000e+00]]]]> : tensor<1x1x2x3xf32>
// CHECK: %[[XT:.+]] = kiln.transpose %[[X]] {kiln.kernel = #kiln.kernel<kind = vector, layout = any, block = 0, register_tile = [1, 1, 1, 2], {{.+}}>, perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C:.+]] = kiln.fused_conv %[[XT]], %[[W]], %[[B]] {kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 6, 1, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = false>, layout = "NHWC", relu} : (tensor<1x6x6x2xf32>, tensor<1x1x2x3xf32>, tensor<3xf32>) -> tensor<1x6x6x3xf32>
// CHECK: %[[P:.+]] = kiln.max_pool %[[C]] {kernel_shape = array<i64: 2, 2>, kiln.kernel = #kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 3, 1, 1, 1], cache_tile = [], parallel_dims = [1], {{.+}}>, layout = "NHWC", strides = array<i64: 2, 2>}
// CHECK: %[[G:.+]] = kiln.global_avg_pool %[[P]] {kiln.kernel = #kiln.kernel<kind = pool, {{.+}}>, layout = "NHWC"}
// CHECK: %[[GT:.+]] = kiln.transpose %[[G]] {kiln.kernel = #kiln.kernel<kind = vector, {{.+}}>, perm = array<i64: 0, 3, 1, 2>}
// CHECK: %[[F:.+]] = kiln.flatten %[[GT]] {kiln.kernel = #kiln.kernel<kind = view,
// CHECK: return %[[F]]
// CHECK-NOT: kiln.batch_norm
// CHECK-NOT: kiln.relu
func.func @main_graph(%x: tensor<1x2x6x6xf32> {kiln.name = "X"}) -> (tensor<1x3xf32> {kiln.name = "Y"}) {
  %w = arith.constant dense<[[[[2.0]], [[1.0]]], [[[3.0]], [[0.0]]], [[[1.0]], [[1.0]]]]> : tensor<3x2x1x1xf32>
  %s = arith.constant dense<[1.0, 2.0, 1.0]> : tensor<3xf32>
  %beta = arith.constant dense<[0.5, 0.0, 1.0]> : tensor<3xf32>
  %m = arith.constant dense<[1.0, 0.0, 0.0]> : tensor<3xf32>
  %v = arith.constant dense<[3.0, 0.0, 0.0]> : tensor<3xf32>
  %0 = kiln.conv %x, %w : (tensor<1x2x6x6xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x6x6xf32>
  %1 = kiln.batch_norm %0, %s, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<1x3x6x6xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x6x6xf32>
  %2 = kiln.relu %1 : tensor<1x3x6x6xf32>
  %3 = kiln.max_pool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x6x6xf32> -> tensor<1x3x3x3xf32>
  %4 = kiln.global_avg_pool %3 : tensor<1x3x3x3xf32> -> tensor<1x3x1x1xf32>
  %5 = kiln.flatten %4 : tensor<1x3x1x1xf32> -> tensor<1x3xf32>
  return %5 : tensor<1x3xf32>
}

// -----

// F = 64 is two 32-channel blocks: the pipeline packs the relaid-out HWCF
// filter [1, 1, 2, 64] into [F/B, KH, KW, C, B] = [2, 1, 1, 2, 32] (a
// resource blob, named after the original) and the conv's kernel has
// block = 32; a 1x1 conv with 32 registers is a GEMM over the 36 pixels,
// 12 per register tile.
// CHECK-LABEL: func.func @main_graph
// CHECK-DAG: %[[W:.+]] = arith.constant dense_resource<cst_hwcf_packed> : tensor<2x1x1x2x32xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<1.000000e+00> : tensor<64xf32>
// CHECK: %[[XT:.+]] = kiln.transpose %{{.+}} {{{.*}}perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C:.+]] = kiln.fused_conv %[[XT]], %[[W]], %[[B]] {kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [12, 32, 1], cache_tile = [], parallel_dims = [1], lanes = 16, config = false>, layout = "NHWC", relu} : (tensor<1x6x6x2xf32>, tensor<2x1x1x2x32xf32>, tensor<64xf32>) -> tensor<1x6x6x64xf32>
// CHECK: %[[Y:.+]] = kiln.transpose %[[C]] {{{.*}}perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[Y]]
// CHECK: cst_hwcf_packed: "0x40000000{{(0000003F)+}}"
func.func @main_graph(%x: tensor<1x2x6x6xf32> {kiln.name = "X"}) -> (tensor<1x64x6x6xf32> {kiln.name = "Y"}) {
  %w = arith.constant dense<0.5> : tensor<64x2x1x1xf32>
  %b = arith.constant dense<1.0> : tensor<64xf32>
  %0 = kiln.conv %x, %w, %b : (tensor<1x2x6x6xf32>, tensor<64x2x1x1xf32>, tensor<64xf32>) -> tensor<1x64x6x6xf32>
  %1 = kiln.relu %0 : tensor<1x64x6x6xf32>
  return %1 : tensor<1x64x6x6xf32>
}
