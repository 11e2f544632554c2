// RUN: kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-good.json" 2>&1 | FileCheck %s
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-kind.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-key.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-nolayers.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOLAYERS
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/kernel-config-notjson.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTJSON
// RUN: not kiln-opt %s --kiln-select-kernels="config=%S/Inputs/missing.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING

// --kernel-config overrides kiln-select-kernels per layer: by ONNX node name
// (the op's location), by kiln op and shapes; only the named fields change,
// `config = true` marks the choice, and an entry matching nothing warns.
// CHECK: warning: {{.*}}kernel-config-good.json: layers[2] matches no layer of the model
// CHECK-LABEL: func.func @overrides
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 32, register_tile = [1, 1, 4, 32, 1, 1, 1], cache_tile = [], parallel_dims = [3], lanes = 16, config = true>
// CHECK: kiln.fused_conv {{.*}}#kiln.kernel<kind = direct_conv, layout = nhwc, block = 16, register_tile = [1, 1, 2, 16, 1, 1, 1], cache_tile = [], parallel_dims = [], lanes = 16, config = true>
// The relayout transpose around conv0 carries its name but is not matched.
// CHECK: kiln.transpose {{.*}}config = false
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = true>, kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "c", features = "", vector_bits = 512, vector_registers = 32, l1_bytes = 32768, l2_bytes = 1048576>} {
func.func @overrides(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x64xf32>, %w2: tensor<1x1x16x64xf32>, %b: tensor<64xf32>) -> (tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x64x8x8xf32>) {
  %0 = kiln.fused_conv %x, %w2, %b {layout = "NHWC"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("conv0")
  %1 = kiln.fused_conv %x, %w, %b {layout = "NHWC", pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x64xf32>, tensor<64xf32>) -> tensor<1x8x8x64xf32> loc("other")
  %2 = kiln.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : tensor<1x8x8x64xf32> -> tensor<1x64x8x8xf32> loc("conv0")
  return %0, %1, %2 : tensor<1x8x8x64xf32>, tensor<1x8x8x64xf32>, tensor<1x64x8x8xf32>
}
}

// Malformed config files are errors that name the file and the entry.
// KIND: error: {{.*}}kernel-config-kind.json: layers[0].kind "winograd" is not a kernel kind
// KEY: error: {{.*}}kernel-config-key.json: layers[0] has an unknown key "tile"
// NOLAYERS: error: {{.*}}kernel-config-nolayers.json: expected an object with a "layers" array
// NOTJSON: error: {{.*}}kernel-config-notjson.json: not valid JSON
// MISSING: error: {{.*}}missing.json: cannot read the kernel config
