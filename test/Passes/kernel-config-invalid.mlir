// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-bad.json" -o /dev/null 2>&1 | FileCheck %s
// The ops are located by ONNX node name, as imported ones are; each error
// names the node it is about.
// CHECK-DAG: error: loc("conv0"): kernel direct_conv: block 5 does not divide the 64 output channels
// CHECK-DAG: error: loc("conv1"): kernel direct_conv: register_tile needs 7 sizes (one per loop), got 3
// CHECK-DAG: error: loc("conv2"): kernel pool: needs a pooling op

// A bad override is an error at the op it would apply to.
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "c", features = "", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @bad(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %b: tensor<64xf32>) -> (tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>) {
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv0")
  %1 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv1")
  %2 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv2")
  return %0, %1, %2 : tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>
}
}

