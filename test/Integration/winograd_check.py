#!/usr/bin/env python3
"""Winograd against the direct convolution on ResNet50's 3x3 stride-1 shapes.

For each case (N, C, F, H, residual): a seeded Conv 3x3 (pads 1, bias)
[+ Add of the input] + Relu model, compiled three times with --kernel-config
forcing direct_conv, winograd_f2 and winograd_f4 on it, run on the same
seeded input, and both Winograd outputs compared with the direct one:
max |wino - direct| / max |direct| must stay within the bound of its tile
(README "Winograd": F(2x2) 1e-5, F(4x4) 1e-4; the direct conv itself is one
float32 rounding order among many). Also prints the kernel the heuristic
picks for each shape (kiln-compile --report=FILE.json). One line per case
and variant, `N passed, N failed` at the end; exits 1 on a failure.

  winograd_check.py WORK_DIR --kiln-bin DIR [--case N:C:F:H[:res] ...]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

BOUNDS = {"winograd_f2": 1e-5, "winograd_f4": 1e-4}
# ResNet50's 3x3 stride-1 convolutions (one per stage), a residual one, odd
# sizes (partial output tiles) and batch 2.
CASES = ["1:64:64:56", "1:128:128:28", "1:256:256:14", "1:512:512:7",
         "1:64:64:13:res", "2:64:128:9", "1:64:64:5:res"]


def model(path, n, c, f, h, residual):
    rng = np.random.RandomState(0)
    w = (rng.standard_normal((f, c, 3, 3)) * (2.0 / (9 * c)) ** 0.5).astype(np.float32)
    b = (rng.standard_normal((f,)) * 0.1).astype(np.float32)
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], name="conv",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    out = "c"
    if residual:
        nodes.append(helper.make_node("Add", ["c", "X"], ["s"], name="add"))
        out = "s"
    nodes.append(helper.make_node("Relu", [out], ["Y"], name="relu"))
    g = helper.make_graph(
        nodes, "conv", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [n, c, h, h])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [n, f, h, h])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])
    m = helper.make_model(g, producer_name="kiln-test",
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    save(m, path)
    np.save(path + ".x.npy", rng.standard_normal((n, c, h, h)).astype(np.float32))


def kernel(kind, h):
    # Valid on every target kiln has (lanes 4, 8 or 16 divide 16).
    if kind == "direct_conv":
        rows = 7 if h % 7 == 0 else 1
        return {"kind": kind, "block": 16, "register_tile": [1, 1, rows, 16, 1, 1, 1],
                "cache_tile": [], "parallel_dims": [3]}
    return {"kind": kind, "block": 16, "register_tile": [4, 16, 1], "cache_tile": [],
            "parallel_dims": []}


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=600)
    if p.returncode:
        raise RuntimeError(" ".join(cmd) + ":\n" + p.stdout)
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--kiln-bin", required=True)
    ap.add_argument("--case", action="append")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    compile_ = os.path.join(a.kiln_bin, "kiln-compile")
    run_ = os.path.join(a.kiln_bin, "kiln-run")
    passed = failed = 0
    for case in a.case or CASES:
        parts = case.split(":")
        n, c, f, h = map(int, parts[:4])
        residual = len(parts) > 4
        name = f"n{n}_c{c}_f{f}_h{h}" + ("_res" if residual else "")
        path = os.path.join(a.work, name + ".onnx")
        model(path, n, c, f, h, residual)
        report = path + ".report.json"
        run([compile_, path, "-o", path + ".so", "--report=" + report])
        picked = [l["kernel"] for l in json.load(open(report))["layers"]
                  if l["op"] == "kiln.fused_conv"]
        print(f"{name}: heuristic {','.join(picked)}")
        outs = {}
        for kind in ["direct_conv", "winograd_f2", "winograd_f4"]:
            cfg = path + f".{kind}.json"
            with open(cfg, "w") as fh:
                json.dump({"layers": [dict(node="conv", **kernel(kind, h))]}, fh)
            so = path + f".{kind}.so"
            run([compile_, path, "-o", so, "--kernel-config=" + cfg])
            y = path + f".{kind}.y.npy"
            run([run_, so, "--input", path + ".x.npy", "--output", y])
            outs[kind] = np.load(y)
        ref = outs["direct_conv"]
        scale = float(np.abs(ref).max())
        for kind, bound in BOUNDS.items():
            err = float(np.abs(outs[kind] - ref).max()) / scale
            ok = err <= bound
            passed += ok
            failed += not ok
            print(f"{'PASS' if ok else 'FAIL'} {name} {kind} rel_err={err:.2e} bound={bound:.0e}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
