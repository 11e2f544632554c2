//===- Constants.h - compile-time tensor constants --------------*- C++ -*-===//
//
// Reading and creating the constant tensors (weights) that graph passes
// transform at compile time. Large constants are stored as dense_resource
// blobs so IR dumps can elide them; small ones as readable dense attributes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_CONSTANTS_H
#define KILN_DIALECTS_KILN_CONSTANTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace kiln {

/// Constants with more elements than this become dense_resource blobs.
constexpr int64_t kInlineConstantLimit = 16;

/// Creates `arith.constant` holding `bytes` (little-endian, row-major) of
/// `type`. `nameHint` names the resource blob.
mlir::Value createConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::RankedTensorType type,
                           llvm::ArrayRef<char> bytes, llvm::StringRef nameHint);

/// Same for f32 data.
mlir::Value createF32Constant(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<float> data,
                              llvm::StringRef nameHint);

/// The f32 values of `value` if it is an `arith.constant` of f32 tensor
/// type (dense, splat or dense_resource); std::nullopt otherwise.
std::optional<std::vector<float>> getConstantF32(mlir::Value value);

/// Name hint of a constant: its resource key or "cst".
std::string constantNameHint(mlir::Value value);

/// Permutes row-major `data` of `shape`: result dim i is input dim perm[i].
std::vector<float> transposeData(llvm::ArrayRef<float> data,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> perm);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_CONSTANTS_H
