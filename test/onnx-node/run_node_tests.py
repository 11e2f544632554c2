#!/usr/bin/python3
"""ONNX's backend node tests (Debian's libonnx-testdata) through kiln.

  run_node_tests.py NODE_DIR WORK_DIR --kiln-bin DIR --expect FILE [--jobs N]

For every case NODE_DIR/<case>/ (model.onnx + test_data_set_*/): kiln-compile
the model to a shared library, kiln-run it on each data set's inputs, and
compare every output with the expected one at ONNX's runner tolerance
(|kiln - ref| <= 1e-7 + 1e-3 * |ref|, same shape). One line per case:

  PASS <case>         every data set matches
  WRONG <case>: ...   kiln compiled and ran it and an output differs
  DIAGNOSED <case>: <kiln's first error>   kiln refused it with a diagnostic
  UNSUPPORTED <case>: <ops>   a node's operator is not in kiln's op table

Inputs that are constants in real models (weights, shapes, pads, axes, clip
bounds: every graph input after the first) are bound as initializers from
the case's first data set when kiln refuses the model with them as
runtime inputs; such cases print "(bound: NAME, ...)" and run only that
data set.

Then a summary per operator (pass / wrong / diagnosed, cases of
unsupported operators counted apart) and a check against --expect, which
lists every case of a supported operator that does not pass, as

  <case>  <text the diagnostic must contain>

A WRONG case, a DIAGNOSED case not listed (or whose message lacks its
text), or a listed case that now passes (update the list) makes the run
fail (exit 1). A wrong answer is never acceptable.
"""
import argparse
import collections
import concurrent.futures
import glob
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

UNSUPPORTED_RE = re.compile(r"use[s]? unsupported ONNX operators: (.*)")


def load_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def first_error(text):
    for line in text.splitlines():
        if ": error: " in line:
            return line.split(": error: ", 1)[1].strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else "(no message)"


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


def bind_inputs(model_path, data_set, out_path):
    """Writes a copy of the model whose graph inputs after the first are
    initializers holding `data_set`'s values; returns their names."""
    m = onnx.load(model_path)
    inits = {i.name for i in m.graph.initializer}
    inputs = [i for i in m.graph.input if i.name not in inits]
    bound = []
    for k, vi in enumerate(inputs):
        if k == 0:
            continue
        path = os.path.join(data_set, "input_%d.pb" % k)
        if not os.path.exists(path):
            continue
        m.graph.initializer.append(numpy_helper.from_array(load_tensor(path), vi.name))
        m.graph.input.remove(vi)
        bound.append(vi.name)
    onnx.save(m, out_path)
    return bound


def check_case(case_dir, work, kiln_bin):
    name = os.path.basename(case_dir)
    stem = os.path.join(work, name)
    model = os.path.join(case_dir, "model.onnx")
    data_sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
    so = stem + ".so"
    compile_cmd = [os.path.join(kiln_bin, "kiln-compile"), model, "-o", so]
    r = run(compile_cmd)
    bound = []
    if r.returncode != 0:
        m = UNSUPPORTED_RE.search(r.stdout)
        if m:
            return name, "UNSUPPORTED", m.group(1), []
        if data_sets and len(onnx.load(model, load_external_data=False).graph.input) > 1:
            bound_model = stem + ".bound.onnx"
            bound = bind_inputs(model, data_sets[0], bound_model)
            if bound:
                # Bound, the model reaches the operator's own checks: its
                # diagnostic (if any) is the one that says why.
                r = run([compile_cmd[0], bound_model, "-o", so])
                if r.returncode == 0:
                    data_sets = data_sets[:1]
        if r.returncode != 0:
            return name, "DIAGNOSED", first_error(r.stdout), []
    note = " (bound: %s)" % ", ".join(bound) if bound else ""
    for ds in data_sets:
        ins = sorted(glob.glob(os.path.join(ds, "input_*.pb")),
                     key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
        outs = sorted(glob.glob(os.path.join(ds, "output_*.pb")),
                      key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
        ins = ins[:len(ins) - len(bound)] if bound else ins
        cmd = [os.path.join(kiln_bin, "kiln-run"), so]
        for k, p in enumerate(ins):
            npy = "%s.%s.in%d.npy" % (stem, os.path.basename(ds), k)
            np.save(npy, load_tensor(p))
            cmd += ["--input", npy]
        got = ["%s.%s.out%d.npy" % (stem, os.path.basename(ds), k) for k in range(len(outs))]
        for p in got:
            cmd += ["--output", p]
        r = run(cmd)
        if r.returncode != 0:
            return name, "DIAGNOSED", "kiln-run: " + first_error(r.stdout), bound
        for k, (g, e) in enumerate(zip(got, outs)):
            a, b = np.load(g), load_tensor(e)
            if a.shape != b.shape:
                return name, "WRONG", "%s output %d: shape %s, expected %s" % (
                    os.path.basename(ds), k, a.shape, b.shape), bound
            a64, b64 = a.astype(np.float64), b.astype(np.float64)
            bad = ~(np.abs(a64 - b64) <= 1e-7 + 1e-3 * np.abs(b64))
            bad &= ~(np.isnan(a64) & np.isnan(b64))
            if bad.any():
                return name, "WRONG", "%s output %d: %d of %d values differ, max |diff| %.3g" % (
                    os.path.basename(ds), k, int(bad.sum()), bad.size,
                    float(np.nanmax(np.abs(a64 - b64)))), bound
    return name, "PASS", note.strip(), bound


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("node_dir")
    ap.add_argument("work")
    ap.add_argument("--kiln-bin", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--filter", default="", help="only cases whose name contains this")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    expected = {}
    with open(args.expect) as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip()
            if line.strip():
                case, _, text = line.strip().partition(" ")
                expected[case] = text.strip()
    cases = sorted(d for d in glob.glob(os.path.join(args.node_dir, "test_*"))
                   if os.path.isfile(os.path.join(d, "model.onnx")) and args.filter in d)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda d: check_case(d, args.work, args.kiln_bin), cases))

    per_op = collections.defaultdict(collections.Counter)
    problems = []
    unsupported = 0
    for (name, verdict, detail, _), d in zip(results, cases):
        ops = sorted({n.op_type for n in onnx.load(os.path.join(d, "model.onnx"),
                                                  load_external_data=False).graph.node})
        op = "+".join(ops) or "(none)"
        print("%s %s%s" % (verdict, name, (": " + detail) if detail else ""))
        if verdict == "UNSUPPORTED":
            unsupported += 1
            if name in expected:
                problems.append("%s is of an unsupported operator: remove it from %s" % (
                    name, os.path.basename(args.expect)))
            continue
        per_op[op][verdict] += 1
        if verdict == "WRONG":
            problems.append("WRONG answer: %s: %s" % (name, detail))
        elif verdict == "DIAGNOSED":
            if name not in expected:
                problems.append("not in %s: %s: %s" % (os.path.basename(args.expect), name, detail))
            elif expected[name] not in detail:
                problems.append("%s: diagnostic '%s' does not contain '%s'" % (
                    name, detail, expected[name]))
        elif verdict == "PASS" and name in expected:
            problems.append("%s passes now: remove it from %s" % (
                name, os.path.basename(args.expect)))
    for case in sorted(set(expected) - {r[0] for r in results}):
        if not args.filter:
            problems.append("%s is listed but is not a node test here" % case)

    print("\nper operator (cases of supported operators):")
    for op in sorted(per_op):
        c = per_op[op]
        print("  %-28s pass %3d  wrong %d  diagnosed %d" % (op, c["PASS"], c["WRONG"], c["DIAGNOSED"]))
    total = collections.Counter()
    for c in per_op.values():
        total.update(c)
    print("summary: %d cases: %d pass, %d wrong, %d diagnosed, %d of unsupported operators" % (
        len(results), total["PASS"], total["WRONG"], total["DIAGNOSED"], unsupported))
    for p in problems:
        print("PROBLEM " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
