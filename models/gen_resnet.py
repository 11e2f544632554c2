#!/usr/bin/python3
"""Deterministic ResNet50 v1.5 (torchvision layout) ONNX generator for kiln.

Two forms of the same function:
  --form bn      explicit BatchNormalization after every Conv (conv has no bias)
  --form folded  BN folded into the conv weight + bias (no BN nodes)
and a third network:
  --form preact  pre-activation ResNet50 v2 (He et al., "Identity Mappings in
                 Deep Residual Networks"): each bottleneck starts with a
                 standalone BatchNormalization + Relu of its input (which also
                 feeds the projection shortcut), conv1/conv2 are followed by
                 BN + Relu, conv3 and the shortcut are plain, the block ends
                 at the Add (no Relu); a final BN + Relu before the pooling.

Weights are seeded (--seed) and drawn per tensor from
numpy.random.RandomState([seed, crc32(tensor_name)]) (the legacy generator,
whose streams numpy keeps stable).  Convs get He init (normal, std
sqrt(2/fan_in)); BatchNorm running mean/var are the per-channel statistics
measured in a float64 calibration forward pass on a seeded N(0,1) input
(rounded to 10 mantissa bits, so BLAS summation order cannot change the
result), then perturbed by seeded noise; gamma ~ U(0.6,1.4) (U(0.2,0.5) on the
last BN of each residual branch), beta ~ N(0,0.1).  Activations stay O(1)
through all layers; the fc layer is scaled so the logits have std ~1.

Examples:
  gen_resnet.py -o build/models/resnet50-bn.onnx --form bn
  gen_resnet.py -o build/models/resnet50-folded.onnx --form folded \
      --input-npy build/models/resnet50-x.npy
  gen_resnet.py -o tiny.onnx --blocks 1,1,1,1 --size 32 --width 8 --classes 10

Only needs numpy and onnx (Debian's python3-onnx 1.12 is enough).  The module
can also be imported: resnet_params() returns the torchvision state_dict-style
parameters (used by export_torch_resnet.py).
"""

import argparse
import collections
import hashlib
import math
import os
import sys
import zlib

# One BLAS thread: modest CPU use, and the calibration pass stays cheap.
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

BN_EPS = 1e-5
BN_MOMENTUM = 0.9  # ONNX convention (1 - torch momentum), as torch exports it
CHECKER_MAX_OPSET = 17  # Debian's onnx 1.12 knows opsets up to 17
CHECKER_MAX_IR = 8


# --------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------

def _rng(seed, name):
    return np.random.RandomState(
        [seed & 0xFFFFFFFF, zlib.crc32(name.encode("utf-8"))])


def _round_mantissa(x, bits=10):
    """Round float64 values to `bits` significant mantissa bits, so that
    statistics measured with BLAS (whose summation order may differ between
    machines/threads) give bit-identical parameters everywhere."""
    m, e = np.frexp(x)
    return np.ldexp(np.round(m * (1 << bits)) / (1 << bits), e)


def _conv64(x, w, stride, pad):
    """Reference NCHW conv in float64 (calibration only)."""
    k = w.shape[2]
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    if k == 1:
        win = x[:, :, ::stride, ::stride]
        y = np.tensordot(win, w[:, :, 0, 0], axes=([1], [1]))
    else:
        win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
        win = win[:, :, ::stride, ::stride]
        y = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2))


def _maxpool64(x, k=3, stride=2, pad=1):
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)),
               constant_values=-np.inf)
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    return win[:, :, ::stride, ::stride].max(axis=(4, 5))


class _ParamMaker:
    """Creates torchvision-named parameters while running a float64
    calibration forward pass; BatchNorm running statistics are the measured
    per-channel statistics (rounded, then perturbed by seeded noise), so every
    BN output is roughly N(beta', gamma'^2) and activations stay O(1)."""

    def __init__(self, seed):
        self.seed = seed
        self.p = collections.OrderedDict()

    def conv(self, name, x, cout, k, stride, pad):
        cin = x.shape[1]
        fan_in = cin * k * k
        w = _rng(self.seed, name + ".weight").standard_normal(
            (cout, cin, k, k)) * math.sqrt(2.0 / fan_in)
        w = w.astype(np.float32)
        self.p[name + ".weight"] = w
        return _conv64(x, w.astype(np.float64), stride, pad)

    def bn(self, name, x, gamma_range=(0.6, 1.4)):
        c = x.shape[1]
        mean = _round_mantissa(x.mean(axis=(0, 2, 3)))
        var = _round_mantissa(x.var(axis=(0, 2, 3))) + 1e-4
        r = _rng(self.seed, name)
        gamma = r.uniform(gamma_range[0], gamma_range[1], c)
        beta = r.standard_normal(c) * 0.1
        rmean = mean + r.standard_normal(c) * 0.1 * np.sqrt(var)
        rvar = var * np.exp(r.standard_normal(c) * 0.2)
        gamma, beta, rmean, rvar = (a.astype(np.float32)
                                    for a in (gamma, beta, rmean, rvar))
        self.p[name + ".weight"] = gamma
        self.p[name + ".bias"] = beta
        self.p[name + ".running_mean"] = rmean
        self.p[name + ".running_var"] = rvar
        g, b, rm, rv = (a.astype(np.float64).reshape(1, c, 1, 1)
                        for a in (gamma, beta, rmean, rvar))
        return (x - rm) * (g / np.sqrt(rv + BN_EPS)) + b


def resnet_params(seed=0, blocks=(3, 4, 6, 3), width=64, classes=1000,
                  size=224, in_ch=3):
    """torchvision ResNet (Bottleneck, v1.5) state_dict as float32 numpy
    arrays, in torchvision's parameter order (num_batches_tracked omitted).
    BN statistics are calibrated on a seeded N(0,1) input batch of size x size
    (the batch is larger for small sizes)."""
    pm = _ParamMaker(seed)
    relu = lambda t: np.maximum(t, 0.0)
    x = _calibration_input(seed, size, in_ch)
    x = relu(pm.bn("bn1", pm.conv("conv1", x, width, 7, 2, 3)))
    x = _maxpool64(x)
    for li, nblocks in enumerate(blocks):
        planes = width * (2 ** li)
        for bi in range(nblocks):
            pre = "layer%d.%d" % (li + 1, bi)
            stride = 2 if (bi == 0 and li > 0) else 1
            y = relu(pm.bn(pre + ".bn1", pm.conv(pre + ".conv1", x, planes,
                                                  1, 1, 0)))
            y = relu(pm.bn(pre + ".bn2", pm.conv(pre + ".conv2", y, planes,
                                                  3, stride, 1)))
            # Small gamma on the last BN of the residual branch keeps the
            # variance growth along the identity path in check.
            y = pm.bn(pre + ".bn3", pm.conv(pre + ".conv3", y, planes * 4,
                                            1, 1, 0), gamma_range=(0.2, 0.5))
            if bi == 0:
                x = pm.bn(pre + ".downsample.1",
                          pm.conv(pre + ".downsample.0", x, planes * 4, 1,
                                  stride, 0))
            x = relu(y + x)
    _fc_params(pm, x, classes)
    return pm.p


def _calibration_input(seed, size, in_ch):
    """The seeded N(0,1) batch the BN statistics are measured on: enough
    samples that even the last stage (size/32 squared pixels) has >= 32
    values per channel."""
    last = max(1, -(-size // 32)) ** 2
    n = max(1, -(-32 // last))
    return np.random.RandomState([seed & 0xFFFFFFFF, zlib.crc32(b"calibration")]
                                 ).standard_normal((n, in_ch, size, size))


def _fc_params(pm, x, classes):
    """fc weight and bias, the weight scaled so that the logits have std ~1
    on the calibration input (features: the global average of `x`)."""
    inplanes = x.shape[1]
    feat = x.mean(axis=(2, 3))
    feat_sq = float(_round_mantissa(np.array([np.mean(
        np.sum(feat * feat, axis=1))]))[0])
    r = _rng(pm.seed, "fc.weight")
    pm.p["fc.weight"] = (r.standard_normal((classes, inplanes)) /
                         math.sqrt(max(feat_sq, 1e-6))).astype(np.float32)
    bound = 1.0 / math.sqrt(inplanes)
    pm.p["fc.bias"] = _rng(pm.seed, "fc.bias").uniform(
        -bound, bound, classes).astype(np.float32)


def preact_params(seed=0, blocks=(3, 4, 6, 3), width=64, classes=1000,
                  size=224, in_ch=3):
    """Parameters of the pre-activation ResNet50 v2 (--form preact), BN
    statistics calibrated as in resnet_params. Names: layerL.B.bn0 (the
    standalone pre-activation BN), conv1/bn1, conv2/bn2, conv3,
    downsample.0 (a plain 1x1 conv), bn_final, fc."""
    pm = _ParamMaker(seed)
    relu = lambda t: np.maximum(t, 0.0)
    x = _calibration_input(seed, size, in_ch)
    x = _maxpool64(relu(pm.bn("bn1", pm.conv("conv1", x, width, 7, 2, 3))))
    for li, nblocks in enumerate(blocks):
        planes = width * (2 ** li)
        for bi in range(nblocks):
            pre = "layer%d.%d" % (li + 1, bi)
            stride = 2 if (bi == 0 and li > 0) else 1
            act = relu(pm.bn(pre + ".bn0", x))
            y = relu(pm.bn(pre + ".bn1", pm.conv(pre + ".conv1", act, planes, 1, 1, 0)))
            y = relu(pm.bn(pre + ".bn2", pm.conv(pre + ".conv2", y, planes, 3, stride, 1)))
            # Scaled down so the identity path's variance grows slowly.
            y = pm.conv(pre + ".conv3", y, planes * 4, 1, 1, 0)
            pm.p[pre + ".conv3.weight"] *= np.float32(0.3)
            y = y * 0.3
            if bi == 0:
                x = pm.conv(pre + ".downsample.0", act, planes * 4, 1, stride, 0)
            x = y + x
    _fc_params(pm, relu(pm.bn("bn_final", x)), classes)
    return pm.p


def fold_bn(w, gamma, beta, mean, var, eps=BN_EPS):
    """Fold BN into a conv without bias: returns (w', b') float32."""
    inv = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    wf = w.astype(np.float64) * inv[:, None, None, None]
    bf = beta.astype(np.float64) - mean.astype(np.float64) * inv
    return wf.astype(np.float32), bf.astype(np.float32)


# --------------------------------------------------------------------------
# Graph
# --------------------------------------------------------------------------

def build_model(params, form="bn", opset=13, ir_version=7, batch=1, size=224,
                blocks=(3, 4, 6, 3), width=64, classes=1000, in_ch=3,
                dynamic_batch=False, graph_name="resnet50_v1_5",
                identity=False):
    from onnx import helper, numpy_helper, TensorProto

    if form not in ("bn", "folded", "preact"):
        raise ValueError("form must be 'bn', 'folded' or 'preact'")
    nodes, inits = [], []

    ident_count = [0]

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        # --identity: weights of downsample convs and the fc layer reach their
        # consumer through an Identity node with an exporter-style name
        # ("onnx::Conv_1000"), as some PyTorch exports have them.
        if identity and (".downsample." in name or name.startswith("fc.")):
            k = ident_count[0]
            ident_count[0] += 1
            op = ("Gemm" if name.startswith("fc.") else
                  "BatchNormalization" if ".downsample.1." in name else "Conv")
            out = "onnx::%s_%d" % (op, 1000 + k)
            nodes.append(helper.make_node(
                "Identity", [name], [out],
                name="/Identity" + ("_%d" % k if k else "")))
            return out
        return name

    def node(op, ins, name, **attrs):
        out = name + "_output_0"
        nodes.append(helper.make_node(op, ins, [out], name=name, **attrs))
        return out

    def bn(x, scope, bnname):
        battrs = dict(epsilon=BN_EPS, momentum=BN_MOMENTUM)
        if opset < 9:
            battrs["spatial"] = 1
        bn_scope = scope + "/" + bnname.split(".")[-1]
        return node("BatchNormalization",
                    [x] + [init(bnname + "." + s, params[bnname + "." + s])
                           for s in ("weight", "bias", "running_mean",
                                     "running_var")],
                    bn_scope + "/BatchNormalization", **battrs)

    def conv_bn(x, scope, pname, bnname, k, stride, pad):
        """Conv (+BN) named like torch's exporter: scope '/layer1/layer1.0'.
        Without `bnname`: a plain conv (no bias)."""
        w = params[pname + ".weight"]
        cattrs = dict(dilations=[1, 1], group=1, kernel_shape=[k, k],
                      pads=[pad] * 4, strides=[stride, stride])
        conv_scope = scope + "/" + pname.split(".")[-1]
        if bnname is None:
            return node("Conv", [x, init(pname + ".weight", w)],
                        conv_scope + "/Conv", **cattrs)
        if form == "folded":
            wf, bf = fold_bn(w, params[bnname + ".weight"],
                             params[bnname + ".bias"],
                             params[bnname + ".running_mean"],
                             params[bnname + ".running_var"])
            return node("Conv", [x, init(pname + ".weight", wf),
                                 init(pname + ".bias", bf)],
                        conv_scope + "/Conv", **cattrs)
        y = node("Conv", [x, init(pname + ".weight", w)],
                 conv_scope + "/Conv", **cattrs)
        return bn(y, scope, bnname)

    x = "input"
    x = conv_bn(x, "", "conv1", "bn1", 7, 2, 3)
    x = node("Relu", [x], "/relu/Relu")
    mp = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    if opset >= 10:
        mp["ceil_mode"] = 0
    if opset >= 10:
        mp["dilations"] = [1, 1]
    x = node("MaxPool", [x], "/maxpool/MaxPool", **mp)
    for li, nblocks in enumerate(blocks):
        for bi in range(nblocks):
            lname = "layer%d" % (li + 1)
            pre = "%s.%d" % (lname, bi)
            scope = "/%s/%s" % (lname, pre)
            stride = 2 if (bi == 0 and li > 0) else 1
            if form == "preact":
                act = node("Relu", [bn(x, scope, pre + ".bn0")], scope + "/relu0/Relu")
                y = conv_bn(act, scope, pre + ".conv1", pre + ".bn1", 1, 1, 0)
                y = node("Relu", [y], scope + "/relu/Relu")
                y = conv_bn(y, scope, pre + ".conv2", pre + ".bn2", 3, stride, 1)
                y = node("Relu", [y], scope + "/relu_1/Relu")
                y = conv_bn(y, scope, pre + ".conv3", None, 1, 1, 0)
                ident = x
                if bi == 0:
                    ident = conv_bn(act, scope + "/downsample", pre + ".downsample.0",
                                    None, 1, stride, 0)
                x = node("Add", [y, ident], scope + "/Add")
                continue
            ident = x
            y = conv_bn(x, scope, pre + ".conv1", pre + ".bn1", 1, 1, 0)
            y = node("Relu", [y], scope + "/relu/Relu")
            y = conv_bn(y, scope, pre + ".conv2", pre + ".bn2", 3, stride, 1)
            y = node("Relu", [y], scope + "/relu_1/Relu")
            y = conv_bn(y, scope, pre + ".conv3", pre + ".bn3", 1, 1, 0)
            if bi == 0:
                ds = scope + "/downsample"
                ident = conv_bn(x, ds, pre + ".downsample.0",
                                pre + ".downsample.1", 1, stride, 0)
            y = node("Add", [y, ident], scope + "/Add")
            x = node("Relu", [y], scope + "/relu_2/Relu")
    if form == "preact":
        x = node("Relu", [bn(x, "", "bn_final")], "/relu_final/Relu")
    x = node("GlobalAveragePool", [x], "/avgpool/GlobalAveragePool")
    x = node("Flatten", [x], "/Flatten", axis=1)
    nodes.append(helper.make_node(
        "Gemm", [x, init("fc.weight", params["fc.weight"]),
                 init("fc.bias", params["fc.bias"])],
        ["output"], name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1))

    bdim = "batch" if dynamic_batch else batch
    inputs = [helper.make_tensor_value_info(
        "input", TensorProto.FLOAT, [bdim, in_ch, size, size])]
    if ir_version < 4:  # IR 3: every initializer must also be a graph input
        inputs += [helper.make_tensor_value_info(
            t.name, t.data_type, list(t.dims)) for t in inits]
    outputs = [helper.make_tensor_value_info(
        "output", TensorProto.FLOAT, [bdim, classes])]
    graph = helper.make_graph(nodes, graph_name, inputs, outputs, inits)
    model = helper.make_model(
        graph, producer_name="kiln-gen_resnet", producer_version="1",
        opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version
    return model


def checkable(opset, ir_version):
    return opset <= CHECKER_MAX_OPSET and ir_version <= CHECKER_MAX_IR


def make_input(seed, shape, kind="normal"):
    """Seeded input: 'normal' = N(0,1); 'image' = uniform [0,1] pixels
    normalized with the ImageNet mean/std (per channel, first 3 channels)."""
    r = np.random.RandomState([seed & 0xFFFFFFFF, zlib.crc32(b"input")])
    if kind == "normal":
        return r.standard_normal(shape).astype(np.float32)
    x = r.uniform(0.0, 1.0, shape)
    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225])
    c = shape[1]
    m = np.resize(mean, c).reshape(1, c, 1, 1)
    s = np.resize(std, c).reshape(1, c, 1, 1)
    return ((x - m) / s).astype(np.float32)


def parse_blocks(s):
    b = tuple(int(v) for v in s.split(","))
    if len(b) != 4 or any(v < 1 for v in b):
        raise argparse.ArgumentTypeError("--blocks needs 4 positive ints")
    return b


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="output .onnx")
    ap.add_argument("--form", choices=("bn", "folded", "preact"), default="bn")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--dynamic-batch", action="store_true",
                    help="batch dim is the symbol 'batch' (--batch only "
                         "sets the --input-npy shape)")
    ap.add_argument("--size", type=int, default=224, help="input H=W")
    ap.add_argument("--blocks", type=parse_blocks, default=(3, 4, 6, 3))
    ap.add_argument("--width", type=int, default=64, help="base width")
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--opset", type=int, default=13,
                    help="7..21; >17 skips the onnx 1.12 checker")
    ap.add_argument("--ir-version", type=int, default=7,
                    help="3..10; IR 3 lists initializers as graph inputs; "
                         ">8 skips the onnx 1.12 checker")
    ap.add_argument("--input-npy", help="also write a seeded input here")
    ap.add_argument("--input-seed", type=int, default=None,
                    help="seed of --input-npy (default: --seed)")
    ap.add_argument("--input-kind", choices=("normal", "image"),
                    default="normal")
    ap.add_argument("--identity", action="store_true",
                    help="route downsample/fc weights through Identity "
                         "nodes named like PyTorch's exporter does")
    ap.add_argument("--no-check", action="store_true")
    a = ap.parse_args(argv)
    if not 7 <= a.opset <= 21:
        ap.error("--opset must be in 7..21")
    if not 3 <= a.ir_version <= 10:
        ap.error("--ir-version must be in 3..10")

    import onnx
    make = preact_params if a.form == "preact" else resnet_params
    params = make(a.seed, a.blocks, a.width, a.classes, a.size)
    model = build_model(params, a.form, a.opset, a.ir_version, a.batch,
                        a.size, a.blocks, a.width, a.classes,
                        dynamic_batch=a.dynamic_batch, identity=a.identity)
    if a.no_check:
        pass
    elif checkable(a.opset, a.ir_version):
        onnx.checker.check_model(model)
    else:
        print("note: opset %d / IR %d is beyond onnx %s's checker; skipped"
              % (a.opset, a.ir_version, onnx.__version__), file=sys.stderr)
    data = model.SerializeToString()
    with open(a.output, "wb") as f:
        f.write(data)
    nparams = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print("wrote %s: %d nodes, %d params, %d bytes, sha256=%s"
          % (a.output, len(model.graph.node), nparams, len(data),
             hashlib.sha256(data).hexdigest()))
    if a.input_npy:
        seed = a.seed if a.input_seed is None else a.input_seed
        x = make_input(seed, (a.batch, 3, a.size, a.size), a.input_kind)
        np.save(a.input_npy, x)
        print("wrote %s: shape %s" % (a.input_npy, x.shape))
    return 0


if __name__ == "__main__":
    sys.exit(main())
