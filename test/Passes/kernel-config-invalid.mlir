// RUN: kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-bad.json" --verify-diagnostics
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-bad.json" -o /dev/null 2>&1 | FileCheck %s

// A kernel-config override that the op cannot implement is an error at
// that op (verifyKernelFor in passes/KernelSelection.cpp), one per message.
// The ops are located by ONNX node name only, as imported ones are, so the
// diagnostics have no file position (@unknown); the FileCheck run checks
// that each one names its node.

// CHECK-DAG: error: loc("conv0"): kernel direct_conv: block 5 does not divide the 64 output channels
// CHECK-DAG: error: loc("conv1"): kernel direct_conv: register_tile needs 7 sizes (one per loop), got 3
// CHECK-DAG: error: loc("conv2"): kernel pool: needs a pooling op
// CHECK-DAG: error: loc("conv3"): kernel direct_conv: cache_tile needs 7 sizes, got 3
// CHECK-DAG: error: loc("conv4"): kernel direct_conv: parallel dimension 7 is not one of its 7 loops
// CHECK-DAG: error: loc("conv5"): kernel conv1x1_gemm: needs a 1x1 convolution with no padding
// CHECK-DAG: error: loc("gstride"): kernel conv1x1_gemm: with stride > 1 needs register tile pixels that divide the 4 output columns and a cache tile of whole output rows of one image or whole images
// CHECK-DAG: error: loc("conv6"): kernel conv1x1_gemm: needs a filter-packing block
// CHECK-DAG: error: loc("conv7"): kernel direct_conv: register tile channels 48 do not divide block 64
// CHECK-DAG: error: loc("nchw"): kernel direct_conv: needs an NHWC convolution
// CHECK-DAG: error: loc("gblock"): kernel direct_conv: a grouped convolution needs a block that divides its 32 output channels per group
// CHECK-DAG: error: loc("wide"): kernel direct_conv: register tile pixels 3 do not divide the 8 output columns
// CHECK-DAG: error: loc("gpix"): kernel conv1x1_gemm: register tile pixels 3 do not divide the 64 output pixels
// CHECK-DAG: error: loc("gcache"): kernel conv1x1_gemm: cache tile pixels 6 must divide the 64 output pixels and be a multiple of the register tile's
// CHECK-DAG: error: loc("gcache2"): kernel conv1x1_gemm: cache_tile is [pixels, channels, 0]: the K loop is not split
// CHECK-DAG: error: loc("gcache3"): kernel conv1x1_gemm: cache tile channels 24 must be 0 (one block) or a multiple of the block 16 that divides the 64 output channels
// CHECK-DAG: error: loc("ggemm"): kernel conv1x1_gemm: needs a convolution with group 1 (this one has group 2)
// CHECK-DAG: error: loc("dyn"): kernel direct_conv: block 32 needs a constant filter (packed at compile time)
// CHECK-DAG: error: loc("relu"): kernel matmul: needs a Gemm or MatMul
// CHECK-DAG: error: loc("gemm"): kernel vector: is for elementwise ops, transposes and Softmax
// CHECK-DAG: error: loc("pool"): kernel view: only Reshape, Flatten, Concat and Pad are views
// CHECK-DAG: error: loc("flat"): kernel loops: Reshape, Flatten, Concat and Pad are views
// CHECK-DAG: error: loc("wstride"): kernel winograd_f4: needs a 3x3 convolution with stride 1, dilation 1 and group 1
// CHECK-DAG: error: loc("w1x1"): kernel winograd_f2: needs a 3x3 convolution with stride 1, dilation 1 and group 1
// CHECK-DAG: error: loc("wdyn"): kernel winograd_f2: needs a constant filter (transformed at compile time)
// CHECK-DAG: error: loc("wlanes"): kernel winograd_f2: needs input channels (16) and block (8) that are multiples of the 16 vector lanes
// CHECK-DAG: error: loc("wtile"): kernel winograd_f4: register_tile is [tiles, block, 1]: the GEMM's channels are the block's and its reduction steps by 1
// CHECK-DAG: error: loc("wcache"): kernel winograd_f4: has no cache tile (cache_tile = [])
// CHECK-DAG: error: loc("rows2"): kernel direct_conv: register tile rows and filter rows must be 1 (one output row per micro-kernel), got 2 and 1

// expected-error @unknown {{kernel direct_conv: block 5 does not divide the 64 output channels}}
// expected-error @unknown {{kernel direct_conv: register_tile needs 7 sizes (one per loop), got 3}}
// expected-error @unknown {{kernel pool: needs a pooling op}}
// expected-error @unknown {{kernel direct_conv: cache_tile needs 7 sizes, got 3}}
// expected-error @unknown {{kernel direct_conv: parallel dimension 7 is not one of its 7 loops}}
// expected-error @unknown {{kernel conv1x1_gemm: needs a 1x1 convolution with no padding}}
// expected-error @unknown {{kernel conv1x1_gemm: with stride > 1 needs register tile pixels that divide the 4 output columns and a cache tile of whole output rows of one image or whole images}}
// expected-error @unknown {{kernel conv1x1_gemm: needs a filter-packing block}}
// expected-error @unknown {{kernel direct_conv: register tile channels 48 do not divide block 64}}
// expected-error @unknown {{kernel direct_conv: needs an NHWC convolution}}
// expected-error @unknown {{kernel direct_conv: a grouped convolution needs a block that divides its 32 output channels per group}}
// expected-error @unknown {{kernel conv1x1_gemm: needs a convolution with group 1 (this one has group 2)}}
// expected-error @unknown {{kernel direct_conv: register tile pixels 3 do not divide the 8 output columns}}
// expected-error @unknown {{kernel conv1x1_gemm: cache tile pixels 6 must divide the 64 output pixels and be a multiple of the register tile's}}
// expected-error @unknown {{kernel conv1x1_gemm: cache_tile is [pixels, channels, 0]: the K loop is not split}}
// expected-error @unknown {{kernel conv1x1_gemm: cache tile channels 24 must be 0 (one block) or a multiple of the block 16 that divides the 64 output channels}}
// expected-error @unknown {{kernel conv1x1_gemm: register tile pixels 3 do not divide the 64 output pixels}}
// expected-error @unknown {{kernel direct_conv: block 32 needs a constant filter (packed at compile time)}}
// expected-error @unknown {{kernel matmul: needs a Gemm or MatMul}}
// expected-error @unknown {{kernel vector: is for elementwise ops, transposes and Softmax}}
// expected-error @unknown {{kernel view: only Reshape, Flatten, Concat and Pad are views}}
// expected-error @unknown {{kernel loops: Reshape, Flatten, Concat and Pad are views}}
// expected-error @unknown {{kernel winograd_f4: needs a 3x3 convolution with stride 1, dilation 1 and group 1}}
// expected-error @unknown {{kernel winograd_f2: needs a 3x3 convolution with stride 1, dilation 1 and group 1}}
// expected-error @unknown {{kernel winograd_f2: needs a constant filter (transformed at compile time)}}
// expected-error @unknown {{kernel winograd_f2: needs input channels (16) and block (8) that are multiples of the 16 vector lanes}}
// expected-error @unknown {{kernel winograd_f4: register_tile is [tiles, block, 1]: the GEMM's channels are the block's and its reduction steps by 1}}
// expected-error @unknown {{kernel winograd_f4: has no cache tile (cache_tile = [])}}
// expected-error @unknown {{kernel direct_conv: register tile rows and filter rows must be 1 (one output row per micro-kernel), got 2 and 1}}
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @bad(%x: tensor<1x8x8x16xf32>, %wd: tensor<3x3x16x64xf32>, %b: tensor<64xf32>, %xn: tensor<1x16x8x8xf32>,
    %g: tensor<4x64xf32>, %gw: tensor<64x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %w1 = arith.constant dense<1.0> : tensor<1x1x16x64xf32>
  %wn = arith.constant dense<1.0> : tensor<64x16x3x3xf32>
  %0 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv0")
  %1 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv1")
  %2 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv2")
  %3 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv3")
  %4 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv4")
  %5 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv5")
  %6 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv6")
  %7 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv7")
  %8 = kiln.fused_conv %xn, %wn, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x8x8xf32>, tensor<64x16x3x3xf32>, tensor<64xf32>) -> tensor<1x64x8x8xf32> loc("nchw")
  %9 = kiln.fused_conv %x, %wd, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("dyn")
  %10 = kiln.relu %0 : tensor<1x8x8x64xf32> loc("relu")
  %11 = kiln.gemm %g, %gw : (tensor<4x64xf32>, tensor<64x2xf32>) -> tensor<4x2xf32> loc("gemm")
  %12 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, layout = "NHWC"} : tensor<1x8x8x64xf32> -> tensor<1x4x4x64xf32> loc("pool")
  %13 = kiln.flatten %0 {axis = 1 : i64} : tensor<1x8x8x64xf32> -> tensor<1x4096xf32> loc("flat")
  %wg = arith.constant dense<1.0> : tensor<3x3x8x64xf32>
  %wg1 = arith.constant dense<1.0> : tensor<1x1x8x64xf32>
  %14 = kiln.fused_conv %x, %wg, %b {layout = "NHWC", group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x8x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("gblock")
  %16 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("wide")
  %17 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("gpix")
  %18 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("gcache")
  %19 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("gcache2")
  %gs = kiln.fused_conv %x, %w1, %b {layout = "NHWC", strides = array<i64: 2, 2>} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x4x4x64xf32> loc("gstride")
  %gc3 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("gcache3")
  %15 = kiln.fused_conv %x, %wg1, %b {layout = "NHWC", group = 2 : i64} : (tensor<1x8x8x16xf32>, tensor<1x1x8x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("ggemm")
  %20 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x4x4x64xf32> loc("wstride")
  %21 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("w1x1")
  %22 = kiln.fused_conv %x, %wd, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("wdyn")
  %23 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("wlanes")
  %24 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("wtile")
  %25 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("wcache")
  %26 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("rows2")
  return
}
}
