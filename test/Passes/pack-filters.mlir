// RUN: kiln-opt %s --split-input-file --kiln-pack-filters | FileCheck %s

// kiln-pack-filters: an NHWC filter [KH, KW, C, F] becomes [F/B, KH, KW, C, B]
// at compile time, where B is the block of the op's #kiln.kernel:
// packed[fo][kh][kw][c][fi] = hwcf[kh][kw][c][fo*B + fi].

// C=2, F=4, B=2: c0 = [1 2 3 4], c1 = [5 6 7 8] -> block 0: [[1 2] [5 6]],
// block 1: [[3 4] [7 8]]. The kernel stays on the op.
// CHECK-LABEL: func.func @pack
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[\[\[\[}}1.000000e+00, 2.000000e+00], [5.000000e+00, 6.000000e+00]]]], {{\[\[\[\[}}3.000000e+00, 4.000000e+00], [7.000000e+00, 8.000000e+00]]]]]> : tensor<2x1x1x2x2xf32>
// CHECK: kiln.fused_conv %{{.+}}, %[[W]], %{{.+}} {kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, {{.+}}>, layout = "NHWC", relu} : (tensor<1x3x3x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
func.func @pack(%x: tensor<1x3x3x2xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]]]> : tensor<1x1x2x4xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", relu,
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<1x1x2x4xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

// Block 0 in the kernel, or no kernel at all: not packed.
// CHECK-LABEL: func.func @negative_block_zero_or_no_kernel
// CHECK: kiln.fused_conv {{.*}} tensor<1x1x2x4xf32>
// CHECK: kiln.fused_conv {{.*}} tensor<1x1x2x4xf32>
func.func @negative_block_zero_or_no_kernel(%x: tensor<1x3x3x2xf32>, %b: tensor<4xf32>) -> (tensor<1x3x3x4xf32>, tensor<1x3x3x4xf32>) {
  %w = arith.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]]]> : tensor<1x1x2x4xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 3, 4, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<1x1x2x4xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  %1 = kiln.fused_conv %x, %w, %b {layout = "NHWC"}
      : (tensor<1x3x3x2xf32>, tensor<1x1x2x4xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0, %1 : tensor<1x3x3x4xf32>, tensor<1x3x3x4xf32>
}

// -----

// F = 3 is not a multiple of the block: the filter stays 4-D.
// CHECK-LABEL: func.func @negative_odd_channels
// CHECK: kiln.fused_conv {{.*}} tensor<1x1x2x3xf32>
func.func @negative_odd_channels(%x: tensor<1x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x2x3xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<1x1x2x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// NCHW convolutions and non-constant filters are left alone.
// CHECK-LABEL: func.func @negative_nchw_and_dynamic_filter
// CHECK: kiln.fused_conv {{.*}} tensor<2x2x1x1xf32>
// CHECK: kiln.fused_conv {{.*}} tensor<1x1x2x2xf32>
func.func @negative_nchw_and_dynamic_filter(%x: tensor<1x2x3x3xf32>, %y: tensor<1x3x3x2xf32>,
    %w: tensor<1x1x2x2xf32>, %b: tensor<2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x3x3x2xf32>) {
  %wc = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = kiln.fused_conv %x, %wc, %b {kiln.kernel = #kiln.kernel<kind = loops, layout = nchw, block = 2, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.fused_conv %y, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<1x1x2x2xf32>, tensor<2xf32>) -> tensor<1x3x3x2xf32>
  return %0, %1 : tensor<1x2x3x3xf32>, tensor<1x3x3x2xf32>
}

// -----

// A Winograd kernel's filter is also transformed: U = G g GT per channel
// pair, packed [F/B, 4, 4, C, B] for F(2x2, 3x3). A filter of ones: the
// rows of G sum to (1, 1.5, 0.5, 1), so U = their outer product.
// CHECK-LABEL: func.func @winograd_filter
// CHECK: arith.constant dense<{{\[}}{{\[\[\[\[}}1.000000e+00]], {{\[\[}}1.500000e+00]], {{\[\[}}5.000000e-01]], {{\[\[}}1.000000e+00]]], {{\[\[\[}}1.500000e+00]], {{\[\[}}2.250000e+00]], {{\[\[}}7.500000e-01]], {{\[\[}}1.500000e+00]]], {{\[\[\[}}5.000000e-01]], {{\[\[}}7.500000e-01]], {{\[\[}}2.500000e-01]], {{\[\[}}5.000000e-01]]], {{\[\[\[}}1.000000e+00]], {{\[\[}}1.500000e+00]], {{\[\[}}5.000000e-01]], {{\[\[}}1.000000e+00]]]]]> : tensor<1x4x4x1x1xf32>
// CHECK: kiln.fused_conv {{.*}} : (tensor<1x4x4x1xf32>, tensor<1x4x4x1x1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
func.func @winograd_filter(%x: tensor<1x4x4x1xf32>, %b: tensor<1xf32>) -> tensor<1x4x4x1xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x1x1xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>,
      kiln.kernel = #kiln.kernel<kind = winograd_f2, layout = nhwc, block = 1, register_tile = [4, 1, 1], cache_tile = [], parallel_dims = [], lanes = 1, config = false>}
      : (tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  return %0 : tensor<1x4x4x1xf32>
}
