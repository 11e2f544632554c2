// RUN: kiln-opt %s --split-input-file --kiln-tile-and-vectorize="vector-bits=256 register-rows=4" --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-tile-and-vectorize="vector-bits=256 register-rows=4 parallelize=false" --canonicalize --cse | FileCheck %s --check-prefix=SERIAL

// kiln-tile-and-vectorize with an AVX2-like target (8 f32 lanes): register
// tiles of 4 output pixels x 16 channels, reduction step 1, FMAs on
// vector<16xf32>, accumulators carried through the reduction loops.

// F = 32 is two channel blocks of 16: they are the scf.forall iterations.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.conv
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c4
// CHECK: %[[ACC:.+]] = vector.transfer_read {{.*}} vector<4x16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.+}} = %[[ACC]]) -> (vector<4x16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<4x16xf32>
// SERIAL-LABEL: func.func @conv
// SERIAL-NOT: scf.forall
// SERIAL: vector.fma
func.func @conv(%x: tensor<1x6x10x3xf32>, %w: tensor<3x3x3x32xf32>, %init: tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x6x10x3xf32>, tensor<3x3x3x32xf32>) outs(%init : tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32>
  return %0 : tensor<1x4x8x32xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (vector<4x16xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Elementwise ops are tiled to vectors along the innermost dimension, never
// vectorized whole.
// CHECK-LABEL: func.func @relu
// CHECK-NOT: vector<2x4x64xf32>
// CHECK: arith.maximumf {{.*}} : vector<32xf32>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @relu(%x: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%x : tensor<2x4x64xf32>) {
  ^bb0(%out: f32):
    %1 = arith.maximumf %out, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<2x4x64xf32>
  return %0 : tensor<2x4x64xf32>
}
