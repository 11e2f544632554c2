//===- CompilerTest.cpp - GoogleTest for kiln::compile --------------------===//
//
// Compiles small models built in C++ through the library alone (no tool):
// the signature, the report (kernels, FLOPs, memory plan, phases), the
// artifact of each output kind, a shared library on disk, kernel-config
// overrides, and failures returned as diagnostic records naming the node.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"

#include "test/compiler/OnnxTestModels.h"

#include <onnx/onnx_pb.h>

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using kiln::test::addInts;
using kiln::test::setShape;

/// x[1,C,8,8] -> Conv(W[32,C,3,3], pads 1) "conv0" -> Relu "relu0" -> y.
std::string convReluModel(int64_t c = 4, int64_t filterC = 4) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto *g = m.mutable_graph();
  g->set_name("convrelu");
  setShape(g->add_input(), "x", {1, c, 8, 8});
  setShape(g->add_output(), "y", {1, 32, 8, 8});
  auto *w = g->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {int64_t(32), filterC, int64_t(3), int64_t(3)})
    w->add_dims(d);
  for (int64_t i = 0; i < 32 * filterC * 9; ++i)
    w->add_float_data(float(i % 7) * 0.1f - 0.3f);
  auto *conv = g->add_node();
  conv->set_op_type("Conv");
  conv->set_name("conv0");
  conv->add_input("x");
  conv->add_input("W");
  conv->add_output("c");
  addInts(conv, "pads", {1, 1, 1, 1});
  auto *relu = g->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu0");
  relu->add_input("c");
  relu->add_output("y");
  return m.SerializeAsString();
}

kiln::CompileOptions avx512(std::string bytes) {
  kiln::CompileOptions o;
  o.modelBytes = std::move(bytes);
  o.target = "x86_64-linux-gnu";
  o.cpu = "skylake-avx512";
  return o;
}

TEST(Compile, KilnIRWithSignatureAndReport) {
  kiln::CompileOptions o = avx512(convReluModel());
  o.output = kiln::OutputKind::Kiln;
  auto r = kiln::compile(o);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->signature.modelName, "convrelu");
  ASSERT_EQ(r->signature.inputs.size(), 1u);
  EXPECT_EQ(r->signature.inputs[0].name, "x");
  EXPECT_EQ(r->signature.inputs[0].elemType, 1);
  EXPECT_EQ(r->signature.inputs[0].shape, (std::vector<int64_t>{1, 4, 8, 8}));
  EXPECT_EQ(r->signature.outputs[0].shape, (std::vector<int64_t>{1, 32, 8, 8}));
  EXPECT_NE(r->artifact.find("kiln.fused_conv"), std::string::npos);
  EXPECT_NE(r->artifact.find("#kiln.kernel<kind = direct_conv"), std::string::npos);
  EXPECT_NE(r->artifact.find("vector_bits = 512"), std::string::npos);

  // conv0 and relu0 fused into one direct_conv: 2 x 8x8x32 outputs x 4x3x3.
  const kiln::ReportLayer *conv = nullptr;
  for (const kiln::ReportLayer &l : r->report.layers)
    if (l.op == "kiln.fused_conv")
      conv = &l;
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->nodes, (std::vector<std::string>{"conv0", "relu0"}));
  EXPECT_EQ(conv->kernel, "direct_conv");
  EXPECT_EQ(conv->layout, "nhwc");
  EXPECT_EQ(conv->block, 32); // two AVX-512 vectors of f32
  EXPECT_EQ(conv->registerTile, (std::vector<int64_t>{1, 1, 8, 32, 1, 1, 1}));
  EXPECT_EQ(conv->flops, 2u * 8 * 8 * 32 * 4 * 9);
  EXPECT_EQ(conv->weightBytes, (32u * 4 * 9 + 32) * 4); // filter + zero bias
  EXPECT_EQ(conv->source, "heuristic");
  std::vector<std::string> phases;
  for (const kiln::PhaseTime &p : r->report.phases)
    phases.push_back(p.phase);
  EXPECT_EQ(phases, (std::vector<std::string>{"import", "bn-folded", "fused", "layout",
                                              "kernels"}));
  // The JSON form parses and carries the same layer.
  auto json = llvm::json::parse(r->report.toJSON());
  ASSERT_TRUE(static_cast<bool>(json));
  EXPECT_EQ(json->getAsObject()->getInteger("version"), 1);
}

TEST(Compile, TargetChangesTheKernel) {
  kiln::CompileOptions o = avx512(convReluModel());
  o.output = kiln::OutputKind::Kiln;
  o.cpu = "haswell"; // AVX2: 8 lanes, 16 registers
  auto r = kiln::compile(o);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  for (const kiln::ReportLayer &l : r->report.layers)
    if (l.op == "kiln.fused_conv") {
      EXPECT_EQ(l.block, 16);
      EXPECT_EQ(l.registerTile, (std::vector<int64_t>{1, 1, 4, 16, 1, 1, 1}));
    }
}

TEST(Compile, KernelConfigOverridesOneLayer) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-compile-test", dir));
  llvm::SmallString<128> config(dir);
  llvm::sys::path::append(config, "k.json");
  std::ofstream(config.c_str())
      << R"({"layers": [{"node": "conv0", "register_tile": [1, 1, 4, 32, 1, 1, 1]}]})";
  kiln::CompileOptions o = avx512(convReluModel());
  o.output = kiln::OutputKind::Kiln;
  o.kernelConfigPath = config.str().str();
  auto r = kiln::compile(o);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  bool seen = false;
  for (const kiln::ReportLayer &l : r->report.layers)
    if (l.op == "kiln.fused_conv") {
      seen = true;
      EXPECT_EQ(l.registerTile, (std::vector<int64_t>{1, 1, 4, 32, 1, 1, 1}));
      EXPECT_EQ(l.source, "config");
    }
  EXPECT_TRUE(seen);
  llvm::sys::fs::remove_directories(dir);
}

TEST(Compile, SharedLibraryOnDisk) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-compile-test", dir));
  llvm::SmallString<128> so(dir);
  llvm::sys::path::append(so, "libm.so");
  kiln::CompileOptions o;
  o.modelBytes = convReluModel();
  o.outputPath = so.str().str();
  auto r = kiln::compile(o);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_TRUE(llvm::sys::fs::exists(so));
  llvm::SmallString<128> header(dir);
  llvm::sys::path::append(header, "kiln.h");
  EXPECT_TRUE(llvm::sys::fs::exists(header));
  EXPECT_GT(r->report.memory.arenaBytes, 0u);
  EXPECT_GE(r->report.memory.arenaBytes, r->report.memory.livePeakBytes);
  std::vector<std::string> phases;
  for (const kiln::PhaseTime &p : r->report.phases)
    phases.push_back(p.phase);
  EXPECT_EQ(phases.back(), "link");
  llvm::sys::fs::remove_directories(dir);
}

TEST(Compile, ObjectAndAssemblyForAArch64) {
  kiln::CompileOptions o;
  o.modelBytes = convReluModel();
  o.target = "aarch64-linux-gnu";
  o.output = kiln::OutputKind::Assembly;
  auto r = kiln::compile(o);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_NE(r->artifact.find("fmla"), std::string::npos);
  o.output = kiln::OutputKind::Object;
  r = kiln::compile(o);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->artifact.substr(0, 4), "\x7f" "ELF");
}

TEST(Compile, BadModelNamesTheNode) {
  kiln::CompileOptions o;
  o.modelBytes = convReluModel(/*c=*/4, /*filterC=*/3); // channel mismatch
  o.output = kiln::OutputKind::Kiln;
  o.onnxChecker = false;
  auto r = kiln::compile(o);
  ASSERT_FALSE(static_cast<bool>(r));
  std::vector<kiln::Diagnostic> d = kiln::takeDiagnostics(r.takeError());
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].severity, kiln::Diagnostic::Severity::Error);
  EXPECT_EQ(d[0].node, "conv0");
  EXPECT_NE(d[0].message.find("conv0"), std::string::npos) << d[0].message;
}

TEST(Compile, OptionErrors) {
  kiln::CompileOptions o;
  o.modelBytes = "not a model";
  o.output = kiln::OutputKind::Kiln;
  auto r = kiln::compile(o);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("not a valid ONNX model"), std::string::npos);
  o.modelBytes = convReluModel();
  o.target = "sparc-sun-solaris";
  r = kiln::compile(o);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("unsupported target"), std::string::npos);
  o.target = "host";
  o.output = kiln::OutputKind::SharedLib; // no output path
  r = kiln::compile(o);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("output path"), std::string::npos);
  o.output = kiln::OutputKind::Kiln;
  o.shapeBindings = {"x:1x4"}; // rank mismatch
  r = kiln::compile(o);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("shape binding"), std::string::npos);
}

} // namespace
