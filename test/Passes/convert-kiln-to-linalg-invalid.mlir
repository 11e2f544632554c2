// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg --verify-diagnostics

// A packed [F/B, KH, KW, C, B] filter needs a kernel with that block: without
// a kernel (or with block 0) the lowering does not guess.
func.func @packed_without_kernel(%x: tensor<1x3x3x2xf32>, %w: tensor<2x1x1x2x2xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.fused_conv'}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x3x3x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

func.func @packed_with_block_zero(%x: tensor<1x3x3x2xf32>, %w: tensor<2x1x1x2x2xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.fused_conv'}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 3, 4, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<2x1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

// A kernel with a block but a filter kiln-pack-filters did not pack (here
// not a constant; kiln-select-kernels never picks a block for one).
func.func @block_without_packed_filter(%x: tensor<1x3x3x2xf32>, %w: tensor<1x1x2x4xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.fused_conv'}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC",
      kiln.kernel = #kiln.kernel<kind = direct_conv, layout = nhwc, block = 2, register_tile = [1, 1, 3, 2, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x2xf32>, tensor<1x1x2x4xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}
