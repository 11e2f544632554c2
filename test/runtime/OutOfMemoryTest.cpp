//===- OutOfMemoryTest.cpp - an arena that cannot be allocated ------------===//
//
// Linked with huge_arena_model.c, whose activation arena is 1 PiB:
// kiln_model_create must fail with KILN_ERROR_OUT_OF_MEMORY and a message
// giving the size, leave no instance behind, and keep failing the same way
// (nothing half-created survives a failed call).
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <string>

TEST(OutOfMemoryTest, CreateFailsCleanly) {
  for (int threads : {1, 4}) {
    kiln_model_options options;
    kiln_model_options_init(&options);
    options.num_threads = threads;
    kiln_model *model = reinterpret_cast<kiln_model *>(0x1);
    EXPECT_EQ(kiln_model_create(&options, &model), KILN_ERROR_OUT_OF_MEMORY);
    EXPECT_EQ(model, nullptr);
    EXPECT_EQ(std::string(kiln_model_last_error(nullptr)),
              "kiln_model_create: cannot allocate 1125899906842624 bytes of scratch memory");
    EXPECT_STREQ(kiln_status_string(KILN_ERROR_OUT_OF_MEMORY), "out of memory");
  }
}
