"""Checks a `kiln-run --profile=FILE.json` profile against the compile report.

  check_profile.py PROFILE.json REPORT.json

The layers' times add up to the measured run time within 10%; the layers'
flops add up to the report's total; every ONNX node a layer names is a node
the report lists; the FMA peak is measured (> 0) and every layer's peak%
is its GFLOP/s over that peak. (A layer may still read above the peak: the
peak loop and the layers are timed at different moments, and a loaded
machine, such as lit running tests side by side, slows either one.) Prints "profile ok" with
the layer count or the first violation, and exits 1 on a violation.
"""
import json
import sys


def main():
    profile = json.load(open(sys.argv[1]))
    report = json.load(open(sys.argv[2]))
    layers = profile["layers"]
    nodes = {n for layer in report["layers"] for n in layer["nodes"]}
    problems = []
    if not layers:
        problems.append("no layers")
    total_ms = sum(l["ms"] for l in layers)
    if abs(total_ms - profile["layers_ms"]) > 1e-3 * max(total_ms, 1e-9):
        problems.append(f"layers_ms {profile['layers_ms']} != sum {total_ms}")
    if not 0.9 * profile["measured_ms"] <= total_ms <= 1.1 * profile["measured_ms"]:
        problems.append(f"layers sum to {total_ms} ms, measured {profile['measured_ms']} ms")
    flops = sum(l["flops"] for l in layers)
    if flops != report["total_flops"] or profile["total_flops"] != flops:
        problems.append(f"layers have {flops} flops, report {report['total_flops']}")
    if profile["fma_peak_gflops"] <= 0:
        problems.append("no FMA peak")
    for l in layers:
        unknown = [n for n in l["nodes"] if n not in nodes]
        if unknown:
            problems.append(f"layer {l['index']} names unknown nodes {unknown}")
        peak = profile["fma_peak_gflops"]
        if peak > 0 and abs(l["peak_percent"] - 100 * l["gflops"] / peak) > 0.01 + 1e-3 * l["peak_percent"]:
            problems.append(f"layer {l['index']} peak_percent {l['peak_percent']} != "
                            f"100 * {l['gflops']} / {peak}")
        if l["ms"] < 0 or not l["kernel"] or not l["op"]:
            problems.append(f"layer {l['index']} malformed: {l}")
    if profile["runs"] <= 0:
        problems.append("no runs")
    if problems:
        print("profile BAD: " + "; ".join(problems))
        sys.exit(1)
    print(f"profile ok: {len(layers)} layers, {profile['runs']} runs")


if __name__ == "__main__":
    main()
