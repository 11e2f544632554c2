// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s

// Folders and canonicalization patterns of the kiln shape ops.

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: return %[[X]]
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A transpose that swaps two equal dimensions keeps the type but is no
// identity: it must stay.
// CHECK-LABEL: func.func @negative_transpose_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<3x3xf32>)
// CHECK: %[[T:.+]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0>}
// CHECK: return %[[T]]
func.func @negative_transpose_same_type(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// transpose(transpose(x, p1), p2) == transpose(x, p1[p2]).
// CHECK-LABEL: func.func @transpose_compose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.+]] = kiln.transpose %[[X]] {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NOT: kiln.transpose
// CHECK: return %[[T]]
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 2, 0>} : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Non-commuting permutations: the order of composition matters.
// p1 = [0, 2, 1, 3], p2 = [3, 0, 1, 2]: p1[p2] = [3, 0, 2, 1].
// CHECK-LABEL: func.func @transpose_compose_order
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4x5xf32>)
// CHECK: %[[T:.+]] = kiln.transpose %[[X]] {perm = array<i64: 3, 0, 2, 1>} : tensor<2x3x4x5xf32> -> tensor<5x2x4x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_compose_order(%x: tensor<2x3x4x5xf32>) -> tensor<5x2x4x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 2, 1, 3>} : tensor<2x3x4x5xf32> -> tensor<2x4x3x5xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 3, 0, 1, 2>} : tensor<2x4x3x5xf32> -> tensor<5x2x4x3xf32>
  return %1 : tensor<5x2x4x3xf32>
}

// -----

// NCHW -> NHWC -> NCHW cancels completely.
// CHECK-LABEL: func.func @transpose_cancel
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x8x8xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: return %[[X]]
func.func @transpose_cancel(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x8x8xf32> -> tensor<1x8x8x3xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : tensor<1x8x8x3xf32> -> tensor<1x3x8x8xf32>
  return %1 : tensor<1x3x8x8xf32>
}

// -----

// The inner transpose has another user: the outer one is still rewritten to
// read %x, and the inner one stays for its other user.
// CHECK-LABEL: func.func @transpose_compose_shared
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x8x8xf32>)
// CHECK: %[[T:.+]] = kiln.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: kiln.transpose
// CHECK: return %[[T]], %[[X]]
func.func @transpose_compose_shared(%x: tensor<1x3x8x8xf32>) -> (tensor<1x8x8x3xf32>, tensor<1x3x8x8xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x8x8xf32> -> tensor<1x8x8x3xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : tensor<1x8x8x3xf32> -> tensor<1x3x8x8xf32>
  return %0, %1 : tensor<1x8x8x3xf32>, tensor<1x3x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<2x12xf32>)
// CHECK-NOT: kiln.reshape
// CHECK: return %[[X]]
func.func @reshape_same_type(%x: tensor<2x12xf32>) -> tensor<2x12xf32> {
  %0 = kiln.reshape %x : tensor<2x12xf32> -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[R:.+]] = kiln.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NOT: kiln.reshape
// CHECK: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = kiln.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A chain that ends in the input's type disappears.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NOT: kiln.reshape
// CHECK: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.reshape %0 : tensor<6x4xf32> -> tensor<24xf32>
  %2 = kiln.reshape %1 : tensor<24xf32> -> tensor<2x3x4xf32>
  return %2 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: kiln.flatten
// CHECK: return %[[X]]
func.func @flatten_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.flatten %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @negative_flatten
// CHECK: %[[F:.+]] = kiln.flatten %{{.+}} : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
// CHECK: return %[[F]]
func.func @negative_flatten(%x: tensor<1x8x1x1xf32>) -> tensor<1x8xf32> {
  %0 = kiln.flatten %x : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// Unused kiln ops are Pure: canonicalize removes them.
// CHECK-LABEL: func.func @dead_ops
// CHECK-NOT: kiln.
// CHECK: return
func.func @dead_ops(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x1x1xf32>) -> tensor<1x3x4x4xf32> {
  %0 = kiln.relu %x : tensor<1x3x4x4xf32>
  %1 = kiln.conv %x, %w : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %x : tensor<1x3x4x4xf32>
}
