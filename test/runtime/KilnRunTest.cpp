//===- KilnRunTest.cpp - End-to-end tests of the kiln-run tool ------------===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// Drives the real kiln-run executable (KILN_RUN_PATH) on a model library
// built from fake_model.c plus the whole runtime archive
// (KILN_FAKE_MODEL_PATH), exactly as a kiln-compile output is used: .npy
// inputs in, .npy outputs out, runtime error messages and exit codes checked.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using kiln::npy::Array;

/// Result of one kiln-run invocation.
struct RunResult {
  int exitCode = -1;
  std::string out, err;
};

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "kiln_run_test_" + name;
}

std::string slurp(const std::string &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

RunResult runTool(const std::string &args) {
  std::string out = tempPath("stdout.txt"), err = tempPath("stderr.txt");
  std::string command = std::string("'") + KILN_RUN_PATH + "' " + args +
                        " >'" + out + "' 2>'" + err + "'";
  int status = std::system(command.c_str());
  RunResult result;
  if (status != -1 && WIFEXITED(status))
    result.exitCode = WEXITSTATUS(status);
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

/// Writes a float32 array with the given shape and values.
std::string writeFloats(const std::string &name, std::vector<int64_t> shape,
                        const std::vector<float> &values) {
  Array array;
  array.elemType = 1;
  array.shape = std::move(shape);
  array.data.resize(values.size() * sizeof(float));
  std::memcpy(array.data.data(), values.data(), array.data.size());
  std::string path = tempPath(name), error;
  EXPECT_TRUE(kiln::npy::writeFile(path, array, error)) << error;
  return path;
}

class KilnRunTest : public ::testing::Test {
protected:
  void SetUp() override {
    a = writeFloats("a.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
    b = writeFloats("b.npy", {2, 3}, {10, 20, 30, 40, 50, 60});
    model = std::string("'") + KILN_FAKE_MODEL_PATH + "'";
  }
  std::string a, b, model;
};

TEST_F(KilnRunTest, RunsAndWritesOutputs) {
  for (const char *threads : {"1", "2", "4"}) {
    std::string y = tempPath("y.npy");
    std::remove(y.c_str());
    RunResult r = runTool(model + " --input " + a + " --input " + b +
                          " --output " + y + " --threads " + threads +
                          " --print-topk 2 --iterations 3 --warmup 1");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("output 'sum' top-2: 5 (66) 4 (55)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(std::string("over 3 runs (") + threads +
                         " threads)"),
              std::string::npos)
        << r.out;
    Array out;
    std::string error;
    ASSERT_TRUE(kiln::npy::readFile(y, out, error)) << error;
    ASSERT_EQ(out.shape, (std::vector<int64_t>{2, 3}));
    float values[6];
    std::memcpy(values, out.data.data(), sizeof(values));
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(values[i], 11.0f * float(i + 1));
  }
}

TEST_F(KilnRunTest, ReportsRuntimeErrors) {
  std::string wrong = writeFloats("wrong.npy", {3, 2}, {0, 0, 0, 0, 0, 0});
  RunResult r = runTool(model + " --input " + a + " --input " + wrong);
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("kiln-run: error: input 1 ('b'): expected shape "
                       "[2,3], got [3,2]"),
            std::string::npos)
      << r.err;
  r = runTool(model + " --input " + a);
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("expected 2 inputs, got 1"), std::string::npos);
  r = runTool(model + " --input " + tempPath("missing.npy"));
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos);
}

TEST_F(KilnRunTest, ReportsUsageErrors) {
  RunResult r = runTool("--help");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("usage: kiln-run"), std::string::npos);
  r = runTool(model + " --threads nope");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("kiln-run: error: --threads"), std::string::npos);
  r = runTool("");
  EXPECT_EQ(r.exitCode, 1);
}

} // namespace
