//===- KilnInterfaces.h - kiln op interfaces --------------------*- C++ -*-===//
//
// Declares the kiln op interfaces; KilnInterfaces.td defines them.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_KILNINTERFACES_H
#define KILN_DIALECTS_KILN_KILNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace kiln::detail {
/// ElementwiseOpInterface's verifier: the result has the broadcast shape
/// and the element type of the operands.
llvm::LogicalResult verifyElementwiseOp(mlir::Operation *op);
} // namespace kiln::detail

#include "dialects/Kiln/KilnInterfaces.h.inc"

#endif // KILN_DIALECTS_KILN_KILNINTERFACES_H
