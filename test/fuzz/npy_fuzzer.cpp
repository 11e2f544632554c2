//===- npy_fuzzer.cpp - libFuzzer target for kiln-run's .npy reader -------===//
//
// Bytes -> kiln::npy::parse. A parse must never crash, hang or read out of
// bounds (ASan/UBSan), and what it accepts must be self-consistent: the data
// holds exactly numElements() * elemSize() bytes, and serializing it parses
// back to the same array.
//
//===----------------------------------------------------------------------===//
#include "Npy.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::npy::Array a;
  std::string error;
  if (!kiln::npy::parse(data, size, a, error)) {
    if (error.empty())
      std::abort(); // a rejection always says why
    return 0;
  }
  if (a.data.size() != a.numElements() * kiln::npy::elemSize(a.elemType))
    std::abort();
  std::vector<uint8_t> bytes;
  if (!kiln::npy::serialize(a, bytes, error))
    std::abort();
  kiln::npy::Array b;
  if (!kiln::npy::parse(bytes.data(), bytes.size(), b, error) ||
      b.elemType != a.elemType || b.shape != a.shape || b.data != a.data)
    std::abort();
  return 0;
}
