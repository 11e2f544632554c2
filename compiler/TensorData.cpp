//===- TensorData.cpp - read ONNX TensorProto payloads --------------------===//
//
// See TensorData.h. Every size read from the file is checked before use, so
// a hostile tensor cannot make kiln read or allocate out of bounds.
//
//===----------------------------------------------------------------------===//
#include "compiler/TensorData.h"

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using llvm::Expected;
using llvm::StringRef;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

Type kiln::elementTypeFromOnnx(MLIRContext *ctx, int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(ctx);
  case onnx::TensorProto::DOUBLE:
    return Float64Type::get(ctx);
  case onnx::TensorProto::INT64:
    return IntegerType::get(ctx, 64);
  case onnx::TensorProto::INT32:
    return IntegerType::get(ctx, 32);
  default:
    return {};
  }
}

StringRef kiln::onnxTypeName(int32_t t) {
  if (onnx::TensorProto_DataType_IsValid(t))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(t));
  return "UNKNOWN";
}

std::vector<int64_t> kiln::TensorData::asInt64() const {
  std::vector<int64_t> values;
  unsigned width = type.getElementTypeBitWidth();
  size_t n = bytes.size() / (width / 8);
  values.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (width == 64) {
      std::memcpy(&values[i], bytes.data() + 8 * i, 8);
    } else {
      int32_t v;
      std::memcpy(&v, bytes.data() + 4 * i, 4);
      values[i] = v;
    }
  }
  return values;
}

namespace {
/// Where an external tensor's bytes are: an already validated file range.
struct ExternalRange {
  std::string path;
  uint64_t offset = 0, length = 0;
};
} // namespace

/// Resolves the external-data reference of `t`, refusing any location that
/// leaves `modelDir` and any range past the end of the file.
static Expected<ExternalRange> resolveExternal(const onnx::TensorProto &t,
                                               StringRef modelDir,
                                               size_t expectedBytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      long long v;
      if (StringRef(kv.value()).getAsInteger(10, v) || v < 0)
        return makeError("external data " + kv.key() + " '" + kv.value() +
                         "' is not a non-negative integer");
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty())
    return makeError("external data has no 'location'");
  if (modelDir.empty())
    return makeError("external data is only supported for models read from a file");
  if (llvm::sys::path::is_absolute(location) || StringRef(location).starts_with("/"))
    return makeError("external data location '" + location +
                     "' is absolute; it must be relative to the model's folder");
  for (auto it = llvm::sys::path::begin(location),
            e = llvm::sys::path::end(location);
       it != e; ++it)
    if (*it == "..")
      return makeError("external data location '" + location +
                       "' escapes the model's folder");
  llvm::SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  // Resolve symlinks and make sure the real file is still inside the folder.
  llvm::SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(modelDir, realDir) ||
      llvm::sys::fs::real_path(path, realFile))
    return makeError("cannot open external data file '" + location + "'");
  if (!StringRef(realFile).starts_with(StringRef(realDir.str().str() + "/")))
    return makeError("external data location '" + location +
                     "' resolves outside the model's folder");
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(realFile, fileSize))
    return makeError("cannot read external data file '" + location + "'");
  if ((uint64_t)offset > fileSize)
    return makeError("external data offset " + llvm::Twine(offset) +
                     " is past the end of '" + location + "' (" +
                     llvm::Twine(fileSize) + " bytes)");
  uint64_t len = length < 0 ? fileSize - offset : (uint64_t)length;
  if (len > fileSize - offset)
    return makeError("external data range [" + llvm::Twine(offset) + ", " +
                     llvm::Twine(offset + len) + ") is past the end of '" +
                     location + "' (" + llvm::Twine(fileSize) + " bytes)");
  if (len != expectedBytes)
    return makeError("external data holds " + llvm::Twine(len) +
                     " bytes but the tensor needs " + llvm::Twine(expectedBytes));
  return ExternalRange{realFile.str().str(), (uint64_t)offset, len};
}

/// Reads the validated range of an external-data file.
static Expected<std::vector<char>> readExternal(const onnx::TensorProto &t,
                                                StringRef modelDir,
                                                size_t expectedBytes) {
  auto range = resolveExternal(t, modelDir, expectedBytes);
  if (!range)
    return range.takeError();
  auto buffer = llvm::MemoryBuffer::getFileSlice(range->path, range->length,
                                                 range->offset, /*IsVolatile=*/false);
  if (!buffer)
    return makeError("cannot read external data file: " + buffer.getError().message());
  const char *begin = (*buffer)->getBufferStart();
  return std::vector<char>(begin, begin + range->length);
}

template <typename T, typename Field>
static std::vector<char> packField(const Field &field) {
  std::vector<char> out(field.size() * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    T v = static_cast<T>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return out;
}

/// The MLIR type and byte size of `t`, with the shape checked.
static Expected<std::pair<RankedTensorType, size_t>>
tensorTypeAndSize(MLIRContext *ctx, const onnx::TensorProto &t) {
  Type elementType = kiln::elementTypeFromOnnx(ctx, t.data_type());
  if (!elementType)
    return makeError("element type " + kiln::onnxTypeName(t.data_type()) +
                     " is not supported (kiln supports FLOAT, DOUBLE, INT32, INT64)");
  SmallVector<int64_t> shape;
  uint64_t numElements = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return makeError("has a negative dimension " + llvm::Twine(d));
    if (d > (int64_t(1) << 40) || (d && numElements > (uint64_t(1) << 40) / d))
      return makeError("is implausibly large");
    shape.push_back(d);
    numElements *= d;
  }
  size_t elementBytes = elementType.getIntOrFloatBitWidth() / 8;
  return std::make_pair(RankedTensorType::get(shape, elementType),
                        (size_t)(numElements * elementBytes));
}

llvm::Error kiln::checkExternalData(MLIRContext *ctx, const onnx::TensorProto &t,
                                    StringRef modelDir) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL)
    return llvm::Error::success();
  auto typeAndSize = tensorTypeAndSize(ctx, t);
  if (!typeAndSize)
    return typeAndSize.takeError();
  auto range = resolveExternal(t, modelDir, typeAndSize->second);
  return range ? llvm::Error::success() : range.takeError();
}

Expected<kiln::TensorData> kiln::readTensor(MLIRContext *ctx,
                                            const onnx::TensorProto &t,
                                            StringRef modelDir) {
  auto typeAndSize = tensorTypeAndSize(ctx, t);
  if (!typeAndSize)
    return typeAndSize.takeError();
  TensorData result;
  result.type = typeAndSize->first;
  size_t expectedBytes = typeAndSize->second;

  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto data = readExternal(t, modelDir, expectedBytes);
    if (!data)
      return data.takeError();
    result.bytes = std::move(*data);
    return result;
  }
  if (t.has_raw_data()) {
    result.bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      result.bytes = packField<float>(t.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      result.bytes = packField<double>(t.double_data());
      break;
    case onnx::TensorProto::INT64:
      result.bytes = packField<int64_t>(t.int64_data());
      break;
    case onnx::TensorProto::INT32:
      result.bytes = packField<int32_t>(t.int32_data());
      break;
    }
  }
  if (result.bytes.size() != expectedBytes)
    return makeError("holds " + llvm::Twine(result.bytes.size()) +
                     " bytes of data but its shape needs " +
                     llvm::Twine(expectedBytes));
  return result;
}
