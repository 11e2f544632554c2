// RUN: kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-good.json" 2>&1 | FileCheck %s
// RUN: kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-good.json" --kiln-pack-filters 2>/dev/null | FileCheck %s --check-prefix=PACK
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-kind.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-key.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-nolayers.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOLAYERS
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-notjson.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTJSON
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-noobject.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOOBJECT
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-nomatch.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-tiles.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TILES
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-layout.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=LAYOUT
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-block.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/missing.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING

// --kernel-config overrides kiln-select-kernels per layer: an entry matches
// by ONNX node name (the op's location), by op name and shapes; the first
// matching entry wins, only the fields it names change, `config = true`
// marks the choice, and an entry that matches nothing is a warning.
// CHECK: warning: {{.*}}kernel-config-good.json: layers[7] matches no layer of the model
// CHECK-LABEL: func.func @overrides
// By node name: the heuristic's block 32 stays, the kind (a 1x1 conv is a
// GEMM with 32 registers), register tile, cache tile and parallel dims change.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 4, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = true>
// By op, output and filter shape.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 2, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>
// Another kind: a 1x1 conv as a GEMM per block (an expansion, 16 -> 64:
// the heuristic's cache tile is a row of 8 pixels x all 64 channels).
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 32, register_tile = [8, 32, 1], cache_tile = [8, 64, 0], parallel_dims = [1], lanes = 16, config = true>
// By node name, before the shape entry that also matches it.
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 8, 32, 1, 1, 1], cache_tile = [0, 0, 0, 0, 0, 0, 4], parallel_dims = [3], lanes = 16, config = true>
// By output shape alone: the 5x5 conv (the earlier entries caught the others).
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 0, register_tile = [1, 1, 8, 16, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = true>
// CHECK: kiln.gemm {{.*}}#kiln.kernel<kind = matmul, layout = any, block = 0, register_tile = [2, 2, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>
// CHECK: kiln.relu {{.*}}#kiln.kernel<kind = loops, layout = any, block = 0, register_tile = [], cache_tile = [], parallel_dims = [], lanes = 16, config = true>
// The relayout transpose kiln-layout puts after conv0 carries its name but
// is matched only by an entry with "op".
// CHECK: kiln.transpose {{.*}}config = false>
// kiln-pack-filters packs by the overridden block: 64 / 16 = 4 blocks of 16
// for "other", none for "late" (block 0).
// PACK-LABEL: func.func @overrides
// PACK: kiln.fused_conv {{.*}}tensor<2x1x1x16x32xf32>
// PACK: kiln.fused_conv {{.*}}tensor<4x3x3x16x16xf32>
// PACK: kiln.fused_conv {{.*}}tensor<2x1x1x16x32xf32>
// PACK: kiln.fused_conv {{.*}}tensor<2x3x3x16x32xf32>
// PACK: kiln.fused_conv {{.*}}tensor<5x5x16x64xf32>
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver4", features = "+avx512f", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @overrides(%x: tensor<1x8x8x16xf32>, %b: tensor<64xf32>, %g: tensor<4x64xf32>, %gw: tensor<64x2xf32>)
    -> (tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<4x2xf32>, tensor<1x8x8x64xf32>, tensor<1x64x8x8xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x3x16x64xf32>
  %w1 = arith.constant dense<1.0> : tensor<1x1x16x64xf32>
  %w5 = arith.constant dense<1.0> : tensor<5x5x16x64xf32>
  %0 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv0")
  %1 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("other")
  %2 = kiln.fused_conv %x, %w1, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv_gemm")
  %3 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("convc")
  %4 = kiln.fused_conv %x, %w5, %b {layout = "NHWC", pads = array<i64: 2, 2, 2, 2>} : (tensor<1x8x8x16xf32>, tensor<5x5x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("late")
  %5 = kiln.gemm %g, %gw : (tensor<4x64xf32>, tensor<64x2xf32>) -> tensor<4x2xf32> loc("fc")
  %6 = kiln.relu %0 : tensor<1x8x8x64xf32> loc("relu")
  %7 = kiln.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : tensor<1x8x8x64xf32> -> tensor<1x64x8x8xf32> loc("conv0")
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<4x2xf32>, tensor<1x8x8x64xf32>, tensor<1x64x8x8xf32>
}
}

// Malformed config files are errors that name the file and the entry.
// KIND: error: {{.*}}kernel-config-kind.json: layers[0].kind "winograd" is not a kernel kind
// KEY: error: {{.*}}kernel-config-key.json: layers[0] has an unknown key "tile"
// NOLAYERS: error: {{.*}}kernel-config-nolayers.json: expected an object with a "layers" array
// NOTJSON: error: {{.*}}kernel-config-notjson.json: not valid JSON
// NOOBJECT: error: {{.*}}kernel-config-noobject.json: layers[1] is not an object
// NOMATCH: error: {{.*}}kernel-config-nomatch.json: layers[0] needs "node" or "output_shape" to match a layer
// TILES: error: {{.*}}kernel-config-tiles.json: layers[0].register_tile is not an array of integers
// LAYOUT: error: {{.*}}kernel-config-layout.json: layers[0].layout "nchwc" is not a layout
// BLOCK: error: {{.*}}kernel-config-block.json: layers[0].block is not a non-negative integer
// MISSING: error: {{.*}}missing.json: cannot read the kernel config
