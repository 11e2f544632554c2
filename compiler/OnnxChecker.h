//===- OnnxChecker.h - exception-free wrapper of ONNX's checker -*- C++ -*-===//
//
// ONNX's checker and version converter report problems by throwing C++
// exceptions, while kiln is built without exceptions. This is the one
// boundary where they are caught: OnnxChecker.cpp alone is compiled with
// -fexceptions.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_ONNXCHECKER_H
#define KILN_COMPILER_ONNXCHECKER_H

#include <string>

namespace onnx {
class ModelProto;
class NodeProto;
} // namespace onnx

namespace kiln {

/// Newest IR version and default-domain opset Debian's ONNX 1.12 checker
/// understands; newer models skip it and rely on kiln's own checks.
constexpr int64_t kCheckerMaxIrVersion = 8;
constexpr int64_t kCheckerMaxOpset = 17;

/// Runs onnx::checker::check_model. Models with external data are checked
/// from `modelPath` (so the checker resolves their data files next to the
/// model; kiln validates those references before calling this). Returns an
/// empty string on success, the checker's message otherwise. Never throws.
std::string runOnnxChecker(const onnx::ModelProto &model,
                           const std::string &modelPath);

/// Upgrades `model` in place to default-domain opset `targetOpset` with
/// ONNX's version converter (onnx::version_conversion::ConvertVersion).
/// Returns an empty string on success, the converter's message otherwise
/// (`model` is then unchanged). Never throws.
std::string upgradeOnnxOpset(onnx::ModelProto &model, int64_t targetOpset);

/// Checks the declared type of each of `node`'s attributes against the
/// operator's ONNX schema at `opset` (default domain), so that, e.g., a
/// kernel_shape given as FLOATS is named as such even when the checker
/// does not run. Returns an empty string when they match (or the operator
/// or attribute is unknown to ONNX's schemas), the problem otherwise.
std::string checkAttributeTypes(const onnx::NodeProto &node, int64_t opset);

} // namespace kiln

#endif // KILN_COMPILER_ONNXCHECKER_H
