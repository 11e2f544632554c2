// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// One case per verifier message of the kiln ops (dialects/Kiln/KilnOps.cpp),
// plus the ODS type constraints.

//===----------------------------------------------------------------------===//
// kiln.conv / kiln.fused_conv
//===----------------------------------------------------------------------===//

func.func @conv_input_rank(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op expects a 4-D input (N, C, H, W), got rank 3}}
  %0 = kiln.conv %x, %w : (tensor<1x2x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_relu_max_without_relu(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.fused_conv' op relu_max needs relu}}
  %0 = kiln.fused_conv %x, %w, %b {relu_max = 6.0 : f32} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_negative_relu_max(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.fused_conv' op relu_max must be >= 0, got -1}}
  %0 = kiln.fused_conv %x, %w, %b {relu, relu_max = -1.0 : f32} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_nhwc_input_rank(%x: tensor<1x5x5xf32>, %w: tensor<3x3x2x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.fused_conv' op expects a 4-D input (N, H, W, C), got rank 3}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x5x5xf32>, tensor<3x3x2x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_filter_rank(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op expects a 4-D filter, got rank 3}}
  %0 = kiln.conv %x, %w : (tensor<1x2x5x5xf32>, tensor<3x2x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_nhwc_filter_rank(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.fused_conv' op expects a 4-D filter or a 5-D packed filter, got rank 3}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<3x3x2xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_nchw_packed_filter(%x: tensor<1x2x5x5xf32>, %w: tensor<1x3x3x2x4xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  // Packed [F/B, KH, KW, C, B] filters exist only in NHWC.
  // expected-error @+1 {{'kiln.fused_conv' op expects a 4-D filter, got rank 5}}
  %0 = kiln.fused_conv %x, %w, %b : (tensor<1x2x5x5xf32>, tensor<1x3x3x2x4xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

func.func @fused_conv_packed_group(%x: tensor<1x5x5x4xf32>, %w: tensor<1x3x3x2x4xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{'kiln.fused_conv' op packed block 4 does not divide the 2 output channels per group}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", group = 2 : i64} : (tensor<1x5x5x4xf32>, tensor<1x3x3x2x4xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

func.func @fused_conv_packed_channels(%x: tensor<1x5x5x2xf32>, %w: tensor<2x3x3x3x4xf32>, %b: tensor<8xf32>) -> tensor<1x3x3x8xf32> {
  // Packed [F/B=2, KH=3, KW=3, C=3, B=4]: C must be the input's 2 channels.
  // expected-error @+1 {{'kiln.fused_conv' op filter has 3 input channels per group but the input has 2 channels and group 1}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<2x3x3x3x4xf32>, tensor<8xf32>) -> tensor<1x3x3x8xf32>
  return %0 : tensor<1x3x3x8xf32>
}

// -----

func.func @fused_conv_packed_bias(%x: tensor<1x5x5x2xf32>, %w: tensor<2x3x3x2x4xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x8xf32> {
  // F = F/B * B = 8.
  // expected-error @+1 {{'kiln.fused_conv' op bias must have shape [8], got [4]}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<2x3x3x2x4xf32>, tensor<4xf32>) -> tensor<1x3x3x8xf32>
  return %0 : tensor<1x3x3x8xf32>
}

// -----

func.func @conv_dynamic_input(%x: tensor<?x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op input must have a static, positive shape, got 'tensor<?x2x5x5xf32>'}}
  %0 = kiln.conv %x, %w : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_zero_filter_dim(%x: tensor<1x2x5x5xf32>, %w: tensor<0x2x3x3xf32>) -> tensor<1x0x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op filter must have a static, positive shape, got 'tensor<0x2x3x3xf32>'}}
  %0 = kiln.conv %x, %w : (tensor<1x2x5x5xf32>, tensor<0x2x3x3xf32>) -> tensor<1x0x3x3xf32>
  return %0 : tensor<1x0x3x3xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op group must be >= 1, got 0}}
  %0 = kiln.conv %x, %w {group = 0 : i64} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op filter has 2 input channels per group but the input has 4 channels and group 1}}
  %0 = kiln.conv %x, %w : (tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_filter_count_group(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op filter count 3 is not divisible by group 2}}
  %0 = kiln.conv %x, %w {group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_bias_shape(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op bias must have shape [3], got [4]}}
  %0 = kiln.conv %x, %w, %b : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<4xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_attr_sizes(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op expects 2 kernel dims, 2 strides, 2 dilations and 4 pads, got 2, 1, 2 and 4}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_pads_size(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error @+1 {{'kiln.conv' op expects 2 kernel dims, 2 strides, 2 dilations and 4 pads, got 2, 2, 2 and 2}}
  %0 = kiln.conv %x, %w {pads = array<i64: 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

func.func @conv_zero_stride(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op kernel sizes, strides and dilations must be positive}}
  %0 = kiln.conv %x, %w {strides = array<i64: 0, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op kernel sizes, strides and dilations must be positive}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 0>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv' op pads must be non-negative}}
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, -1, 0>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_window_too_big(%x: tensor<1x2x2x2xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x1x1xf32> {
  // expected-error @+1 {{'kiln.conv' op window [3,3] does not fit the padded input [1,2,2,2]}}
  %0 = kiln.conv %x, %w : (tensor<1x2x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

func.func @conv_dilated_window_too_big(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x1x1xf32> {
  // 3x3 with dilation 2 spans 5 > 4.
  // expected-error @+1 {{'kiln.conv' op window [3,3] does not fit the padded input [1,2,4,4]}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

func.func @conv_result_shape(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error @+1 {{'kiln.conv' op result shape [1,3,5,5] does not match the expected [1,3,3,3]}}
  %0 = kiln.conv %x, %w : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

func.func @conv_result_shape_strided(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // (8 + 1 + 1 - 3) / 2 + 1 = 4
  // expected-error @+1 {{'kiln.conv' op result shape [1,3,3,3] does not match the expected [1,3,4,4]}}
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_nhwc_result(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x2x4xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  // NHWC: the result is [N, OH, OW, F].
  // expected-error @+1 {{'kiln.fused_conv' op result shape [1,4,3,3] does not match the expected [1,3,3,4]}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

func.func @fused_conv_nhwc_channels(%x: tensor<1x5x5x2xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  // An FCHW filter read as HWCF: C = 3, but the input has 2 channels.
  // expected-error @+1 {{'kiln.fused_conv' op filter has 3 input channels per group but the input has 2 channels and group 1}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC"} : (tensor<1x5x5x2xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_residual(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>, %r: tensor<1x3x1x1xf32>) -> tensor<1x3x3x3xf32> {
  // The residual is not broadcast.
  // expected-error @+1 {{'kiln.fused_conv' op residual type 'tensor<1x3x1x1xf32>' does not match the result type 'tensor<1x3x3x3xf32>'}}
  %0 = kiln.fused_conv %x, %w, %b, %r : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_layout(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{'kiln.fused_conv' op layout must be "NCHW" or "NHWC", got "NCWH"}}
  %0 = kiln.fused_conv %x, %w, %b {layout = "NCWH"} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @fused_conv_bias_required(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  // The bias of kiln.fused_conv is not optional.
  // expected-error @+1 {{expected ','}}
  %0 = kiln.fused_conv %x, %w : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

func.func @conv_integer(%x: tensor<1x2x5x5xi32>, %w: tensor<3x2x3x3xi32>) -> tensor<1x3x3x3xi32> {
  // expected-error @+1 {{'kiln.conv' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x2x5x5xi32>'}}
  %0 = kiln.conv %x, %w : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>) -> tensor<1x3x3x3xi32>
  return %0 : tensor<1x3x3x3xi32>
}

//===----------------------------------------------------------------------===//
// kiln.batch_norm
//===----------------------------------------------------------------------===//

// -----

func.func @batch_norm_rank(%x: tensor<3xf32>, %p: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op expects an input of rank >= 2, got rank 1}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @batch_norm_result(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) -> tensor<1x3x2x8xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op result type must match the input type}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x8xf32>
  return %0 : tensor<1x3x2x8xf32>
}

// -----

func.func @batch_norm_param_shape(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>, %v: tensor<4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op scale, bias, mean and variance must have shape [3], got [4]}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %v : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// NHWC: the channels are the last dimension (4 here, not 3).
func.func @batch_norm_nhwc_param_shape(%x: tensor<1x3x3x4xf32>, %p: tensor<3xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op scale, bias, mean and variance must have shape [4], got [3]}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {layout = "NHWC"} : (tensor<1x3x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

// -----

func.func @batch_norm_nhwc_rank(%x: tensor<2x3xf32>, %p: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op an NHWC batch norm needs a 4-D input, got rank 2}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {layout = "NHWC"} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @batch_norm_layout(%x: tensor<1x3x3x4xf32>, %p: tensor<4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op layout must be "NCHW" or "NHWC", got "NWHC"}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {layout = "NWHC"} : (tensor<1x3x3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x3x3x4xf32>
  return %0 : tensor<1x3x3x4xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise ops (kiln.relu, kiln.sigmoid, kiln.add, kiln.mul)
//===----------------------------------------------------------------------===//

// -----

func.func @relu_result_type(%x: tensor<1x4xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'kiln.relu' op requires the same type for all operands and results}}
  %0 = "kiln.relu"(%x) : (tensor<1x4xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @add_not_broadcastable(%a: tensor<1x3x4x4xf32>, %b: tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32> {
  // expected-error @+1 {{'kiln.add' op operand shapes 'tensor<1x3x4x4xf32>' and 'tensor<1x5x4x4xf32>' are not broadcast-compatible}}
  %0 = kiln.add %a, %b : (tensor<1x3x4x4xf32>, tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32>
  return %0 : tensor<1x5x4x4xf32>
}

// -----

func.func @add_result_shape(%a: tensor<1x3x4x4xf32>, %b: tensor<3x1x1xf32>) -> tensor<3x4x4xf32> {
  // expected-error @+1 {{'kiln.add' op result shape [3,4,4] does not match the broadcast shape [1,3,4,4]}}
  %0 = kiln.add %a, %b : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<3x4x4xf32>
  return %0 : tensor<3x4x4xf32>
}

// -----

func.func @sigmoid_result_type(%x: tensor<2x3xf32>) -> tensor<2x3xf16> {
  // expected-error @+1 {{'kiln.sigmoid' op requires the same type for all operands and results}}
  %0 = "kiln.sigmoid"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

func.func @sigmoid_integer(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{'kiln.sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi32>'}}
  %0 = kiln.sigmoid %x : tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @mul_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.mul' op operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' are not broadcast-compatible}}
  %0 = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @mul_result_shape(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // Broadcasting widens the unit dimension.
  // expected-error @+1 {{'kiln.mul' op result shape [2,1] does not match the broadcast shape [2,3]}}
  %0 = kiln.mul %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @mul_element_types(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.mul' op operand element types 'f32' and 'f16' differ}}
  %0 = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @add_result_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf16> {
  // expected-error @+1 {{'kiln.add' op result element type 'f16' does not match the operands' 'f32'}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

// -----

func.func @max_pool_rank(%x: tensor<1x2x8xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{'kiln.max_pool' op expects a 4-D input, got rank 3}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x2x8xf32> -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

func.func @max_pool_kernel_size(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'kiln.max_pool' op expects 2 kernel dims, 2 strides, 2 dilations and 4 pads, got 1, 2, 2 and 4}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2>} : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @max_pool_kernel_missing(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'kiln.max_pool' op requires attribute 'kernel_shape'}}
  %0 = kiln.max_pool %x : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @max_pool_zero_kernel(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'kiln.max_pool' op kernel sizes, strides and dilations must be positive}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 0, 2>} : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @avg_pool_negative_pad(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op pads must be non-negative}}
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: -1, 0, 0, 0>} : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @max_pool_pad_ge_kernel(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x5xf32> {
  // expected-error @+1 {{'kiln.max_pool' op pads must be smaller than the kernel}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 2, 0, 0>} : tensor<1x2x8x8xf32> -> tensor<1x2x4x5xf32>
  return %0 : tensor<1x2x4x5xf32>
}

// -----

func.func @avg_pool_pad_end_ge_kernel(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x5x4xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op pads must be smaller than the kernel}}
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 2, 0>} : tensor<1x2x8x8xf32> -> tensor<1x2x5x4xf32>
  return %0 : tensor<1x2x5x4xf32>
}

// -----

func.func @max_pool_window_too_big(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{'kiln.max_pool' op window [3,3] does not fit the padded input [1,2,2,2]}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>} : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @max_pool_ceil_result(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x2x2xf32> {
  // With ceil_mode, (6 - 3) / 2 rounds up: 3x3.
  // expected-error @+1 {{'kiln.max_pool' op result shape [1,1,2,2] does not match the expected [1,1,3,3]}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode} : tensor<1x1x6x6xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @max_pool_floor_result(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32> {
  // Without ceil_mode: 2x2.
  // expected-error @+1 {{'kiln.max_pool' op result shape [1,1,3,3] does not match the expected [1,1,2,2]}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x1x6x6xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

func.func @max_pool_ceil_last_window_in_pad(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32> {
  // k2 s2 pad 1: ceil((5+2-2)/2)+1 = 4, but the 4th window would start at 6,
  // in the end padding, so ONNX drops it: 3x3.
  // expected-error @+1 {{'kiln.max_pool' op result shape [1,1,4,4] does not match the expected [1,1,3,3]}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode} : tensor<1x1x5x5xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @max_pool_nhwc_result(%x: tensor<1x8x8x2xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'kiln.max_pool' op result shape [1,2,4,4] does not match the expected [1,4,4,2]}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x2xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @avg_pool_layout(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op layout must be "NCHW" or "NHWC", got "nchw"}}
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "nchw"} : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @global_avg_pool_layout(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{'kiln.global_avg_pool' op layout must be "NCHW" or "NHWC", got "CHW"}}
  %0 = kiln.global_avg_pool %x {layout = "CHW"} : tensor<1x2x8x8xf32> -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @global_avg_pool_rank(%x: tensor<2x8x8xf32>) -> tensor<2x1x1xf32> {
  // expected-error @+1 {{'kiln.global_avg_pool' op expects a 4-D input, got rank 3}}
  %0 = kiln.global_avg_pool %x : tensor<2x8x8xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

func.func @global_avg_pool_result(%x: tensor<1x2x8x8xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'kiln.global_avg_pool' op result shape [1,2] does not match the expected [1,2,1,1]}}
  %0 = kiln.global_avg_pool %x : tensor<1x2x8x8xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @global_avg_pool_nhwc_result(%x: tensor<1x8x8x2xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{'kiln.global_avg_pool' op result shape [1,8,1,1] does not match the expected [1,1,1,2]}}
  %0 = kiln.global_avg_pool %x {layout = "NHWC"} : tensor<1x8x8x2xf32> -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

// -----

func.func @flatten_axis(%x: tensor<2x3x4xf32>) -> tensor<24x1xf32> {
  // expected-error @+1 {{'kiln.flatten' op axis 4 is out of range for rank 3}}
  %0 = kiln.flatten %x {axis = 4 : i64} : tensor<2x3x4xf32> -> tensor<24x1xf32>
  return %0 : tensor<24x1xf32>
}

// -----

func.func @flatten_negative_axis(%x: tensor<2x3x4xf32>) -> tensor<1x24xf32> {
  // expected-error @+1 {{'kiln.flatten' op axis -4 is out of range for rank 3}}
  %0 = kiln.flatten %x {axis = -4 : i64} : tensor<2x3x4xf32> -> tensor<1x24xf32>
  return %0 : tensor<1x24xf32>
}

// -----

func.func @flatten_result(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  // expected-error @+1 {{'kiln.flatten' op result shape must be [6,4], got [2,12]}}
  %0 = kiln.flatten %x {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

func.func @flatten_element_type(%x: tensor<2x3x4xf32>) -> tensor<2x12xf16> {
  // expected-error @+1 {{'kiln.flatten' op result element type must match the input's}}
  %0 = kiln.flatten %x : tensor<2x3x4xf32> -> tensor<2x12xf16>
  return %0 : tensor<2x12xf16>
}

// -----

func.func @reshape_count(%x: tensor<2x3x4xf32>) -> tensor<5x5xf32> {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 24 elements [2,3,4] into 25 elements [5,5]}}
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

func.func @reshape_dynamic(%x: tensor<?x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'kiln.reshape' op expects static shapes}}
  %0 = kiln.reshape %x : tensor<?x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x4xf32>) -> tensor<8xi32> {
  // expected-error @+1 {{'kiln.reshape' op result element type must match the input's}}
  %0 = kiln.reshape %x : tensor<2x4xf32> -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

// -----

func.func @transpose_perm_size(%x: tensor<2x3x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm has 2 entries but the input has rank 3}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_perm_repeat(%x: tensor<2x3x4xf32>) -> tensor<3x3x4xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm [1,1,2] is not a permutation}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 1, 2>} : tensor<2x3x4xf32> -> tensor<3x3x4xf32>
  return %0 : tensor<3x3x4xf32>
}

// -----

func.func @transpose_perm_range(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm [2,0] is not a permutation}}
  %0 = kiln.transpose %x {perm = array<i64: 2, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_result(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'kiln.transpose' op result shape [2,3,4] does not match the permuted shape [4,2,3]}}
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

// -----

func.func @gemm_rank(%a: tensor<2x4x1xf32>, %b: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.gemm' op expects 2-D A and B, got ranks 3 and 2}}
  %0 = kiln.gemm %a, %b : (tensor<2x4x1xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_inner(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // Without trans_b, B is [K, N] = [3, 4].
  // expected-error @+1 {{'kiln.gemm' op inner dimensions differ: A gives K = 4, B gives K = 3}}
  %0 = kiln.gemm %a, %b : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_inner_trans_a(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'kiln.gemm' op inner dimensions differ: A gives K = 2, B gives K = 4}}
  %0 = kiln.gemm %a, %b {trans_a} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gemm_c_shape(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.gemm' op C of shape [2] does not broadcast to [2,3]}}
  %0 = kiln.gemm %a, %b, %c : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_c_rank(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<1x2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.gemm' op C of shape [1,2,3] does not broadcast to [2,3]}}
  %0 = kiln.gemm %a, %b, %c : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<1x2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_c_larger(%a: tensor<1x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2x3xf32>) -> tensor<1x3xf32> {
  // C may broadcast to [M, N] but not widen it.
  // expected-error @+1 {{'kiln.gemm' op C of shape [2,3] does not broadcast to [1,3]}}
  %0 = kiln.gemm %a, %b, %c : (tensor<1x4xf32>, tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @gemm_result(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.gemm' op result shape [2,4] does not match [2,3]}}
  %0 = kiln.gemm %a, %b {trans_b} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{'kiln.matmul' op supports 2-D operands only, got ranks 3 and 2}}
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.matmul' op inner dimensions differ: 4 vs 5}}
  %0 = kiln.matmul %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'kiln.matmul' op result shape must be [2,3], got [3,2]}}
  %0 = kiln.matmul %a, %b : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for rank 2}}
  %0 = kiln.softmax %x {axis = 2 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @softmax_negative_axis(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'kiln.softmax' op axis -3 is out of range for rank 2}}
  %0 = kiln.softmax %x {axis = -3 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @softmax_integer(%x: tensor<2x5xi32>) -> tensor<2x5xi32> {
  // expected-error @+1 {{'kiln.softmax' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x5xi32>'}}
  %0 = kiln.softmax %x : tensor<2x5xi32>
  return %0 : tensor<2x5xi32>
}

// -----

func.func @concat_other_dims_differ(%a: tensor<1x4x7x7xf32>, %b: tensor<1x4x6x7xf32>) -> tensor<1x8x7x7xf32> {
  // expected-error @+1 {{'kiln.concat' op input 1 has shape [1,4,6,7], which differs from input 0's [1,4,7,7] outside axis 1}}
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x4x7x7xf32>, tensor<1x4x6x7xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// -----

func.func @concat_wrong_result(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{'kiln.concat' op result shape [2,9] does not match the concatenated shape [2,8]}}
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.concat' op axis 2 is out of range for rank 2}}
  %0 = kiln.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_count(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x9x9xf32> {
  // expected-error @+1 {{'kiln.pad' op expects 8 pads for rank 4, got 4}}
  %0 = kiln.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<1x8x7x7xf32> -> tensor<1x8x9x9xf32>
  return %0 : tensor<1x8x9x9xf32>
}

// -----

func.func @pad_negative(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x6x7xf32> {
  // expected-error @+1 {{'kiln.pad' op pad -1 of dimension 2 is out of range [0, 16777216]}}
  %0 = kiln.pad %x {pads = array<i64: 0, 0, -1, 0, 0, 0, 0, 0>} : tensor<1x8x7x7xf32> -> tensor<1x8x6x7xf32>
  return %0 : tensor<1x8x6x7xf32>
}

// -----

func.func @pad_wrong_result(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x9x8xf32> {
  // expected-error @+1 {{'kiln.pad' op result shape [1,8,9,8] does not match the padded shape [1,8,9,9]}}
  %0 = kiln.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x8x7x7xf32> -> tensor<1x8x9x8xf32>
  return %0 : tensor<1x8x9x8xf32>
}
