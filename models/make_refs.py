#!/usr/bin/python3
"""Regenerate ResNet reference data with ONNX Runtime (tools/ort/ort-run.js).

  make_refs.py                       # config 'tiny' -> models/refs/tiny/
  make_refs.py resnet50 --refs build/models/refs
  make_refs.py --list

For each config: generates the model in both forms with gen_resnet.py into
--models (default build/models, git-ignored), writes the seeded input x.npy,
runs ORT on the bn form -> ref.npy, runs the folded form and checks it agrees
(max |a-b| / max |a| <= 1e-5), and writes meta.json with the generator
options, seeds, ORT version and the sha256 of every model file the reference
belongs to.  A test can regenerate the model, compare its sha256 with
meta.json, and compare kiln's output with ref.npy.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_resnet  # noqa: E402
import numpy as np  # noqa: E402

CONFIGS = {
    # name: gen_resnet.py options (besides --form/-o)
    "tiny": ["--blocks", "1,1,1,1", "--size", "32", "--width", "8",
             "--classes", "10"],
    "small": ["--blocks", "1,1,1,1", "--size", "64", "--width", "16",
              "--classes", "100"],
    "resnet50": [],
}
TORCH_OPSETS = (9, 13, 17)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ort_run(model, x, y, threads):
    cmd = ["node", os.path.join(ROOT, "tools", "ort", "ort-run.js"), model,
           "--input", x, "--output", y, "--threads", str(threads), "--quiet"]
    subprocess.run(cmd, check=True)


def ort_version():
    out = subprocess.run(
        ["node", "-e", "console.log(require('onnxruntime-node')"
         ".env.versions.node)"], cwd=os.path.join(ROOT, "tools", "ort"),
        check=True, capture_output=True, text=True)
    return out.stdout.strip()


def rel_diff(a, b):
    return float(np.abs(a.astype(np.float64) - b).max() /
                 max(np.abs(a).max(), 1e-30))


def make(config, refs_dir, models_dir, seed, threads, torch_too):
    opts = CONFIGS[config] + ["--seed", str(seed)]
    out = os.path.join(refs_dir, config)
    os.makedirs(out, exist_ok=True)
    os.makedirs(models_dir, exist_ok=True)
    x = os.path.join(out, "x.npy")
    ref = os.path.join(out, "ref.npy")
    models = {}
    for form in ("bn", "folded"):
        path = os.path.join(models_dir, "%s-%s.onnx" % (config, form))
        argv = ["-o", path, "--form", form] + opts
        if form == "bn":
            argv += ["--input-npy", x]
        gen_resnet.main(argv)
        models[form] = {"file": os.path.basename(path),
                        "sha256": sha256(path),
                        "bytes": os.path.getsize(path),
                        "gen_resnet_args": ["--form", form] + opts}
    ort_run(os.path.join(models_dir, "%s-bn.onnx" % config), x, ref, threads)
    r = np.load(ref)
    checks = {}
    tmp = os.path.join(models_dir, "%s-check.npy" % config)
    extra = [("folded", os.path.join(models_dir, "%s-folded.onnx" % config))]
    if torch_too:
        import export_torch_resnet
        for opset in TORCH_OPSETS:
            for keep in (False, True):
                key = "torch-op%d-%s" % (opset, "bn" if keep else "folded")
                path = os.path.join(models_dir, "%s-%s.onnx" % (config, key))
                targv = ["-o", path, "--opset", str(opset), "--quiet"] + opts
                if keep:
                    targv.append("--keep-bn")
                export_torch_resnet.main(targv)
                models[key] = {"file": os.path.basename(path),
                               "sha256": sha256(path),
                               "bytes": os.path.getsize(path),
                               "export_torch_resnet_args": targv[2:]}
                extra.append((key, path))
    for key, path in extra:
        ort_run(path, x, tmp, threads)
        d = rel_diff(r, np.load(tmp))
        checks[key] = d
        if d > 1e-5:
            raise SystemExit("%s: %s differs from the bn form: %g"
                             % (config, key, d))
    os.remove(tmp)
    meta = {
        "config": config,
        "generator": "models/gen_resnet.py",
        "seed": seed,
        "input": {"file": "x.npy", "seed": seed, "kind": "normal",
                  "shape": list(np.load(x).shape), "dtype": "float32",
                  "sha256": sha256(x)},
        "reference": {"file": "ref.npy", "from": "bn", "shape":
                      list(r.shape), "dtype": str(r.dtype),
                      "sha256": sha256(ref), "std": float(r.std()),
                      "onnxruntime_node": ort_version(),
                      "graphOptimizationLevel": "all", "threads": threads},
        "models": models,
        "max_rel_diff_vs_ref": checks,
    }
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    print("%s: ref std %.4f, max rel diff %s -> %s"
          % (config, r.std(), {k: "%.2g" % v for k, v in checks.items()},
             out))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("configs", nargs="*", default=["tiny"])
    ap.add_argument("--refs", default=os.path.join(HERE, "refs"),
                    help="where <config>/{x,ref}.npy + meta.json go "
                         "(default models/refs)")
    ap.add_argument("--models", default=os.path.join(ROOT, "build", "models"),
                    help="where the .onnx files go (default build/models)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--torch", action="store_true",
                    help="also export with torch (opsets %s, BN folded and "
                         "kept) and check them against ref.npy"
                         % ",".join(map(str, TORCH_OPSETS)))
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    if a.list:
        for k, v in CONFIGS.items():
            print("%-10s %s" % (k, " ".join(v) or "(defaults: ResNet50 224)"))
        return 0
    for c in a.configs:
        if c not in CONFIGS:
            ap.error("unknown config %s (have %s)" % (c, ", ".join(CONFIGS)))
        make(c, a.refs, a.models, a.seed, a.threads, a.torch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
