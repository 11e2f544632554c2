// RUN: kiln-opt %s --split-input-file --kiln-fold-batch-norm | FileCheck %s

// kiln-fold-batch-norm: W'[f] = W[f] * k[f], b'[f] = (b[f] - mean[f]) * k[f] + beta[f]
// with k[f] = scale[f] / sqrt(var[f] + eps). The numbers are chosen so that
// sqrt(var + eps) is exact: channel 0: k = 1 / sqrt(3 + 1) = 0.5,
// channel 1: k = 2 / sqrt(0 + 1) = 2.

// W' = [2 * 0.5, 3 * 2] = [1, 6]; b' = [(1 - 1) * 0.5 + 0.5, (-1 - 0) * 2 + 0] = [0.5, -2].
// CHECK-LABEL: func.func @fold
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x2x2xf32>)
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.+]] = kiln.conv %[[X]], %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NOT: kiln.batch_norm
// CHECK: return %[[C]]
func.func @fold(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %s, %beta, %m, %v {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Without a conv bias, b' = -mean * k + beta = [-1 * 0.5 + 0.5, 0 * 2 + 0] = [0, 0].
// The default epsilon (1e-5) is used: var = 4 - 1e-5 keeps k[0] = 0.5.
// CHECK-LABEL: func.func @fold_no_bias
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: kiln.conv %{{.+}}, %[[W]], %[[B]] :
// CHECK-NOT: kiln.batch_norm
func.func @fold_no_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %s = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.99999, 0.99999]> : tensor<2xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %s, %beta, %m, %v
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// Filters above 16 elements live in dense_resource blobs; the folded filter
// gets the key "<key>_bn" (the blob starts with its 4-byte alignment). Each 3x3 filter of ones is scaled by k = [0.5, 2].
// CHECK-LABEL: func.func @fold_resource
// CHECK: %[[W:.+]] = arith.constant dense_resource<w1_bn> : tensor<2x1x3x3xf32>
// CHECK: kiln.conv %{{.+}}, %[[W]], %{{.+}} :
// CHECK-NOT: kiln.batch_norm
// CHECK: dialect_resources
// CHECK: w1_bn: "0x{{([0-9A-F]{8})}}0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F000000400000004000000040000000400000004000000040000000400000004000000040"
func.func @fold_resource(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense_resource<w1> : tensor<2x1x3x3xf32>
  %s = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<0.0> : tensor<2xf32>
  %m = arith.constant dense<0.0> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %s, %beta, %m, %v {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w1: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// The conv result has a second user: folding would change it.
// CHECK-LABEL: func.func @negative_conv_two_users
// CHECK: %[[C:.+]] = kiln.conv
// CHECK: %[[N:.+]] = kiln.batch_norm %[[C]]
// CHECK: return %[[N]], %[[C]]
func.func @negative_conv_two_users(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1, %0 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @negative_not_after_conv
// CHECK: kiln.relu
// CHECK: kiln.batch_norm
func.func @negative_not_after_conv(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %p = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.relu %x : tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @negative_filter_not_constant
// CHECK: kiln.conv
// CHECK: kiln.batch_norm
func.func @negative_filter_not_constant(%x: tensor<1x1x2x2xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %p = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @negative_bn_params_not_constant
// CHECK: kiln.conv
// CHECK: kiln.batch_norm
func.func @negative_bn_params_not_constant(%x: tensor<1x1x2x2xf32>, %var: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %var
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @negative_conv_bias_not_constant
// CHECK: kiln.conv
// CHECK: kiln.batch_norm
func.func @negative_conv_bias_not_constant(%x: tensor<1x1x2x2xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w, %b : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %p
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
