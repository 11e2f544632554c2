#!/usr/bin/python3
"""Writes a broken copy of an ONNX model for the importer's error tests.

  mutate_model.py IN.onnx OUT.onnx EDIT

EDIT is one of: ir=N, opset=N (the default domain's version), no-default-opset, symbolic-dim, int-input, no-outputs,
custom-domain-op, unnamed-initializer, training-bn, bad-auto-pad,
dangling-output, duplicate-output, self-input, init-shadows-input,
no-input-shape, no-input-type, attr-wrong-type, negative-stride,
huge-kernel, huge-pads, huge-group, empty-initializer, raw-size-mismatch,
typed-count-mismatch, int-weights, string-input, channel-mismatch,
zero-stride, reshape-count, gemm-mismatch, no-graph, two-default-opsets, opset0,
duplicate-init.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

src, dst, edit = sys.argv[1:4]
m = onnx.load(src)
g = m.graph
if edit.startswith("ir="):
    m.ir_version = int(edit[3:])
elif edit.startswith("opset="):
    next(o for o in m.opset_import if o.domain in ("", "ai.onnx")).version = int(edit[6:])
elif edit == "no-default-opset":
    del m.opset_import[:]
    m.opset_import.append(helper.make_opsetid("com.example", 1))
elif edit == "symbolic-dim":
    d = g.input[0].type.tensor_type.shape.dim[0]
    d.Clear()
    d.dim_param = "batch"
elif edit == "int-input":
    g.input[0].type.tensor_type.elem_type = TensorProto.INT32
elif edit == "no-outputs":
    del g.output[:]
elif edit == "custom-domain-op":
    g.node[0].domain = "com.example"
    m.opset_import.append(helper.make_opsetid("com.example", 1))
elif edit == "unnamed-initializer":
    g.initializer[0].name = ""
elif edit == "training-bn":
    n = next(n for n in g.node if n.op_type == "BatchNormalization")
    n.attribute.append(helper.make_attribute("training_mode", 1))
elif edit == "bad-auto-pad":
    n = next(n for n in g.node if n.op_type == "Conv")
    del n.attribute[:]
    n.attribute.append(helper.make_attribute("auto_pad", "SAME_MIDDLE"))
elif edit == "dangling-output":
    g.output[0].name = "nowhere"
elif edit == "duplicate-output":
    # Two nodes write the same tensor (ONNX graphs are in SSA form).
    g.node[2].output[0] = g.node[0].output[0]
elif edit == "self-input":
    n = next(n for n in g.node if n.op_type == "Relu")
    n.input[0] = n.output[0]
elif edit == "init-shadows-input":
    # An initializer named like the graph input but of another shape (a
    # same-shaped one is a legal default value).
    g.initializer.append(helper.make_tensor(g.input[0].name, TensorProto.FLOAT, [3], [0.0] * 3))
elif edit == "no-input-shape":
    g.input[0].type.tensor_type.ClearField("shape")
elif edit == "no-input-type":
    g.input[0].ClearField("type")
elif edit == "attr-wrong-type":
    n = next(n for n in g.node if n.op_type == "Conv")
    a = next(a for a in n.attribute if a.name == "kernel_shape")
    n.attribute.remove(a)
    n.attribute.append(helper.make_attribute("kernel_shape", [3.0, 3.0]))
elif edit in ("negative-stride", "zero-stride", "huge-kernel", "huge-pads"):
    n = next(n for n in g.node if n.op_type == "Conv")
    name, value = {"negative-stride": ("strides", [-1, 1]),
                   "zero-stride": ("strides", [0, 1]),
                   "huge-kernel": ("kernel_shape", [1 << 40, 3]),
                   "huge-pads": ("pads", [1 << 40, 1, 1, 1])}[edit]
    for a in list(n.attribute):
        if a.name == name:
            n.attribute.remove(a)
    n.attribute.append(helper.make_attribute(name, value))
elif edit == "huge-group":
    n = next(n for n in g.node if n.op_type == "Conv")
    n.attribute.append(helper.make_attribute("group", 1 << 62))
elif edit == "empty-initializer":
    t = next(t for t in g.initializer if t.name == "W1")
    t.ClearField("raw_data")
    del t.float_data[:]
    t.dims[0] = 0
elif edit == "raw-size-mismatch":
    t = next(t for t in g.initializer if t.name == "W1")
    data = numpy_helper.to_array(t).tobytes()
    del t.float_data[:]
    t.raw_data = data[:-8]
elif edit == "typed-count-mismatch":
    t = next(t for t in g.initializer if t.name == "W1")
    values = numpy_helper.to_array(t).flatten().tolist()
    t.ClearField("raw_data")
    del t.float_data[:]
    t.float_data.extend(values[:-3])
elif edit == "int-weights":
    t = next(t for t in g.initializer if t.name == "W1")
    arr = numpy_helper.to_array(t)
    t.CopyFrom(numpy_helper.from_array(arr.astype("int64"), "W1"))
elif edit == "string-input":
    g.input[0].type.tensor_type.elem_type = TensorProto.STRING
elif edit == "channel-mismatch":
    t = next(t for t in g.initializer if t.name == "W1")
    arr = numpy_helper.to_array(t)
    t.CopyFrom(numpy_helper.from_array(
        np.concatenate([arr, arr], axis=1), "W1"))
elif edit == "reshape-count":
    # Flatten's output read by a Reshape to a shape of another size.
    n = next(n for n in g.node if n.op_type == "Flatten")
    n.op_type = "Reshape"
    del n.attribute[:]
    n.input.append("bad_shape")
    g.initializer.append(helper.make_tensor("bad_shape", TensorProto.INT64, [2], [1, 5]))
elif edit == "gemm-mismatch":
    t = next(t for t in g.initializer if t.name == "FW")
    t.CopyFrom(helper.make_tensor("FW", TensorProto.FLOAT, [4, 5], [0.5] * 20))
elif edit == "no-graph":
    m.ClearField("graph")
elif edit == "two-default-opsets":
    m.opset_import.append(helper.make_opsetid("ai.onnx", 11))
elif edit == "opset0":
    next(o for o in m.opset_import if o.domain in ("", "ai.onnx")).version = 0
elif edit == "duplicate-init":
    g.initializer.append(g.initializer[0])
else:
    sys.exit("unknown edit " + edit)
onnx.save(m, dst)
