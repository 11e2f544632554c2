//===- RuntimeTest.cpp - Tests of the kiln runtime C API ------------------===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// Exercises the public API of the kiln runtime against the fake a + b model
// of fake_model.c: instance creation and options (including
// KILN_NUM_THREADS parsing), introspection, successful runs on 1/2/4
// threads, every argument-validation error path with its message, and the
// coverage and nesting guarantees of kiln_rt_parallel_for.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"
#include "kiln_abi.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern "C" {
extern void (*kiln_test_invoke_hook)(void *const *buffers, void *scratch);
void *kiln_test_last_scratch(void);
}

namespace {

/// Clears KILN_NUM_THREADS and the invoke hook around every test.
class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    unsetenv("KILN_NUM_THREADS");
    kiln_test_invoke_hook = nullptr;
  }
  void TearDown() override {
    unsetenv("KILN_NUM_THREADS");
    kiln_test_invoke_hook = nullptr;
    kiln_model_destroy(model);
  }

  /// Creates `model` with `threads` threads; fails the test otherwise.
  void create(int threads) {
    kiln_model_options options;
    kiln_model_options_init(&options);
    options.num_threads = threads;
    ASSERT_EQ(kiln_model_create(&options, &model), KILN_OK)
        << kiln_model_last_error(nullptr);
    ASSERT_NE(model, nullptr);
  }

  /// Creates a default model and returns its thread count.
  int32_t threadsForEnv(const char *value) {
    setenv("KILN_NUM_THREADS", value, 1);
    kiln_model *m = nullptr;
    EXPECT_EQ(kiln_model_create(nullptr, &m), KILN_OK);
    int32_t n = kiln_model_num_threads(m);
    kiln_model_destroy(m);
    return n;
  }

  kiln_model *model = nullptr;
};

/// Valid tensors for the fake model plus helpers to corrupt them.
struct Tensors {
  int64_t shape[2] = {2, 3};
  float a[6] = {1, 2, 3, 4, 5, 6};
  float b[6] = {10, 20, 30, 40, 50, 60};
  float sum[6] = {-1, -1, -1, -1, -1, -1};
  kiln_tensor in[2], out[1];
  Tensors() {
    in[0] = {a, sizeof(a), KILN_FLOAT32, 2, shape};
    in[1] = {b, sizeof(b), KILN_FLOAT32, 2, shape};
    out[0] = {sum, sizeof(sum), KILN_FLOAT32, 2, shape};
  }
  kiln_status run(kiln_model *m) { return kiln_model_run(m, in, 2, out, 1); }
  bool outputUntouched() const {
    for (float v : sum)
      if (v != -1)
        return false;
    return true;
  }
};

TEST_F(RuntimeTest, OptionsInit) {
  kiln_model_options options;
  std::memset(&options, 0xff, sizeof(options));
  kiln_model_options_init(&options);
  EXPECT_EQ(options.struct_size, sizeof(kiln_model_options));
  EXPECT_EQ(options.num_threads, 0);
  kiln_model_options_init(nullptr); // Must not crash.
}

TEST_F(RuntimeTest, CreateDefaultsAndIntrospection) {
  ASSERT_EQ(kiln_model_create(nullptr, &model), KILN_OK);
  EXPECT_STREQ(kiln_model_last_error(nullptr), "");
  EXPECT_STREQ(kiln_model_last_error(model), "");
  EXPECT_EQ(kiln_model_num_threads(model), 1);
  EXPECT_STREQ(kiln_model_name(model), "fake_add");
  EXPECT_EQ(kiln_model_num_inputs(model), 2u);
  EXPECT_EQ(kiln_model_num_outputs(model), 1u);
  kiln_tensor_info info;
  ASSERT_EQ(kiln_model_input_info(model, 1, &info), KILN_OK);
  EXPECT_STREQ(info.name, "b");
  EXPECT_EQ(info.elem_type, KILN_FLOAT32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.shape[1], 3);
  ASSERT_EQ(kiln_model_output_info(model, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "sum");
}

TEST_F(RuntimeTest, NullModelQueries) {
  EXPECT_EQ(kiln_model_num_inputs(nullptr), 0u);
  EXPECT_EQ(kiln_model_num_outputs(nullptr), 0u);
  EXPECT_EQ(kiln_model_num_threads(nullptr), 0);
  EXPECT_STREQ(kiln_model_name(nullptr), "");
  kiln_model_destroy(nullptr);
  kiln_tensor_info info;
  EXPECT_EQ(kiln_model_input_info(nullptr, 0, &info),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_model_last_error(nullptr), "model is NULL"),
            nullptr);
  EXPECT_EQ(kiln_model_output_info(nullptr, 0, &info),
            KILN_ERROR_INVALID_ARGUMENT);
  Tensors t;
  EXPECT_EQ(t.run(nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_model_last_error(nullptr),
               "kiln_model_run: model is NULL");
}

TEST_F(RuntimeTest, CreateArgumentErrors) {
  EXPECT_EQ(kiln_model_create(nullptr, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_model_last_error(nullptr), "out_model"), nullptr);

  kiln_model_options options;
  kiln_model_options_init(&options);
  options.struct_size = 4;
  model = reinterpret_cast<kiln_model *>(&options); // Must be reset to NULL.
  EXPECT_EQ(kiln_model_create(&options, &model), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::strstr(kiln_model_last_error(nullptr), "struct_size 4"),
            nullptr);

  kiln_model_options_init(&options);
  options.num_threads = KILN_MAX_THREADS + 1;
  EXPECT_EQ(kiln_model_create(&options, &model), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::strstr(kiln_model_last_error(nullptr), "num_threads"),
            nullptr);

  // A later success clears the thread's error.
  ASSERT_EQ(kiln_model_create(nullptr, &model), KILN_OK);
  EXPECT_STREQ(kiln_model_last_error(nullptr), "");
}

TEST_F(RuntimeTest, NumThreadsEnvironment) {
  EXPECT_EQ(threadsForEnv("3"), 3);
  EXPECT_EQ(threadsForEnv(" 2 "), 2);
  EXPECT_EQ(threadsForEnv("0"), 1);
  EXPECT_EQ(threadsForEnv("-2"), 1);
  EXPECT_EQ(threadsForEnv("+2"), 1);
  EXPECT_EQ(threadsForEnv("abc"), 1);
  EXPECT_EQ(threadsForEnv("4x"), 1);
  EXPECT_EQ(threadsForEnv(""), 1);
  EXPECT_EQ(threadsForEnv("257"), 1);
  EXPECT_EQ(threadsForEnv("99999999999999999999999"), 1);
  // An explicit option wins over the environment.
  setenv("KILN_NUM_THREADS", "3", 1);
  create(2);
  EXPECT_EQ(kiln_model_num_threads(model), 2);
}

TEST_F(RuntimeTest, InfoErrors) {
  create(1);
  kiln_tensor_info info;
  EXPECT_EQ(kiln_model_input_info(model, 2, &info),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_model_last_error(model),
               "kiln_model_input_info: index 2 is out of range (model has 2 "
               "inputs)");
  EXPECT_EQ(kiln_model_output_info(model, 1, &info),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_model_last_error(model), "index 1"), nullptr);
  EXPECT_EQ(kiln_model_output_info(model, 0, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_model_last_error(model), "out_info is NULL"),
            nullptr);
}

class RuntimeThreadsTest : public RuntimeTest,
                           public ::testing::WithParamInterface<int> {};

TEST_P(RuntimeThreadsTest, RunsAddition) {
  create(GetParam());
  EXPECT_EQ(kiln_model_num_threads(model), GetParam());
  for (int iteration = 0; iteration < 200; ++iteration) {
    Tensors t;
    t.a[5] = float(iteration);
    ASSERT_EQ(t.run(model), KILN_OK) << kiln_model_last_error(model);
    const float expected[6] = {11, 22, 33, 44, 55, 60.0f + float(iteration)};
    for (int i = 0; i < 6; ++i)
      ASSERT_EQ(t.sum[i], expected[i]) << "element " << i;
    EXPECT_EQ(t.a[0], 1); // Inputs unchanged.
    EXPECT_EQ(t.b[5], 60);
  }
  ASSERT_NE(kiln_test_last_scratch(), nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(kiln_test_last_scratch()) % 64, 0u);
}

INSTANTIATE_TEST_SUITE_P(Threads, RuntimeThreadsTest,
                         ::testing::Values(1, 2, 4));

TEST_F(RuntimeTest, SuccessClearsError) {
  create(1);
  Tensors t;
  ASSERT_EQ(kiln_model_run(model, t.in, 1, t.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STRNE(kiln_model_last_error(model), "");
  ASSERT_EQ(t.run(model), KILN_OK);
  EXPECT_STREQ(kiln_model_last_error(model), "");
}

/// Runs `t` and checks for an argument error with the exact message.
void expectRunError(kiln_model *model, Tensors &t, const char *message,
                    size_t numInputs = 2, size_t numOutputs = 1,
                    bool nullArrays = false) {
  kiln_status status =
      kiln_model_run(model, nullArrays ? nullptr : t.in, numInputs,
                     nullArrays ? nullptr : t.out, numOutputs);
  EXPECT_EQ(status, KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_model_last_error(model), message);
  EXPECT_TRUE(t.outputUntouched());
}

TEST_F(RuntimeTest, RunCountErrors) {
  create(2);
  Tensors t;
  expectRunError(model, t, "expected 2 inputs, got 1", 1, 1);
  expectRunError(model, t, "expected 2 inputs, got 3", 3, 1);
  expectRunError(model, t, "expected 1 outputs, got 0", 2, 0);
  expectRunError(model, t, "inputs is NULL but num_inputs is 2", 2, 1, true);
  kiln_tensor in[2] = {t.in[0], t.in[1]};
  EXPECT_EQ(kiln_model_run(model, in, 2, nullptr, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_model_last_error(model),
               "outputs is NULL but num_outputs is 1");
}

TEST_F(RuntimeTest, RunTensorErrors) {
  create(2);
  {
    Tensors t;
    t.in[1].elem_type = KILN_INT64;
    expectRunError(model, t,
                   "input 1 ('b'): expected elem_type float32 (1), got int64 "
                   "(7)");
  }
  {
    Tensors t;
    t.in[0].elem_type = kiln_elem_type(99);
    expectRunError(model, t,
                   "input 0 ('a'): expected elem_type float32 (1), got "
                   "unknown (99)");
  }
  {
    Tensors t;
    t.in[0].rank = 3;
    expectRunError(model, t, "input 0 ('a'): expected rank 2, got 3");
  }
  {
    Tensors t;
    int64_t wrong[2] = {3, 2};
    t.in[1].shape = wrong;
    expectRunError(model, t, "input 1 ('b'): expected shape [2,3], got [3,2]");
  }
  {
    Tensors t;
    t.in[0].shape = nullptr;
    expectRunError(model, t, "input 0 ('a'): shape is NULL but rank is 2");
  }
  {
    Tensors t;
    t.in[0].data = nullptr;
    expectRunError(model, t, "input 0 ('a'): data is NULL");
  }
  {
    Tensors t;
    t.in[1].byte_size = 23;
    expectRunError(model, t,
                   "input 1 ('b'): byte_size 23 is smaller than the 24 bytes "
                   "required");
  }
  {
    Tensors t;
    int64_t wrong[2] = {2, 4};
    t.out[0].shape = wrong;
    expectRunError(model, t,
                   "output 0 ('sum'): expected shape [2,3], got [2,4]");
  }
  {
    Tensors t;
    t.out[0].data = nullptr;
    expectRunError(model, t, "output 0 ('sum'): data is NULL");
  }
  {
    Tensors t;
    t.in[1].data = t.sum + 2; // Output would overwrite part of input b.
    t.in[1].byte_size = 100;
    kiln_status status = t.run(model);
    EXPECT_EQ(status, KILN_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(kiln_model_last_error(model),
                 "output 0 ('sum') overlaps input 1 ('b')");
  }
  {
    Tensors t; // Larger buffers than needed are fine.
    t.in[0].byte_size = 1000;
    ASSERT_EQ(t.run(model), KILN_OK);
    EXPECT_EQ(t.sum[0], 11);
  }
}

TEST_F(RuntimeTest, StatusAndElemTypeStrings) {
  EXPECT_STREQ(kiln_status_string(KILN_OK), "ok");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_INVALID_ARGUMENT),
               "invalid argument");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_OUT_OF_MEMORY), "out of memory");
  EXPECT_NE(std::strstr(kiln_status_string(KILN_ERROR_ABI_MISMATCH), "ABI"),
            nullptr);
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_INTERNAL), "internal error");
  EXPECT_STREQ(kiln_status_string(kiln_status(42)), "unknown status");
  EXPECT_EQ(kiln_elem_type_size(KILN_FLOAT32), 4u);
  EXPECT_EQ(kiln_elem_type_size(KILN_INT64), 8u);
  EXPECT_EQ(kiln_elem_type_size(KILN_BFLOAT16), 2u);
  EXPECT_EQ(kiln_elem_type_size(kiln_elem_type(8)), 0u); // ONNX string.
  EXPECT_STREQ(kiln_elem_type_name(KILN_FLOAT64), "float64");
  EXPECT_STREQ(kiln_elem_type_name(kiln_elem_type(-3)), "unknown");
}

//===--- kiln_rt_parallel_for ---------------------------------------------===//

/// State shared between a parallel_for test and its body.
struct CoverageEnv {
  std::vector<std::atomic<int>> *hits;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> badNested{0};
};

void nestedBody(void *env, int64_t begin, int64_t end) {
  auto *calls = static_cast<std::vector<std::pair<int64_t, int64_t>> *>(env);
  calls->push_back({begin, end});
}

void coverageBody(void *env, int64_t begin, int64_t end) {
  auto *e = static_cast<CoverageEnv *>(env);
  for (int64_t i = begin; i < end; ++i)
    (*e->hits)[size_t(i)].fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(e->mutex);
    e->threads.insert(std::this_thread::get_id());
  }
  // A nested call must run inline, on this thread, as one chunk.
  std::vector<std::pair<int64_t, int64_t>> calls;
  kiln_rt_parallel_for(5, nestedBody, &calls);
  if (calls.size() != 1 || calls[0] != std::make_pair<int64_t, int64_t>(0, 5))
    e->badNested.fetch_add(1);
}

int64_t gCoverageN;
CoverageEnv *gCoverageEnv;

extern "C" void coverageHook(void *const *, void *) {
  kiln_rt_parallel_for(gCoverageN, coverageBody, gCoverageEnv);
}

TEST_P(RuntimeThreadsTest, ParallelForCoversEachIndexOnce) {
  int threads = GetParam();
  create(threads);
  kiln_test_invoke_hook = coverageHook;
  for (int64_t n : {0, 1, 2, 3, 4, 5, 7, 64, 1000, 100003}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    CoverageEnv env;
    env.hits = &hits;
    gCoverageN = n;
    gCoverageEnv = &env;
    Tensors t;
    ASSERT_EQ(t.run(model), KILN_OK);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(hits[size_t(i)].load(), 1) << "n=" << n << " index " << i;
    EXPECT_EQ(env.badNested.load(), 0) << "n=" << n;
    // Each thread starts on its own range, but one that finishes early
    // takes the others' iterations: at most one thread per iteration.
    EXPECT_LE(env.threads.size(), size_t(std::min<int64_t>(n, threads))) << "n=" << n;
    EXPECT_EQ(env.threads.empty(), n == 0) << "n=" << n;
  }
}

struct StealEnv {
  std::vector<std::thread::id> owner;
};

void stealBody(void *env, int64_t begin, int64_t end) {
  auto *e = static_cast<StealEnv *>(env);
  for (int64_t i = begin; i < end; ++i) {
    e->owner[size_t(i)] = std::this_thread::get_id();
    // The first thread's range [0, 4) is slow.
    if (i < 4)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

StealEnv *gStealEnv;

extern "C" void stealHook(void *const *, void *) {
  kiln_rt_parallel_for(8, stealBody, gStealEnv);
}

// Two threads, 8 iterations: the submitter's range [0, 4) takes 80 ms, the
// worker's [4, 8) none, so the worker takes iterations from the back of the
// submitter's range (3, then 2, ...) while the submitter is still on its
// first ones.
TEST_F(RuntimeTest, ParallelForStealsFromASlowRange) {
  create(2);
  StealEnv env;
  env.owner.resize(8);
  gStealEnv = &env;
  kiln_test_invoke_hook = stealHook;
  Tensors t;
  ASSERT_EQ(t.run(model), KILN_OK);
  EXPECT_EQ(env.owner[7], env.owner[4]);
  EXPECT_NE(env.owner[3], env.owner[0]) << "iteration 3 was not stolen";
  EXPECT_EQ(env.owner[3], env.owner[4]);
}

TEST_F(RuntimeTest, ParallelForWithoutInstanceRunsInline) {
  std::vector<std::pair<int64_t, int64_t>> calls;
  kiln_rt_parallel_for(17, nestedBody, &calls);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], (std::pair<int64_t, int64_t>(0, 17)));
  calls.clear();
  kiln_rt_parallel_for(0, nestedBody, &calls);
  kiln_rt_parallel_for(-4, nestedBody, &calls);
  EXPECT_TRUE(calls.empty());
  // After a run the thread no longer has a current instance.
  create(4);
  Tensors t;
  ASSERT_EQ(t.run(model), KILN_OK);
  kiln_rt_parallel_for(17, nestedBody, &calls);
  EXPECT_EQ(calls.size(), 1u);
}

TEST_F(RuntimeTest, IndependentInstancesOnSeparateThreads) {
  std::atomic<int> failures{0};
  auto worker = [&failures](int threads) {
    kiln_model_options options;
    kiln_model_options_init(&options);
    options.num_threads = threads;
    kiln_model *m = nullptr;
    if (kiln_model_create(&options, &m) != KILN_OK) {
      failures++;
      return;
    }
    for (int i = 0; i < 300; ++i) {
      Tensors t;
      if (t.run(m) != KILN_OK || t.sum[4] != 55)
        failures++;
    }
    kiln_model_destroy(m);
  };
  std::thread a(worker, 2), b(worker, 3);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
}

// One instance shared by four threads: runs are serialized, so every call
// sees its own inputs and writes its own outputs (a scratch or buffer
// table shared without the lock mixes them up; TSan flags it).
TEST_F(RuntimeTest, OneInstanceSharedByThreads) {
  create(2);
  std::atomic<int> failures{0};
  auto worker = [&](int id) {
    for (int i = 0; i < 300; ++i) {
      Tensors t;
      for (float &v : t.a)
        v += 1000.0f * id + i;
      if (t.run(model) != KILN_OK) {
        failures++;
        continue;
      }
      for (int k = 0; k < 6; ++k)
        if (t.sum[k] != t.a[k] + t.b[k])
          failures++;
    }
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < 4; ++id)
    threads.emplace_back(worker, id);
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  // Bad calls from other threads leave the instance usable.
  std::thread bad([&] {
    Tensors t;
    t.shape[1] = 4;
    EXPECT_EQ(t.run(model), KILN_ERROR_INVALID_ARGUMENT);
  });
  bad.join();
  Tensors t;
  EXPECT_EQ(t.run(model), KILN_OK);
  EXPECT_EQ(t.sum[5], 66);
}

TEST_F(RuntimeTest, CreateDestroyManyPools) {
  for (int i = 0; i < 50; ++i) {
    create(1 + i % 4);
    kiln_model_destroy(model);
    model = nullptr;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Layers and the per-layer profile
//===----------------------------------------------------------------------===//

TEST_F(RuntimeTest, LayerTableFromDescriptor) {
  create(1);
  ASSERT_EQ(kiln_model_num_layers(model), 2u);
  kiln_layer_info info;
  ASSERT_EQ(kiln_model_layer_info(model, 0, &info), KILN_OK);
  EXPECT_STREQ(info.nodes, "add+sum");
  EXPECT_STREQ(info.op, "kiln.add");
  EXPECT_STREQ(info.kernel, "vector");
  EXPECT_EQ(info.flops, 6u);
  // Never profiled: no time, no runs, even after runs.
  Tensors t;
  ASSERT_EQ(t.run(model), KILN_OK);
  ASSERT_EQ(kiln_model_layer_info(model, 1, &info), KILN_OK);
  EXPECT_STREQ(info.nodes, "tail");
  EXPECT_EQ(info.seconds, 0.0);
  EXPECT_EQ(info.runs, 0u);
}

TEST_F(RuntimeTest, LayerInfoErrors) {
  EXPECT_EQ(kiln_model_num_layers(nullptr), 0u);
  kiln_layer_info info;
  EXPECT_EQ(kiln_model_layer_info(nullptr, 0, &info), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_model_last_error(nullptr), "model is NULL"), nullptr);
  EXPECT_EQ(kiln_model_set_profiling(nullptr, 1), KILN_ERROR_INVALID_ARGUMENT);
  create(1);
  EXPECT_EQ(kiln_model_layer_info(model, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_layer_info(model, 2, &info), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(kiln_model_last_error(model),
                        "index 2 is out of range (model has 2 layers)"),
            nullptr)
      << kiln_model_last_error(model);
}

/// Stands in for generated code whose layers take known times: layer 0
/// sleeps 4 ms, layer 1 1 ms, each ended with the runtime's hook.
static void sleepingLayers(void *const *, void *) {
  std::this_thread::sleep_for(std::chrono::milliseconds(4));
  kiln_rt_layer_end(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  kiln_rt_layer_end(1);
  kiln_rt_layer_end(7); // out of range: ignored, never a write past the table
}

TEST_P(RuntimeThreadsTest, ProfileMeasuresEachLayer) {
  create(GetParam());
  kiln_test_invoke_hook = sleepingLayers;
  Tensors t;
  ASSERT_EQ(t.run(model), KILN_OK); // not profiled
  ASSERT_EQ(kiln_model_set_profiling(model, 1), KILN_OK);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(t.run(model), KILN_OK);
  ASSERT_EQ(kiln_model_set_profiling(model, 0), KILN_OK);
  ASSERT_EQ(t.run(model), KILN_OK); // not profiled: the times stay
  kiln_layer_info first, second;
  ASSERT_EQ(kiln_model_layer_info(model, 0, &first), KILN_OK);
  ASSERT_EQ(kiln_model_layer_info(model, 1, &second), KILN_OK);
  EXPECT_EQ(first.runs, 5u);
  EXPECT_EQ(second.runs, 5u);
  EXPECT_GE(first.seconds, 5 * 0.004);
  EXPECT_GE(second.seconds, 5 * 0.001);
  EXPECT_GT(first.seconds, second.seconds);
  EXPECT_LT(first.seconds + second.seconds, 5.0); // sane, not garbage
  // Enabling again starts over.
  ASSERT_EQ(kiln_model_set_profiling(model, 1), KILN_OK);
  ASSERT_EQ(kiln_model_layer_info(model, 0, &first), KILN_OK);
  EXPECT_EQ(first.runs, 0u);
  EXPECT_EQ(first.seconds, 0.0);
}

TEST_F(RuntimeTest, LayerEndOutsideARunDoesNothing) {
  create(1);
  ASSERT_EQ(kiln_model_set_profiling(model, 1), KILN_OK);
  kiln_rt_layer_end(0); // no instance runs on this thread
  kiln_layer_info info;
  ASSERT_EQ(kiln_model_layer_info(model, 0, &info), KILN_OK);
  EXPECT_EQ(info.seconds, 0.0);
}
