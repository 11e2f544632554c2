//===- ImporterTest.cpp - GoogleTest for the ONNX importer's error paths --===//
//
// Builds ModelProtos in C++ (and a few files on disk) and checks that the
// importer rejects each bad input with a diagnostic naming the node or
// tensor, and accepts the valid variants (typed fields, raw data, external
// data inside the model folder).
//
//===----------------------------------------------------------------------===//
#include "compiler/Importer.h"
#include "dialects/Kiln/KilnDialect.h"

#include "test/compiler/OnnxTestModels.h"

#include <onnx/onnx_pb.h>

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace mlir;

namespace {

using kiln::test::addInts;
using kiln::test::setShape;

/// Imports `model` and returns (success, all diagnostics joined by '\n').
std::pair<bool, std::string> import(const onnx::ModelProto &model,
                                    llvm::StringRef dir = "",
                                    bool runChecker = true) {
  MLIRContext ctx;
  std::string diags;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diags += d.str() + "\n";
    for (const Diagnostic &note : d.getNotes())
      diags += note.str() + "\n";
    return success();
  });
  kiln::ImportOptions options;
  options.runChecker = runChecker;
  OwningOpRef<ModuleOp> module =
      kiln::importOnnxModel(&ctx, model, dir, "test.onnx", options);
  return {static_cast<bool>(module), diags};
}

std::pair<bool, std::string> importFile(llvm::StringRef path) {
  MLIRContext ctx;
  std::string diags;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diags += d.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = kiln::importOnnxFile(&ctx, path);
  return {static_cast<bool>(module), diags};
}

/// x[1,2,4,4] -> Relu -> y
onnx::ModelProto reluModel(int64_t opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(opset);
  auto *g = m.mutable_graph();
  g->set_name("g");
  setShape(g->add_input(), "x", {1, 2, 4, 4});
  setShape(g->add_output(), "y", {1, 2, 4, 4});
  auto *n = g->add_node();
  n->set_op_type("Relu");
  n->set_name("relu0");
  n->add_input("x");
  n->add_output("y");
  return m;
}

/// Adds a Conv node 'conv0' reading x and initializer W [2,2,3,3].
onnx::TensorProto *addConv(onnx::ModelProto &m) {
  auto *g = m.mutable_graph();
  g->mutable_node(0)->set_output(0, "r");
  auto *w = g->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {2, 2, 3, 3})
    w->add_dims(d);
  auto *n = g->add_node();
  n->set_op_type("Conv");
  n->set_name("conv0");
  n->add_input("r");
  n->add_input("W");
  n->add_output("y");
  addInts(n, "pads", {1, 1, 1, 1});
  return w;
}

TEST(Importer, AcceptsMinimalModel) {
  auto [ok, diags] = import(reluModel());
  EXPECT_TRUE(ok) << diags;
}

TEST(Importer, TypedAndRawInitializers) {
  onnx::ModelProto m = reluModel();
  onnx::TensorProto *w = addConv(m);
  for (int i = 0; i < 36; ++i)
    w->add_float_data(0.5f);
  EXPECT_TRUE(import(m).first) << import(m).second;
  w->clear_float_data();
  w->set_raw_data(std::string(36 * 4, '\0'));
  EXPECT_TRUE(import(m).first) << import(m).second;
}

TEST(Importer, InitializerWithWrongSizeNamesTheTensor) {
  onnx::ModelProto m = reluModel();
  onnx::TensorProto *w = addConv(m);
  w->set_raw_data(std::string(10, '\0'));
  auto [ok, diags] = import(m);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("tensor 'W'"), std::string::npos) << diags;
  EXPECT_NE(diags.find("needs 144"), std::string::npos) << diags;
}

TEST(Importer, ListsAllUnsupportedOps) {
  onnx::ModelProto m = reluModel();
  auto *g = m.mutable_graph();
  for (const char *name : {"cos_a", "cos_b"}) {
    auto *n = g->add_node();
    n->set_op_type("Cos");
    n->set_name(name);
    n->add_input("x");
    n->add_output(std::string(name) + "_out");
  }
  auto *n = g->add_node();
  n->set_op_type("TopK");
  n->set_name("topk");
  n->add_input("x");
  n->add_output("t");
  auto [ok, diags] = import(m);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("3 nodes use unsupported ONNX operators: Cos (x2), TopK (x1)"),
            std::string::npos)
      << diags;
  EXPECT_NE(diags.find("'cos_a', 'cos_b'"), std::string::npos) << diags;
  EXPECT_NE(diags.find("TopK at node 'topk'"), std::string::npos) << diags;
}

TEST(Importer, MissingInputNamesNodeAndTensor) {
  onnx::ModelProto m = reluModel();
  m.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
  // ONNX's checker catches it first...
  auto [ok, diags] = import(m);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("relu0"), std::string::npos) << diags;
  EXPECT_NE(diags.find("'nowhere'"), std::string::npos) << diags;
  // ...and kiln's own import does too (for models the checker skips).
  auto [ok2, diags2] = import(m, "", /*runChecker=*/false);
  EXPECT_FALSE(ok2);
  EXPECT_NE(diags2.find("Relu node 'relu0': input 0 'nowhere' is not produced"),
            std::string::npos)
      << diags2;
}

TEST(Importer, RejectsZeroNegativeAndSymbolicDims) {
  for (int64_t bad : {0, -3}) {
    onnx::ModelProto m = reluModel();
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()
        ->mutable_shape()->mutable_dim(1)->set_dim_value(bad);
    auto [ok, diags] = import(m);
    EXPECT_FALSE(ok);
    EXPECT_NE(diags.find("graph input 'x' has dimension " + std::to_string(bad)),
              std::string::npos)
        << diags;
  }
  onnx::ModelProto m = reluModel();
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()
      ->mutable_shape()->mutable_dim(0)->set_dim_param("N");
  auto [ok, diags] = import(m);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("symbolic dimension 'N'"), std::string::npos) << diags;
}

TEST(Importer, RejectsHugeTensorsWithoutOverflow) {
  onnx::ModelProto m = reluModel();
  for (int i = 0; i < 4; ++i) {
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()
        ->mutable_shape()->mutable_dim(i)->set_dim_value(int64_t(1) << 40);
  }
  auto [ok, diags] = import(m, "", /*runChecker=*/false);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("graph input 'x'"), std::string::npos) << diags;
  EXPECT_NE(diags.find("larger than the 64 GiB kiln supports"), std::string::npos) << diags;
}

TEST(Importer, RejectsOutOfRangeWindowAttributes) {
  for (auto [name, value] : {std::pair<const char *, int64_t>{"strides", 0},
                             {"strides", -2},
                             {"dilations", int64_t(1) << 40},
                             {"pads", int64_t(1) << 62}}) {
    onnx::ModelProto m = reluModel();
    addConv(m)->set_raw_data(std::string(36 * 4, '\0'));
    auto *conv = m.mutable_graph()->mutable_node(1);
    auto *attr = conv->add_attribute();
    if (std::string(name) == "pads") {
      attr = conv->mutable_attribute(0); // replace the existing pads
      attr->clear_ints();
      for (int i = 0; i < 4; ++i)
        attr->add_ints(value);
    } else {
      attr->set_name(name);
      attr->set_type(onnx::AttributeProto::INTS);
      attr->add_ints(value);
      attr->add_ints(value);
    }
    auto [ok, diags] = import(m, "", /*runChecker=*/false);
    EXPECT_FALSE(ok) << name << " " << value;
    EXPECT_NE(diags.find("Conv node 'conv0'"), std::string::npos) << diags;
    EXPECT_NE(diags.find("out of range"), std::string::npos) << diags;
  }
}

TEST(Importer, OpsetAndIrVersionRanges) {
  auto [ok99, d99] = import(reluModel(99));
  EXPECT_FALSE(ok99);
  EXPECT_NE(d99.find("opset 99 is newer than the newest supported (opset 21)"),
            std::string::npos)
      << d99;
  // Opsets 1..6 are upgraded by ONNX's version converter, after ONNX's
  // checker has vetted them.
  auto [ok6, d6] = import(reluModel(6));
  EXPECT_TRUE(ok6) << d6;
  auto [ok1, d1] = import(reluModel(1));
  EXPECT_TRUE(ok1) << d1;
  onnx::ModelProto bad = reluModel(6);
  bad.mutable_graph()->mutable_node(0)->set_op_type("NoSuchOp");
  auto [okBad, dBad] = import(bad);
  EXPECT_FALSE(okBad);
  EXPECT_NE(dBad.find("the ONNX checker rejected the model"), std::string::npos) << dBad;
  EXPECT_NE(dBad.find("NoSuchOp"), std::string::npos) << dBad;
  onnx::ModelProto m = reluModel();
  m.set_ir_version(11);
  auto [okIr, dIr] = import(m);
  EXPECT_FALSE(okIr);
  EXPECT_NE(dIr.find("unsupported ONNX IR version 11"), std::string::npos) << dIr;
}

TEST(Importer, ConvRankMismatchNamesNode) {
  onnx::ModelProto m = reluModel();
  addConv(m)->set_raw_data(std::string(36 * 4, '\0'));
  auto *in = m.mutable_graph()->mutable_input(0);
  in->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim()->RemoveLast();
  auto [ok, diags] = import(m);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("Conv node 'conv0'"), std::string::npos) << diags;
}

/// A scratch folder with a model whose W lives in external data.
class ExternalData : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-importer-test", dir));
    std::ofstream(std::string(dir) + "/w.bin", std::ios::binary)
        << std::string(36 * 4, '\0');
  }
  void TearDown() override {
    llvm::sys::fs::remove_directories(dir);
  }
  onnx::ModelProto model(const std::string &location, int64_t offset = 0,
                         int64_t length = -1) {
    onnx::ModelProto m = reluModel();
    onnx::TensorProto *w = addConv(m);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto *loc = w->add_external_data();
    loc->set_key("location");
    loc->set_value(location);
    auto *off = w->add_external_data();
    off->set_key("offset");
    off->set_value(std::to_string(offset));
    if (length >= 0) {
      auto *len = w->add_external_data();
      len->set_key("length");
      len->set_value(std::to_string(length));
    }
    return m;
  }
  llvm::SmallString<128> dir;
};

TEST_F(ExternalData, ReadsInsideTheModelFolder) {
  auto [ok, diags] = import(model("w.bin"), dir);
  EXPECT_TRUE(ok) << diags;
}

TEST_F(ExternalData, RejectsAbsoluteEscapingAndOutOfRange) {
  auto [okAbs, dAbs] = import(model("/etc/passwd"), dir);
  EXPECT_FALSE(okAbs);
  EXPECT_NE(dAbs.find("is absolute"), std::string::npos) << dAbs;
  auto [okUp, dUp] = import(model("../w.bin"), dir);
  EXPECT_FALSE(okUp);
  EXPECT_NE(dUp.find("escapes the model's folder"), std::string::npos) << dUp;
  auto [okOff, dOff] = import(model("w.bin", 4096), dir);
  EXPECT_FALSE(okOff);
  EXPECT_NE(dOff.find("offset 4096 is past the end"), std::string::npos) << dOff;
  auto [okLen, dLen] = import(model("w.bin", 8, 144), dir);
  EXPECT_FALSE(okLen);
  EXPECT_NE(dLen.find("past the end"), std::string::npos) << dLen;
  auto [okMissing, dMissing] = import(model("nope.bin"), dir);
  EXPECT_FALSE(okMissing);
  EXPECT_NE(dMissing.find("cannot open external data file 'nope.bin'"),
            std::string::npos)
      << dMissing;
}

TEST_F(ExternalData, RejectsSymlinkOutOfTheFolder) {
  std::string link = std::string(dir) + "/link.bin";
  ASSERT_FALSE(llvm::sys::fs::create_link("/etc/hostname", link));
  auto [ok, diags] = import(model("link.bin"), dir);
  EXPECT_FALSE(ok);
  EXPECT_NE(diags.find("resolves outside the model's folder"), std::string::npos)
      << diags;
}

TEST_F(ExternalData, BadFiles) {
  std::string empty = std::string(dir) + "/empty.onnx";
  std::ofstream(empty, std::ios::binary).close();
  auto [okE, dE] = importFile(empty);
  EXPECT_FALSE(okE);
  EXPECT_NE(dE.find("the model file is empty"), std::string::npos) << dE;

  std::string text = std::string(dir) + "/text.onnx";
  std::ofstream(text) << "this is not a protobuf\n\xff\xff\xff";
  auto [okT, dT] = importFile(text);
  EXPECT_FALSE(okT);
  EXPECT_NE(dT.find("not a valid ONNX model"), std::string::npos) << dT;

  std::string bytes;
  reluModel().SerializeToString(&bytes);
  std::string cut = std::string(dir) + "/cut.onnx";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  auto [okC, dC] = importFile(cut);
  EXPECT_FALSE(okC);
  EXPECT_NE(dC.find("not a valid ONNX model"), std::string::npos) << dC;

  auto [okM, dM] = importFile(std::string(dir) + "/missing.onnx");
  EXPECT_FALSE(okM);
  EXPECT_NE(dM.find("cannot read the model"), std::string::npos) << dM;
}

} // namespace
