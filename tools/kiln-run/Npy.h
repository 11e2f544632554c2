//===- Npy.h - Minimal NumPy .npy reader and writer -------------*- C++ -*-===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// Reads and writes the NumPy .npy format (versions 1.0, 2.0 and 3.0) for
// little-endian, C-ordered arrays of the plain numeric dtypes that kiln models
// accept. Element types are identified by their ONNX TensorProto.DataType
// value, i.e. the values of kiln_elem_type. The parser never trusts the file:
// malformed headers, unsupported dtypes, Fortran order, big-endian data and
// truncated or oversized payloads are all reported as errors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_RUN_NPY_H
#define KILN_TOOLS_KILN_RUN_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::npy {

/// A dense, C-ordered, little-endian array held in memory.
struct Array {
  /// ONNX TensorProto.DataType of the elements (e.g. 1 = float32).
  int32_t elemType = 0;
  /// Dimensions; empty for a scalar.
  std::vector<int64_t> shape;
  /// numElements() * elemSize(elemType) bytes of element data.
  std::vector<uint8_t> data;

  /// Returns the product of the dimensions (1 for a scalar).
  size_t numElements() const;
};

/// Returns the .npy dtype string (e.g. "<f4") for an ONNX element type, or
/// nullptr if the type has no .npy representation supported here.
const char *descrForElemType(int32_t elemType);

/// Returns the element size in bytes for a supported type, else 0.
size_t elemSize(int32_t elemType);

/// Parses the complete image of a .npy file held in [bytes, bytes + size).
/// On success fills `out` and returns true; otherwise sets `error` to a
/// description and returns false.
bool parse(const uint8_t *bytes, size_t size, Array &out, std::string &error);

/// Reads and parses the .npy file at `path`; see parse(). Errors mention the
/// path.
bool readFile(const std::string &path, Array &out, std::string &error);

/// Serialises `array` into the bytes of a .npy file (version 1.0, or 2.0 if
/// the header needs it). Fails if the element type is unsupported, a
/// dimension is negative or the data size does not match the shape.
bool serialize(const Array &array, std::vector<uint8_t> &out,
               std::string &error);

/// Serialises `array` and writes it to `path`; see serialize().
bool writeFile(const std::string &path, const Array &array,
               std::string &error);

} // namespace kiln::npy

#endif // KILN_TOOLS_KILN_RUN_NPY_H
