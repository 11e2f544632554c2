// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s

// convert-kiln-to-linalg: each kiln op becomes named linalg ops (or an
// elementwise linalg.generic) on tensors. No kiln op survives.

// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @fused_conv_nhwc
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x4x2xf32>, %[[W:.+]]: tensor<3x3x2x8xf32>, %[[B:.+]]: tensor<8xf32>, %[[R:.+]]: tensor<1x2x2x8xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// pads [top, left, bottom, right] = [1, 0, 0, 1] on the H, W dims of NHWC.
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 1, 0, 0] high[0, 0, 1, 0]
// CHECK: tensor.yield %[[ZERO]]
// CHECK: tensor<1x4x4x2xf32> to tensor<1x5x5x2xf32>
// The bias is broadcast into the accumulator.
// CHECK: %[[E:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<1x2x2x8xf32>
// CHECK: %[[ACC:.+]] = linalg.broadcast ins(%[[B]] : tensor<8xf32>) outs(%[[E]] : tensor<1x2x2x8xf32>) dimensions = [0, 1, 2]
// CHECK: %[[C:.+]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x5x5x2xf32>, tensor<3x3x2x8xf32>) outs(%[[ACC]] : tensor<1x2x2x8xf32>)
// Epilogue, in place on the conv result: + residual, then ReLU.
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[R]] : tensor<1x2x2x8xf32>) outs(%[[C]] : tensor<1x2x2x8xf32>)
// CHECK: ^bb0(%[[A1:.+]]: f32, %[[A0:.+]]: f32):
// CHECK: %[[S:.+]] = arith.addf %[[A0]], %[[A1]] : f32
// CHECK: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[M:.+]] = arith.maxnumf %[[S]], %[[Z]] : f32
// CHECK: linalg.yield %[[M]]
// CHECK: return %[[G]]
func.func @fused_conv_nhwc(%x: tensor<1x4x4x2xf32>, %w: tensor<3x3x2x8xf32>, %b: tensor<8xf32>, %r: tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32> {
  %0 = kiln.fused_conv %x, %w, %b, %r {layout = "NHWC", relu, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x4x4x2xf32>, tensor<3x3x2x8xf32>, tensor<8xf32>, tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
  return %0 : tensor<1x2x2x8xf32>
}

// -----

// Without bias the accumulator is zero-filled; without residual and ReLU
// there is no epilogue.
// CHECK-LABEL: func.func @conv_nchw
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>, %[[W:.+]]: tensor<3x2x3x3xf32>)
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor<1x2x5x5xf32> to tensor<1x2x7x7xf32>
// CHECK: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<1x3x3x3xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<1x3x3x3xf32>)
// CHECK: %[[C:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>) outs(%[[F]] : tensor<1x3x3x3xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[C]]
func.func @conv_nchw(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = kiln.conv %x, %w {dilations = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// Grouped: [N, C, H, W] -> [N, G, C/G, H, W], [F, C/G, KH, KW] ->
// [G, F/G, C/G, KH, KW], conv_2d_ngchw_gfchw, then collapse back.
// No pads: no tensor.pad.
// CHECK-LABEL: func.func @conv_grouped
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x5xf32>, %[[W:.+]]: tensor<6x2x3x3xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[ACC:.+]] = linalg.broadcast ins(%[[B]] : tensor<6xf32>) outs(%{{.+}} : tensor<1x6x3x3xf32>) dimensions = [0, 2, 3]
// CHECK-DAG: %[[X5:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5] : tensor<1x4x5x5xf32> into tensor<1x2x2x5x5xf32>
// CHECK-DAG: %[[W5:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK-DAG: %[[A5:.+]] = tensor.expand_shape %[[ACC]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3] : tensor<1x6x3x3xf32> into tensor<1x2x3x3x3xf32>
// CHECK: %[[C:.+]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X5]], %[[W5]] : tensor<1x2x2x5x5xf32>, tensor<2x3x2x3x3xf32>) outs(%[[A5]] : tensor<1x2x3x3x3xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
// CHECK: return %[[R]]
func.func @conv_grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x3x3xf32> {
  %0 = kiln.fused_conv %x, %w, %b {group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x4x4xf32>, %[[S:.+]]: tensor<3xf32>, %[[B:.+]]: tensor<3xf32>, %[[M:.+]]: tensor<3xf32>, %[[V:.+]]: tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[S]], %[[B]], %[[M]], %[[V]] :
// CHECK: ^bb0(%[[IX:.+]]: f32, %[[IS:.+]]: f32, %[[IB:.+]]: f32, %[[IM:.+]]: f32, %[[IV:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[EPS:.+]] = arith.constant 1.000000e-03 : f32
// CHECK: %[[VE:.+]] = arith.addf %[[IV]], %[[EPS]]
// CHECK: %[[INV:.+]] = math.rsqrt %[[VE]]
// CHECK: %[[K:.+]] = arith.mulf %[[IS]], %[[INV]]
// CHECK: %[[D:.+]] = arith.subf %[[IX]], %[[IM]]
// CHECK: %[[DK:.+]] = arith.mulf %[[D]], %[[K]]
// CHECK: %[[Y:.+]] = arith.addf %[[DK]], %[[IB]]
// CHECK: linalg.yield %[[Y]]
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// NHWC with relu: the parameters are read along the last dimension and the
// ReLU is in the same generic.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @batch_norm_nhwc_relu
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]]
// CHECK: math.rsqrt
// CHECK: %[[Y:.+]] = arith.addf %{{.+}}, %{{.+}} : f32
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.+]] = arith.maxnumf %[[Y]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK-NOT: linalg.generic
func.func @batch_norm_nhwc_relu(%x: tensor<1x4x4x3xf32>, %p: tensor<3xf32>) -> tensor<1x4x4x3xf32> {
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {layout = "NHWC", relu} : (tensor<1x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x4x3xf32>
  return %0 : tensor<1x4x4x3xf32>
}

// -----

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BC:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @relu_and_broadcast_add
// CHECK-SAME: (%[[A:.+]]: tensor<1x3x4x4xf32>, %[[C:.+]]: tensor<3x1x1xf32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.+}} ins(%[[A]] : tensor<1x3x4x4xf32>)
// CHECK: arith.maxnumf
// The rank-3 operand is right-aligned; its unit dims read index 0.
// CHECK: %[[S:.+]] = linalg.generic {indexing_maps = [#[[BC]], #[[ID]], #[[ID]]], {{.+}} ins(%[[C]], %[[R]] : tensor<3x1x1xf32>, tensor<1x3x4x4xf32>)
// CHECK: arith.addf
// CHECK: return %[[S]]
func.func @relu_and_broadcast_add(%a: tensor<1x3x4x4xf32>, %c: tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32> {
  %0 = kiln.relu %a : tensor<1x3x4x4xf32>
  %1 = kiln.add %c, %0 : (tensor<3x1x1xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %1 : tensor<1x3x4x4xf32>
}

// -----

// Every elementwise op lowers the same way, with its scalar body inside.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @sigmoid_and_broadcast_mul
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[V:.+]]: tensor<3xf32>)
// CHECK: %[[S:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.+}} ins(%[[A]] : tensor<2x3xf32>)
// CHECK: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[NEG:.+]] = arith.negf %[[X]] : f32
// CHECK: %[[E:.+]] = math.exp %[[NEG]] : f32
// CHECK: %[[D:.+]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK: %[[Y:.+]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK: linalg.yield %[[Y]]
// CHECK: %[[M:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], {{.+}} ins(%[[S]], %[[V]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK: ^bb0(%[[P:.+]]: f32, %[[Q:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[PQ:.+]] = arith.mulf %[[P]], %[[Q]] : f32
// CHECK: linalg.yield %[[PQ]]
// CHECK: return %[[M]]
func.func @sigmoid_and_broadcast_mul(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.sigmoid %a : tensor<2x3xf32>
  %1 = kiln.mul %0, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// ceil_mode: the 3rd window needs one more row/column: padded with -inf,
// which never wins.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x6x6xf32>)
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]]
// CHECK: tensor<1x1x6x6xf32> to tensor<1x1x7x7xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x1x3x3xf32>)
// CHECK: %[[WIN:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<3x3xf32>
// CHECK: %[[M:.+]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[WIN]] : tensor<1x1x7x7xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x1x3x3xf32>)
// CHECK: return %[[M]]
func.func @max_pool_ceil(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32> {
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode} : tensor<1x1x6x6xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Without a pool kernel: linalg's pooling on a -inf padded input.
// CHECK-LABEL: func.func @max_pool_nhwc
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: tensor.yield %[[NINF]]
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x4x4x2xf32>)
// CHECK: linalg.pooling_nhwc_max {{.+}} ins(%[[P]], %{{.+}} : tensor<1x10x10x2xf32>, tensor<3x3xf32>)
func.func @max_pool_nhwc(%x: tensor<1x8x8x2xf32>) -> tensor<1x4x4x2xf32> {
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, layout = "NHWC"} : tensor<1x8x8x2xf32> -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// With the pool kernel and whole vectors of channels: no padding; a forall
// over the 4 output rows, a loop over the 4 pixels and one over the
// channel vectors, each output vector the maximum of the 9 input vectors at
// clamped coordinates (rows 2y - 1 .. 2y + 1 clamped to [0, 7]).
// CHECK-LABEL: func.func @max_pool_nhwc_vector
// CHECK-NOT: tensor.pad
// CHECK: scf.forall (%[[I:.+]]) in (4) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<1x4x4x4xf32>)
// CHECK: %[[Y:.+]] = arith.remui %[[I]], %{{.+}} : index
// CHECK: %[[Y0:.+]] = arith.muli %[[Y]], %{{.+}} : index
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[OUT]][%{{.+}}, %[[Y]], 0, 0] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: %[[UP:.+]] = arith.addi %[[Y0]], %{{.+}} : index
// CHECK: %[[LO:.+]] = arith.maxsi %[[UP]], %{{.+}} : index
// CHECK: %[[C7:.+]] = arith.constant 7 : index
// CHECK-NEXT: arith.minsi %[[LO]], %[[C7]] : index
// CHECK: scf.for %[[X:.+]] = {{.+}} iter_args(%{{.+}} = %[[ROW]])
// CHECK: scf.for %[[C:.+]] = %{{.+}} to %{{.+}} step %c2
// CHECK-COUNT-8: arith.maximumf %{{.+}}, %{{.+}} : vector<2xf32>
// CHECK: vector.transfer_write %{{.+}}[%{{.+}}, %{{.+}}, %[[X]], %[[C]]] {in_bounds = [true]} : vector<2xf32>, tensor<1x1x4x4xf32>
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%{{.+}}, %[[Y]], 0, 0] [1, 1, 4, 4]
// CHECK-NOT: linalg.pooling
func.func @max_pool_nhwc_vector(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = pool, layout = nhwc, block = 0, register_tile = [1, 1, 4, 4, 1, 1], cache_tile = [], parallel_dims = [1], lanes = 2, config = false>} : tensor<1x8x8x4xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Average = zero-padded sum * 1/count. 5x5, k3 s2 p1: the windows cover
// 2, 3, 2 rows (and columns) of the input, so without count_include_pad the
// counts are 4, 6, 9 (1/4, 1/6, 1/9); with it every window counts 9.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HW:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-LABEL: func.func @avg_pool
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.+}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>)
// CHECK: %[[INV:.+]] = arith.constant dense<{{\[\[\[\[}}2.500000e-01, 0.166666672, 2.500000e-01], [0.166666672, 0.111111112, 0.166666672], [2.500000e-01, 0.166666672, 2.500000e-01]]]]> : tensor<1x1x3x3xf32>
// CHECK: %[[A:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[HW]], #[[ID]]], {{.+}} ins(%[[SUM]], %[[INV]] :
// CHECK: arith.mulf
// CHECK: linalg.pooling_nchw_sum
// CHECK: %[[INV2:.+]] = arith.constant dense<0.111111112> : tensor<1x1x3x3xf32>
// CHECK: %[[B:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[INV2]] :
// CHECK: return %[[A]], %[[B]]
func.func @avg_pool(%x: tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  %1 = kiln.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0, %1 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// ceil_mode with count_include_pad: the extra ceil padding is not counted,
// only the explicit pads. 4x4, k3 s2 p0 ceil: windows rows [0,3) and [2,5):
// counts 3 and 2 per axis: 9, 6, 6, 4.
// CHECK-LABEL: func.func @avg_pool_ceil_nhwc
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK: linalg.pooling_nhwc_sum {{.+}} ins(%[[P]], %{{.+}} : tensor<1x5x5x3xf32>, tensor<3x3xf32>)
// CHECK: arith.constant dense<{{\[\[\[\[}}0.111111112], [0.166666672]], {{\[\[}}0.166666672], [2.500000e-01]]]]> : tensor<1x2x2x1xf32>
func.func @avg_pool_ceil_nhwc(%x: tensor<1x4x4x3xf32>) -> tensor<1x2x2x3xf32> {
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode, count_include_pad, layout = "NHWC"} : tensor<1x4x4x3xf32> -> tensor<1x2x2x3xf32>
  return %0 : tensor<1x2x2x3xf32>
}

// -----

// Mean over 5x3 = 15 positions: sum, then * 1/15.
// CHECK-LABEL: func.func @global_avg_pool
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x3xf32>, %[[Y:.+]]: tensor<1x5x3x4xf32>)
// CHECK: %[[W1:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<5x3xf32>
// CHECK: %[[S1:.+]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W1]] : tensor<1x4x5x3xf32>, tensor<5x3xf32>) outs(%{{.+}} : tensor<1x4x1x1xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[S1]] :
// CHECK: arith.constant 0.0666666701 : f32
// CHECK: arith.mulf
// CHECK: %[[S2:.+]] = linalg.pooling_nhwc_sum {{.+}} ins(%[[Y]], %{{.+}} : tensor<1x5x3x4xf32>, tensor<5x3xf32>) outs(%{{.+}} : tensor<1x1x1x4xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[S2]] :
// CHECK: arith.constant 0.0666666701 : f32
func.func @global_avg_pool(%x: tensor<1x4x5x3xf32>, %y: tensor<1x5x3x4xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x1x1x4xf32>) {
  %0 = kiln.global_avg_pool %x : tensor<1x4x5x3xf32> -> tensor<1x4x1x1xf32>
  %1 = kiln.global_avg_pool %y {layout = "NHWC"} : tensor<1x5x3x4xf32> -> tensor<1x1x1x4xf32>
  return %0, %1 : tensor<1x4x1x1xf32>, tensor<1x1x1x4xf32>
}

// -----

// Reshapes go through a 1-D collapse and an expand; a transpose that only
// moves unit dimensions is a reshape; other transposes are linalg.transpose.
// CHECK-LABEL: func.func @shape_ops
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[G:.+]]: tensor<1x1x1x8xf32>)
// CHECK: %[[C0:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: %[[R0:.+]] = tensor.expand_shape %[[C0]] {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
// CHECK: %[[R1:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: %[[E:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<4x3x2xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x3x2xf32>) permutation = [2, 1, 0]
// CHECK: %[[C3:.+]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1, 2, 3]] : tensor<1x1x1x8xf32> into tensor<8xf32>
// CHECK: %[[R3:.+]] = tensor.expand_shape %[[C3]] {{\[\[}}0, 1, 2, 3]] output_shape [1, 8, 1, 1] : tensor<8xf32> into tensor<1x8x1x1xf32>
// CHECK: %[[C4:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: %[[R4:.+]] = tensor.expand_shape %[[C4]] {{\[\[}}0, 1]] output_shape [2, 12] : tensor<24xf32> into tensor<2x12xf32>
// CHECK: return %[[R0]], %[[R1]], %[[T]], %[[R3]], %[[R4]]
func.func @shape_ops(%x: tensor<2x3x4xf32>, %g: tensor<1x1x1x8xf32>) -> (tensor<6x4xf32>, tensor<24xf32>, tensor<4x3x2xf32>, tensor<1x8x1x1xf32>, tensor<2x12xf32>) {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %2 = kiln.transpose %x {perm = array<i64: 2, 1, 0>} : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %3 = kiln.transpose %g {perm = array<i64: 0, 3, 1, 2>} : tensor<1x1x1x8xf32> -> tensor<1x8x1x1xf32>
  %4 = kiln.flatten %x : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return %0, %1, %2, %3, %4 : tensor<6x4xf32>, tensor<24xf32>, tensor<4x3x2xf32>, tensor<1x8x1x1xf32>, tensor<2x12xf32>
}

// -----

// Y = 0.5 * A^T B^T + 2 * C: transposes, a matmul on a zero-filled
// accumulator, and an epilogue scaling both terms.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: (%[[A:.+]]: tensor<4x2xf32>, %[[B:.+]]: tensor<3x4xf32>, %[[C:.+]]: tensor<3xf32>)
// CHECK: %[[AT:.+]] = linalg.transpose ins(%[[A]] : tensor<4x2xf32>) outs(%{{.+}} : tensor<2x4xf32>) permutation = [1, 0]
// CHECK: %[[BT:.+]] = linalg.transpose ins(%[[B]] : tensor<3x4xf32>) outs(%{{.+}} : tensor<4x3xf32>) permutation = [1, 0]
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[AT]], %[[BT]] : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[Z]] : tensor<2x3xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], {{.+}} ins(%[[MM]], %[[C]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK: ^bb0(%[[P:.+]]: f32, %[[Q:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[ALPHA:.+]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[PA:.+]] = arith.mulf %[[P]], %[[ALPHA]]
// CHECK: %[[BETA:.+]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[QB:.+]] = arith.mulf %[[Q]], %[[BETA]]
// CHECK: %[[SUM:.+]] = arith.addf %[[PA]], %[[QB]]
// CHECK: linalg.yield %[[SUM]]
// CHECK: return %[[Y]]
func.func @gemm(%a: tensor<4x2xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.gemm %a, %b, %c {trans_a, trans_b, alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// alpha = beta = 1: only an add epilogue; without C: just the matmul.
// CHECK-LABEL: func.func @gemm_plain
// CHECK-SAME: (%[[A:.+]]: tensor<2x4xf32>, %[[B:.+]]: tensor<4x3xf32>, %[[C:.+]]: tensor<1x3xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[M0:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x4xf32>, tensor<4x3xf32>)
// CHECK: %[[M1:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x4xf32>, tensor<4x3xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {{.+}} ins(%[[M1]], %[[C]] : tensor<2x3xf32>, tensor<1x3xf32>)
// CHECK-NOT: arith.mulf
// CHECK: arith.addf
// CHECK: return %[[M0]], %[[Y]]
func.func @gemm_plain(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<1x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.gemm %a, %b : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.gemm %a, %b, %c : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// beta = 0 drops C entirely; alpha != 1 still scales.
// CHECK-LABEL: func.func @gemm_beta_zero
// CHECK: %[[MM:.+]] = linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%[[MM]] : tensor<2x3xf32>)
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK: arith.mulf
// CHECK-NOT: arith.addf
// CHECK: return
func.func @gemm_beta_zero(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.gemm %a, %b, %c {alpha = 3.0 : f32, beta = 0.0 : f32} : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.+]]: tensor<2x4xf32>, %[[B:.+]]: tensor<4x3xf32>)
// CHECK: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<2x3xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<2x3xf32>)
// CHECK: %[[M:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[F]] : tensor<2x3xf32>)
// CHECK: return %[[M]]
func.func @matmul(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// linalg.softmax's decomposition: max-reduce, exp(x - max), sum-reduce,
// divide. Along axis 1 of a 2x5 tensor the reductions produce tensor<2xf32>.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.+]]: tensor<2x5xf32>)
// CHECK-NOT: linalg.softmax
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x5xf32>) outs(%{{.+}} : tensor<2xf32>)
// CHECK: arith.maxnumf
// CHECK: %[[EXP:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<2x5xf32>)
// CHECK: arith.addf
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXP]], %[[SUM]] :
// CHECK: arith.divf
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Along axis 0 the reductions run over d0.
// CHECK-DAG: #[[RED0:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @softmax_axis0
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[RED0]]], iterator_types = ["reduction", "parallel"]} ins(%{{.+}} : tensor<2x5xf32>) outs(%{{.+}} : tensor<5xf32>)
func.func @softmax_axis0(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.softmax %x {axis = 0 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// The default axis (-1) is the last dimension.
// CHECK-LABEL: func.func @softmax_default_axis
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
func.func @softmax_default_axis(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.softmax %x : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// -----

// Grouped NHWC with an unpacked [KH, KW, C/G, F] filter (--no-vectorize):
// one linalg.generic over (n, oh, ow, g, f, kh, kw, c) on the input as
// [N, H, W, G, C/G], the filter as [KH, KW, C/G, G, F/G].
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d5, d2 + d6, d3, d7)>
// CHECK-DAG: #[[FIL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7, d3, d4)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @grouped_nhwc
// CHECK-SAME: (%[[X:.+]]: tensor<1x5x5x4xf32>, %[[W:.+]]: tensor<3x3x2x6xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK: %[[ACC:.+]] = linalg.broadcast ins(%[[B]] : tensor<6xf32>) outs(%{{.+}} : tensor<1x3x3x6xf32>) dimensions = [0, 1, 2]
// CHECK-DAG: %[[X5:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 5, 5, 2, 2] : tensor<1x5x5x4xf32> into tensor<1x5x5x2x2xf32>
// CHECK-DAG: %[[W5:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [3, 3, 2, 2, 3] : tensor<3x3x2x6xf32> into tensor<3x3x2x2x3xf32>
// CHECK-DAG: %[[A5:.+]] = tensor.expand_shape %[[ACC]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 3, 3, 2, 3] : tensor<1x3x3x6xf32> into tensor<1x3x3x2x3xf32>
// CHECK: %[[C:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[FIL]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[X5]], %[[W5]] : tensor<1x5x5x2x2xf32>, tensor<3x3x2x2x3xf32>) outs(%[[A5]] : tensor<1x3x3x2x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<1x3x3x2x3xf32> into tensor<1x3x3x6xf32>
func.func @grouped_nhwc(%x: tensor<1x5x5x4xf32>, %w: tensor<3x3x2x6xf32>, %b: tensor<6xf32>) -> tensor<1x3x3x6xf32> {
  %0 = kiln.fused_conv %x, %w, %b {group = 2 : i64, layout = "NHWC"} : (tensor<1x5x5x4xf32>, tensor<3x3x2x6xf32>, tensor<6xf32>) -> tensor<1x3x3x6xf32>
  return %0 : tensor<1x3x3x6xf32>
}

// -----

// Grouped with a packed filter [F/B, KH, KW, C/G, B] (B = 2 divides F/G = 4):
// block FO lies in group FO / 2 and reads that group's input channels
// [(FO / 2) * 2, +2) through a channel slice.
// CHECK-LABEL: func.func @grouped_packed
// CHECK: scf.forall (%[[FO:.+]]) in (4)
// CHECK: %[[G:.+]] = arith.divui %[[FO]], %{{.+}} : index
// CHECK: %[[CO:.+]] = arith.muli %[[G]], %{{.+}} : index
// CHECK: %[[IN:.+]] = tensor.extract_slice %{{.+}}[0, 0, 0, %[[CO]]] [1, 3, 3, 2] [1, 1, 1, 1] : tensor<1x3x3x4xf32> to tensor<1x3x3x2xf32>
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}}ins(%[[IN]], %{{.+}} : tensor<1x3x3x2xf32>, tensor<1x1x2x2xf32>)
func.func @grouped_packed(%x: tensor<1x3x3x4xf32>, %w: tensor<4x1x1x2x2xf32>, %b: tensor<8xf32>) -> tensor<1x3x3x8xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", group = 2 : i64,
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>}
      : (tensor<1x3x3x4xf32>, tensor<4x1x1x2x2xf32>, tensor<8xf32>) -> tensor<1x3x3x8xf32>
  return %0 : tensor<1x3x3x8xf32>
}

// A packed NHWC filter [F/B, KH, KW, C, B]: an scf.forall over the channel
// blocks, each broadcasting its bias slice into its output slice, then a
// conv_2d_nhwc_hwcf on its contiguous filter slice, with the ReLU applied in
// place on the block's output slice.
// CHECK-LABEL: func.func @packed_conv
// CHECK-SAME: %[[BIAS:[^:]+]]: tensor<4xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() {kiln.empty_id = {{[0-9]+}} : i64} : tensor<1x3x3x4xf32>
// CHECK: scf.forall (%[[FO:.+]]) in (2) shared_outs(%[[OUT:.+]] = %[[EMPTY]])
// CHECK: %[[W:.+]] = tensor.extract_slice %{{.+}}[%[[FO]], 0, 0, 0, 0] [1, 1, 1, 2, 2] [1, 1, 1, 1, 1] : tensor<2x1x1x2x2xf32> to tensor<1x1x2x2xf32>
// CHECK: %[[OFF:.+]] = arith.muli %[[FO]], %{{.+}} : index
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[OUT]][0, 0, 0, %[[OFF]]] [1, 3, 3, 2]
// CHECK: %[[B:.+]] = tensor.extract_slice %[[BIAS]][%[[OFF]]] [2] [1] : tensor<4xf32> to tensor<2xf32>
// CHECK: %[[INIT:.+]] = linalg.broadcast ins(%[[B]] : tensor<2xf32>) outs(%[[SLICE]] : tensor<1x3x3x2xf32>)
// CHECK: %[[C:.+]] = linalg.conv_2d_nhwc_hwcf {{.*}}kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1]{{.*}} ins(%{{.+}}, %[[W]] : {{.*}}) outs(%[[INIT]] : tensor<1x3x3x2xf32>)
// CHECK: %[[R:.+]] = linalg.generic {{.*}} outs(%[[C]] : tensor<1x3x3x2xf32>)
// CHECK: arith.maxnumf
// CHECK: tensor.parallel_insert_slice %[[R]] into %[[OUT]][0, 0, 0, %[[OFF]]] [1, 3, 3, 2]
func.func @packed_conv(%x: tensor<1x3x3x2xf32>, %w: tensor<2x1x1x2x2xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", relu,
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

// conv1x1_gemm: a packed 1x1 stride-1 conv becomes a GEMM per channel block
// over [pixels, C] x [C, B]. R = 3 divides the width and there is no cache
// tile: one chunk of the 3 rows, on the NHWC tensors themselves (no
// reshape, so a padded consumer can take the result in place); the forall
// over the 2 blocks; loops over the rows and the row's register tiles of
// R pixels, each a bias broadcast, a [3, 2] matmul on rank-reduced slices
// carrying the kernel and the insert (the broadcast whole: no vector
// tiling, so the tile stays in registers from the bias to the store).
// CHECK-LABEL: func.func @conv1x1_gemm
// CHECK-NOT: tensor.collapse_shape
// CHECK: scf.forall (%{{.+}}) in (2) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<1x3x3x4xf32>)
// CHECK: %[[OS:.+]] = tensor.extract_slice %[[OUT]][%{{.+}}, %{{.+}}, 0, %{{.+}}] [1, 3, 3, 2] [1, 1, 1, 1] : tensor<1x3x3x4xf32> to tensor<1x3x3x2xf32>
// CHECK: %[[ROWS:.+]] = scf.for %[[Y:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[RT:.+]] = %[[OS]]) -> (tensor<1x3x3x2xf32>)
// CHECK: %[[LOOP:.+]] = scf.for %[[X:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[T:.+]] = %[[RT]]) -> (tensor<1x3x3x2xf32>)
// CHECK: %[[AT:.+]] = tensor.extract_slice %arg0[%{{.+}}, %{{.+}}, %[[X]], 0] [1, 1, 3, 2] [1, 1, 1, 1] : tensor<1x3x3x2xf32> to tensor<3x2xf32>
// CHECK: %[[WM:.+]] = tensor.extract_slice %{{.+}}[%{{.+}}, 0, 0, 0, 0] [1, 1, 1, 2, 2] [1, 1, 1, 1, 1] : tensor<2x1x1x2x2xf32> to tensor<2x2xf32>
// CHECK: %[[OT:.+]] = tensor.extract_slice %[[T]][0, %[[Y]], %[[X]], 0] [1, 1, 3, 2] [1, 1, 1, 1] : tensor<1x3x3x2xf32> to tensor<3x2xf32>
// CHECK: %[[ACC:.+]] = linalg.broadcast ins(%{{.+}} : tensor<2xf32>) outs(%[[OT]] : tensor<3x2xf32>) dimensions = [0] {kiln.kernel = #kiln.kernel<kind = vector, {{.*}}register_tile = [0, 0]
// CHECK: %[[MM:.+]] = linalg.matmul {kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, {{.*}}register_tile = [3, 2, 1], cache_tile = []{{.*}}>} ins(%[[AT]], %[[WM]] : tensor<3x2xf32>, tensor<2x2xf32>) outs(%[[ACC]] : tensor<3x2xf32>)
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[MM]] into %[[T]][0, %[[Y]], %[[X]], 0] [1, 1, 3, 2] [1, 1, 1, 1]
// CHECK: scf.yield %[[INS]]
// CHECK: scf.yield %[[LOOP]]
// CHECK: tensor.parallel_insert_slice %[[ROWS]] into %[[OUT]]
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: linalg.conv_2d
func.func @conv1x1_gemm(%x: tensor<1x3x3x2xf32>, %w: tensor<2x1x1x2x2xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 2, register_tile = [3, 2, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

// A cache tile of 4 of the 8 pixels (one row of the 2 x 4 image): one
// forall over 2 chunks x 2 blocks, the block inner (i mod 2), the chunk
// outer (row (i div 2) * 1); the matmul's kernel has no cache tile (the
// loop took it). The residual (at the chunk's row) and the ReLU apply to
// each register tile, one linalg.generic without vector tiling.
// CHECK-LABEL: func.func @conv1x1_gemm_chunks
// CHECK: scf.forall (%[[I:.+]]) in (4)
// CHECK: %[[FO:.+]] = arith.remui %[[I]], %{{.+}} : index
// CHECK: %[[Q:.+]] = arith.divui %[[I]], %{{.+}} : index
// CHECK: %[[H0:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK: tensor.extract_slice %{{.+}}[%{{.+}}, %[[H0]], 0, %{{.+}}] [1, 1, 4, 2] [1, 1, 1, 1] : tensor<1x2x4x4xf32> to tensor<1x1x4x2xf32>
// CHECK: scf.for %[[R:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: %[[ROW:.+]] = arith.addi %[[H0]], %[[R]] : index
// CHECK: scf.for %[[X:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: tensor.extract_slice %arg0[%{{.+}}, %[[ROW]], %[[X]], 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<2x2xf32>
// CHECK: linalg.matmul {kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, {{.*}}register_tile = [2, 2, 1], cache_tile = []{{.*}}>} {{.*}} outs(%{{.+}} : tensor<2x2xf32>)
// CHECK: tensor.extract_slice %arg3[%{{.+}}, %[[ROW]], %[[X]], %{{.+}}] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x2x4x4xf32> to tensor<2x2xf32>
// CHECK: linalg.generic {{.*}}kiln.kernel = #kiln.kernel<kind = vector, {{.*}}register_tile = [0, 0]
// CHECK: arith.addf
// CHECK: arith.maxnumf
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, %[[R]], %[[X]], 0] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<2x2xf32> into tensor<1x1x4x2xf32>
// CHECK: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%{{.+}}, %[[H0]], 0, %{{.+}}] [1, 1, 4, 2] [1, 1, 1, 1] : tensor<1x1x4x2xf32> into tensor<1x2x4x4xf32>
func.func @conv1x1_gemm_chunks(%x: tensor<1x2x4x2xf32>, %w: tensor<2x1x1x2x2xf32>, %b: tensor<4xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.fused_conv %x, %w, %b, %r {layout = "NHWC", relu,
      kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 2, register_tile = [2, 2, 1], cache_tile = [4, 0, 0], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x2x4x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// R = 2 does not divide the width 3 (AVX2's 14x14 layers: R = 4 of 196
// pixels): the 6 pixels are reshaped to a [1, 1, 6, C] view, one row that
// the register tiles cover, and the result reshaped back.
// CHECK-LABEL: func.func @conv1x1_gemm_flat
// CHECK: %[[V:.+]] = tensor.expand_shape %{{.+}} output_shape [1, 1, 6, 2] : tensor<12xf32> into tensor<1x1x6x2xf32>
// CHECK: scf.forall (%{{.+}}) in (1) {{.*}} -> (tensor<1x1x6x2xf32>)
// CHECK: scf.for %{{.+}} = %{{.+}} to %c6 step %c2
// CHECK: tensor.extract_slice %[[V]][{{.+}}] [1, 1, 2, 2] [1, 1, 1, 1] : tensor<1x1x6x2xf32> to tensor<2x2xf32>
// CHECK: linalg.matmul
// CHECK: tensor.expand_shape %{{.+}} output_shape [1, 2, 3, 2] : tensor<12xf32> into tensor<1x2x3x2xf32>
func.func @conv1x1_gemm_flat(%x: tensor<1x2x3x2xf32>, %w: tensor<1x1x1x2x2xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x2xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 2, register_tile = [2, 2, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x2x3x2xf32>, tensor<1x1x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  return %0 : tensor<1x2x3x2xf32>
}

// -----

// A cache tile of one row (3 pixels) x both blocks (4 channels): the forall
// over the 3 rows only, and per register tile a loop over the blocks (the
// filter slice, bias and output at channel offset j).
// CHECK-LABEL: func.func @conv1x1_gemm_blocks_inner
// CHECK: scf.forall (%{{.+}}) in (3) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<1x3x3x4xf32>)
// CHECK: tensor.extract_slice %[[OUT]][%{{.+}}, %{{.+}}, 0, %{{.+}}] [1, 1, 3, 4] [1, 1, 1, 1] : tensor<1x3x3x4xf32> to tensor<1x1x3x4xf32>
// CHECK: scf.for %[[X:.+]] = %{{.+}} to %{{.+}} step %c3
// CHECK: scf.for %[[J:.+]] = %{{.+}} to %c4{{.*}} step %c2
// CHECK: %[[F:.+]] = arith.addi %{{.+}}, %[[J]] : index
// CHECK: %[[FO:.+]] = arith.divui %[[F]], %{{.+}} : index
// CHECK: tensor.extract_slice %arg1[%[[FO]], 0, 0, 0, 0] [1, 1, 1, 2, 2]
// CHECK: tensor.extract_slice %{{.+}}[0, %{{.+}}, %[[X]], %[[J]]] [1, 1, 3, 2] [1, 1, 1, 1] : tensor<1x1x3x4xf32> to tensor<3x2xf32>
// CHECK: tensor.extract_slice %arg2[%[[F]]] [2] [1]
// CHECK: linalg.matmul
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, %{{.+}}, %[[X]], %[[J]]] [1, 1, 3, 2] [1, 1, 1, 1] : tensor<3x2xf32> into tensor<1x1x3x4xf32>
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[OUT]]{{.+}} [1, 1, 3, 4] [1, 1, 1, 1] : tensor<1x1x3x4xf32> into tensor<1x3x3x4xf32>
func.func @conv1x1_gemm_blocks_inner(%x: tensor<1x3x3x2xf32>, %w: tensor<2x1x1x2x2xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 2, register_tile = [3, 2, 1], cache_tile = [3, 4, 0], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

// A stride-2 1x1 conv as a GEMM: each register tile reads every other input
// pixel of input row 2y (a strided rank-reduced slice).
// CHECK-LABEL: func.func @conv1x1_gemm_strided
// CHECK: scf.for %[[Y:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: %[[ROW:.+]] = arith.addi %{{.+}}, %[[Y]] : index
// CHECK: scf.for %[[X:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: %[[IY:.+]] = arith.muli %[[ROW]], %c2{{.*}} : index
// CHECK: %[[IX:.+]] = arith.muli %[[X]], %c2{{.*}} : index
// CHECK: tensor.extract_slice %arg0[%{{.+}}, %[[IY]], %[[IX]], 0] [1, 1, 2, 2] [1, 1, 2, 1] : tensor<1x4x4x2xf32> to tensor<2x2xf32>
// CHECK: linalg.matmul
func.func @conv1x1_gemm_strided(%x: tensor<1x4x4x2xf32>, %w: tensor<1x1x1x2x2xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", strides = array<i64: 2, 2>,
      kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 2, register_tile = [2, 2, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x4x4x2xf32>, tensor<1x1x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Every tensor.empty gets its own kiln.empty_id, so CSE keeps each layer's
// destination apart (merged, they would tie all layers of one shape into
// one alias set for bufferization).
// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg --cse | FileCheck %s --check-prefix=CSE
// CSE-LABEL: func.func @two_relus
// CSE: tensor.empty() {kiln.empty_id = 0 : i64} : tensor<1x8xf32>
// CSE: tensor.empty() {kiln.empty_id = 1 : i64} : tensor<1x8xf32>
// CHECK-LABEL: func.func @two_relus
// CHECK-COUNT-2: tensor.empty() {kiln.empty_id
func.func @two_relus(%a: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = kiln.relu %a : tensor<1x8xf32>
  %1 = kiln.relu %0 : tensor<1x8xf32>
  return %1 : tensor<1x8xf32>
}

// -----

// relu_max clamps the fused ReLU from above inside the epilogue (ReLU6).
// CHECK-LABEL: func.func @fused_conv_relu6
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic
// CHECK: %[[R:.+]] = arith.maxnumf %{{.+}}, %{{.+}} : f32
// CHECK: %[[SIX:.+]] = arith.constant 6.000000e+00 : f32
// CHECK: arith.minimumf %[[R]], %[[SIX]] : f32
func.func @fused_conv_relu6(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = kiln.fused_conv %x, %w, %b {relu, relu_max = 6.0 : f32} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// Winograd F(2x2, 3x3) on a 3x5 output (2 x 3 = 6 tiles, the last row and
// column partial), filter already transformed [F/B, 4, 4, C, B]: the input
// is not padded; stage 1 a forall over T = 6 tiles rounded up to the
// register tile's 4 rows writing V [16, T, C], each tile's 4 x 4 window
// read at clamped coordinates with zero selected outside the image and in
// the 2 extra tiles (tile index < 6 in every row's condition, the image
// index clamped; no separate zero fill, no insert_slice); stage 2 one matmul per transform element
// and block (16 x 2) with the kernel; stage 3 a forall over the 6 tiles
// into a 4x6 result (whole tiles), bias, residual (at clamped coordinates)
// and ReLU on the vectors before each store, then the 3x5 copied out.
// CHECK-LABEL: func.func @winograd
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor.insert_slice
// CHECK: scf.forall (%[[T:.+]]) in (8) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<16x8x4xf32>)
// CHECK: %[[REAL:.+]] = arith.cmpi slt, %[[T]], %{{.+}} : index
// CHECK: tensor.extract_slice %{{.+}}[0, %[[T]], 0] [16, 1, 4] [1, 1, 1] : tensor<16x8x4xf32> to tensor<16x1x4xf32>
// CHECK: %[[OK:.+]] = arith.andi %{{.+}}, %{{.+}} : i1
// CHECK: arith.andi %[[OK]], %[[REAL]] : i1
// CHECK: %[[LO:.+]] = arith.maxsi %{{.+}}, %{{.+}} : index
// CHECK: arith.minsi %[[LO]], %{{.+}} : index
// CHECK: scf.for
// CHECK: %[[V:.+]] = vector.transfer_read %arg0[{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<1x3x5x4xf32>, vector<4xf32>
// CHECK: arith.select %{{.+}}, %[[V]], %{{.+}} : vector<4xf32>
// CHECK-COUNT-15: vector.transfer_read %arg0
// CHECK: arith.subf %{{.+}}, %{{.+}} : vector<4xf32>
// CHECK-COUNT-16: vector.transfer_write %{{.+}} {in_bounds = [true]} : vector<4xf32>, tensor<16x1x4xf32>
// CHECK: scf.forall (%{{.+}}) in (32) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<16x8x8xf32>)
// CHECK: linalg.fill
// CHECK: linalg.matmul {kiln.kernel = #kiln.kernel<kind = winograd_f2, layout = nhwc, block = 4, register_tile = [4, 4, 1], cache_tile = [], parallel_dims = []{{.*}}>} ins(%{{.+}}, %{{.+}} : tensor<8x4xf32>, tensor<4x4xf32>) outs(%{{.+}} : tensor<8x4xf32>)
// CHECK: scf.forall (%{{.+}}) in (6) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<1x4x6x8xf32>)
// CHECK: tensor.extract_slice %{{.+}} [1, 2, 2, 8] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x2x2x8xf32>
// CHECK-COUNT-16: vector.transfer_read %{{.+}} : tensor<16x8x8xf32>, vector<4xf32>
// CHECK: vector.transfer_read %arg2
// CHECK: arith.addf
// CHECK: %[[Y:.+]] = arith.minui %{{.+}}, %{{.+}} : index
// CHECK: %[[X:.+]] = arith.minui %{{.+}}, %{{.+}} : index
// CHECK: vector.transfer_read %arg3[%{{.+}}, %[[Y]], %[[X]], %{{.+}}]
// CHECK: arith.maxnumf
// CHECK: vector.transfer_write %{{.+}} : vector<4xf32>, tensor<1x2x2x8xf32>
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 3, 5, 8] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x3x5x8xf32>
// CHECK: linalg.copy
// CHECK-NOT: linalg.conv
func.func @winograd(%x: tensor<1x3x5x4xf32>, %w: tensor<2x4x4x4x4xf32>, %b: tensor<8xf32>, %r: tensor<1x3x5x8xf32>) -> tensor<1x3x5x8xf32> {
  %0 = kiln.fused_conv %x, %w, %b, %r {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, relu,
      kiln.kernel = #kiln.kernel<kind = winograd_f2, layout = nhwc, block = 4, register_tile = [4, 4, 1], cache_tile = [], parallel_dims = [], lanes = 4, config = false>}
      : (tensor<1x3x5x4xf32>, tensor<2x4x4x4x4xf32>, tensor<8xf32>, tensor<1x3x5x8xf32>) -> tensor<1x3x5x8xf32>
  return %0 : tensor<1x3x5x8xf32>
}

// -----

// kiln.concat is a tensor.concat of the inputs as they are (decomposed
// after vectorization by kiln-tile-and-vectorize), the axis normalized;
// no copy here, whatever the inputs are.
// CHECK-LABEL: func.func @concat
// CHECK: %[[K:.+]] = arith.constant dense<1.000000e+00> : tensor<1x2xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-NOT: linalg.copy
// CHECK: tensor.concat dim(1) %[[R]], %arg0, %[[K]] : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x2xf32>) -> tensor<1x10xf32>
// CHECK: tensor.concat dim(0) %arg0, %arg0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
func.func @concat(%x: tensor<1x4xf32>) -> (tensor<1x10xf32>, tensor<2x4xf32>) {
  %k = arith.constant dense<1.0> : tensor<1x2xf32>
  %r = kiln.relu %x : tensor<1x4xf32>
  %0 = kiln.concat %r, %x, %k {axis = -1 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x2xf32>) -> tensor<1x10xf32>
  %1 = kiln.concat %x, %x {axis = 0 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<1x10xf32>, tensor<2x4xf32>
}
