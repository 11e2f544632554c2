//===- OnnxChecker.cpp - exception boundary around ONNX's checker ---------===//
//
// Compiled with -fexceptions (see CMakeLists.txt): catches everything ONNX's
// checker and version converter throw and turns it into a message.
//
//===----------------------------------------------------------------------===//
#include "compiler/OnnxChecker.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/version_converter/convert.h>

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

std::string kiln::upgradeOnnxOpset(onnx::ModelProto &model, int64_t targetOpset) {
  try {
    onnx::ModelProto upgraded =
        onnx::version_conversion::ConvertVersion(model, (int)targetOpset);
    model = std::move(upgraded);
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "unknown error from the ONNX version converter";
  }
  return {};
}
