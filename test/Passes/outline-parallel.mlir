// RUN: kiln-opt %s --split-input-file --kiln-outline-parallel | FileCheck %s

// kiln-outline-parallel: the outermost 1-D scf.parallel becomes a call to
// the runtime's kiln_rt_parallel_for(n, body, env); the body is outlined,
// rebuilding the captured memref from its aligned pointer (env slot 0) and
// running iterations [begin, end) of lb + i * step.

// CHECK-LABEL: func.func private @kiln_rt_parallel_for(i64, (memref<64xindex>, i64, i64) -> (), memref<64xindex>)
// CHECK-LABEL: func.func private @kiln_parallel_body_0
// CHECK-SAME: (%[[ENV:.+]]: memref<64xindex>, %[[BEGIN:.+]]: i64, %[[END:.+]]: i64)
// CHECK: %[[SLOT:.+]] = memref.load %[[ENV]][%{{.+}}] : memref<64xindex>
// CHECK: %[[PTR:.+]] = llvm.inttoptr
// CHECK: %[[BUF:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<10xf32>
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step
// CHECK: %[[IV:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK: memref.store %{{.+}}, %[[BUF]][%[[IV]]] : memref<10xf32>
// CHECK-LABEL: func.func @f
// CHECK-SAME: (%[[OUT:.+]]: memref<10xf32>)
// CHECK-NOT: scf.parallel
// CHECK: %[[E:.+]] = memref.alloca() : memref<64xindex>
// CHECK: %[[P:.+]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: memref.store %[[P]], %[[E]]
// CHECK: %[[FN:.+]] = constant @kiln_parallel_body_0
// CHECK: call @kiln_rt_parallel_for(%{{.+}}, %[[FN]], %[[E]])
func.func @f(%out: memref<10xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c10 = arith.constant 10 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c1) to (%c10) step (%c2) {
    memref.store %one, %out[%i] : memref<10xf32>
    scf.reduce
  }
  return
}

// -----

// A captured view (here a strided subview, like the interior of a padded
// buffer) is recomputed in the body from its identity-layout source.
// CHECK-LABEL: func.func private @kiln_parallel_body_0
// CHECK: %[[BUF:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<20xf32>
// CHECK: %[[SUB:.+]] = memref.subview %[[BUF]][0] [10] [2]
// CHECK: scf.for
// CHECK: memref.store %{{.+}}, %[[SUB]]
// CHECK-LABEL: func.func @strided_view_capture
// CHECK-NOT: scf.parallel
// CHECK: call @kiln_rt_parallel_for
func.func @strided_view_capture(%buf: memref<20xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %one = arith.constant 1.0 : f32
  %sub = memref.subview %buf[0] [10] [2] : memref<20xf32> to memref<10xf32, strided<[2]>>
  scf.parallel (%i) = (%c0) to (%c10) step (%c1) {
    memref.store %one, %sub[%i] : memref<10xf32, strided<[2]>>
    scf.reduce
  }
  return
}

// -----

// A captured runtime f32 has no env slot: the loop stays serial.
// CHECK-LABEL: func.func @negative_scalar_capture
// CHECK-NOT: kiln_rt_parallel_for
// CHECK: scf.parallel
func.func @negative_scalar_capture(%buf: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %v = memref.load %buf[%c0] : memref<10xf32>
  scf.parallel (%i) = (%c0) to (%c10) step (%c1) {
    memref.store %v, %buf[%i] : memref<10xf32>
    scf.reduce
  }
  return
}
