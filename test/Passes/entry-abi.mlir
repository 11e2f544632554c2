// RUN: kiln-opt %s --split-input-file --kiln-entry-abi | FileCheck %s
// The pass is idempotent: a converted function is left alone.
// RUN: kiln-opt %s --split-input-file --kiln-entry-abi --kiln-entry-abi | FileCheck %s

// kiln-entry-abi: @main_graph(tensors) -> tensors becomes
// @main_graph(input memrefs..., output memrefs...) -> () with to_tensor on
// the way in and materialize_in_destination on the way out.

// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: (%[[A:[^:]+]]: memref<1x4xf32> {kiln.name = "A"}, %[[B:[^:]+]]: memref<2x4xf32> {kiln.name = "B"}, %[[Y:[^:]+]]: memref<2x4xf32> {kiln.name = "Y"}, %[[Z:[^:]+]]: memref<2x4xf32> {kiln.name = "Z"})
// CHECK-SAME: attributes {kiln.num_inputs = 2 : i64}
// CHECK-NOT: ->
// CHECK: %[[TA:.+]] = bufferization.to_tensor %[[A]] restrict : memref<1x4xf32> to tensor<1x4xf32>
// CHECK: %[[TB:.+]] = bufferization.to_tensor %[[B]] restrict : memref<2x4xf32> to tensor<2x4xf32>
// CHECK: %[[S:.+]] = kiln.add %[[TA]], %[[TB]]
// CHECK: %[[R:.+]] = kiln.relu %[[S]]
// CHECK: bufferization.materialize_in_destination %[[S]] in restrict writable %[[Y]] : (tensor<2x4xf32>, memref<2x4xf32>) -> ()
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[Z]] : (tensor<2x4xf32>, memref<2x4xf32>) -> ()
// CHECK: return{{$}}
func.func @main_graph(%a: tensor<1x4xf32> {kiln.name = "A"}, %b: tensor<2x4xf32> {kiln.name = "B"})
    -> (tensor<2x4xf32> {kiln.name = "Y"}, tensor<2x4xf32> {kiln.name = "Z"}) {
  %0 = kiln.add %a, %b : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.relu %0 : tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Other functions keep their signature; an input returned as is is copied.
// CHECK-LABEL: func.func @helper
// CHECK-SAME: (%{{.+}}: tensor<3xf32>) -> tensor<3xf32>
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: (%[[X:[^:]+]]: memref<3xf32>, %[[OUT:[^:]+]]: memref<3xf32>)
// CHECK-SAME: attributes {kiln.num_inputs = 1 : i64}
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[X]] restrict
// CHECK: bufferization.materialize_in_destination %[[T]] in restrict writable %[[OUT]]
func.func @helper(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}
func.func @main_graph(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// -----

// Already converted: unchanged.
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: (%[[X:[^:]+]]: memref<3xf32>, %[[OUT:[^:]+]]: memref<3xf32>) attributes {kiln.num_inputs = 1 : i64}
// CHECK-NEXT: %[[T:.+]] = bufferization.to_tensor %[[X]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[T]] in restrict writable %[[OUT]]
// CHECK-NEXT: return
func.func @main_graph(%x: memref<3xf32>, %out: memref<3xf32>) attributes {kiln.num_inputs = 1 : i64} {
  %t = bufferization.to_tensor %x restrict : memref<3xf32> to tensor<3xf32>
  bufferization.materialize_in_destination %t in restrict writable %out : (tensor<3xf32>, memref<3xf32>) -> ()
  return
}
