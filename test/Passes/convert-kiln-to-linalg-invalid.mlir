// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg --verify-diagnostics

// A grouped NHWC convolution has no lowering (kiln-layout never makes one):
// the conversion fails on it instead of producing wrong code.
func.func @grouped_nhwc(%x: tensor<1x5x5x4xf32>, %w: tensor<3x3x2x6xf32>, %b: tensor<6xf32>) -> tensor<1x3x3x6xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.fused_conv'}}
  %0 = kiln.fused_conv %x, %w, %b {group = 2 : i64, layout = "NHWC"} : (tensor<1x5x5x4xf32>, tensor<3x3x2x6xf32>, tensor<6xf32>) -> tensor<1x3x3x6xf32>
  return %0 : tensor<1x3x3x6xf32>
}
