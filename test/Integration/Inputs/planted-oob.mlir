// A kernel with a planted bug for runtime-checks.test: @store writes four
// lanes at index %i of an 8-element buffer, so %i = 6 writes two floats past
// its end. Compiled with kiln.options<runtime_checks = true>, the call with
// %i = 4 passes and the one with %i = 6 stops before the write.
module attributes {kiln.options = #kiln.options<vectorize = true, parallel = false, runtime_checks = true>} {
  func.func private @store(%m: memref<8xf32>, %i: index) {
    %v = arith.constant dense<1.0> : vector<4xf32>
    vector.transfer_write %v, %m[%i] {in_bounds = [true]} : vector<4xf32>, memref<8xf32> loc(#node)
    return
  }
  func.func @main() {
    %m = memref.alloc() : memref<8xf32>
    %c4 = arith.constant 4 : index
    %c6 = arith.constant 6 : index
    func.call @store(%m, %c4) : (memref<8xf32>, index) -> ()
    func.call @store(%m, %c6) : (memref<8xf32>, index) -> ()
    memref.dealloc %m : memref<8xf32>
    return
  }
}
#node = loc("/layer1/conv2/Conv")
