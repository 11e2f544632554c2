#!/usr/bin/python3
"""Writes a broken copy of an ONNX model for the importer's error tests.

  mutate_model.py IN.onnx OUT.onnx EDIT

EDIT is one of: ir=N, opset=N (the default domain's version), no-default-opset, symbolic-dim, int-input, no-outputs,
custom-domain-op, unnamed-initializer, training-bn, bad-auto-pad,
dangling-output.
"""
import sys

import onnx
from onnx import TensorProto, helper

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
else:
    sys.exit("unknown edit " + edit)
onnx.save(m, dst)
