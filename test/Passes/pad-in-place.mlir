// RUN: kiln-opt %s --kiln-tile-and-vectorize --eliminate-empty-tensors --canonicalize --cse | FileCheck %s

// (No module target: helper ops get the vector kernel for 8 lanes.)
// kiln-tile-and-vectorize turns tensor.pad into a fill of a fresh padded
// buffer (bufferization.alloc_tensor, which CSE never merges) placed before
// the padded value's producer chain; eliminate-empty-tensors then makes the
// producer write straight into the buffer's interior, so no copy remains.
// CHECK-LABEL: func.func @pad
// CHECK: %[[BUF:.+]] = bufferization.alloc_tensor() : tensor<1x6x6x32xf32>
// CHECK: %[[FILL:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[BUF]] : tensor<1x6x6x32xf32>)
// CHECK: %[[IN:.+]] = tensor.extract_slice %[[FILL]][0, 1, 1, 0] [1, 4, 4, 32] [1, 1, 1, 1]
// CHECK: %[[R:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[IN]])
// CHECK: arith.maximumf {{.*}} : vector<32xf32>
// CHECK: %[[OUT:.+]] = tensor.insert_slice %[[R]] into %[[FILL]][0, 1, 1, 0] [1, 4, 4, 32] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: return %[[OUT]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @pad(%x: tensor<1x4x4x32xf32>) -> tensor<1x6x6x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x32xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x32xf32>) outs(%e : tensor<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.maximumf %in, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<1x4x4x32xf32>
  %p = tensor.pad %0 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x32xf32> to tensor<1x6x6x32xf32>
  return %p : tensor<1x6x6x32xf32>
}
