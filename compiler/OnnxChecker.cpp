//===- OnnxChecker.cpp - exception boundary around ONNX's checker ---------===//
//
// Compiled with -fexceptions (see CMakeLists.txt): catches everything ONNX's
// checker and version converter throw and turns it into a message.
//
//===----------------------------------------------------------------------===//
#include "compiler/OnnxChecker.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
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

static const char *attributeTypeName(onnx::AttributeProto::AttributeType type) {
  const std::string &name = onnx::AttributeProto::AttributeType_Name(type);
  return name.empty() ? "UNDEFINED" : name.c_str();
}

std::string kiln::checkAttributeTypes(const onnx::NodeProto &node, int64_t opset) {
  try {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(opset));
    if (!schema)
      return {};
    for (const onnx::AttributeProto &a : node.attribute()) {
      auto it = schema->attributes().find(a.name());
      // Old writers left the type out (IR < 2); the payload then decides.
      if (it == schema->attributes().end() || a.type() == onnx::AttributeProto::UNDEFINED ||
          a.type() == it->second.type)
        continue;
      return "attribute '" + a.name() + "' has type " + attributeTypeName(a.type()) +
             "; the operator takes " + attributeTypeName(it->second.type);
    }
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "unknown error from ONNX's operator schemas";
  }
  return {};
}
