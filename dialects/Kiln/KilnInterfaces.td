//===- KilnInterfaces.td - kiln op interfaces --------------*- tablegen -*-===//
//
// Interfaces that let passes treat a family of kiln ops uniformly, so that
// a new op of the family needs only its ODS definition.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_INTERFACES_TD
#define KILN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Kiln_ElementwiseOpInterface : OpInterface<"ElementwiseOpInterface"> {
  let cppNamespace = "::kiln";
  let description = [{
    An op computing each result element from the operand elements at the
    same index, with NumPy/ONNX broadcasting of the operands: one rule moves
    transposes through all of them (`kiln-layout`), and one pattern lowers
    all of them to a `linalg.generic` whose body is `buildScalar`
    (`convert-kiln-to-linalg`). Define such an op with
    `Kiln_UnaryElementwiseOp` or `Kiln_BinaryElementwiseOp` (KilnOps.td).

    The verifier checks that the result has the broadcast shape of the
    operands (dialects/Kiln/ShapeInference.h).
  }];
  let methods = [
    StaticInterfaceMethod<[{
        Builds the op on one element of each operand (`args`, scalars in the
        operands' order) and returns the result element.
      }], "::mlir::Value", "buildScalar",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
           "::mlir::ValueRange":$args)>,
  ];
  let verify = [{ return ::kiln::detail::verifyElementwiseOp($_op); }];
}

#endif // KILN_INTERFACES_TD
