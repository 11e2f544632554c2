// RUN: kiln-opt %s --split-input-file --kiln-memory-plan --canonicalize | FileCheck %s

// kiln-memory-plan: buffers are placed largest first. %b (128 B) takes
// offset 0; %a (64 B) overlaps it and goes to 128; %c is born after %a died,
// so it reuses offset 128. The arena is 192 bytes instead of 256; it is a new
// last argument (the runtime's per-instance scratch) and all deallocs go.
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME: %[[ARENA:[^:]+]]: memref<192xi8> {kiln.arena}
// CHECK-SAME: kiln.arena_bytes = 192 : i64
// CHECK-SAME: kiln.unplanned_bytes = 256 : i64
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK: %[[A:.+]] = memref.view %[[ARENA]][%[[C128]]][] : memref<192xi8> to memref<16xf32>
// CHECK: %[[B:.+]] = memref.view %[[ARENA]][%[[C0]]][] : memref<192xi8> to memref<32xf32>
// CHECK: %[[C:.+]] = memref.view %[[ARENA]][%[[C128]]][] : memref<192xi8> to memref<16xf32>
// CHECK-NOT: memref.alloc(
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @main_graph(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.num_inputs = 1 : i64} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<32xf32>
  %sub = memref.subview %b[0] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1]>>
  memref.copy %a, %sub : memref<16xf32> to memref<16xf32, strided<[1]>>
  memref.dealloc %a : memref<16xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %sub, %c : memref<16xf32, strided<[1]>> to memref<16xf32>
  memref.dealloc %b : memref<32xf32>
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %c : memref<16xf32>
  return
}

// -----

// A buffer that escapes (returned) is not planned.
// CHECK-LABEL: func.func @main_graph
// CHECK-NOT: kiln.arena_bytes
// CHECK: %[[A:.+]] = memref.alloc() : memref<4xf32>
// CHECK: return %[[A]]
func.func @main_graph(%in: memref<4xf32>) -> memref<4xf32> attributes {kiln.num_inputs = 1 : i64} {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %in, %a : memref<4xf32> to memref<4xf32>
  return %a : memref<4xf32>
}

// -----

// Only the model entry function (with kiln.num_inputs) is planned.
// CHECK-LABEL: func.func @helper
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: memref.dealloc
func.func @helper(%in: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %in, %a : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}
