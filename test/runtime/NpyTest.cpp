//===- NpyTest.cpp - Tests of kiln-run's .npy reader and writer -----------===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// Round-trips arrays of every supported dtype through serialize()/parse(),
// checks byte-exact compatibility with files written by NumPy, and verifies
// that malformed headers, unsupported dtypes, Fortran order, big-endian data,
// truncated and oversized payloads and unreadable paths are rejected with a
// clear error instead of crashing.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace kiln::npy;

namespace {

/// Builds a version 1.0 file image from a header dict text and payload.
std::vector<uint8_t> makeFile(const std::string &dict, size_t payloadBytes,
                              uint8_t major = 1) {
  std::string header = dict;
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  bytes.push_back(uint8_t(header.size()));
  bytes.push_back(uint8_t(header.size() >> 8));
  if (major > 1) {
    bytes.push_back(0);
    bytes.push_back(0);
  }
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + payloadBytes, 0x5a);
  return bytes;
}

std::string parseError(const std::vector<uint8_t> &bytes) {
  Array array;
  std::string error;
  EXPECT_FALSE(parse(bytes.data(), bytes.size(), array, error));
  return error;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

TEST(NpyTest, RoundTripAllTypes) {
  for (int32_t type : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13}) {
    for (const std::vector<int64_t> &shape :
         {std::vector<int64_t>{}, {5}, {2, 3}, {1, 2, 1, 3}}) {
      Array array;
      array.elemType = type;
      array.shape = shape;
      array.data.resize(array.numElements() * elemSize(type));
      for (size_t i = 0; i < array.data.size(); ++i)
        array.data[i] = uint8_t(i * 7 + 1);
      std::vector<uint8_t> bytes;
      std::string error;
      ASSERT_TRUE(serialize(array, bytes, error)) << error;
      Array back;
      ASSERT_TRUE(parse(bytes.data(), bytes.size(), back, error)) << error;
      EXPECT_EQ(back.elemType, type);
      EXPECT_EQ(back.shape, shape);
      EXPECT_EQ(back.data, array.data);
      EXPECT_EQ((bytes.size() - array.data.size()) % 64, 0u);
    }
  }
}

TEST(NpyTest, MatchesNumPyBytes) {
  // np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) with NumPy 1.24.
  Array array;
  array.elemType = 1;
  array.shape = {2, 3};
  for (int i = 0; i < 6; ++i) {
    float v = float(i);
    const uint8_t *p = reinterpret_cast<const uint8_t *>(&v);
    array.data.insert(array.data.end(), p, p + 4);
  }
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(serialize(array, bytes, error)) << error;
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                         dict + std::string(118 - dict.size() - 1, ' ') +
                         "\n";
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 128), expected);
  EXPECT_TRUE(std::equal(array.data.begin(), array.data.end(),
                         bytes.begin() + 128));

  array.shape = {6};
  ASSERT_TRUE(serialize(array, bytes, error));
  EXPECT_TRUE(contains(std::string(bytes.begin(), bytes.end()),
                       "'shape': (6,), }"));
}

TEST(NpyTest, ParsesHeaderVariants) {
  Array array;
  std::string error;
  auto v2 = makeFile("{\"shape\": (2L, 1), \"fortran_order\": False, "
                     "\"descr\": \"<i8\"}",
                     16, 2);
  ASSERT_TRUE(parse(v2.data(), v2.size(), array, error)) << error;
  EXPECT_EQ(array.elemType, 7);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 1}));
  auto scalar = makeFile("{'descr': '|u1', 'fortran_order': False, "
                         "'shape': (), }",
                         1);
  ASSERT_TRUE(parse(scalar.data(), scalar.size(), array, error)) << error;
  EXPECT_TRUE(array.shape.empty());
  auto empty = makeFile("{'descr': '<f8', 'fortran_order': False, "
                        "'shape': (0, 4), }",
                        0);
  ASSERT_TRUE(parse(empty.data(), empty.size(), array, error)) << error;
  EXPECT_EQ(array.numElements(), 0u);
}

TEST(NpyTest, RejectsMalformedHeaders) {
  const std::string ok = "'fortran_order': False, 'shape': (2,), }";
  EXPECT_TRUE(contains(parseError({'x', 'y'}), "bad magic"));
  auto bytes = makeFile("{'descr': '<f4', " + ok, 8);
  bytes[6] = 4;
  EXPECT_TRUE(contains(parseError(bytes), "version 4.0"));
  bytes = makeFile("{'descr': '<f4', " + ok, 8);
  bytes[9] = 0x7f; // Header length past the end of the file.
  EXPECT_TRUE(contains(parseError(bytes), "truncated header"));
  for (const char *dict : {
           "{'descr': '<f4', 'fortran_order': False}",             // no shape
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
           "'extra': 1}",                                          // extra key
           "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", // quote
           "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2,) x}",
           "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",
           "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
           "'shape': (2,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': "
           "(99999999999999999999,)}",
           "['descr']",
           "",
       })
    EXPECT_TRUE(contains(parseError(makeFile(dict, 8)), "malformed header"))
        << dict;
}

TEST(NpyTest, RejectsUnsupportedLayouts) {
  auto fortran = makeFile(
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
  EXPECT_TRUE(contains(parseError(fortran), "fortran_order"));
  auto big = makeFile(
      "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8);
  EXPECT_TRUE(contains(parseError(big), "big-endian"));
  auto complex = makeFile(
      "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16);
  EXPECT_TRUE(contains(parseError(complex), "unsupported dtype '<c8'"));
  auto overflow = makeFile("{'descr': '<f8', 'fortran_order': False, "
                           "'shape': (4294967296, 4294967296), }",
                           8);
  EXPECT_TRUE(contains(parseError(overflow), "overflow"));
}

TEST(NpyTest, RejectsWrongPayloadSize) {
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(parseError(makeFile(dict, 23)),
            "truncated data: expected 24 bytes, found 23");
  EXPECT_EQ(parseError(makeFile(dict, 0)),
            "truncated data: expected 24 bytes, found 0");
  EXPECT_TRUE(contains(parseError(makeFile(dict, 25)), "trailing"));
}

TEST(NpyTest, SerializeRejectsInconsistentArrays) {
  std::vector<uint8_t> bytes;
  std::string error;
  Array array;
  array.elemType = 16; // bfloat16 has no NumPy dtype.
  array.shape = {1};
  array.data.resize(2);
  EXPECT_FALSE(serialize(array, bytes, error));
  EXPECT_TRUE(contains(error, "cannot be stored"));
  array.elemType = 1;
  EXPECT_FALSE(serialize(array, bytes, error));
  EXPECT_TRUE(contains(error, "does not match"));
  array.shape = {-1};
  EXPECT_FALSE(serialize(array, bytes, error));
}

TEST(NpyTest, FileErrorsNameThePath) {
  Array array;
  std::string error;
  EXPECT_FALSE(readFile("/nonexistent/dir/x.npy", array, error));
  EXPECT_TRUE(contains(error, "/nonexistent/dir/x.npy: cannot open"));
  array.elemType = 1;
  array.shape = {1};
  array.data.resize(4);
  EXPECT_FALSE(writeFile("/nonexistent/dir/y.npy", array, error));
  EXPECT_TRUE(contains(error, "/nonexistent/dir/y.npy"));
  std::string path = ::testing::TempDir() + "kiln_npy_test.npy";
  ASSERT_TRUE(writeFile(path, array, error)) << error;
  Array back;
  ASSERT_TRUE(readFile(path, back, error)) << error;
  EXPECT_EQ(back.data, array.data);
  std::remove(path.c_str());
}

} // namespace
