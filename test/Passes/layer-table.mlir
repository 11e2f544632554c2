// RUN: kiln-opt %s --kiln-layer-table | FileCheck %s

// Work of the entry function belongs to the layer whose tag most of its ops
// carry; untagged work joins the layer before it; layers are numbered in the
// order they finish, and a layer whose work is split by another (the conv's
// padding fill before the relayout) keeps one row. After each run of work
// of layer K: call @kiln_rt_layer_end(K).

// CHECK-LABEL: module attributes {kiln.layers = [
// CHECK-SAME:    {flops = 0 : i64, kernel = "vector", nodes = ["/conv/Conv"], op = "kiln.transpose"},
// CHECK-SAME:    {flops = 1000 : i64, kernel = "direct_conv", nodes = ["/conv/Conv", "/relu/Relu"], op = "kiln.fused_conv"},
// CHECK-SAME:    {flops = 40 : i64, kernel = "pool", nodes = ["/pool/MaxPool"], op = "kiln.max_pool"}]}
// CHECK:       func.func private @kiln_rt_layer_end(i64)
// CHECK-LABEL: func.func @main_graph
// CHECK:         call @fill
// CHECK-NEXT:    %[[C1:.+]] = arith.constant 1 : i64
// CHECK-NEXT:    call @kiln_rt_layer_end(%[[C1]])
// CHECK-NEXT:    call @transpose
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0 : i64
// CHECK-NEXT:    call @kiln_rt_layer_end(%[[C0]])
// CHECK-NEXT:    call @conv
// CHECK-NEXT:    call @untagged
// CHECK-NEXT:    %[[C1B:.+]] = arith.constant 1 : i64
// CHECK-NEXT:    call @kiln_rt_layer_end(%[[C1B]])
// CHECK-NEXT:    memref.alloca
// CHECK-NEXT:    call @pool
// CHECK-NEXT:    %[[C2:.+]] = arith.constant 2 : i64
// CHECK-NEXT:    call @kiln_rt_layer_end(%[[C2]])
// CHECK-NEXT:    return

#conv = loc(fused<{kiln.layer_flops = 1000 : i64, kiln.layer_kernel = "direct_conv", kiln.layer_op = "kiln.fused_conv"}>["/conv/Conv", "/relu/Relu"])
#tr = loc(fused<{kiln.layer_flops = 0 : i64, kiln.layer_kernel = "vector", kiln.layer_op = "kiln.transpose"}>["/conv/Conv"])
#pool = loc(fused<{kiln.layer_flops = 40 : i64, kiln.layer_kernel = "pool", kiln.layer_op = "kiln.max_pool"}>["/pool/MaxPool"])
module {
  func.func private @fill(%m: memref<8xf32>) {
    %c0 = arith.constant 0.0 : f32 loc(#pool)
    linalg.fill ins(%c0 : f32) outs(%m : memref<8xf32>) loc(#conv)
    return
  }
  // One op writes into the conv's buffer (conv's tag), two are the
  // transpose's: the transpose's layer.
  func.func private @transpose(%m: memref<8xf32>) {
    %c0 = arith.constant 0 : index
    %v = memref.load %m[%c0] : memref<8xf32> loc(#tr)
    %w = arith.addf %v, %v : f32 loc(#tr)
    memref.store %w, %m[%c0] : memref<8xf32> loc(#conv)
    return
  }
  func.func private @conv(%m: memref<8xf32>) {
    %c0 = arith.constant 0 : index
    %v = memref.load %m[%c0] : memref<8xf32> loc(#conv)
    memref.store %v, %m[%c0] : memref<8xf32> loc(#conv)
    return
  }
  func.func private @untagged(%m: memref<8xf32>) {
    return
  }
  func.func private @pool(%m: memref<8xf32>) {
    %c0 = arith.constant 0 : index
    %v = memref.load %m[%c0] : memref<8xf32> loc(#pool)
    memref.store %v, %m[%c0] : memref<8xf32> loc(#pool)
    return
  }
  func.func @main_graph(%m: memref<8xf32>) attributes {kiln.num_inputs = 1 : i64} {
    call @fill(%m) : (memref<8xf32>) -> ()
    call @transpose(%m) : (memref<8xf32>) -> ()
    call @conv(%m) : (memref<8xf32>) -> ()
    call @untagged(%m) : (memref<8xf32>) -> ()
    %env = memref.alloca() : memref<4xindex>
    call @pool(%m) : (memref<8xf32>) -> ()
    return
  }
}
