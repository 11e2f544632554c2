#!/usr/bin/python3
"""kiln-verify: check a model compiled by kiln against ONNX Runtime.

  kiln-verify MODEL.onnx [--input X.npy | --input NAME=X.npy ...] [--seed S]
              [--batch N] [--shape NAME:1x3x224x224 ...] [--threads N]
              [--rtol R] [--atol A] [--layers] [--work DIR]
              [--compile-arg=ARG ...] [--debug-perturb-node NAME]

Compiles MODEL with kiln-compile, runs it with kiln-run and ONNX Runtime
(tools/ort/ort-run.js) on the same inputs (the files given, or seeded
standard-normal data for every float graph input), and prints one row per
graph output: max |kiln - ref|, max |ref|, the tolerance
rtol * max|ref| + atol (defaults 1e-4 and 1e-5), and top-1 agreement (argmax
over the classes, per row, for outputs of rank 2: a classifier's logits).

When an output disagrees (or with --layers), it finds the first diverging
layer: it compiles and runs the model again in both with the output of each
of kiln's layers (one row of the compile report: the ONNX nodes kiln fused
into one kernel) exposed as an extra graph output, and prints a per-layer
error table keyed by ONNX node name. Exposing a layer's output does not
change what kiln fuses, since it is the output of the fused group.

Exit status: 0 when every output agrees, 1 on a mismatch, 2 when the tools
fail (bad arguments, a model kiln or ORT cannot compile or run).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx

# Set by CMake when it copies the script into build/bin: the repository's
# tools/ort (onnxruntime-node, installed by tools/install-deps.sh).
ORT_DIR = "@KILN_VERIFY_ORT_DIR@"

NP_TYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64,
            onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32}


class ToolError(Exception):
    pass


def tool_dirs():
    """kiln-compile and kiln-run are next to this script (build/bin) unless
    $KILN_BIN names their folder; $KILN_ORT_DIR overrides the ORT folder."""
    here = os.path.dirname(os.path.abspath(__file__))
    kiln_bin = os.environ.get("KILN_BIN") or here
    ort_dir = os.environ.get("KILN_ORT_DIR") or (
        ORT_DIR if not ORT_DIR.startswith("@")
        else os.path.join(here, "..", "ort"))
    return kiln_bin, ort_dir


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise ToolError("%s failed (exit %d):\n%s" % (what, p.returncode, p.stdout.rstrip()))
    return p.stdout


def parse_shape_binding(s):
    name, _, dims = s.rpartition(":")
    if not name or not dims:
        raise ToolError("--shape wants NAME:1x3x224x224, got '%s'" % s)
    try:
        return name, [int(d) for d in dims.split("x")]
    except ValueError:
        raise ToolError("--shape wants NAME:1x3x224x224, got '%s'" % s)


def graph_inputs(model):
    inits = {i.name for i in model.graph.initializer}
    return [vi for vi in model.graph.input if vi.name not in inits]


def make_inputs(args, model, work):
    """Paths of one .npy per graph input (given or seeded random), and a
    description of each for the header."""
    inputs = graph_inputs(model)
    given_named, given_positional = {}, []
    for spec in args.input:
        name, eq, path = spec.partition("=")
        if eq and name in {vi.name for vi in inputs}:
            given_named[name] = path
        else:
            given_positional.append(spec)
    if len(given_positional) > len(inputs):
        raise ToolError("%d --input files for %d graph inputs"
                        % (len(given_positional) + len(given_named), len(inputs)))
    bindings = dict(parse_shape_binding(s) for s in args.shape)
    rng = np.random.RandomState(args.seed)
    paths, notes = [], []
    positional = iter(given_positional)
    for vi in inputs:
        path = given_named.get(vi.name)
        if path is None and vi.name not in given_named:
            path = next(positional, None)
        if path is not None:
            x = np.load(path)
            notes.append("'%s' %s from %s" % (vi.name, list(x.shape), path))
            paths.append(path)
            continue
        tt = vi.type.tensor_type
        if tt.elem_type not in (onnx.TensorProto.FLOAT,):
            raise ToolError("graph input '%s' is not FLOAT: give it with --input" % vi.name)
        shape = bindings.get(vi.name)
        if shape is None:
            shape = []
            for i, d in enumerate(tt.shape.dim):
                if d.HasField("dim_value") and d.dim_value > 0:
                    shape.append(d.dim_value)
                elif i == 0 and args.batch:
                    shape.append(args.batch)
                else:
                    raise ToolError(
                        "graph input '%s' has a symbolic dimension '%s' (axis %d): bind it "
                        "with --batch=N or --shape=%s:DIMS, or give the input with --input"
                        % (vi.name, d.dim_param or "?", i, vi.name))
        x = rng.standard_normal(shape).astype(np.float32)
        path = os.path.join(work, "input%d.npy" % len(paths))
        np.save(path, x)
        notes.append("'%s' %s seeded (seed %d)" % (vi.name, shape, args.seed))
        paths.append(path)
    return paths, notes


def compile_and_run(args, kiln_bin, ort_dir, model_path, names, inputs, tag, work):
    """Compiles and runs `model_path` in kiln and ORT; returns the report and
    {name: (kiln array, ORT array)} for the outputs `names` (in order)."""
    so = os.path.join(work, tag + ".so")
    report = os.path.join(work, tag + ".report.json")
    cmd = [os.path.join(kiln_bin, "kiln-compile"), model_path, "-o", so, "--report=" + report]
    if args.batch:
        cmd.append("--batch=%d" % args.batch)
    cmd += ["--shape=" + s for s in args.shape]
    if args.debug_perturb_node:
        cmd.append("--debug-perturb-node=" + args.debug_perturb_node)
    cmd += args.compile_arg
    run(cmd, "kiln-compile")
    kiln_out = [os.path.join(work, "%s.kiln.%d.npy" % (tag, i)) for i in range(len(names))]
    ref_out = [os.path.join(work, "%s.ort.%d.npy" % (tag, i)) for i in range(len(names))]
    cmd = [os.path.join(kiln_bin, "kiln-run"), so, "--threads", str(args.threads)]
    for p in inputs:
        cmd += ["--input", p]
    for p in kiln_out:
        cmd += ["--output", p]
    run(cmd, "kiln-run")
    cmd = ["node", os.path.join(ort_dir, "ort-run.js"), model_path, "--quiet"]
    for p in inputs:
        cmd += ["--input", p]
    for n, p in zip(names, ref_out):
        cmd += ["--output", "%s=%s" % (n, p)]
    run(cmd, "ONNX Runtime (ort-run.js)")
    with open(report) as f:
        rep = json.load(f)
    return rep, {n: (np.load(k), np.load(r)) for n, k, r in zip(names, kiln_out, ref_out)}


def compare(out, ref, rtol, atol):
    """(ok, max abs error, max|ref|, tolerance, top-1 'a/b' or '-', why)."""
    if out.shape != ref.shape:
        return False, float("nan"), float("nan"), float("nan"), "-", \
            "shape %s, ORT %s" % (list(out.shape), list(ref.shape))
    o, r = out.astype(np.float64), ref.astype(np.float64)
    nan = int(np.isnan(o).sum()) - int(np.isnan(r).sum())
    err = float(np.nanmax(np.abs(o - r))) if o.size else 0.0
    mref = float(np.nanmax(np.abs(r))) if r.size else 0.0
    tol = rtol * mref + atol
    top1, top1_ok = "-", True
    if o.ndim == 2 and o.shape[1] > 1 and o.size:
        a, b = np.argmax(o, axis=1), np.argmax(r, axis=1)
        top1 = "%d/%d" % (int((a == b).sum()), a.size)
        top1_ok = bool((a == b).all())
    why = ""
    if nan > 0:
        why = "%d NaN values ORT does not have" % nan
    elif err > tol:
        why = "max|kiln-ref| %.3g > tolerance %.3g" % (err, tol)
    elif not top1_ok:
        why = "top-1 differs (%s rows agree)" % top1
    return not why, err, mref, tol, top1, why


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def layer_tensors(model, report):
    """(layer index, ONNX nodes, value info) for each layer of the report
    whose output is a float tensor of the graph with an inferred type: the
    output of the layer's node that comes last in the graph."""
    index = {n.name: (i, n) for i, n in enumerate(model.graph.node) if n.name}
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
        infos = {vi.name: vi for vi in list(inferred.graph.value_info)}
    except Exception:  # e.g. a model past the inference's size limit
        infos = {}
    infos.update({vi.name: vi for vi in model.graph.output})
    seen, rows = set(), []
    for li, layer in enumerate(report.get("layers", [])):
        if layer.get("op") == "(folded)":
            continue
        nodes = [index[n] for n in layer.get("nodes", []) if n in index]
        if not nodes:
            continue
        _, last = max(nodes, key=lambda p: p[0])
        t = last.output[0] if last.output else ""
        vi = infos.get(t)
        if (t in seen or vi is None
                or vi.type.tensor_type.elem_type != onnx.TensorProto.FLOAT
                or not vi.type.tensor_type.HasField("shape")):
            continue
        seen.add(t)
        rows.append((li, layer["nodes"], vi))
    return rows


def localize(args, kiln_bin, ort_dir, model_path, inputs, report, work, mismatch):
    model = onnx.load(model_path)  # with its external data: saved inline below
    outputs = [o.name for o in model.graph.output]
    graph_in = {vi.name for vi in model.graph.input}
    layers = [r for r in layer_tensors(model, report) if r[2].name not in graph_in]
    for _, _, vi in layers:
        if vi.name not in outputs:
            model.graph.output.append(vi)
            outputs.append(vi.name)
    exposed = os.path.join(work, "exposed.onnx")
    onnx.save(model, exposed)
    print("kiln-verify: comparing the outputs of %d layers (exposed as graph outputs in "
          "both) to find the first diverging one" % len(layers))
    _, results = compile_and_run(args, kiln_bin, ort_dir, exposed, outputs, inputs,
                                 "exposed", work)
    rows, first = [], None
    for li, nodes, vi in layers:
        t = vi.name
        ok, err, mref, tol, _, why = compare(*results[t], args.rtol, args.atol)
        status = "ok" if ok else "DIVERGES"
        if not ok and first is None:
            first = (li, nodes, t, why)
        label = "+".join(nodes)
        if len(label) > 80:
            label = label[:77] + "..."
        rows.append([li, label, t, "%.3g" % err, "%.3g" % mref, "%.3g" % tol, status])
    print_table(["layer", "ONNX nodes", "tensor", "max|kiln-ref|", "max|ref|", "tolerance",
                 "result"], rows)
    if first is None and mismatch:
        print("kiln-verify: every exposed layer agrees; the mismatch is in what follows "
              "them (an output computed by an op that is no layer of its own)")
    elif first is not None:
        li, nodes, t, why = first
        print("kiln-verify: first diverging layer: %d, ONNX node%s %s (tensor '%s'): %s"
              % (li, "s" if len(nodes) > 1 else "", ", ".join("'%s'" % n for n in nodes),
                 t, why))


def main():
    ap = argparse.ArgumentParser(
        prog="kiln-verify",
        description="Compile an ONNX model with kiln and check it against ONNX Runtime "
                    "on the same input; on a mismatch, find the first diverging layer.",
        epilog="Exit status: 0 agree, 1 mismatch, 2 tool or usage error.")
    ap.add_argument("model", help="the ONNX model")
    ap.add_argument("--input", action="append", default=[], metavar="[NAME=]X.npy",
                    help="a graph input (in order, or by name); seeded random if absent")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random inputs (0)")
    ap.add_argument("--batch", type=int, default=0,
                    help="as kiln-compile --batch: size of a symbolic first dimension")
    ap.add_argument("--shape", action="append", default=[], metavar="NAME:DIMS",
                    help="as kiln-compile --shape: bind a graph input's shape")
    ap.add_argument("--threads", type=int, default=1, help="kiln-run threads (1)")
    ap.add_argument("--rtol", type=float, default=1e-4,
                    help="tolerance relative to max|ref| (1e-4)")
    ap.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance (1e-5)")
    ap.add_argument("--layers", action="store_true",
                    help="print the per-layer table even when the outputs agree")
    ap.add_argument("--work", metavar="DIR",
                    help="keep the libraries, inputs and outputs in DIR (default: a "
                         "temporary folder, removed)")
    ap.add_argument("--compile-arg", action="append", default=[], metavar="ARG",
                    help="extra kiln-compile argument, e.g. --compile-arg=--mcpu=haswell")
    ap.add_argument("--debug-perturb-node", metavar="NAME",
                    help="as kiln-compile --debug-perturb-node: scale the weights of ONNX "
                         "node NAME by 1.05 (a planted bug)")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # in order with the tools' messages
    kiln_bin, ort_dir = tool_dirs()
    if args.threads < 1:
        ap.error("--threads must be at least 1")
    work = args.work or tempfile.mkdtemp(prefix="kiln-verify-")
    os.makedirs(work, exist_ok=True)
    try:
        try:
            model = onnx.load(args.model, load_external_data=False)
        except Exception as e:
            raise ToolError("cannot read %s: %s" % (args.model, e))
        inputs, notes = make_inputs(args, model, work)
        print("kiln-verify: %s; inputs: %s" % (args.model, "; ".join(notes) or "none"))
        names = [o.name for o in model.graph.output]
        report, results = compile_and_run(args, kiln_bin, ort_dir, args.model, names, inputs,
                                          "model", work)
        print("kiln-verify: target %s" % report.get("target", "?"))
        rows, bad = [], []
        for n in names:
            ok, err, mref, tol, top1, why = compare(*results[n], args.rtol, args.atol)
            rows.append([n, list(results[n][0].shape), "%.3g" % err, "%.3g" % mref,
                         "%.3g" % tol, top1, "ok" if ok else "MISMATCH"])
            if not ok:
                bad.append("'%s': %s" % (n, why))
        print_table(["output", "shape", "max|kiln-ref|", "max|ref|", "tolerance", "top-1",
                     "result"], rows)
        if bad or args.layers:
            localize(args, kiln_bin, ort_dir, args.model, inputs, report, work, bool(bad))
        if bad:
            print("kiln-verify: MISMATCH: " + "; ".join(bad))
            return 1
        print("kiln-verify: kiln and ONNX Runtime agree (max|kiln-ref| <= %g * max|ref| + %g,"
              " same top-1)" % (args.rtol, args.atol))
        return 0
    except ToolError as e:
        print("kiln-verify: error: %s" % e, file=sys.stderr)
        return 2
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
