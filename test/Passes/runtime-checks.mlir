// RUN: kiln-opt %s --split-input-file --kiln-runtime-checks | FileCheck %s

// Every in-bounds vector access on a memref is checked against the memref's
// dims; a failing check calls the runtime with a message naming the node.
// CHECK-LABEL: module attributes
// CHECK-DAG:   llvm.mlir.global internal constant @kiln_check_message_{{[0-9]+}}("kiln: runtime check failed: out-of-bounds vector access of 4-lane vectors (vector.transfer_read) at node '/conv1/Conv'\00")
// CHECK-DAG:   llvm.mlir.global internal constant @kiln_check_message_{{[0-9]+}}("kiln: runtime check failed: out-of-bounds vector access of 8-lane vectors (vector.store) at node '/add/Add'\00")
// CHECK-DAG:   func.func private @kiln_rt_check_failed(!llvm.ptr)
// CHECK-LABEL: func.func @read
// CHECK-SAME:    (%[[M:.+]]: memref<4x8xf32>, %[[I:.+]]: index, %[[J:.+]]: index)
// Row index: one element (i + 1 <= dim 0); column: four lanes (j + 4 <= dim 1).
// CHECK:         %[[D0:.+]] = memref.dim %[[M]], %{{.+}} : memref<4x8xf32>
// CHECK:         %[[END_I:.+]] = arith.addi %[[I]], %c1
// CHECK:         arith.cmpi sge, %[[I]], %c0
// CHECK:         arith.cmpi sle, %[[END_I]], %[[D0]]
// CHECK:         %[[D1:.+]] = memref.dim %[[M]], %{{.+}} : memref<4x8xf32>
// CHECK:         %[[C4:.+]] = arith.constant 4 : index
// CHECK:         %[[END_J:.+]] = arith.addi %[[J]], %[[C4]]
// CHECK:         arith.cmpi sge, %[[J]], %c0
// CHECK:         arith.cmpi sle, %[[END_J]], %[[D1]]
// CHECK:         arith.andi
// CHECK:         %[[OK:.+]] = arith.andi
// CHECK-NEXT:    %[[T:.+]] = arith.constant true
// CHECK-NEXT:    %[[BAD:.+]] = arith.xori %[[OK]], %[[T]]
// CHECK:         scf.if %[[BAD]] {
// CHECK:           %[[MSG:.+]] = llvm.mlir.addressof @kiln_check_message_
// CHECK:           func.call @kiln_rt_check_failed(%[[MSG]]) : (!llvm.ptr) -> ()
// CHECK:         }
// CHECK:         vector.transfer_read %[[M]][%[[I]], %[[J]]]
// CHECK-NOT:     cf.assert
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false, runtime_checks = true>} {
  func.func @read(%m: memref<4x8xf32>, %i: index, %j: index) -> vector<4xf32> {
    %p = arith.constant 0.0 : f32
    %v = vector.transfer_read %m[%i, %j], %p {in_bounds = [true]} : memref<4x8xf32>, vector<4xf32> loc("/conv1/Conv")
    return %v : vector<4xf32>
  }
  // CHECK-LABEL: func.func @store
  // CHECK:         scf.if
  // CHECK:         vector.store
  func.func @store(%m: memref<2x16xf32>, %i: index, %v: vector<8xf32>) {
    %c0 = arith.constant 0 : index
    vector.store %v, %m[%c0, %i] : memref<2x16xf32>, vector<8xf32> loc("/add/Add")
    return
  }
  // A dim that is not in bounds is masked by the transfer itself, and a
  // masked transfer guards itself: no check.
  // CHECK-LABEL: func.func @unchecked
  // CHECK-NOT:     scf.if
  // CHECK:         vector.transfer_read
  // CHECK-NOT:     scf.if
  // CHECK:         vector.transfer_read
  func.func @unchecked(%m: memref<8xf32>, %i: index, %mask: vector<4xi1>) -> (vector<4xf32>, vector<4xf32>) {
    %p = arith.constant 0.0 : f32
    %a = vector.transfer_read %m[%i], %p {in_bounds = [false]} : memref<8xf32>, vector<4xf32>
    %b = vector.transfer_read %m[%i], %p, %mask {in_bounds = [true]} : memref<8xf32>, vector<4xf32>
    return %a, %b : vector<4xf32>, vector<4xf32>
  }
  // MLIR's own runtime verification of memref ops (here memref.load).
  // CHECK-LABEL: func.func @load
  // CHECK:         scf.if
  // CHECK:         llvm.mlir.addressof
  // CHECK:         memref.load
  func.func @load(%m: memref<8xf32>, %i: index) -> f32 {
    %x = memref.load %m[%i] : memref<8xf32> loc("/relu/Relu")
    return %x : f32
  }
}

// -----

// Without runtime_checks in kiln.options (the default) the pass does nothing.
// CHECK-LABEL: func.func @plain
// CHECK-NOT:     scf.if
// CHECK-NOT:     kiln_rt_check_failed
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false>} {
  func.func @plain(%m: memref<8xf32>, %i: index) -> vector<4xf32> {
    %p = arith.constant 0.0 : f32
    %v = vector.transfer_read %m[%i], %p {in_bounds = [true]} : memref<8xf32>, vector<4xf32>
    return %v : vector<4xf32>
  }
}
