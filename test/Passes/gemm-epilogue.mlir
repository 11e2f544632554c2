// RUN: kiln-opt %s --convert-kiln-to-linalg --kiln-tile-and-vectorize --canonicalize --cse | FileCheck %s

// conv1x1_gemm's epilogue in registers: per register tile of R = 3 pixels
// (one output row) x 16 channels, the bias broadcast is the K loop's vector accumulator, the
// residual add and ReLU apply to the loop's vector result, and the tile is
// written once. Nothing is stored inside the K loop, and nothing reads the
// output back.
// CHECK-LABEL: func.func @gemm_epilogue
// CHECK: scf.for %[[P:.+]] = %{{.+}} to %{{.+}} step %c1 iter_args(%[[OUT:.+]] = %{{.+}}) -> (tensor<1x3x3x16xf32>)
// CHECK: %[[B:.+]] = vector.transfer_read %{{.+}} : tensor<16xf32>, vector<16xf32>
// CHECK: %[[ACC0:.+]] = vector.broadcast %[[B]] : vector<16xf32> to vector<3x16xf32>
// CHECK: %[[K:.+]] = scf.for %{{.+}} iter_args(%{{.+}} = %[[ACC0]]) -> (vector<3x16xf32>)
// CHECK-COUNT-3: vector.fma
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield %{{.+}} : vector<3x16xf32>
// CHECK: %[[RES:.+]] = vector.transfer_read %{{[a-z_0-9]+}}[%{{[a-z_0-9]+}}, %[[P]], %{{[a-z_0-9]+}}, %{{[a-z_0-9]+}}], {{.*}} : tensor<1x3x3x16xf32>, vector<3x16xf32>
// CHECK: %[[SUM:.+]] = arith.addf %[[K]], %[[RES]] : vector<3x16xf32>
// CHECK: %[[RELU:.+]] = arith.maxnumf %[[SUM]], %{{.+}} : vector<3x16xf32>
// CHECK: %[[W:.+]] = vector.transfer_write %[[RELU]], %[[OUT]][%{{[a-z_0-9]+}}, %[[P]], %{{[a-z_0-9]+}}, %{{[a-z_0-9]+}}] {{.*}} : vector<3x16xf32>, tensor<1x3x3x16xf32>
// CHECK-NEXT: scf.yield %[[W]] : tensor<1x3x3x16xf32>
// CHECK-NOT: vector.transfer_read %[[OUT]]
func.func @gemm_epilogue(%x: tensor<1x3x3x8xf32>, %w: tensor<1x1x1x8x16xf32>, %b: tensor<16xf32>, %r: tensor<1x3x3x16xf32>) -> tensor<1x3x3x16xf32> {
  %0 = kiln.fused_conv %x, %w, %b, %r {layout = "NHWC", relu,
      kiln.kernel = #kiln.kernel<kind = conv1x1_gemm, layout = nhwc, block = 16, register_tile = [3, 16, 1], cache_tile = [], parallel_dims = [], lanes = 8, config = false>}
      : (tensor<1x3x3x8xf32>, tensor<1x1x1x8x16xf32>, tensor<16xf32>, tensor<1x3x3x16xf32>) -> tensor<1x3x3x16xf32>
  return %0 : tensor<1x3x3x16xf32>
}
