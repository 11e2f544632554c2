//===- Constants.cpp - compile-time tensor constants ----------------------===//
//
// See Constants.h.
//
//===----------------------------------------------------------------------===//
#include "dialects/Kiln/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;

Value kiln::createConstant(OpBuilder &builder, Location loc,
                           RankedTensorType type, ArrayRef<char> bytes,
                           StringRef nameHint) {
  ElementsAttr attr;
  if (type.getNumElements() <= kInlineConstantLimit) {
    attr = DenseElementsAttr::getFromRawBuffer(type, bytes);
  } else {
    std::string key = nameHint.empty() ? "cst" : nameHint.str();
    for (char &c : key)
      if (!llvm::isAlnum(c) && c != '_' && c != '.')
        c = '_';
    attr = DenseResourceElementsAttr::get(
        type, key, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
  }
  return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr));
}

Value kiln::createF32Constant(OpBuilder &builder, Location loc,
                              RankedTensorType type, ArrayRef<float> data,
                              StringRef nameHint) {
  return createConstant(
      builder, loc, type,
      ArrayRef<char>(reinterpret_cast<const char *>(data.data()),
                     data.size() * sizeof(float)),
      nameHint);
}

std::optional<std::vector<float>> kiln::getConstantF32(Value value) {
  auto cst = value.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(cst.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  size_t n = type.getNumElements();
  if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue())) {
    ArrayRef<char> bytes = res.getData();
    if (bytes.size() != n * sizeof(float))
      return std::nullopt;
    std::vector<float> out(n);
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  if (auto dense = dyn_cast<DenseFPElementsAttr>(cst.getValue())) {
    std::vector<float> out;
    out.reserve(n);
    for (APFloat v : dense.getValues<APFloat>())
      out.push_back(v.convertToFloat());
    return out;
  }
  return std::nullopt;
}

std::string kiln::constantNameHint(Value value) {
  if (auto cst = value.getDefiningOp<arith::ConstantOp>())
    if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue()))
      return res.getRawHandle().getKey().str();
  return "cst";
}

std::vector<float> kiln::transposeData(ArrayRef<float> data,
                                       ArrayRef<int64_t> shape,
                                       ArrayRef<int64_t> perm) {
  size_t rank = shape.size();
  SmallVector<int64_t> inStrides(rank, 1), outShape(rank);
  for (int64_t i = (int64_t)rank - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * shape[i + 1];
  for (size_t i = 0; i < rank; ++i)
    outShape[i] = shape[perm[i]];
  std::vector<float> out(data.size());
  SmallVector<int64_t> idx(rank, 0);
  for (size_t o = 0; o < out.size(); ++o) {
    int64_t src = 0;
    for (size_t i = 0; i < rank; ++i)
      src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (int64_t i = (int64_t)rank - 1; i >= 0; --i) {
      if (++idx[i] < outShape[i])
        break;
      idx[i] = 0;
    }
  }
  return out;
}
