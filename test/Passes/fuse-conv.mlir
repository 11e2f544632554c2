// RUN: kiln-opt %s --split-input-file --kiln-fuse-conv | FileCheck %s

// kiln-fuse-conv: conv -> fused_conv, then residual add and ReLU absorbed.

// CHECK-LABEL: func.func @conv_with_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[W:.+]]: tensor<4x1x3x3xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 2, 2>, group = 2 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 1>} : (tensor<1x2x5x5xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x5xf32>
// CHECK-NOT: kiln.conv
// CHECK: return %[[F]]
func.func @conv_with_bias(%x: tensor<1x2x5x5xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x5xf32> {
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 2, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, group = 2 : i64}
      : (tensor<1x2x5x5xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x5xf32>
  return %0 : tensor<1x4x3x5xf32>
}

// -----

// Without a bias the fused conv gets a zero bias of shape [F].
// CHECK-LABEL: func.func @conv_without_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[W:.+]]: tensor<3x2x3x3xf32>)
// CHECK: %[[Z:.+]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %[[Z]] : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
// CHECK: return %[[F]]
func.func @conv_without_bias(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[W:.+]]: tensor<3x2x3x3xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>, relu}
// CHECK-NOT: kiln.relu
// CHECK: return %[[F]]
func.func @conv_relu(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x5x5xf32> {
  %0 = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32>
  %1 = kiln.relu %0 : tensor<1x3x5x5xf32>
  return %1 : tensor<1x3x5x5xf32>
}

// -----

// The ResNet block tail: conv + bias + residual add + ReLU in one op.
// CHECK-LABEL: func.func @conv_add_relu
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[B:.+]]: tensor<2xf32>, %[[R:.+]]: tensor<1x2x4x4xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %[[B]], %[[R]] {relu} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.relu
// CHECK: return %[[F]]
func.func @conv_add_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %b: tensor<2xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.add %0, %r : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.relu %1 : tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// The conv may be either operand of the add.
// CHECK-LABEL: func.func @residual_on_lhs
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[R:.+]]: tensor<1x2x4x4xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %{{.+}}, %[[R]] :
// CHECK-NOT: kiln.add
// CHECK: return %[[F]]
func.func @residual_on_lhs(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.add %r, %0 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The residual is computed after the conv: the fused conv moves below it.
// CHECK-LABEL: func.func @residual_defined_later
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[Y:.+]]: tensor<1x2x4x4xf32>)
// CHECK: %[[R:.+]] = kiln.relu %[[Y]]
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %{{.+}}, %[[R]] :
// CHECK: return %[[F]]
func.func @residual_defined_later(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %y: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = kiln.relu %y : tensor<1x2x4x4xf32>
  %1 = kiln.add %0, %r : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Two convs meeting in an add: one absorbs the other as its residual.
// CHECK-LABEL: func.func @two_convs_add
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>)
// CHECK: %[[A:.+]] = kiln.fused_conv %[[X]], %[[W]], %{{[^,]+}} :
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %{{[^,]+}}, %[[A]] {relu}
// CHECK-NOT: kiln.add
// CHECK: return %[[F]]
func.func @two_convs_add(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.add %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = kiln.relu %2 : tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}

// -----

// The conv result is also returned: neither the add nor the ReLU may be
// absorbed.
// CHECK-LABEL: func.func @negative_conv_other_users
// CHECK: %[[F:.+]] = kiln.fused_conv
// CHECK-NOT: relu}
// CHECK: %[[A:.+]] = kiln.add %[[F]], %{{.+}}
// CHECK: %[[R:.+]] = kiln.relu %[[F]]
// CHECK: return %[[A]], %[[R]], %[[F]]
func.func @negative_conv_other_users(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x2x4x4xf32>)
    -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.add %0, %r : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.relu %0 : tensor<1x2x4x4xf32>
  return %1, %2, %0 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A broadcasting add (per-channel bias-like) is not a residual.
// CHECK-LABEL: func.func @negative_broadcasting_add
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[C:.+]]: tensor<1x2x1x1xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %{{[^,]+}} :
// CHECK: %[[A:.+]] = kiln.add %[[F]], %[[C]]
// CHECK: return %[[A]]
func.func @negative_broadcasting_add(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %c: tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.add %0, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The add broadcasts the conv result up ([1,2,1,1] + [1,2,4,4]): not fusable
// either, the residual would have to be bigger than the conv's result.
// CHECK-LABEL: func.func @negative_broadcast_conv_side
// CHECK: %[[F:.+]] = kiln.fused_conv
// CHECK: kiln.add %[[F]], %{{.+}} : (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>)
func.func @negative_broadcast_conv_side(%x: tensor<1x2x1x1xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  %1 = kiln.add %0, %r : (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// ReLU before the add: relu(conv) + r must not become relu(conv + r).
// CHECK-LABEL: func.func @negative_add_after_relu
// CHECK: %[[F:.+]] = kiln.fused_conv %{{.+}} {relu}
// CHECK: %[[A:.+]] = kiln.add %[[F]], %{{.+}}
// CHECK: return %[[A]]
func.func @negative_add_after_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.relu %0 : tensor<1x2x4x4xf32>
  %2 = kiln.add %1, %r : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Only one residual per conv: the second add stays.
// CHECK-LABEL: func.func @negative_second_residual
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[R1:.+]]: tensor<1x2x4x4xf32>, %[[R2:.+]]: tensor<1x2x4x4xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv %[[X]], %[[W]], %{{[^,]+}}, %[[R1]] :
// CHECK: %[[A:.+]] = kiln.add %[[F]], %[[R2]]
// CHECK: return %[[A]]
func.func @negative_second_residual(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %r1: tensor<1x2x4x4xf32>, %r2: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.add %0, %r1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.add %1, %r2 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// A ReLU of something else is left alone.
// CHECK-LABEL: func.func @negative_relu_not_conv
// CHECK: kiln.relu
func.func @negative_relu_not_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.relu %x : tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Clip(0, 6) after a conv (MobileNet's ReLU6): max(conv, 0) becomes the
// ReLU and min(., 6) its upper clamp, relu_max.
// CHECK-LABEL: func.func @conv_relu6
// CHECK: %[[F:.+]] = kiln.fused_conv %{{.+}}, %{{.+}}, %{{.+}} {relu, relu_max = 6.000000e+00 : f32}
// CHECK-NOT: kiln.max
// CHECK-NOT: kiln.min
// CHECK: return %[[F]]
func.func @conv_relu6(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %lo = arith.constant dense<0.0> : tensor<f32>
  %hi = arith.constant dense<6.0> : tensor<f32>
  %0 = kiln.conv %x, %w, %b : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %1 = kiln.max %0, %lo : (tensor<1x3x3x3xf32>, tensor<f32>) -> tensor<1x3x3x3xf32>
  %2 = kiln.min %1, %hi : (tensor<1x3x3x3xf32>, tensor<f32>) -> tensor<1x3x3x3xf32>
  return %2 : tensor<1x3x3x3xf32>
}

// -----

// Other bounds are not a ReLU: Clip(-1, 6) stays two elementwise ops, and
// an upper bound without the ReLU is not fused.
// CHECK-LABEL: func.func @conv_clip_not_relu
// CHECK: %[[F:.+]] = kiln.fused_conv
// CHECK-NOT: relu
// CHECK: %[[M:.+]] = kiln.max %[[F]]
// CHECK: kiln.min %[[M]]
// CHECK-LABEL: func.func @conv_min_only
// CHECK: %[[G:.+]] = kiln.fused_conv
// CHECK-NOT: relu
// CHECK: kiln.min %[[G]]
func.func @conv_clip_not_relu(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %lo = arith.constant dense<-1.0> : tensor<f32>
  %hi = arith.constant dense<6.0> : tensor<f32>
  %0 = kiln.conv %x, %w, %b : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %1 = kiln.max %0, %lo : (tensor<1x3x3x3xf32>, tensor<f32>) -> tensor<1x3x3x3xf32>
  %2 = kiln.min %1, %hi : (tensor<1x3x3x3xf32>, tensor<f32>) -> tensor<1x3x3x3xf32>
  return %2 : tensor<1x3x3x3xf32>
}
func.func @conv_min_only(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %hi = arith.constant dense<6.0> : tensor<f32>
  %0 = kiln.conv %x, %w, %b : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %1 = kiln.min %0, %hi : (tensor<1x3x3x3xf32>, tensor<f32>) -> tensor<1x3x3x3xf32>
  return %1 : tensor<1x3x3x3xf32>
}

// -----

// A ReLU of a single-use batch norm becomes the batch norm's relu (one pass
// over memory); with a second user the batch norm stays as it is.
// CHECK-LABEL: func.func @batch_norm_relu
// CHECK: %[[BN:.+]] = kiln.batch_norm %{{.+}} {relu} : (tensor<1x2x3x3xf32>
// CHECK-NOT: kiln.relu
// CHECK: %[[BN2:.+]] = kiln.batch_norm %{{.+}} : (tensor<1x2x3x3xf32>
// CHECK: kiln.relu %[[BN2]]
// CHECK: kiln.add
func.func @batch_norm_relu(%x: tensor<1x2x3x3xf32>, %p: tensor<2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.relu %0 : tensor<1x2x3x3xf32>
  %2 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %3 = kiln.relu %2 : tensor<1x2x3x3xf32>
  %4 = kiln.add %3, %2 : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %1, %4 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}
