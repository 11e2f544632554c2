// RUN: kiln-opt %s --split-input-file --kiln-fold-constants | FileCheck %s

// kiln-fold-constants: transpose/reshape/flatten of f32 constants are
// computed at compile time; Gemm's constant transposed B is stored transposed.

// CHECK-LABEL: func.func @transpose_of_constant
// CHECK: %[[C:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: return %[[C]]
func.func @transpose_of_constant() -> tensor<3x2xf32> {
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A 3-D permutation: out[i][j][k] = in[j][k][i] for perm [2, 0, 1].
// CHECK-LABEL: func.func @transpose_3d
// CHECK: %[[C:.+]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 2.000000e+00], [4.000000e+00, 6.000000e+00]], {{\[\[}}1.000000e+00, 3.000000e+00], [5.000000e+00, 7.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK: return %[[C]]
func.func @transpose_3d() -> tensor<2x2x2xf32> {
  %c = arith.constant dense<[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]> : tensor<2x2x2xf32>
  %0 = kiln.transpose %c {perm = array<i64: 2, 0, 1>} : tensor<2x2x2xf32> -> tensor<2x2x2xf32>
  return %0 : tensor<2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_and_flatten_of_constant
// CHECK-DAG: %[[R:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<1x6xf32>
// CHECK-DAG: %[[F:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NOT: kiln.reshape
// CHECK-NOT: kiln.flatten
// CHECK: return %[[R]], %[[F]]
func.func @reshape_and_flatten_of_constant() -> (tensor<1x6xf32>, tensor<2x3xf32>) {
  %c = arith.constant dense<[[[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]]]> : tensor<2x1x3xf32>
  %0 = kiln.reshape %c : tensor<2x1x3xf32> -> tensor<1x6xf32>
  %1 = kiln.flatten %c : tensor<2x1x3xf32> -> tensor<2x3xf32>
  return %0, %1 : tensor<1x6xf32>, tensor<2x3xf32>
}

// -----

// B [N=3, K=2] with trans_b becomes [K, N] without it.
// CHECK-LABEL: func.func @gemm_pretranspose_b
// CHECK-SAME: (%[[A:.+]]: tensor<4x2xf32>, %[[C:.+]]: tensor<3xf32>)
// CHECK: %[[B:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK: %[[G:.+]] = kiln.gemm %[[A]], %[[B]], %[[C]] {alpha = 5.000000e-01 : f32} : (tensor<4x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK: return %[[G]]
func.func @gemm_pretranspose_b(%a: tensor<4x2xf32>, %c: tensor<3xf32>) -> tensor<4x3xf32> {
  %b = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %0 = kiln.gemm %a, %b, %c {trans_b, alpha = 0.5 : f32} : (tensor<4x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Large constants are dense_resource blobs; the result gets "<key>_t".
// 1x17 -> 17x1 keeps the bytes (1.0, 2.0, ..., 17.0).
// CHECK-LABEL: func.func @transpose_resource
// CHECK: %[[C:.+]] = arith.constant dense_resource<fc.weight_t> : tensor<17x1xf32>
// CHECK: return %[[C]]
// CHECK: fc.weight_t: "0x{{([0-9A-F]{8})}}0000803F00000040{{.*}}00008841"
func.func @transpose_resource() -> tensor<17x1xf32> {
  %c = arith.constant dense_resource<fc.weight> : tensor<1x17xf32>
  %0 = kiln.transpose %c {perm = array<i64: 1, 0>} : tensor<1x17xf32> -> tensor<17x1xf32>
  return %0 : tensor<17x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      fc.weight: "0x040000000000803F0000004000004040000080400000A0400000C0400000E04000000041000010410000204100003041000040410000504100006041000070410000804100008841"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @negative_not_constant
// CHECK: kiln.transpose
// CHECK: kiln.reshape
// CHECK: kiln.gemm %{{.+}}, %{{.+}} {trans_b}
func.func @negative_not_constant(%x: tensor<2x3xf32>, %a: tensor<4x2xf32>, %b: tensor<3x2xf32>)
    -> (tensor<3x2xf32>, tensor<6xf32>, tensor<4x3xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %2 = kiln.gemm %a, %b {trans_b} : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<6xf32>, tensor<4x3xf32>
}

// -----

// Only f32 constants are evaluated.
// CHECK-LABEL: func.func @negative_integer_constant
// CHECK: %[[C:.+]] = arith.constant dense<{{\[\[}}1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CHECK: kiln.transpose %[[C]]
func.func @negative_integer_constant() -> tensor<3x2xi64> {
  %c = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = kiln.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xi64> -> tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}

// -----

// Gemm without trans_b keeps its constant B.
// CHECK-LABEL: func.func @negative_gemm_not_transposed
// CHECK: %[[B:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: kiln.gemm %{{.+}}, %[[B]] : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
func.func @negative_gemm_not_transposed(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = kiln.gemm %a, %b : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// A zero pad of H and W folds into the conv's own pads (added to them).
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x8x8xf32>
// CHECK-NOT: kiln.pad
// CHECK: kiln.conv %[[X]], %{{.+}} {pads = array<i64: 1, 3, 2, 4>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>
func.func @pad_into_conv(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x5x7xf32> {
  %0 = kiln.pad %x {pads = array<i64: 0, 0, 1, 2, 0, 0, 1, 3>} : tensor<1x2x8x8xf32> -> tensor<1x2x10x13xf32>
  %1 = kiln.conv %0, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 1, 1>} : (tensor<1x2x10x13xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x5x7xf32>
  return %1 : tensor<1x3x5x7xf32>
}

// -----

// Inception's Pad + AveragePool: the pool gets the pads and counts them.
// CHECK-LABEL: func.func @pad_into_avg_pool
// CHECK-NOT: kiln.pad
// CHECK: kiln.avg_pool %{{.+}} {count_include_pad, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x7x7xf32> -> tensor<1x2x7x7xf32>
func.func @pad_into_avg_pool(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32> {
  %0 = kiln.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x2x7x7xf32> -> tensor<1x2x9x9xf32>
  %1 = kiln.avg_pool %0 {kernel_shape = array<i64: 3, 3>} : tensor<1x2x9x9xf32> -> tensor<1x2x7x7xf32>
  return %1 : tensor<1x2x7x7xf32>
}

// -----

// An NHWC pool folds the pad of its H and W (dimensions 1 and 2); a -inf
// pad folds into a max pool.
// CHECK-LABEL: func.func @pad_into_max_pool_nhwc
// CHECK-NOT: kiln.pad
// CHECK: kiln.max_pool %{{.+}} {kernel_shape = array<i64: 3, 3>, layout = "NHWC", pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>} : tensor<1x8x8x2xf32> -> tensor<1x4x4x2xf32>
func.func @pad_into_max_pool_nhwc(%x: tensor<1x8x8x2xf32>) -> tensor<1x4x4x2xf32> {
  %0 = kiln.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 0, 1, 0>, value = 0xFF800000 : f32} : tensor<1x8x8x2xf32> -> tensor<1x9x9x2xf32>
  %1 = kiln.max_pool %0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x9x9x2xf32> -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// Pads that stay: a pad of the channels; a non-zero value before a conv; a
// zero pad before a max pool; a pool that excludes its own pads; ceil_mode.
// A pad read by a foldable conv and by an op that cannot fold it stays for
// the latter only.
// CHECK-LABEL: func.func @negative_pads
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x8x8xf32>
// CHECK: %[[C:.+]] = kiln.pad %[[X]] {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 0>}
// CHECK: kiln.conv %[[C]]
// CHECK: %[[V:.+]] = kiln.pad %[[X]] {{.*}}value = 5.000000e-01
// CHECK: kiln.conv %[[V]]
// CHECK: %[[Z:.+]] = kiln.pad %[[X]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
// CHECK: kiln.max_pool %[[Z]]
// CHECK: kiln.avg_pool %[[Z]] {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>}
// CHECK: kiln.avg_pool %[[Z]] {ceil_mode, count_include_pad
// CHECK: kiln.conv %[[X]], %{{.+}} {pads = array<i64: 1, 1, 1, 1>}
func.func @negative_pads(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>, %w3: tensor<3x3x3x3xf32>) -> (tensor<1x3x6x6xf32>, tensor<1x3x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x10x10xf32>, tensor<1x2x5x5xf32>, tensor<1x3x8x8xf32>) {
  %c = kiln.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 0>} : tensor<1x2x8x8xf32> -> tensor<1x3x8x8xf32>
  %0 = kiln.conv %c, %w3 : (tensor<1x3x8x8xf32>, tensor<3x3x3x3xf32>) -> tensor<1x3x6x6xf32>
  %v = kiln.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.5 : f32} : tensor<1x2x8x8xf32> -> tensor<1x2x10x10xf32>
  %1 = kiln.conv %v, %w : (tensor<1x2x10x10xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  %z = kiln.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x2x8x8xf32> -> tensor<1x2x10x10xf32>
  %2 = kiln.max_pool %z {kernel_shape = array<i64: 3, 3>} : tensor<1x2x10x10xf32> -> tensor<1x2x8x8xf32>
  %3 = kiln.avg_pool %z {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x10x10xf32> -> tensor<1x2x10x10xf32>
  %4 = kiln.avg_pool %z {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode, count_include_pad} : tensor<1x2x10x10xf32> -> tensor<1x2x5x5xf32>
  %5 = kiln.conv %z, %w : (tensor<1x2x10x10xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x3x6x6xf32>, tensor<1x3x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x10x10xf32>, tensor<1x2x5x5xf32>, tensor<1x3x8x8xf32>
}
