#!/usr/bin/python3
"""Writes a one-layer model: Conv (KxK, pads K//2, bias) -> Relu.

  conv_model.py OUT.onnx [--channels C] [--filters F] [--size H] [--kernel K]

Seeded weights; the input is named X ([1, C, H, H]), the output Y.
"""
import argparse

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--filters", type=int, default=64)
    ap.add_argument("--size", type=int, default=28)
    ap.add_argument("--kernel", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.RandomState(0)
    k, p = a.kernel, a.kernel // 2
    w = rng.standard_normal((a.filters, a.channels, k, k)).astype(np.float32) * 0.1
    b = rng.standard_normal((a.filters,)).astype(np.float32) * 0.1
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                              kernel_shape=[k, k], pads=[p, p, p, p]),
             helper.make_node("Relu", ["c"], ["Y"], name="relu")]
    g = helper.make_graph(
        nodes, "conv", [helper.make_tensor_value_info(
            "X", TensorProto.FLOAT, [1, a.channels, a.size, a.size])],
        [helper.make_tensor_value_info(
            "Y", TensorProto.FLOAT, [1, a.filters, a.size, a.size])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])
    m = helper.make_model(g, producer_name="kiln-test",
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    save(m, a.output)


if __name__ == "__main__":
    main()
