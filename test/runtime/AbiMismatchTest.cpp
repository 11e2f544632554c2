//===- AbiMismatchTest.cpp - kiln_model_create rejects a foreign ABI ------===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// Linked with bad_abi_model.c, whose kiln_generated_model claims
// KILN_ABI_VERSION + 1: creating an instance must fail cleanly with
// KILN_ERROR_ABI_MISMATCH and an explanatory message.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"
#include "kiln_abi.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

TEST(AbiMismatchTest, CreateFails) {
  kiln_model *model = nullptr;
  EXPECT_EQ(kiln_model_create(nullptr, &model), KILN_ERROR_ABI_MISMATCH);
  EXPECT_EQ(model, nullptr);
  std::string expected = "model was compiled for kiln ABI version " +
                         std::to_string(KILN_ABI_VERSION + 1) +
                         " but this runtime implements version " +
                         std::to_string(KILN_ABI_VERSION);
  EXPECT_EQ(kiln_model_last_error(nullptr), expected);
}
