//===- OnnxChecker.cpp - exception boundary around ONNX's checker ---------===//
//
// Compiled with -fexceptions (see CMakeLists.txt): catches everything ONNX's
// checker throws and turns it into a message.
//
//===----------------------------------------------------------------------===//
#include "compiler/OnnxChecker.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

std::string kiln::runOnnxChecker(const onnx::ModelProto &model,
                                 const std::string &modelPath) {
  try {
    if (modelPath.empty())
      onnx::checker::check_model(model);
    else
      onnx::checker::check_model(modelPath);
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "unknown error from the ONNX checker";
  }
  return {};
}
