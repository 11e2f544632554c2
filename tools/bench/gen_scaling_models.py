#!/usr/bin/python3
"""Models for the compile-time scaling benchmark (tools/bench/compile-scaling.sh).

  gen_scaling_models.py chain N OUT.onnx      N Relu nodes in a chain on 1x16
  gen_scaling_models.py softmax K OUT.onnx    one Softmax over the last axis of 1xK
  gen_scaling_models.py softmax11 K OUT.onnx  opset-11 Softmax(axis=1) of 2x3xK (coerced to 2x3K)
  gen_scaling_models.py convs N OUT.onnx      N 3x3 convs (16 channels, 8x8), each + Relu
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def chain(n):
    nodes = [helper.make_node("Relu", ["x" if i == 0 else "t%d" % (i - 1)],
                              ["y" if i == n - 1 else "t%d" % i], name="relu%d" % i)
             for i in range(n)]
    return nodes, [vi("x", [1, 16])], [vi("y", [1, 16])], []


def softmax(k):
    return ([helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=-1)],
            [vi("x", [1, k])], [vi("y", [1, k])], [])


def softmax11(k):
    return ([helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)],
            [vi("x", [2, 3, k])], [vi("y", [2, 3, k])], [])


def convs(n):
    rng = np.random.RandomState(0)
    nodes, inits, prev = [], [], "x"
    for i in range(n):
        w = "w%d" % i
        inits.append(numpy_helper.from_array(
            (rng.standard_normal((16, 16, 3, 3)) * 0.1).astype(np.float32), w))
        out = "y" if i == n - 1 else "r%d" % i
        nodes += [helper.make_node("Conv", [prev, w], ["c%d" % i], name="conv%d" % i,
                                   kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", ["c%d" % i], [out], name="relu%d" % i)]
        prev = out
    return nodes, [vi("x", [1, 16, 8, 8])], [vi("y", [1, 16, 8, 8])], inits


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("chain", "softmax", "softmax11", "convs"):
        sys.exit(__doc__.strip())
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    nodes, ins, outs, inits = globals()[kind](n)
    g = helper.make_graph(nodes, "%s%d" % (kind, n), ins, outs, inits)
    opset = 11 if kind == "softmax11" else 13
    m = helper.make_model(g, producer_name="kiln-bench",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    save(m, out)


if __name__ == "__main__":
    main()
