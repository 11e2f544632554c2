// RUN: not kiln-opt %s --kiln-pipeline='target=sparc-sun-solaris' 2>&1 | FileCheck %s

// An unsupported target in the pipeline options fails the run.
// CHECK: error: unsupported target 'sparc-sun-solaris' (kiln supports x86_64-linux-gnu and aarch64-linux-gnu)
func.func @main_graph(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = kiln.relu %x : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
