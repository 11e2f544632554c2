// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// Round-trip of every kiln op, with and without its optional operands and
// attributes. Default-valued attributes are not printed.

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x8x8xf32>, %[[W:.+]]: tensor<6x2x3x3xf32>, %[[B:.+]]: tensor<6xf32>)
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>)
    -> (tensor<1x6x4x4xf32>, tensor<1x6x6x6xf32>) {
  // CHECK: %[[C0:.+]] = kiln.conv %[[X]], %[[W]], %[[B]] {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  // CHECK: %[[C1:.+]] = kiln.conv %[[X]], %[[W]] {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  %1 = kiln.conv %x, %w {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  // CHECK: return %[[C0]], %[[C1]]
  return %0, %1 : tensor<1x6x4x4xf32>, tensor<1x6x6x6xf32>
}

// CHECK-LABEL: func.func @fused_conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[W:.+]]: tensor<3x2x3x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[R:.+]]: tensor<1x3x5x5xf32>, %[[XN:.+]]: tensor<1x5x5x2xf32>, %[[WN:.+]]: tensor<3x3x2x3xf32>)
func.func @fused_conv(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>,
                      %r: tensor<1x3x5x5xf32>, %xn: tensor<1x5x5x2xf32>,
                      %wn: tensor<3x3x2x3xf32>)
    -> (tensor<1x3x5x5xf32>, tensor<1x3x3x3xf32>, tensor<1x3x3x3xf32>) {
  // CHECK: kiln.fused_conv %[[X]], %[[W]], %[[B]], %[[R]] {pads = array<i64: 1, 1, 1, 1>, relu} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32>
  %0 = kiln.fused_conv %x, %w, %b, %r {pads = array<i64: 1, 1, 1, 1>, relu}
      : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32>
  // CHECK: kiln.fused_conv %[[X]], %[[W]], %[[B]] : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %1 = kiln.fused_conv %x, %w, %b : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  // CHECK: kiln.fused_conv %[[XN]], %[[WN]], %[[B]] {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<3x3x2x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %2 = kiln.fused_conv %xn, %wn, %b {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<3x3x2x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0, %1, %2 : tensor<1x3x5x5xf32>, tensor<1x3x3x3xf32>, tensor<1x3x3x3xf32>
}

// A packed NHWC filter [F/B, KH, KW, C, B] = [2, 3, 3, 2, 4]: F = 8.
// CHECK-LABEL: func.func @fused_conv_packed
// CHECK: kiln.fused_conv %{{.+}}, %{{.+}}, %{{.+}} {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x5x5x2xf32>, tensor<2x3x3x2x4xf32>, tensor<8xf32>) -> tensor<1x5x5x8xf32>
func.func @fused_conv_packed(%x: tensor<1x5x5x2xf32>, %w: tensor<2x3x3x2x4xf32>, %b: tensor<8xf32>) -> tensor<1x5x5x8xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x5x5x2xf32>, tensor<2x3x3x2x4xf32>, tensor<8xf32>) -> tensor<1x5x5x8xf32>
  return %0 : tensor<1x5x5x8xf32>
}

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x4x4xf32>, %[[P:.+]]: tensor<3xf32>)
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  // CHECK: kiln.batch_norm %[[X]], %[[P]], %[[P]], %[[P]], %[[P]] {epsilon = 1.000000e-03 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32}
      : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: kiln.batch_norm %[[X]], %[[P]], %[[P]], %[[P]], %[[P]] : (
  %1 = kiln.batch_norm %x, %p, %p, %p, %p
      : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0, %1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[A:.+]]: tensor<1x3x4x4xf32>, %[[C:.+]]: tensor<1x3x1x1xf32>, %[[V:.+]]: tensor<4xf32>)
func.func @elementwise(%a: tensor<1x3x4x4xf32>, %c: tensor<1x3x1x1xf32>, %v: tensor<4xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: %[[R:.+]] = kiln.relu %[[A]] : tensor<1x3x4x4xf32>
  %0 = kiln.relu %a : tensor<1x3x4x4xf32>
  // CHECK: %[[S:.+]] = kiln.add %[[R]], %[[C]] : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %1 = kiln.add %0, %c : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: %[[G:.+]] = kiln.sigmoid %[[S]] : tensor<1x3x4x4xf32>
  %2 = kiln.sigmoid %1 : tensor<1x3x4x4xf32>
  // Both operands broadcast: [1,3,1,1] * [4] -> [1,3,1,4].
  // CHECK: %[[M:.+]] = kiln.mul %[[C]], %[[V]] : (tensor<1x3x1x1xf32>, tensor<4xf32>) -> tensor<1x3x1x4xf32>
  %3 = kiln.mul %c, %v : (tensor<1x3x1x1xf32>, tensor<4xf32>) -> tensor<1x3x1x4xf32>
  // CHECK: %[[P:.+]] = kiln.mul %[[G]], %[[M]] : (tensor<1x3x4x4xf32>, tensor<1x3x1x4xf32>) -> tensor<1x3x4x4xf32>
  %4 = kiln.mul %2, %3 : (tensor<1x3x4x4xf32>, tensor<1x3x1x4xf32>) -> tensor<1x3x4x4xf32>
  // Clip's pieces, with rank-0 bounds.
  %lo = arith.constant dense<0.0> : tensor<f32>
  %hi = arith.constant dense<6.0> : tensor<f32>
  // CHECK: %[[MX:.+]] = kiln.max %[[P]], %{{.+}} : (tensor<1x3x4x4xf32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  %5 = kiln.max %4, %lo : (tensor<1x3x4x4xf32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  // CHECK: kiln.min %[[MX]], %{{.+}} : (tensor<1x3x4x4xf32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  %6 = kiln.min %5, %hi : (tensor<1x3x4x4xf32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  return %6 : tensor<1x3x4x4xf32>
}

// CHECK-LABEL: func.func @pools
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x6x6xf32>, %[[XN:.+]]: tensor<1x6x6x2xf32>)
func.func @pools(%x: tensor<1x2x6x6xf32>, %xn: tensor<1x6x6x2xf32>)
    -> (tensor<1x2x3x3xf32>, tensor<1x3x3x2xf32>, tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>, tensor<1x1x1x2xf32>) {
  // CHECK: kiln.max_pool %[[X]] {ceil_mode, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  // CHECK: kiln.max_pool %[[XN]] {kernel_shape = array<i64: 2, 2>, layout = "NHWC", strides = array<i64: 2, 2>} : tensor<1x6x6x2xf32> -> tensor<1x3x3x2xf32>
  %1 = kiln.max_pool %xn {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x6x6x2xf32> -> tensor<1x3x3x2xf32>
  // CHECK: kiln.avg_pool %[[X]] {count_include_pad, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  %2 = kiln.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  // CHECK: kiln.global_avg_pool %[[X]] : tensor<1x2x6x6xf32> -> tensor<1x2x1x1xf32>
  %3 = kiln.global_avg_pool %x : tensor<1x2x6x6xf32> -> tensor<1x2x1x1xf32>
  // CHECK: kiln.global_avg_pool %[[XN]] {layout = "NHWC"} : tensor<1x6x6x2xf32> -> tensor<1x1x1x2xf32>
  %4 = kiln.global_avg_pool %xn {layout = "NHWC"} : tensor<1x6x6x2xf32> -> tensor<1x1x1x2xf32>
  return %0, %1, %2, %3, %4 : tensor<1x2x3x3xf32>, tensor<1x3x3x2xf32>, tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>, tensor<1x1x1x2xf32>
}

// CHECK-LABEL: func.func @shapes
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4x5xf32>, %[[I:.+]]: tensor<2x6xi64>)
func.func @shapes(%x: tensor<2x3x4x5xf32>, %i: tensor<2x6xi64>)
    -> (tensor<2x60xf32>, tensor<24x5xf32>, tensor<6x20xf32>, tensor<3x4xi64>, tensor<2x5x3x4xf32>) {
  // CHECK: kiln.flatten %[[X]] : tensor<2x3x4x5xf32> -> tensor<2x60xf32>
  %0 = kiln.flatten %x : tensor<2x3x4x5xf32> -> tensor<2x60xf32>
  // CHECK: kiln.flatten %[[X]] {axis = -1 : i64} : tensor<2x3x4x5xf32> -> tensor<24x5xf32>
  %1 = kiln.flatten %x {axis = -1 : i64} : tensor<2x3x4x5xf32> -> tensor<24x5xf32>
  // CHECK: kiln.reshape %[[X]] : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
  %2 = kiln.reshape %x : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
  // Shape ops accept any element type.
  // CHECK: kiln.reshape %[[I]] : tensor<2x6xi64> -> tensor<3x4xi64>
  %3 = kiln.reshape %i : tensor<2x6xi64> -> tensor<3x4xi64>
  // CHECK: kiln.transpose %[[X]] {perm = array<i64: 0, 3, 1, 2>} : tensor<2x3x4x5xf32> -> tensor<2x5x3x4xf32>
  %4 = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : tensor<2x3x4x5xf32> -> tensor<2x5x3x4xf32>
  return %0, %1, %2, %3, %4 : tensor<2x60xf32>, tensor<24x5xf32>, tensor<6x20xf32>, tensor<3x4xi64>, tensor<2x5x3x4xf32>
}

// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[A:.+]]: tensor<2x4xf32>, %[[B:.+]]: tensor<3x4xf32>, %[[C:.+]]: tensor<3xf32>, %[[M:.+]]: tensor<4x3xf32>)
func.func @dense(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>, %m: tensor<4x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: kiln.gemm %[[A]], %[[B]], %[[C]] {alpha = 5.000000e-01 : f32, beta = 2.000000e+00 : f32, trans_b} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, trans_b}
      : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.gemm %[[A]], %[[M]] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.gemm %a, %m : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MM:.+]] = kiln.matmul %[[A]], %[[M]] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.matmul %a, %m : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.softmax %[[MM]] {axis = 0 : i64} : tensor<2x3xf32>
  %3 = kiln.softmax %2 {axis = 0 : i64} : tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @gemm_trans_a
func.func @gemm_trans_a(%a: tensor<4x2xf32>, %b: tensor<3x4xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: kiln.gemm %{{.+}}, %{{.+}}, %{{.+}} {trans_a, trans_b} : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = kiln.gemm %a, %b, %c {trans_a, trans_b} : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @softmax_default
func.func @softmax_default(%x: tensor<1x10xf32>) -> tensor<1x10xf32> {
  // CHECK: kiln.softmax %{{.+}} : tensor<1x10xf32>
  // CHECK-NOT: axis
  %0 = kiln.softmax %x : tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// CHECK-LABEL: func.func @pad
func.func @pad(%x: tensor<1x8x7x7xf32>) -> (tensor<1x8x9x9xf32>, tensor<2x9x8x7xf32>) {
  // The value defaults to 0 (and is then elided).
  // CHECK: kiln.pad %{{.+}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x8x7x7xf32> -> tensor<1x8x9x9xf32>
  %0 = kiln.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x8x7x7xf32> -> tensor<1x8x9x9xf32>
  // CHECK: kiln.pad %{{.+}} {pads = array<i64: 0, 1, 1, 0, 1, 0, 0, 0>, value = 0xFF800000 : f32} : tensor<1x8x7x7xf32> -> tensor<2x9x8x7xf32>
  %1 = kiln.pad %x {pads = array<i64: 0, 1, 1, 0, 1, 0, 0, 0>, value = 0xFF800000 : f32} : tensor<1x8x7x7xf32> -> tensor<2x9x8x7xf32>
  return %0, %1 : tensor<1x8x9x9xf32>, tensor<2x9x8x7xf32>
}

// CHECK-LABEL: func.func @concat
func.func @concat(%a: tensor<1x64x7x7xf32>, %b: tensor<1x32x7x7xf32>) -> (tensor<1x96x7x7xf32>, tensor<1x128x7x7xf32>) {
  // CHECK: kiln.concat %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<1x64x7x7xf32>, tensor<1x32x7x7xf32>) -> tensor<1x96x7x7xf32>
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x64x7x7xf32>, tensor<1x32x7x7xf32>) -> tensor<1x96x7x7xf32>
  // A negative axis counts from the end; an input may repeat.
  // CHECK: kiln.concat %{{.+}}, %{{.+}} {axis = -3 : i64} : (tensor<1x64x7x7xf32>, tensor<1x64x7x7xf32>) -> tensor<1x128x7x7xf32>
  %1 = kiln.concat %a, %a {axis = -3 : i64} : (tensor<1x64x7x7xf32>, tensor<1x64x7x7xf32>) -> tensor<1x128x7x7xf32>
  return %0, %1 : tensor<1x96x7x7xf32>, tensor<1x128x7x7xf32>
}
