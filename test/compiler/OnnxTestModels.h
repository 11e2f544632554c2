//===- OnnxTestModels.h - building ONNX models in GoogleTests ---*- C++ -*-===//
//
// Small helpers the importer and compiler GoogleTests share to build
// ModelProtos in C++: typed graph inputs/outputs and integer-list
// attributes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TEST_COMPILER_ONNXTESTMODELS_H
#define KILN_TEST_COMPILER_ONNXTESTMODELS_H

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace kiln::test {

/// Makes `v` a FLOAT tensor `name` of static shape `dims`.
inline void setShape(onnx::ValueInfoProto *v, const std::string &name,
                     const std::vector<int64_t> &dims) {
  v->set_name(name);
  auto *tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    tt->mutable_shape()->add_dim()->set_dim_value(d);
}

/// Adds the INTS attribute `name` = `values` to `node`.
inline void addInts(onnx::NodeProto *node, const std::string &name,
                    const std::vector<int64_t> &values) {
  auto *a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    a->add_ints(v);
}

} // namespace kiln::test

#endif // KILN_TEST_COMPILER_ONNXTESTMODELS_H
