// RUN: kiln-opt %s --split-input-file --kiln-layout | FileCheck %s

// kiln-layout: NCHW fused_conv (constant filter, grouped too) and pools move to
// NHWC between kiln.transpose ops; transposes are pushed through elementwise
// ops (ReLU, Sigmoid, Add, Mul) and cancel, so only the region's edges
// relayout.

// The filter [F=2, C=1, KH=1, KW=2] = [[1, 2]], [[3, 4]] becomes HWCF
// [1, 2, 1, 2]: hwcf[0][kw][0][f] = fchw[f][0][0][kw].
// CHECK-LABEL: func.func @single_conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x3x3xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00]], {{\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<1x2x1x2xf32>
// CHECK-DAG: %[[IN:.+]] = kiln.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>} : tensor<1x1x3x3xf32> -> tensor<1x3x3x1xf32>
// CHECK: %[[C:.+]] = kiln.fused_conv %[[IN]], %[[W]], %[[B]] {layout = "NHWC", pads = array<i64: 0, 1, 0, 0>, relu, strides = array<i64: 1, 2>} : (tensor<1x3x3x1xf32>, tensor<1x2x1x2xf32>, tensor<2xf32>) -> tensor<1x3x2x2xf32>
// CHECK: %[[OUT:.+]] = kiln.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
// CHECK: return %[[OUT]]
func.func @single_conv(%x: tensor<1x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x2xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %0 = kiln.fused_conv %x, %w, %b {relu, strides = array<i64: 1, 2>, pads = array<i64: 0, 1, 0, 0>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  return %0 : tensor<1x2x3x2xf32>
}

// -----

// conv -> relu -> conv(+residual) -> add -> max_pool: one transpose in, one
// out; everything between stays NHWC.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK: %[[IN:.+]] = kiln.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: kiln.transpose
// CHECK: %[[C1:.+]] = kiln.fused_conv %[[IN]], %[[W:.+]], %[[B]] {layout = "NHWC"} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[R:.+]] = kiln.relu %[[C1]] : tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[C2:.+]] = kiln.fused_conv %[[R]], %[[W]], %[[B]], %[[C1]] {layout = "NHWC"} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[A:.+]] = kiln.add %[[C2]], %[[R]] : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[P:.+]] = kiln.max_pool %[[A]] {kernel_shape = array<i64: 2, 2>, layout = "NHWC", strides = array<i64: 2, 2>} : tensor<1x4x4x2xf32> -> tensor<1x2x2x2xf32>
// CHECK: %[[OUT:.+]] = kiln.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
func.func @chain(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.relu %0 : tensor<1x2x4x4xf32>
  %2 = kiln.fused_conv %1, %w, %b, %0 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = kiln.add %2, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %4 = kiln.max_pool %3 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %4 : tensor<1x2x2x2xf32>
}

// -----

// A residual from outside the NHWC region is transposed in.
// CHECK-LABEL: func.func @residual_from_input
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[B:.+]]: tensor<2xf32>, %[[R:.+]]: tensor<1x2x4x4xf32>)
// CHECK-DAG: %[[XT:.+]] = kiln.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK-DAG: %[[RT:.+]] = kiln.transpose %[[R]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C:.+]] = kiln.fused_conv %[[XT]], %{{.+}}, %[[B]], %[[RT]] {layout = "NHWC", relu}
// CHECK: kiln.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>}
func.func @residual_from_input(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b, %r {relu} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Pools alone also switch, keeping their attributes.
// CHECK-LABEL: func.func @pools
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x6x6xf32>)
// CHECK: %[[XT:.+]] = kiln.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>} : tensor<1x3x6x6xf32> -> tensor<1x6x6x3xf32>
// CHECK: %[[A:.+]] = kiln.avg_pool %[[XT]] {ceil_mode, count_include_pad, kernel_shape = array<i64: 3, 3>, layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x6x6x3xf32> -> tensor<1x4x4x3xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[G:.+]] = kiln.global_avg_pool %[[A]] {layout = "NHWC"} : tensor<1x4x4x3xf32> -> tensor<1x1x1x3xf32>
// CHECK: %[[OUT:.+]] = kiln.transpose %[[G]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x1x1x3xf32> -> tensor<1x3x1x1xf32>
// CHECK: return %[[OUT]]
func.func @pools(%x: tensor<1x3x6x6xf32>) -> tensor<1x3x1x1xf32> {
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode, count_include_pad}
      : tensor<1x3x6x6xf32> -> tensor<1x3x4x4xf32>
  %1 = kiln.global_avg_pool %0 : tensor<1x3x4x4xf32> -> tensor<1x3x1x1xf32>
  return %1 : tensor<1x3x1x1xf32>
}

// -----

// Two NHWC branches meeting in an Add: the add moves into NHWC too.
// CHECK-LABEL: func.func @add_of_two_regions
// CHECK: %[[C1:.+]] = kiln.fused_conv {{.+}}layout = "NHWC"
// CHECK: %[[C2:.+]] = kiln.fused_conv {{.+}}layout = "NHWC"
// CHECK-NOT: kiln.transpose
// CHECK: %[[A:.+]] = kiln.add %[[C1]], %[[C2]] : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[R:.+]] = kiln.relu %[[A]] : tensor<1x4x4x2xf32>
// CHECK: %[[OUT:.+]] = kiln.transpose %[[R]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
func.func @add_of_two_regions(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %w2 = arith.constant dense<2.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.fused_conv %x, %w2, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.add %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = kiln.relu %2 : tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}

// -----

// A broadcasting add with an NCHW constant stays NCHW after the region.
// CHECK-LABEL: func.func @negative_add_broadcast
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[B:.+]]: tensor<2xf32>, %[[C:.+]]: tensor<1x2x1x1xf32>)
// CHECK: %[[F:.+]] = kiln.fused_conv {{.+}}layout = "NHWC"
// CHECK: %[[T:.+]] = kiln.transpose %[[F]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: %[[A:.+]] = kiln.add %[[T]], %[[C]] : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
// CHECK: return %[[A]]
func.func @negative_add_broadcast(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>, %c: tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.add %0, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The filter is not a constant: it cannot be relaid out at compile time.
// CHECK-LABEL: func.func @negative_filter_not_constant
// CHECK-NOT: kiln.transpose
// CHECK: kiln.fused_conv %{{.+}} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NOT: kiln.transpose
// CHECK: return
func.func @negative_filter_not_constant(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Grouped convolutions move too: [F, C/G, KH, KW] = [4, 1, 1, 2] becomes
// [KH, KW, C/G, F] = [1, 2, 1, 4] (hwcf[0][kw][0][f] = fchw[f][0][0][kw]).
// CHECK-LABEL: func.func @grouped
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00]], {{\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00]]]]> : tensor<1x2x1x4xf32>
// CHECK: %[[T:.+]] = kiln.transpose %{{.+}} {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x4x4xf32> -> tensor<1x4x4x2xf32>
// CHECK: %[[C:.+]] = kiln.fused_conv %[[T]], %[[W]], %{{.+}} {group = 2 : i64, layout = "NHWC"} : (tensor<1x4x4x2xf32>, tensor<1x2x1x4xf32>, tensor<4xf32>) -> tensor<1x4x3x4xf32>
// CHECK: kiln.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>}
func.func @grouped(%x: tensor<1x2x4x4xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x3xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]], [[[5.0, 6.0]]], [[[7.0, 8.0]]]]> : tensor<4x1x1x2xf32>
  %0 = kiln.fused_conv %x, %w, %b {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<4x1x1x2xf32>, tensor<4xf32>) -> tensor<1x4x4x3xf32>
  return %0 : tensor<1x4x4x3xf32>
}

// -----

// Already NHWC: nothing to do (the pass is idempotent).
// CHECK-LABEL: func.func @negative_already_nhwc
// CHECK-NOT: kiln.transpose
// CHECK: kiln.fused_conv %{{.+}} {layout = "NHWC"}
// CHECK: kiln.max_pool %{{.+}} {kernel_shape = array<i64: 2, 2>, layout = "NHWC"}
// CHECK-NOT: kiln.transpose
// CHECK: return
func.func @negative_already_nhwc(%x: tensor<1x4x4x2xf32>, %b: tensor<2xf32>) -> tensor<1x3x3x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %1 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x4x4x2xf32> -> tensor<1x3x3x2xf32>
  return %1 : tensor<1x3x3x2xf32>
}

// -----

// kiln.conv (not yet fused) is not touched by the layout pass.
// CHECK-LABEL: func.func @negative_plain_conv
// CHECK-NOT: kiln.transpose
// CHECK: kiln.conv
func.func @negative_plain_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Every elementwise op moves into NHWC with the same rule: x * sigmoid(x)
// between a conv and a pool stays in the region.
// CHECK-LABEL: func.func @swish
// CHECK: %[[IN:.+]] = kiln.transpose %{{.+}} {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: kiln.transpose
// CHECK: %[[C:.+]] = kiln.fused_conv %[[IN]], {{.+}} {layout = "NHWC"}
// CHECK-NOT: kiln.transpose
// CHECK: %[[S:.+]] = kiln.sigmoid %[[C]] : tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[M:.+]] = kiln.mul %[[C]], %[[S]] : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[P:.+]] = kiln.max_pool %[[M]] {{{.+}}layout = "NHWC"
// CHECK: %[[OUT:.+]] = kiln.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
func.func @swish(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.sigmoid %0 : tensor<1x2x4x4xf32>
  %2 = kiln.mul %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = kiln.max_pool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// Operands transposed alike may broadcast: the op runs on the untransposed
// operands and its result is transposed once.
// CHECK-LABEL: func.func @broadcast_through_transposes
// CHECK-SAME: (%[[A:.+]]: tensor<1x4x4x2xf32>, %[[C:.+]]: tensor<1x1x1x2xf32>)
// CHECK: %[[M:.+]] = kiln.mul %[[A]], %[[C]] : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[T:.+]] = kiln.transpose %[[M]] {perm = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x2xf32> -> tensor<1x2x4x4xf32>
// CHECK: return %[[T]]
func.func @broadcast_through_transposes(%a: tensor<1x4x4x2xf32>, %c: tensor<1x1x1x2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.transpose %a {perm = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x2xf32> -> tensor<1x2x4x4xf32>
  %1 = kiln.transpose %c {perm = array<i64: 0, 3, 1, 2>} : tensor<1x1x1x2xf32> -> tensor<1x2x1x1xf32>
  %2 = kiln.mul %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Operands transposed by different permutations stay as they are.
// CHECK-LABEL: func.func @negative_mismatched_perms
// CHECK: %[[T0:.+]] = kiln.transpose %{{.+}} {perm = array<i64: 2, 0, 1>}
// CHECK: %[[T1:.+]] = kiln.transpose %{{.+}} {perm = array<i64: 1, 0, 2>}
// CHECK: %[[M:.+]] = kiln.mul %[[T0]], %[[T1]]
// CHECK: return %[[M]]
func.func @negative_mismatched_perms(%a: tensor<2x3x4xf32>, %b: tensor<2x4x3xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %a {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = kiln.transpose %b {perm = array<i64: 1, 0, 2>} : tensor<2x4x3xf32> -> tensor<4x2x3xf32>
  %2 = kiln.mul %0, %1 : (tensor<4x2x3xf32>, tensor<4x2x3xf32>) -> tensor<4x2x3xf32>
  return %2 : tensor<4x2x3xf32>
}

// -----

// A batch norm between two NHWC convolutions (pre-activation ResNets'
// standalone BN + ReLU) moves into the region with layout = "NHWC", its
// parameters unchanged, so the transposes around it cancel: none is left
// between the convolutions.
// CHECK-LABEL: func.func @batch_norm_nhwc
// CHECK: %[[C0:.+]] = kiln.fused_conv %{{.+}} {layout = "NHWC"} : {{.*}} -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[BN:.+]] = kiln.batch_norm %[[C0]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {layout = "NHWC", relu} : (tensor<1x4x4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: kiln.fused_conv %[[BN]]
func.func @batch_norm_nhwc(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %p, %p, %p, %p {relu} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.fused_conv %1, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// A batch norm on a graph input (NCHW, no transpose to undo) stays NCHW.
// CHECK-LABEL: func.func @negative_batch_norm_nchw
// CHECK-NOT: kiln.transpose
// CHECK: kiln.batch_norm %{{.+}} : (tensor<1x2x4x4xf32>
func.func @negative_batch_norm_nchw(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// A channel concat of two NHWC convolutions joins them on axis 3 inside the
// NHWC region, and the consumer conv reads it there: one transpose at each
// edge of the region only.
// CHECK-LABEL: func.func @concat_nhwc
// CHECK: %[[A:.+]] = kiln.fused_conv {{.*}}layout = "NHWC"{{.*}} -> tensor<1x4x4x2xf32>
// CHECK: %[[B:.+]] = kiln.fused_conv {{.*}}layout = "NHWC"{{.*}} -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[CAT:.+]] = kiln.concat %[[B]], %[[A]] {axis = 3 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NOT: kiln.transpose
// CHECK: kiln.fused_conv %[[CAT]]
// CHECK: kiln.transpose
// CHECK-NOT: kiln.transpose
func.func @concat_nhwc(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %w4 = arith.constant dense<1.0> : tensor<2x4x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = kiln.concat %1, %0 {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %3 = kiln.fused_conv %2, %w4, %b : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}

// -----

// A concat of a graph input (no transpose to undo) stays NCHW.
// CHECK-LABEL: func.func @negative_concat_nchw
// CHECK-NOT: kiln.transpose
// CHECK: kiln.concat %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
func.func @negative_concat_nchw(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = kiln.concat %x, %x {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A pad between NHWC ops moves into the NHWC region (pads permuted) and
// folds into the NHWC average pool there: no transposes in between.
// CHECK-LABEL: func.func @pad_nhwc
// CHECK: %[[C:.+]] = kiln.fused_conv {{.*}}layout = "NHWC"{{.*}} -> tensor<1x4x4x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: %[[P:.+]] = kiln.pad %[[C]] {pads = array<i64: 0, 1, 1, 0, 0, 1, 1, 0>} : tensor<1x4x4x2xf32> -> tensor<1x6x6x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: kiln.avg_pool %[[P]] {{.*}}layout = "NHWC"
func.func @pad_nhwc(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.pad %0 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %2 = kiln.avg_pool %1 {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  %3 = kiln.max_pool %2 {kernel_shape = array<i64: 3, 3>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}
