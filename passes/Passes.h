//===- Passes.h - kiln passes -----------------------------------*- C++ -*-===//
//
// Declarations of every kiln pass (generated from Passes.td) and the
// pattern sets they are built from.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "dialects/Kiln/KilnDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Patterns evaluating kiln ops on constants at compile time.
void populateKilnConstantFoldPatterns(mlir::RewritePatternSet &patterns);

/// Patterns lowering kiln ops to linalg/tensor/arith.
void populateKilnToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// A memref with static sizes, identity layout and the default memory
/// space: what outlined functions (layers, parallel bodies) take as a plain
/// pointer (the bare-pointer calling convention). OutlineParallel.cpp.
bool isPlainStaticMemRef(mlir::Type type);

} // namespace kiln

#endif // KILN_PASSES_PASSES_H
