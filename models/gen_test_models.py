#!/usr/bin/python3
"""Tiny deterministic ONNX files for kiln's importer tests (lit).

  gen_test_models.py -o build/models/lit [--list] [--only NAME ...]

Writes one model per op / import path, each well under 20 KB, plus bad-*
inputs that the importer must reject, plus MANIFEST.tsv (one line per file:
name, expectation, checker result, description).  Same script, same bytes:
weights come from numpy.random.RandomState([seed, crc32(name)]) (--seed,
default 0) and nothing depends on time or paths (except the two
external-data escape cases, whose `location` names the output directory's
basename; see README.md).

Only needs numpy and onnx (Debian's python3-onnx 1.12: it knows opsets <= 17
and IR <= 8; newer opset/IR fields are set directly and the checker is skipped
for those files).
"""

import argparse
import inspect
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CHECKER_MAX_OPSET = 17
CHECKER_MAX_IR = 8
F = TensorProto.FLOAT
I64 = TensorProto.INT64

SEED = 0
REGISTRY = []  # (name, func)


def model(name):
    def deco(fn):
        REGISTRY.append((name, fn))
        return fn
    return deco


def _describe(fn, name):
    """The comment on a builder's `def` line (or its docstring)."""
    if fn.__doc__:
        return " ".join(fn.__doc__.split())
    try:
        lines = inspect.getsourcelines(fn)[0]
    except (OSError, TypeError):
        return name
    first = next((ln for ln in lines if ln.lstrip().startswith("def ")), "")
    return first.split("#", 1)[1].strip() if "#" in first else name


def rnd(name, shape, scale=1.0):
    r = np.random.RandomState([SEED & 0xFFFFFFFF, zlib.crc32(name.encode())])
    return (r.standard_normal(shape) * scale).astype(np.float32)


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def mk(nodes, inputs, outputs, inits=(), opset=13, ir=7, name="g",
       domain_opsets=None):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    ops = [helper.make_opsetid("", opset)] + list(domain_opsets or [])
    m = helper.make_model(g, producer_name="kiln-gen_test_models",
                          producer_version="1", opset_imports=ops)
    m.ir_version = ir
    if ir < 4:
        _inits_to_inputs(m)
    return m


def W(name, shape, scale=0.5):
    return numpy_helper.from_array(rnd(name, shape, scale), name)


def single(op, x_shape, out_shape, inits=(), extra_inputs=(), opset=13,
           ir=7, in_names=None, **attrs):
    """One-node model: graph input X (+ initializers named in extra_inputs)."""
    ins = ["X"] + list(extra_inputs) if in_names is None else in_names
    n = helper.make_node(op, ins, ["Y"], name="n0_" + op, **attrs)
    return mk([n], [vi("X", F, x_shape)], [vi("Y", F, out_shape)], inits,
              opset, ir, name=op.lower())


# ---------------------------------------------------------------- Conv
@model("conv_pads")
def _():
    return single("Conv", [1, 2, 5, 5], [1, 3, 5, 5],
                  [W("W", [3, 2, 3, 3]), W("B", [3])], ["W", "B"],
                  kernel_shape=[3, 3], pads=[1, 1, 1, 1])


@model("conv_nobias")
def _():
    return single("Conv", [1, 2, 5, 5], [1, 3, 3, 3], [W("W", [3, 2, 3, 3])],
                  ["W"], kernel_shape=[3, 3])


@model("conv_auto_pad_same_upper")
def _():  # H 7->4 (pad 1,1); W 6->3 (total pad 1: 0 begin, 1 end)
    return single("Conv", [1, 2, 7, 6], [1, 3, 4, 3],
                  [W("W", [3, 2, 3, 3]), W("B", [3])], ["W", "B"],
                  kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")


@model("conv_auto_pad_same_upper_odd")
def _():  # total pad 1 per axis: SAME_UPPER puts it at the end
    return single("Conv", [1, 1, 6, 6], [1, 2, 3, 3],
                  [W("W", [2, 1, 2, 2])], ["W"],
                  kernel_shape=[2, 2], strides=[2, 2], auto_pad="SAME_UPPER")


@model("conv_auto_pad_same_lower")
def _():
    return single("Conv", [1, 1, 6, 6], [1, 2, 6, 6],
                  [W("W", [2, 1, 2, 2])], ["W"],
                  kernel_shape=[2, 2], auto_pad="SAME_LOWER")


@model("conv_auto_pad_valid")
def _():
    return single("Conv", [1, 2, 7, 7], [1, 3, 3, 3],
                  [W("W", [3, 2, 3, 3]), W("B", [3])], ["W", "B"],
                  kernel_shape=[3, 3], strides=[2, 2], auto_pad="VALID")


@model("conv_strides_dilations_asym_pads")
def _():  # pads [hb,wb,he,we]; H: (9+0+1-5)/2+1 = 3; W: (8+1+0-2)/1+1 = 8
    return single("Conv", [1, 2, 9, 8], [1, 4, 3, 8],
                  [W("W", [4, 2, 3, 2]), W("B", [4])], ["W", "B"],
                  kernel_shape=[3, 2], strides=[2, 1], dilations=[2, 1],
                  pads=[0, 1, 1, 0])


@model("conv_group2")
def _():
    return single("Conv", [1, 4, 5, 5], [1, 6, 5, 5],
                  [W("W", [6, 2, 3, 3]), W("B", [6])], ["W", "B"],
                  kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2)


@model("conv_depthwise")
def _():
    return single("Conv", [1, 4, 6, 6], [1, 4, 3, 3],
                  [W("W", [4, 1, 3, 3])], ["W"], kernel_shape=[3, 3],
                  pads=[1, 1, 1, 1], strides=[2, 2], group=4)


@model("conv_group4_f8")
def _():  # 4 groups of 4 input and 8 output channels (one vector per group)
    return single("Conv", [1, 16, 9, 9], [1, 32, 9, 9],
                  [W("W", [32, 4, 3, 3]), W("B", [32])], ["W", "B"],
                  kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=4)


@model("conv_group8_f4_stride2")
def _():  # ResNeXt's first stage: 4 channels per group in and out, stride 2
    return single("Conv", [1, 32, 10, 10], [1, 32, 5, 5],
                  [W("W", [32, 4, 3, 3]), W("B", [32])], ["W", "B"],
                  kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2],
                  group=8)


@model("conv1x1_stride2_odd")
def _():  # a downsampling shortcut on an odd size (13 -> 7) with a residual
    # add and ReLU: the strided 1x1 GEMM (every other input pixel)
    nodes = [
        helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                         kernel_shape=[1, 1], strides=[2, 2]),
        helper.make_node("Add", ["c", "R"], ["a"], name="add"),
        helper.make_node("Relu", ["a"], ["Y"], name="relu"),
    ]
    return mk(nodes, [vi("X", F, [1, 32, 13, 13]), vi("R", F, [1, 64, 7, 7])],
              [vi("Y", F, [1, 64, 7, 7])], [W("W", [64, 32, 1, 1]), W("B", [64])])


@model("conv_group2_add_relu")
def _():  # grouped Conv + residual Add + Relu, fused into one kernel
    nodes = [
        helper.make_node("Conv", ["X", "W", "B"], ["c"], name="gconv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2),
        helper.make_node("Add", ["c", "X"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["Y"], name="relu")]
    return mk(nodes, [vi("X", F, [1, 32, 7, 7])], [vi("Y", F, [1, 32, 7, 7])],
              [W("W", [32, 16, 3, 3], 0.2), W("B", [32])], name="gconv")


@model("preact_bottleneck")
def _():  # pre-activation block: Conv -> BN + Relu (standalone, NHWC) -> Conv
    # 3x3 + the BN's input as the residual
    nodes = [
        helper.make_node("Conv", ["X", "W0"], ["c0"], name="conv0", kernel_shape=[1, 1]),
        helper.make_node("BatchNormalization", ["c0", "scale", "bias", "mean", "var"], ["b"],
                         name="bn0", epsilon=1e-5),
        helper.make_node("Relu", ["b"], ["a"], name="relu0"),
        helper.make_node("Conv", ["a", "W1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c1", "c0"], ["Y"], name="add")]
    return mk(nodes, [vi("X", F, [1, 16, 9, 9])], [vi("Y", F, [1, 16, 9, 9])],
              [W("W0", [16, 16, 1, 1], 0.3), W("W1", [16, 16, 3, 3], 0.1)] + _bn_inits(16),
              name="preact")


@model("conv_no_kernel_shape_attr")
def _():  # kernel_shape is optional: inferred from W
    return single("Conv", [1, 2, 5, 5], [1, 3, 3, 3], [W("W", [3, 2, 3, 3])],
                  ["W"])


@model("conv_batch2")
def _():
    return single("Conv", [2, 3, 8, 8], [2, 4, 4, 4],
                  [W("W", [4, 3, 3, 3]), W("B", [4])], ["W", "B"],
                  kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])


# ---------------------------------------------------------------- BN etc.
def _bn_inits(c):
    r = np.random.RandomState([SEED, zlib.crc32(b"bn")])
    return [numpy_helper.from_array(a.astype(np.float32), n) for n, a in (
        ("scale", r.uniform(0.5, 1.5, c)), ("bias", r.standard_normal(c)),
        ("mean", r.standard_normal(c) * 0.1), ("var", r.uniform(0.5, 2, c)))]


def _bn(opset, **attrs):
    return single("BatchNormalization", [1, 3, 4, 4], [1, 3, 4, 4],
                  _bn_inits(3), ["scale", "bias", "mean", "var"],
                  opset=opset, ir=3 if opset < 9 else 7, epsilon=1e-5,
                  **attrs)


@model("batchnorm")
def _():
    return _bn(13, momentum=0.9)


@model("batchnorm_op7_spatial")
def _():
    m = _bn(7, spatial=1)
    _inits_to_inputs(m)
    return m


@model("batchnorm_op9")
def _():
    return _bn(9)


@model("batchnorm_op15_training_mode0")
def _():
    return _bn(15, training_mode=0)


@model("relu")
def _():
    return single("Relu", [1, 3, 4, 4], [1, 3, 4, 4])


@model("add_same_shape")
def _():
    n = helper.make_node("Add", ["A", "B"], ["Y"], name="add")
    return mk([n], [vi("A", F, [1, 3, 4, 4]), vi("B", F, [1, 3, 4, 4])],
              [vi("Y", F, [1, 3, 4, 4])])


@model("add_broadcast_c11")
def _():  # [1,C,H,W] + [1,C,1,1] (initializer)
    return single("Add", [1, 3, 4, 4], [1, 3, 4, 4], [W("C", [1, 3, 1, 1])],
                  ["C"])


@model("add_broadcast_c11_first")
def _():  # [1,C,1,1] + [1,C,H,W]: broadcast operand first
    n = helper.make_node("Add", ["C", "X"], ["Y"], name="add")
    return mk([n], [vi("X", F, [1, 3, 4, 4])], [vi("Y", F, [1, 3, 4, 4])],
              [W("C", [1, 3, 1, 1])])


@model("add_two_inputs_broadcast")
def _():
    n = helper.make_node("Add", ["A", "B"], ["Y"], name="add")
    return mk([n], [vi("A", F, [1, 3, 4, 4]), vi("B", F, [1, 3, 1, 1])],
              [vi("Y", F, [1, 3, 4, 4])])


@model("sigmoid")
def _():
    return single("Sigmoid", [1, 3, 4, 4], [1, 3, 4, 4])


@model("sigmoid_op7")
def _():
    return single("Sigmoid", [2, 5], [2, 5], opset=7, ir=3)


@model("clip_op6")
def _():  # bounds as attributes (opsets 6-10)
    return single("Clip", [1, 3, 4, 4], [1, 3, 4, 4], opset=6, ir=3, min=-0.5,
                  max=0.5)


@model("clip_op6_max_only")
def _():  # an absent bound is no bound
    return single("Clip", [2, 5], [2, 5], opset=6, ir=3, max=0.25)


@model("clip_op11")
def _():  # bounds as rank-0 initializer inputs (opset 11 on)
    lo = numpy_helper.from_array(np.array(-0.3, np.float32), "lo")
    hi = numpy_helper.from_array(np.array(0.7, np.float32), "hi")
    return single("Clip", [1, 3, 4, 4], [1, 3, 4, 4], [lo, hi], ["lo", "hi"],
                  opset=11)


@model("clip_op13_min_only")
def _():  # max omitted
    lo = numpy_helper.from_array(np.array(0.1, np.float32), "lo")
    return single("Clip", [2, 3, 5], [2, 3, 5], [lo], ["lo"], opset=13)


@model("clip_op13_max_input_only")
def _():  # min given as the empty name
    hi = numpy_helper.from_array(np.array(0.2, np.float32), "hi")
    n = helper.make_node("Clip", ["X", "", "hi"], ["Y"], name="clip")
    return mk([n], [vi("X", F, [2, 6])], [vi("Y", F, [2, 6])], [hi])


@model("clip_min_above_max")
def _():  # min > max: every value becomes max
    lo = numpy_helper.from_array(np.array(0.5, np.float32), "lo")
    hi = numpy_helper.from_array(np.array(-0.5, np.float32), "hi")
    return single("Clip", [1, 8], [1, 8], [lo, hi], ["lo", "hi"])


@model("conv_relu6")
def _():  # MobileNet's Conv -> Clip(0, 6)
    lo = numpy_helper.from_array(np.array(0.0, np.float32), "lo")
    hi = numpy_helper.from_array(np.array(6.0, np.float32), "hi")
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["c", "lo", "hi"], ["Y"], name="relu6")]
    return mk(nodes, [vi("X", F, [1, 8, 6, 6])], [vi("Y", F, [1, 16, 6, 6])],
              [W("W", [16, 8, 3, 3], 2.0), W("B", [16]), lo, hi])


@model("hardsigmoid_attrs")
def _():  # clip(alpha * x + beta, 0, 1)
    return single("HardSigmoid", [2, 3, 4], [2, 3, 4], alpha=0.3, beta=0.4)


@model("conv_hardswish")
def _():  # MobileNet V3 (opset 13 export): x * HardSigmoid(x), 1/6 and 0.5
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("HardSigmoid", ["c"], ["h"], name="hsig",
                              alpha=1.0 / 6, beta=0.5),
             helper.make_node("Mul", ["c", "h"], ["Y"], name="hswish")]
    return mk(nodes, [vi("X", F, [1, 8, 6, 6])], [vi("Y", F, [1, 16, 6, 6])],
              [W("W", [16, 8, 3, 3], 2.0), W("B", [16])])


@model("pad_zero_avgpool")
def _():  # DenseNet's transition: a Pad of zeros (opset 11 input) before AveragePool
    pads = numpy_helper.from_array(np.zeros(8, np.int64), "pads")
    nodes = [helper.make_node("Pad", ["X", "pads"], ["p"], name="pad", mode="constant"),
             helper.make_node("AveragePool", ["p"], ["Y"], name="pool",
                              kernel_shape=[2, 2], strides=[2, 2])]
    return mk(nodes, [vi("X", F, [1, 8, 6, 6])], [vi("Y", F, [1, 8, 3, 3])], [pads])


@model("pad_avgpool_inception")
def _():  # Inception v3 (PyTorch export): conv, Pad [0,0,1,1,0,0,1,1], 3x3 s1 AveragePool
    pads = numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                              kernel_shape=[1, 1]),
             helper.make_node("Pad", ["c", "pads"], ["p"], name="pad", mode="constant"),
             helper.make_node("AveragePool", ["p"], ["Y"], name="pool",
                              kernel_shape=[3, 3], strides=[1, 1])]
    return mk(nodes, [vi("X", F, [1, 8, 7, 7])], [vi("Y", F, [1, 16, 7, 7])],
              [pads, W("W", [16, 8, 1, 1]), W("B", [16])])


@model("pad_conv_tf_same")
def _():  # TensorFlow converters: asymmetric Pad [0,0,0,0, 0,0,1,1] before a
    # 3x3 stride-2 conv with no pads of its own, and a stem-like 7x7 pad 3
    p1 = numpy_helper.from_array(np.array([0, 0, 3, 3, 0, 0, 3, 3], np.int64), "p1")
    p2 = numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, 1, 1], np.int64), "p2")
    nodes = [helper.make_node("Pad", ["X", "p1"], ["x1"], name="pad_stem"),
             helper.make_node("Conv", ["x1", "W1", "B1"], ["c1"], name="conv_stem",
                              kernel_shape=[7, 7], strides=[2, 2]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu"),
             helper.make_node("Pad", ["r1", "p2"], ["x2"], name="pad2"),
             helper.make_node("Conv", ["x2", "W2", "B2"], ["Y"], name="conv2",
                              kernel_shape=[3, 3], strides=[2, 2])]
    return mk(nodes, [vi("X", F, [1, 3, 16, 16])], [vi("Y", F, [1, 16, 4, 4])],
              [p1, p2, W("W1", [16, 3, 7, 7], 0.3), W("B1", [16]),
               W("W2", [16, 16, 3, 3], 0.3), W("B2", [16])])


@model("pad_op2_maxpool")
def _():  # opset 2 attributes: a -inf pad folds into the max pool's padding
    nodes = [helper.make_node("Pad", ["X"], ["p"], name="pad", mode="constant",
                              pads=[0, 0, 1, 0, 0, 0, 0, 1], value=float("-inf")),
             helper.make_node("MaxPool", ["p"], ["Y"], name="pool",
                              kernel_shape=[3, 3], strides=[2, 2])]
    return mk(nodes, [vi("X", F, [1, 8, 8, 8])], [vi("Y", F, [1, 8, 4, 4])], opset=7)


@model("pad_standalone_value")
def _():  # a Pad nothing folds into (value 0.5, batch and channels padded too),
    # read by a Relu and by a conv (which folds only zero pads)
    pads = numpy_helper.from_array(np.array([0, 1, 2, 0, 1, 0, 1, 3], np.int64), "pads")
    v = numpy_helper.from_array(np.array(0.5, np.float32), "v")
    nodes = [helper.make_node("Pad", ["X", "pads", "v"], ["p"], name="pad"),
             helper.make_node("Relu", ["p"], ["Y"], name="relu"),
             helper.make_node("Conv", ["p", "W", "B"], ["Z"], name="conv",
                              kernel_shape=[3, 3])]
    return mk(nodes, [vi("X", F, [1, 4, 5, 5])],
              [vi("Y", F, [2, 5, 8, 8]), vi("Z", F, [2, 8, 6, 6])],
              [pads, v, W("W", [8, 5, 3, 3]), W("B", [8])])


@model("pad_shared_conv_pool")
def _():  # one zero Pad read by a conv and an AveragePool that excludes its
    # own pads (the conv folds it; the pool keeps the pad)
    pads = numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
    nodes = [helper.make_node("Conv", ["X", "W0", "B0"], ["c"], name="conv0",
                              kernel_shape=[1, 1]),
             helper.make_node("Pad", ["c", "pads"], ["p"], name="pad"),
             helper.make_node("Conv", ["p", "W", "B"], ["Y"], name="conv",
                              kernel_shape=[3, 3]),
             helper.make_node("AveragePool", ["p"], ["Z"], name="pool",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    return mk(nodes, [vi("X", F, [1, 8, 6, 6])],
              [vi("Y", F, [1, 8, 6, 6]), vi("Z", F, [1, 8, 8, 8])],
              [pads, W("W0", [8, 8, 1, 1]), W("B0", [8]), W("W", [8, 8, 3, 3], 0.3),
               W("B", [8])])


# ---------------------------------------------------------------- Concat
@model("concat_convs")
def _():  # Inception/SqueezeNet: two convs of one input joined on channels,
    # listed in the other order than they are produced, then a consumer conv
    nodes = [helper.make_node("Conv", ["X", "Wa", "Ba"], ["a"], name="conv_a",
                              kernel_shape=[1, 1]),
             helper.make_node("Relu", ["a"], ["ra"], name="relu_a"),
             helper.make_node("Conv", ["X", "Wb", "Bb"], ["b"], name="conv_b",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["b"], ["rb"], name="relu_b"),
             helper.make_node("Concat", ["rb", "ra"], ["cat"], name="cat",
                              axis=1),
             helper.make_node("Conv", ["cat", "Wc", "Bc"], ["Y"], name="conv_c",
                              kernel_shape=[1, 1])]
    return mk(nodes, [vi("X", F, [1, 8, 8, 8])], [vi("Y", F, [1, 16, 8, 8])],
              [W("Wa", [16, 8, 1, 1]), W("Ba", [16]), W("Wb", [16, 8, 3, 3], 0.2),
               W("Bb", [16]), W("Wc", [16, 32, 1, 1], 0.3), W("Bc", [16])])


@model("concat_dense")
def _():  # DenseNet: a feature map joined with the conv of it (two uses)
    nodes = [helper.make_node("Conv", ["X", "W1", "B1"], ["c1"], name="conv1",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "W2", "B2"], ["c2"], name="conv2",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Concat", ["r1", "c2"], ["cat"], name="cat",
                              axis=1),
             helper.make_node("Relu", ["cat"], ["Y"], name="relu_cat")]
    return mk(nodes, [vi("X", F, [1, 8, 6, 6])], [vi("Y", F, [1, 24, 6, 6])],
              [W("W1", [16, 8, 3, 3], 0.3), W("B1", [16]), W("W2", [8, 16, 3, 3], 0.3),
               W("B2", [8])])


@model("concat_inputs_neg_axis")
def _():  # two graph inputs and a constant along axis -2
    n = helper.make_node("Concat", ["X", "X2", "K"], ["Y"], name="cat", axis=-2)
    return mk([n], [vi("X", F, [2, 3, 4]), vi("X2", F, [2, 5, 4])],
              [vi("Y", F, [2, 9, 4])], [W("K", [2, 1, 4])])


@model("mul_broadcast_c11")
def _():  # [1,C,H,W] * [1,C,1,1] (initializer)
    return single("Mul", [1, 3, 4, 4], [1, 3, 4, 4], [W("C", [1, 3, 1, 1])],
                  ["C"])


@model("mul_two_inputs_broadcast")
def _():  # [2,1,4] * [3,1] -> [2,3,4]: both operands broadcast
    n = helper.make_node("Mul", ["A", "B"], ["Y"], name="mul")
    return mk([n], [vi("A", F, [2, 1, 4]), vi("B", F, [3, 1])],
              [vi("Y", F, [2, 3, 4])])


@model("swish_block")
def _():  # Conv -> x * Sigmoid(x) -> MaxPool: elementwise ops inside NHWC
    nodes = [
        helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Sigmoid", ["c"], ["s"], name="sigmoid"),
        helper.make_node("Mul", ["c", "s"], ["m"], name="mul"),
        helper.make_node("MaxPool", ["m"], ["Y"], name="pool",
                         kernel_shape=[2, 2], strides=[2, 2]),
    ]
    return mk(nodes, [vi("X", F, [1, 2, 6, 6])], [vi("Y", F, [1, 4, 3, 3])],
              [W("W", [4, 2, 3, 3]), W("B", [4])])


# ---------------------------------------------------------------- pooling
@model("maxpool_pads")
def _():
    return single("MaxPool", [1, 2, 8, 8], [1, 2, 4, 4], kernel_shape=[3, 3],
                  strides=[2, 2], pads=[1, 1, 1, 1])


@model("maxpool_ceil0")
def _():  # floor((6-3)/2)+1 = 2
    return single("MaxPool", [1, 1, 6, 6], [1, 1, 2, 2], kernel_shape=[3, 3],
                  strides=[2, 2], ceil_mode=0)


@model("maxpool_ceil1")
def _():  # ceil((6-3)/2)+1 = 3 (last window starts inside the input)
    return single("MaxPool", [1, 1, 6, 6], [1, 1, 3, 3], kernel_shape=[3, 3],
                  strides=[2, 2], ceil_mode=1)


def _conv_maxpool(hw, pool_hw, **pool):
    """Conv (3 -> 32 channels, so whole vectors of channels on every
    target) -> MaxPool inside the NHWC region: the vector max pool that
    reads clamped coordinates instead of a -inf padded copy."""
    nodes = [
        helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("MaxPool", ["c"], ["Y"], name="pool", **pool),
    ]
    return mk(nodes, [vi("X", F, [1, 3, hw, hw])], [vi("Y", F, [1, 32, pool_hw, pool_hw])],
              [W("W", [32, 3, 3, 3]), W("B", [32])])


@model("conv_maxpool_pads")
def _():  # ResNet's stem pool: k3 s2 p1 on an odd size, both borders padded
    return _conv_maxpool(13, 7, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])


@model("conv_maxpool_ceil")
def _():  # ceil((13-2)/2)+1 = 7: the last window reaches past the input
    return _conv_maxpool(13, 7, kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)


@model("conv_maxpool_asym")
def _():  # pads only at the start (0 at the end), a 3x2 window, stride 1x2
    return mk([helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                                kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
               helper.make_node("MaxPool", ["c"], ["Y"], name="pool", kernel_shape=[3, 2],
                                strides=[1, 2], pads=[2, 1, 0, 0])],
              [vi("X", F, [1, 3, 9, 9])], [vi("Y", F, [1, 32, 9, 5])],
              [W("W", [32, 3, 3, 3]), W("B", [32])])


@model("maxpool_op8")
def _():
    return single("MaxPool", [1, 2, 8, 8], [1, 2, 4, 4], opset=8, ir=3,
                  kernel_shape=[2, 2], strides=[2, 2])


@model("averagepool_pads_exclude")
def _():
    return single("AveragePool", [1, 2, 5, 5], [1, 2, 3, 3],
                  kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                  count_include_pad=0)


@model("averagepool_pads_include")
def _():
    return single("AveragePool", [1, 2, 5, 5], [1, 2, 3, 3],
                  kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                  count_include_pad=1)


@model("globalaveragepool")
def _():
    return single("GlobalAveragePool", [1, 4, 5, 3], [1, 4, 1, 1])


# ---------------------------------------------------------------- shapes
@model("flatten_axis1")
def _():
    return single("Flatten", [2, 3, 4, 5], [2, 60], axis=1)


@model("flatten_default_axis")
def _():
    return single("Flatten", [2, 3, 1, 1], [2, 3])


@model("reshape_init_shape")
def _():  # shape [0, -1] from an int64 initializer
    s = numpy_helper.from_array(np.array([0, -1], np.int64), "shape")
    return single("Reshape", [2, 3, 4], [2, 12], [s], ["shape"])


@model("reshape_init_shape_neg1_first")
def _():
    s = numpy_helper.from_array(np.array([-1, 4, 0], np.int64), "shape")
    return single("Reshape", [3, 2, 4, 2], [3, 4, 4], [s], ["shape"])


@model("reshape_op5")
def _():
    s = numpy_helper.from_array(np.array([1, -1], np.int64), "shape")
    return single("Reshape", [1, 2, 3, 3], [1, 18], [s], ["shape"], opset=5,
                  ir=3)


# ---------------------------------------------------------------- Gemm
@model("gemm_transB")
def _():
    return single("Gemm", [2, 4], [2, 3], [W("B", [3, 4]), W("C", [3])],
                  ["B", "C"], transB=1)


@model("gemm_transA")
def _():
    return single("Gemm", [4, 2], [2, 3], [W("B", [4, 3]), W("C", [1, 3])],
                  ["B", "C"], transA=1)


@model("gemm_transA_transB")
def _():
    return single("Gemm", [4, 2], [2, 3], [W("B", [3, 4]), W("C", [2, 3])],
                  ["B", "C"], transA=1, transB=1)


@model("gemm_alpha_beta")
def _():
    return single("Gemm", [2, 4], [2, 3], [W("B", [4, 3]), W("C", [2, 3])],
                  ["B", "C"], alpha=0.5, beta=2.0)


@model("gemm_scalar_c")
def _():
    return single("Gemm", [2, 4], [2, 3], [W("B", [4, 3]), W("C", [1])],
                  ["B", "C"], beta=-1.0)


@model("gemm_no_c")
def _():  # C optional from opset 11
    return single("Gemm", [2, 4], [2, 3], [W("B", [3, 4])], ["B"], transB=1,
                  alpha=2.0)


@model("gemm_op9")
def _():
    return single("Gemm", [1, 8], [1, 5], [W("B", [5, 8]), W("C", [5])],
                  ["B", "C"], opset=9, ir=4, transB=1)


@model("matmul_2d")
def _():
    return single("MatMul", [2, 4], [2, 3], [W("B", [4, 3])], ["B"])


@model("matmul_2d_two_inputs")
def _():
    n = helper.make_node("MatMul", ["A", "B"], ["Y"], name="mm")
    return mk([n], [vi("A", F, [3, 5]), vi("B", F, [5, 2])],
              [vi("Y", F, [3, 2])])


# ---------------------------------------------------------------- Softmax
# opset < 13: input coerced to 2-D at `axis` (default 1);
# opset >= 13: normalizes along `axis` only (default -1).
@model("softmax_op11_axis_neg1")
def _():
    return single("Softmax", [2, 5], [2, 5], opset=11, ir=6, axis=-1)


@model("softmax_op13_axis_neg1")
def _():
    return single("Softmax", [2, 5], [2, 5], axis=-1)


@model("softmax_op11_axis1_3d")
def _():  # normalizes over the flattened 3x4 block
    return single("Softmax", [2, 3, 4], [2, 3, 4], opset=11, ir=6, axis=1)


@model("softmax_op13_axis1_3d")
def _():  # normalizes over dim 1 only
    return single("Softmax", [2, 3, 4], [2, 3, 4], axis=1)


@model("softmax_op11_default_axis_3d")
def _():  # default axis 1
    return single("Softmax", [2, 3, 4], [2, 3, 4], opset=11, ir=6)


@model("softmax_op13_default_axis_3d")
def _():  # default axis -1
    return single("Softmax", [2, 3, 4], [2, 3, 4])


# ---------------------------------------------------------------- misc nodes
@model("constant_node")
def _():
    c = helper.make_node("Constant", [], ["K"], name="const",
                         value=numpy_helper.from_array(rnd("K", [1, 3, 1, 1]),
                                                       "K"))
    a = helper.make_node("Add", ["X", "K"], ["Y"], name="add")
    return mk([c, a], [vi("X", F, [1, 3, 2, 2])], [vi("Y", F, [1, 3, 2, 2])])


@model("identity_node")
def _():
    i = helper.make_node("Identity", ["X"], ["T"], name="id")
    r = helper.make_node("Relu", ["T"], ["Y"], name="relu")
    return mk([i, r], [vi("X", F, [1, 4])], [vi("Y", F, [1, 4])])


@model("identity_on_initializer")
def _():  # the exporter style: weight -> Identity -> Conv
    i = helper.make_node("Identity", ["W"], ["onnx::Conv_7"], name="/Identity")
    c = helper.make_node("Conv", ["X", "onnx::Conv_7"], ["Y"], name="/c/Conv",
                         kernel_shape=[1, 1])
    return mk([i, c], [vi("X", F, [1, 2, 3, 3])], [vi("Y", F, [1, 2, 3, 3])],
              [W("W", [2, 2, 1, 1])])


@model("dropout_op12_ratio_input")
def _():  # inference: ratio is ignored, output == input
    ratio = numpy_helper.from_array(np.array(0.5, np.float32), "ratio")
    d = helper.make_node("Dropout", ["X", "ratio"], ["D"], name="drop")
    r = helper.make_node("Relu", ["D"], ["Y"], name="relu")
    return mk([d, r], [vi("X", F, [1, 8])], [vi("Y", F, [1, 8])], [ratio],
              opset=12)


@model("dropout_op13_mask_output")
def _():
    d = helper.make_node("Dropout", ["X"], ["Y", "M"], name="drop")
    return mk([d], [vi("X", F, [1, 8])], [vi("Y", F, [1, 8]),
                                         vi("M", TensorProto.BOOL, [1, 8])])


@model("dropout_op7")
def _():
    d = helper.make_node("Dropout", ["X"], ["D"], name="drop", ratio=0.3)
    r = helper.make_node("Relu", ["D"], ["Y"], name="relu")
    return mk([d, r], [vi("X", F, [1, 8])], [vi("Y", F, [1, 8])], opset=7,
              ir=3)


# ---------------------------------------------------------------- initializers
def _inits_to_inputs(m):
    """IR 3 style: list every initializer as a graph input too."""
    have = {i.name for i in m.graph.input}
    for t in m.graph.initializer:
        if t.name not in have:
            m.graph.input.append(vi(t.name, t.data_type, list(t.dims)))


@model("init_as_input_ir3")
def _():
    m = single("Conv", [1, 2, 4, 4], [1, 2, 4, 4],
               [W("W", [2, 2, 3, 3]), W("B", [2])], ["W", "B"], opset=7,
               ir=3, kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    _inits_to_inputs(m)
    return m


@model("init_as_input_ir7_overridable")
def _():  # IR >= 4: an initializer that is also an input is a default value
    m = single("Add", [1, 4], [1, 4], [W("B", [1, 4])], ["B"])
    _inits_to_inputs(m)
    return m


@model("init_typed_fields")
def _():  # float_data / int64_data instead of raw_data
    w = rnd("W", [3, 4])
    wt = helper.make_tensor("W", F, [3, 4], w.ravel().tolist(), raw=False)
    s = helper.make_tensor("shape", I64, [2], [1, -1], raw=False)
    c = helper.make_tensor("C", F, [3], rnd("C", [3]).tolist(), raw=False)
    n1 = helper.make_node("Reshape", ["X", "shape"], ["R"], name="reshape")
    n2 = helper.make_node("Gemm", ["R", "W", "C"], ["Y"], name="gemm",
                          transB=1)
    return mk([n1, n2], [vi("X", F, [1, 2, 2])], [vi("Y", F, [1, 3])],
              [wt, s, c])


@model("init_raw_data")
def _():  # same function as init_typed_fields, raw_data everywhere
    wt = numpy_helper.from_array(rnd("W", [3, 4]), "W")
    s = numpy_helper.from_array(np.array([1, -1], np.int64), "shape")
    c = numpy_helper.from_array(rnd("C", [3]), "C")
    n1 = helper.make_node("Reshape", ["X", "shape"], ["R"], name="reshape")
    n2 = helper.make_node("Gemm", ["R", "W", "C"], ["Y"], name="gemm",
                          transB=1)
    return mk([n1, n2], [vi("X", F, [1, 2, 2])], [vi("Y", F, [1, 3])],
              [wt, s, c])


# ---------------------------------------------------------------- mini network
def mininet(opset, ir):
    """Conv -> BN -> Relu -> MaxPool -> Add(residual conv) -> GAP -> Flatten
    -> Gemm, with the attributes each opset expects."""
    bn_attrs = {"epsilon": 1e-5}
    if opset < 9:
        bn_attrs["spatial"] = 1
    mp_attrs = dict(kernel_shape=[2, 2], strides=[2, 2])
    if opset >= 10:
        mp_attrs["ceil_mode"] = 0
    nodes = [
        helper.make_node("Conv", ["X", "W1"], ["c1"], name="/conv1/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["c1", "scale", "bias", "mean", "var"], ["b1"],
                         name="/bn1/BatchNormalization", **bn_attrs),
        helper.make_node("Relu", ["b1"], ["r1"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool/MaxPool",
                         **mp_attrs),
        helper.make_node("Conv", ["p1", "W2", "B2"], ["c2"],
                         name="/conv2/Conv", kernel_shape=[1, 1]),
        helper.make_node("Add", ["c2", "p1"], ["a1"], name="/Add"),
        helper.make_node("GlobalAveragePool", ["a1"], ["g"],
                         name="/avgpool/GlobalAveragePool"),
        helper.make_node("Flatten", ["g"], ["f"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "FW", "FB"], ["Y"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [W("W1", [3, 2, 3, 3])] + _bn_inits(3) + [
        W("W2", [3, 3, 1, 1]), W("B2", [3]), W("FW", [4, 3]), W("FB", [4])]
    m = mk(nodes, [vi("X", F, [1, 2, 6, 6])], [vi("Y", F, [1, 4])], inits,
           opset, ir, name="mininet")
    if ir < 4:
        _inits_to_inputs(m)
    return m


OPSET_IR = {7: 3, 8: 3, 9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 14: 7, 15: 8,
            16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10}
for _o in (7, 9, 11, 13, 17, 21):
    model("mininet_opset%d" % _o)(lambda o=_o: mininet(o, OPSET_IR[o]))
IR_OPSET = {3: 8, 4: 9, 5: 10, 6: 11, 7: 13, 8: 17, 9: 19, 10: 21}
for _ir in range(3, 11):
    model("mininet_ir%d" % _ir)(lambda ir=_ir: mininet(IR_OPSET[ir], ir))


# ------------------------------------------------------------ external data
def _ext_model(name):
    """mininet_opset13; the caller moves its weights to a file."""
    return mininet(13, 7)


def _set_external(t, location, offset=None, length=None):
    t.data_location = TensorProto.EXTERNAL
    del t.external_data[:]
    for k, v in (("location", location), ("offset", offset),
                 ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)


def _relocate(ts, location):
    """Point every tensor at offset 0 of `location`, keeping its (correct)
    length, so only a path check can reject it."""
    for t in ts:
        n = int(next(e.value for e in t.external_data if e.key == "length"))
        _set_external(t, location, 0, n)


def write_external(outdir, name, location_fn, corrupt=None):
    """Model `name`.onnx with every initializer in `name`.bin (4-byte aligned
    offsets).  location_fn(basename) -> location string to record.
    corrupt(tensors, data_len) may edit offsets/lengths afterwards."""
    m = _ext_model(name)
    blob = bytearray()
    entries = []
    for t in m.graph.initializer:
        arr = numpy_helper.to_array(t)
        raw = arr.tobytes()
        while len(blob) % 16:
            blob.append(0)
        entries.append((t, len(blob), len(raw)))
        blob += raw
    binname = name + ".bin"
    for t, off, ln in entries:
        t.ClearField("raw_data")
        _set_external(t, location_fn(binname), off, ln)
    if corrupt:
        corrupt([e[0] for e in entries], len(blob))
    with open(os.path.join(outdir, binname), "wb") as f:
        f.write(bytes(blob))
    return m, binname


# ---------------------------------------------------------------- bad inputs
def bad_unsupported_ops():
    k = numpy_helper.from_array(np.array([2], np.int64), "k")
    mo = numpy_helper.from_array(np.array([3], np.int64), "max_out")
    iou = numpy_helper.from_array(np.array([0.5], np.float32), "iou")
    nodes = [
        helper.make_node("Cos", ["X"], ["c1"], name="cos_a"),
        helper.make_node("Relu", ["c1"], ["r"], name="relu"),
        helper.make_node("Cos", ["r"], ["Y"], name="cos_b"),
        helper.make_node("TopK", ["X", "k"], ["V", "I"], name="topk",
                         axis=-1),
        helper.make_node("NonMaxSuppression",
                         ["boxes", "scores", "max_out", "iou"], ["S"],
                         name="nms"),
    ]
    return mk(nodes, [vi("X", F, [1, 6]), vi("boxes", F, [1, 5, 4]),
                      vi("scores", F, [1, 1, 5])],
              [vi("Y", F, [1, 6]), vi("V", F, [1, 2]), vi("I", I64, [1, 2]),
               vi("S", I64, ["n", 3])], [k, mo, iou])


def bad_missing_name():
    c = helper.make_node("Conv", ["X", "W_missing"], ["Y"], name="conv",
                         kernel_shape=[3, 3])
    return mk([c], [vi("X", F, [1, 2, 5, 5])], [vi("Y", F, [1, 3, 3, 3])])


def bad_missing_node_input():
    r = helper.make_node("Relu", ["not_produced"], ["Y"], name="relu")
    return mk([r], [vi("X", F, [1, 4])], [vi("Y", F, [1, 4])])


def bad_conv_rank():
    return single("Conv", [1, 3, 8], [1, 4, 6], [W("W", [4, 3, 3, 3])], ["W"],
                  kernel_shape=[3, 3])


def bad_add_shape():
    n = helper.make_node("Add", ["A", "B"], ["Y"], name="add")
    return mk([n], [vi("A", F, [1, 3, 4, 4]), vi("B", F, [1, 5, 4, 4])],
              [vi("Y", F, [1, 5, 4, 4])])


def bad_mul_shape():
    n = helper.make_node("Mul", ["A", "B"], ["Y"], name="mul")
    return mk([n], [vi("A", F, [2, 3]), vi("B", F, [4])], [vi("Y", F, [2, 3])])


def bad_dim(value):
    m = single("Relu", [1, 3, 4, 4], [1, 3, 4, 4])
    m.graph.input[0].type.tensor_type.shape.dim[1].dim_value = value
    m.graph.output[0].type.tensor_type.shape.dim[1].dim_value = value
    return m


def bad_opset99():
    return single("Relu", [1, 4], [1, 4], opset=99)


def bad_cycle():
    a = helper.make_node("Relu", ["B"], ["A"], name="r1")
    b = helper.make_node("Add", ["X", "A"], ["B"], name="r2")
    return mk([a, b], [vi("X", F, [1, 4])], [vi("B", F, [1, 4])])


# ---------------------------------------------------------------- driver
def write_all(outdir, only=None):
    os.makedirs(outdir, exist_ok=True)
    manifest = []

    def save(name, m, expect, desc, check=True, external_dir=None):
        path = os.path.join(outdir, name + ".onnx")
        data = m.SerializeToString()
        with open(path, "wb") as f:
            f.write(data)
        opset = next((o.version for o in m.opset_import
                      if o.domain in ("", "ai.onnx")), 0)
        if not check:
            status = "skipped"
        elif opset > CHECKER_MAX_OPSET or m.ir_version > CHECKER_MAX_IR:
            status = "skipped(new)"
        else:
            onnx.checker.check_model(path if external_dir else m)
            status = "ok"
        manifest.append((name + ".onnx", expect, status, len(data), desc))

    def raw(name, data, desc):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        manifest.append((name, "error", "skipped", len(data), desc))

    want = lambda n: only is None or n in only
    for name, fn in REGISTRY:
        if want(name):
            m = fn()
            save(name, m, "ok", _describe(fn, name))

    # external data, good: mininet with weights in ext_data.bin
    if want("ext_data"):
        m, b = write_external(outdir, "ext_data", lambda b: b)
        save("ext_data", m, "ok", "weights in ext_data.bin (location, "
             "offset, length; offsets 16-byte aligned)", external_dir=outdir)
        manifest.append((b, "data", "-", os.path.getsize(
            os.path.join(outdir, b)), "data file of ext_data.onnx"))
    if want("ext_data_helper"):
        # the same, written by onnx.external_data_helper / onnx.save_model
        m = _ext_model("ext_data_helper")
        path = os.path.join(outdir, "ext_data_helper.onnx")
        onnx.save_model(m, path, save_as_external_data=True,
                        all_tensors_to_one_file=True,
                        location="ext_data_helper.bin", size_threshold=0)
        onnx.checker.check_model(path)
        manifest.append(("ext_data_helper.onnx", "ok", "ok",
                         os.path.getsize(path),
                         "written by onnx.save_model(save_as_external_data)"))
        manifest.append(("ext_data_helper.bin", "data", "-",
                         os.path.getsize(os.path.join(
                             outdir, "ext_data_helper.bin")),
                         "data file of ext_data_helper.onnx"))

    # bad inputs -----------------------------------------------------------
    good = mininet(13, 7).SerializeToString()
    if want("bad-empty"):
        raw("bad-empty.onnx", b"", "0-byte file")
    if want("bad-truncated"):
        raw("bad-truncated.onnx", good[:len(good) // 2],
            "valid mininet_opset13 cut in half")
    if want("bad-not-onnx"):
        raw("bad-not-onnx.onnx", b"this is not an ONNX model\n"
            b"just some text, kiln must reject it cleanly\n",
            "plain text")
    bad = [
        ("bad-unsupported-ops", bad_unsupported_ops(), True,
         "valid ONNX with unsupported ops: Cos x2 (cos_a, cos_b), TopK "
         "(topk), NonMaxSuppression (nms); all must be listed"),
        ("bad-missing-initializer", bad_missing_name(), False,
         "Conv input W_missing is neither initializer, input nor output"),
        ("bad-missing-node-input", bad_missing_node_input(), False,
         "Relu input 'not_produced' is produced by nobody"),
        ("bad-conv-rank", bad_conv_rank(), False,
         "Conv with a 3-D input and a 4-D weight"),
        ("bad-add-shape", bad_add_shape(), False,
         "Add [1,3,4,4] + [1,5,4,4] (not broadcastable)"),
        ("bad-mul-shape", bad_mul_shape(), False,
         "Mul [2,3] * [4] (not broadcastable)"),
        ("bad-zero-dim", bad_dim(0), False, "graph input dim 1 is 0"),
        ("bad-negative-dim", bad_dim(-3), False, "graph input dim 1 is -3"),
        ("bad-opset99", bad_opset99(), False,
         "default-domain opset 99 (newer than any kiln supports)"),
        ("bad-cycle", bad_cycle(), False, "two nodes form a cycle"),
    ]
    for name, m, chk, desc in bad:
        if want(name):
            save(name, m, "error", desc, check=chk)

    # hostile external data
    def ext_bad(name, loc_fn, desc, corrupt=None, keep_bin=True):
        if not want(name):
            return
        m, b = write_external(outdir, name, loc_fn, corrupt)
        if not keep_bin:
            os.remove(os.path.join(outdir, b))
        save(name, m, "error", desc, check=False)
        if keep_bin:
            manifest.append((b, "data", "-",
                             os.path.getsize(os.path.join(outdir, b)),
                             "data file of %s.onnx" % name))

    dirname = os.path.basename(os.path.normpath(os.path.abspath(outdir)))
    ext_bad("bad-ext-absolute", lambda b: "/etc/passwd",
            "external data location is an absolute path (/etc/passwd)",
            corrupt=lambda ts, n: _relocate(ts, "/etc/passwd"),
            keep_bin=False)
    ext_bad("bad-ext-dotdot", lambda b: "../%s/%s" % (dirname, b),
            "location '../<this dir>/bad-ext-dotdot.bin': escapes the model "
            "directory syntactically (the file exists, so only a '..' check "
            "rejects it)")
    ext_bad("bad-ext-escape", lambda b: "../../../../../../etc/passwd",
            "location climbs out of the model directory to /etc/passwd",
            corrupt=lambda ts, n: _relocate(
                ts, "../../../../../../etc/passwd"),
            keep_bin=False)

    def past_end(ts, n):
        t = ts[-1]
        ln = int(next(e.value for e in t.external_data if e.key == "length"))
        _set_external(t, "bad-ext-range.bin", n - 4, ln)

    ext_bad("bad-ext-range", lambda b: b, "last tensor: offset+length runs "
            "past the end of bad-ext-range.bin", corrupt=past_end)

    def offset_past_end(ts, n):
        _set_external(ts[0], "bad-ext-offset.bin", n + 1024, None)

    ext_bad("bad-ext-offset", lambda b: b, "first tensor: offset beyond the "
            "end of the file, no length", corrupt=offset_past_end)

    def wrong_len(ts, n):
        t = ts[0]
        for e in t.external_data:
            if e.key == "length":
                e.value = str(int(e.value) - 4)

    ext_bad("bad-ext-length", lambda b: b, "first tensor: length is 4 bytes "
            "short of what its shape needs", corrupt=wrong_len)
    ext_bad("bad-ext-missing-file", lambda b: b, "data file does not exist",
            keep_bin=False)

    with open(os.path.join(outdir, "MANIFEST.tsv"), "w") as f:
        f.write("# file\texpect\tchecker\tbytes\tdescription\n")
        for row in manifest:
            f.write("\t".join(str(v) for v in row) + "\n")
    return manifest


def main(argv=None):
    global SEED
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--outdir", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="*", help="names to write (default all)")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    SEED = a.seed
    manifest = write_all(a.outdir, set(a.only) if a.only else None)
    if a.list:
        for row in manifest:
            print("%-40s %-6s %-13s %6d  %s" % row)
    big = [r for r in manifest if r[3] > 20 * 1024]
    print("wrote %d files to %s" % (len(manifest), a.outdir))
    if big:
        print("warning: over 20 KB: %s" % ", ".join(r[0] for r in big))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
