// RUN: kiln-opt %s --split-input-file --kiln-entry-abi --verify-diagnostics

// expected-error @+1 {{no @main_graph function to export}}
module {
  func.func @not_main(%x: tensor<3xf32>) -> tensor<3xf32> {
    return %x : tensor<3xf32>
  }
}

// -----

// expected-error @+1 {{model inputs and outputs must be ranked tensors, got 'tensor<*xf32>'}}
func.func @main_graph(%x: tensor<*xf32>) -> tensor<*xf32> {
  return %x : tensor<*xf32>
}

// -----

// expected-error @+1 {{model inputs and outputs must be ranked tensors, got 'f32'}}
func.func @main_graph(%x: tensor<3xf32>) -> f32 {
  %c = arith.constant 1.0 : f32
  return %c : f32
}
