#!/usr/bin/python3
"""Compares a kiln output with an ONNX Runtime reference (.npy files).

  compare.py KILN.npy REF.npy [--rtol R] [--atol A]
             [--meta META.json --form FORM --model MODEL.onnx]

Passes when max|kiln - ref| <= rtol * max|ref| + atol (defaults 1e-4, 1e-5),
the shapes match, nothing is NaN, and the top-1 index (argmax over the last
axis, per row) is the same. With --meta, first checks that MODEL's sha256 is
the one meta.json records for FORM (otherwise the reference is stale).
Prints one line, `PASS ...` or `FAIL: ...`; exits 0 or 1.
"""
import argparse
import hashlib
import json
import sys

import numpy as np


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiln")
    ap.add_argument("ref")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--meta")
    ap.add_argument("--form")
    ap.add_argument("--model")
    a = ap.parse_args()

    if a.meta:
        if not (a.form and a.model):
            fail("--meta needs --form and --model")
        with open(a.meta) as f:
            meta = json.load(f)
        want = meta["models"][a.form]["sha256"]
        with open(a.model, "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        if got != want:
            fail("%s has sha256 %s but %s records %s for form '%s': the "
                 "reference is stale or the generator changed"
                 % (a.model, got, a.meta, want, a.form))

    out = np.load(a.kiln)
    ref = np.load(a.ref)
    if out.shape != ref.shape:
        fail("shape %s, reference %s" % (out.shape, ref.shape))
    if out.dtype != ref.dtype:
        fail("dtype %s, reference %s" % (out.dtype, ref.dtype))
    if np.isnan(out).any():
        fail("%d NaN values" % int(np.isnan(out).sum()))
    out64, ref64 = out.astype(np.float64), ref.astype(np.float64)
    diff = float(np.abs(out64 - ref64).max())
    tol = a.rtol * float(np.abs(ref64).max()) + a.atol
    top_out = np.argmax(out64.reshape(-1, out.shape[-1]), axis=-1)
    top_ref = np.argmax(ref64.reshape(-1, ref.shape[-1]), axis=-1)
    summary = ("max|kiln-ref|=%.3g tol=%.3g top1=%s ref_top1=%s shape=%s"
               % (diff, tol, top_out.tolist(), top_ref.tolist(), list(out.shape)))
    if not diff <= tol:
        fail("difference too large: " + summary)
    if not np.array_equal(top_out, top_ref):
        fail("top-1 differs: " + summary)
    print("PASS " + summary)


if __name__ == "__main__":
    main()
