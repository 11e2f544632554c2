#!/usr/bin/env python3
"""End-to-end numerics of every valid importer test model against ONNX Runtime.

For each model that models/gen_test_models.py marks `ok` in MANIFEST.tsv:
seeded random inputs for its graph inputs, kiln-compile to a shared library,
kiln-run, tools/ort/ort-run.js on the same inputs, and a comparison with
max |kiln - ort| <= 1e-4 * max|ort| + 1e-5. Models kiln rejects by design
(listed below with the reason) are skipped. Prints one PASS/FAIL/SKIP line
per model and a final `N passed, N failed` line; exits 1 on any failure.

  op_sweep.py MODELS_DIR WORK_DIR --kiln-bin DIR --ort-dir DIR
              [--target TRIPLE [--mcpu CPU] --kiln-run "CMD ..."]

--target cross-compiles every model (kiln-compile --target/--mcpu) and
--kiln-run names the command that runs the result, e.g.
"qemu-aarch64 -L /usr/aarch64-linux-gnu build/aarch64/bin/kiln-run".
"""
import argparse
import os
import shlex
import subprocess
import sys

import numpy as np
import onnx

# Valid ONNX that kiln rejects on purpose (and tests the message elsewhere).
REJECTED = {
    "dropout_op13_mask_output.onnx": "Dropout's mask output is not supported",
}

NP_TYPES = {onnx.TensorProto.FLOAT: np.float32}


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models")
    ap.add_argument("work")
    ap.add_argument("--kiln-bin", required=True)
    ap.add_argument("--ort-dir", required=True)
    ap.add_argument("--target", help="kiln-compile --target (default: host)")
    ap.add_argument("--mcpu", help="kiln-compile --mcpu")
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="extra kiln-compile flag (repeatable), e.g. --runtime-checks")
    ap.add_argument("--kiln-run", help="command that runs kiln-run "
                    "(default: KILN_BIN/kiln-run)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.RandomState(0)
    compile_flags = (["--target=" + args.target] if args.target else []) + (
        ["--mcpu=" + args.mcpu] if args.mcpu else []) + args.compile_flag
    kiln_run = shlex.split(args.kiln_run) if args.kiln_run else [
        os.path.join(args.kiln_bin, "kiln-run")]
    passed = failed = 0
    with open(os.path.join(args.models, "MANIFEST.tsv")) as f:
        rows = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    for row in rows:
        name, expect = row[0], row[1]
        if expect != "ok":
            continue
        if name in REJECTED:
            print("SKIP %s: %s" % (name, REJECTED[name]))
            continue
        path = os.path.join(args.models, name)
        model = onnx.load(path, load_external_data=False)
        inits = {i.name for i in model.graph.initializer}
        stem = os.path.join(args.work, name[:-5])
        inputs = []
        for i, vi in enumerate(model.graph.input):
            if vi.name in inits:
                continue
            tt = vi.type.tensor_type
            shape = [d.dim_value for d in tt.shape.dim]
            x = rng.standard_normal(shape).astype(NP_TYPES[tt.elem_type])
            inputs.append("%s.in%d.npy" % (stem, i))
            np.save(inputs[-1], x)
        outs = ["%s.out%d.npy" % (stem, i) for i in range(len(model.graph.output))]
        refs = ["%s.ref%d.npy" % (stem, i) for i in range(len(model.graph.output))]
        steps = [
            [os.path.join(args.kiln_bin, "kiln-compile"), path, "-o", stem + ".so"]
            + compile_flags,
            kiln_run + [stem + ".so"]
            + sum([["--input", p] for p in inputs], [])
            + sum([["--output", p] for p in outs], []),
            ["node", os.path.join(args.ort_dir, "ort-run.js"), path, "--quiet"]
            + sum([["--input", p] for p in inputs], [])
            + sum([["--output", p] for p in refs], []),
        ]
        error = None
        for cmd in steps:
            r = run(cmd)
            if r.returncode != 0:
                error = "%s failed: %s" % (os.path.basename(cmd[0 if cmd[0] != "node" else 1]),
                                           r.stdout.strip().splitlines()[-1:] or "")
                break
        if not error:
            for o, ref in zip(outs, refs):
                y, t = np.load(o), np.load(ref)
                tol = 1e-4 * float(np.abs(t).max()) + 1e-5
                diff = float(np.abs(y.astype(np.float64) - t).max()) if y.shape == t.shape else None
                if diff is None or not diff <= tol:
                    error = "mismatch: shape %s vs %s, max diff %s > %.3g" % (
                        y.shape, t.shape, diff, tol)
                    break
        if error:
            failed += 1
            print("FAIL %s: %s" % (name, error))
        else:
            passed += 1
            print("PASS %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
