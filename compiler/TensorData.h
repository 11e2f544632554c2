//===- TensorData.h - read ONNX TensorProto payloads ------------*- C++ -*-===//
//
// Decodes the payload of an ONNX TensorProto, whichever way it is stored:
// raw_data, typed repeated fields (float_data, int64_data, ...), or an
// external-data file next to the model. External data is read only from
// inside the model's folder: absolute paths, `..` escapes, symlinks leading
// outside, and offsets or lengths past the end of the file are errors.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TENSORDATA_H
#define KILN_COMPILER_TENSORDATA_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace kiln {

/// A decoded tensor: its MLIR type and little-endian, densely packed bytes.
struct TensorData {
  mlir::RankedTensorType type;
  std::vector<char> bytes;

  /// Values of an integer tensor (i32 or i64) as int64_t.
  std::vector<int64_t> asInt64() const;
};

/// Maps an ONNX TensorProto.DataType to an MLIR element type, or null when
/// kiln does not support it.
mlir::Type elementTypeFromOnnx(mlir::MLIRContext *ctx, int32_t onnxType);

/// Human-readable name of an ONNX data type ("FLOAT16", ...).
llvm::StringRef onnxTypeName(int32_t onnxType);

/// Reads `tensor`'s payload. `modelDir` is the folder external data must
/// stay inside (empty: external data is refused).
llvm::Expected<TensorData> readTensor(mlir::MLIRContext *ctx,
                                      const onnx::TensorProto &tensor,
                                      llvm::StringRef modelDir);

/// Validates the external-data reference of `tensor` (location inside
/// `modelDir`, range inside the file, size matching the shape) without
/// reading it. Succeeds for tensors stored inline.
llvm::Error checkExternalData(mlir::MLIRContext *ctx,
                              const onnx::TensorProto &tensor,
                              llvm::StringRef modelDir);

} // namespace kiln

#endif // KILN_COMPILER_TENSORDATA_H
