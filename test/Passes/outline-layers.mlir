// RUN: kiln-opt %s --split-input-file --kiln-outline-layers | FileCheck %s

// kiln-outline-layers: each top-level loop nest or linalg op of the entry
// function (the one with kiln.num_inputs) moves into a private
// kiln_layer_K function, called in its place with a no_inline call. Views
// and constants are recomputed inside; the entry function's arguments are
// passed (the arena, the input and output buffers). Views, constants and
// calls stay in the entry function; functions in program order.

// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: (%[[X:.+]]: memref<4x16xf32>, %[[Y:.+]]: memref<4x16xf32>, %[[ARENA:.+]]: memref<256xi8>)
// CHECK-NOT: scf.for
// CHECK-NOT: linalg.fill
// CHECK: call @kiln_layer_0(%[[ARENA]]) {no_inline} : (memref<256xi8>) -> ()
// CHECK: call @kiln_layer_1(%[[X]], %[[ARENA]]) {no_inline} : (memref<4x16xf32>, memref<256xi8>) -> ()
// CHECK: call @other() : () -> ()
// CHECK: call @kiln_layer_2(%[[Y]], %[[ARENA]]) {no_inline} : (memref<4x16xf32>, memref<256xi8>) -> ()
// CHECK: return

// The fill of the arena buffer: the view is rebuilt from the arena.
// CHECK-LABEL: func.func private @kiln_layer_0
// CHECK-SAME: (%[[A0:.+]]: memref<256xi8>)
// CHECK: %[[OFF:.+]] = arith.constant 0 : index
// CHECK: %[[V0:.+]] = memref.view %[[A0]][%[[OFF]]][] : memref<256xi8> to memref<4x16xf32>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[V0]] : memref<4x16xf32>)
// CHECK: return

// The loop nest reading the input into the arena buffer.
// CHECK-LABEL: func.func private @kiln_layer_1
// CHECK-SAME: (%[[X1:.+]]: memref<4x16xf32>, %[[A1:.+]]: memref<256xi8>)
// CHECK: %[[V1:.+]] = memref.view %[[A1]]
// CHECK: scf.for
// CHECK: memref.load %[[X1]]
// CHECK: memref.store %{{.+}}, %[[V1]]

// CHECK-LABEL: func.func private @kiln_layer_2
// CHECK: memref.copy

module {
  func.func private @other()
  func.func @main_graph(%x: memref<4x16xf32>, %y: memref<4x16xf32>, %arena: memref<256xi8>)
      attributes {kiln.num_inputs = 1 : i64} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c16 = arith.constant 16 : index
    %zero = arith.constant 0.0 : f32
    %buf = memref.view %arena[%c0][] : memref<256xi8> to memref<4x16xf32>
    linalg.fill ins(%zero : f32) outs(%buf : memref<4x16xf32>)
    scf.for %i = %c0 to %c4 step %c1 {
      scf.for %j = %c0 to %c16 step %c1 {
        %v = memref.load %x[%i, %j] : memref<4x16xf32>
        memref.store %v, %buf[%i, %j] : memref<4x16xf32>
      }
    }
    func.call @other() : () -> ()
    memref.copy %buf, %y : memref<4x16xf32> to memref<4x16xf32>
    return
  }
}

// -----

// Functions without kiln.num_inputs (a parallel body, a helper) are left
// alone.
// CHECK-LABEL: func.func @helper
// CHECK: scf.for
// CHECK-NOT: kiln_layer
func.func @helper(%m: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %f, %m[%i] : memref<8xf32>
  }
  return
}
