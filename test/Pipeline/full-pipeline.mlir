// The whole pipeline, and the graph and lowering halves chained, end in the
// LLVM dialect with kiln's entry ABI; nothing of the higher dialects is left.
// RUN: kiln-opt %s --kiln-pipeline | FileCheck %s
// RUN: kiln-opt %s --kiln-graph-pipeline | kiln-opt --kiln-lower-pipeline | FileCheck %s
// Single-threaded, unvectorized: no calls into the runtime's thread pool.
// RUN: kiln-opt %s --kiln-pipeline='parallel=false vectorize=false' | FileCheck %s --check-prefixes=CHECK,SERIAL
// RUN: kiln-opt %s --kiln-pipeline='parallel=true' | FileCheck %s --check-prefixes=CHECK,PARALLEL
// RUN: kiln-opt %s --kiln-pipeline='target=aarch64-linux-gnu' | FileCheck %s

// The last argument is the activation arena (the runtime's scratch).
// CHECK: llvm.func @main_graph(%{{.+}}: !llvm.ptr {kiln.name = "X"}, %{{.+}}: !llvm.ptr {kiln.name = "Y"}, %{{.+}}: !llvm.ptr {kiln.arena})
// CHECK-SAME: kiln.arena_bytes = {{[1-9][0-9]*}} : i64
// CHECK-SAME: kiln.num_inputs = 1 : i64
// CHECK-NOT: func.func
// CHECK-NOT: kiln.{{[a-z_]+}} %
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// CHECK-NOT: bufferization.
// PARALLEL: llvm.call @kiln_rt_parallel_for
// SERIAL-NOT: kiln_rt_parallel_for
func.func @main_graph(%x: tensor<1x2x6x6xf32> {kiln.name = "X"}) -> (tensor<1x3xf32> {kiln.name = "Y"}) {
  %w = arith.constant dense<[[[[2.0]], [[1.0]]], [[[3.0]], [[0.0]]], [[[1.0]], [[1.0]]]]> : tensor<3x2x1x1xf32>
  %s = arith.constant dense<[1.0, 2.0, 1.0]> : tensor<3xf32>
  %beta = arith.constant dense<[0.5, 0.0, 1.0]> : tensor<3xf32>
  %m = arith.constant dense<[1.0, 0.0, 0.0]> : tensor<3xf32>
  %v = arith.constant dense<[3.0, 0.0, 0.0]> : tensor<3xf32>
  %0 = kiln.conv %x, %w : (tensor<1x2x6x6xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x6x6xf32>
  %1 = kiln.batch_norm %0, %s, %beta, %m, %v {epsilon = 1.0 : f32} : (tensor<1x3x6x6xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x6x6xf32>
  %2 = kiln.relu %1 : tensor<1x3x6x6xf32>
  %3 = kiln.max_pool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x6x6xf32> -> tensor<1x3x3x3xf32>
  %4 = kiln.global_avg_pool %3 : tensor<1x3x3x3xf32> -> tensor<1x3x1x1xf32>
  %5 = kiln.flatten %4 : tensor<1x3x1x1xf32> -> tensor<1x3xf32>
  return %5 : tensor<1x3xf32>
}
