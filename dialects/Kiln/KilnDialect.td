//===- KilnDialect.td - kiln graph dialect definition ------*- tablegen -*-===//
//
// The kiln dialect models a neural-network graph at the level of ONNX ops,
// on statically shaped tensors, before lowering to linalg. Ops carry their
// ONNX node name as location so diagnostics point into the model.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Graph-level dialect of the kiln ONNX compiler";
  let description = [{
    Ops mirror the ONNX operators kiln supports, with static shapes and
    attributes normalised by the importer (auto_pad resolved to explicit
    pads, Reshape targets resolved to a static result type). Graph passes
    fold BatchNormalization into convolutions, fuse conv + bias + residual +
    ReLU into `kiln.fused_conv`, and move convolution chains to NHWC.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::tensor::TensorDialect"];
  let hasConstantMaterializer = 0;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

#endif // KILN_DIALECT_TD
