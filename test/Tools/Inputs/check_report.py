"""Checks a kiln compile report (JSON) against the ONNX model it describes.

  check_report.py MODEL.onnx REPORT.json [--so]

Every ONNX node must appear in some layer; every layer names its kernel,
layout and tiles per the README schema; convolutions get a direct_conv (or
conv1x1_gemm) kernel with a 7-loop register tile; FLOPs add up; with --so,
the memory plan and the back-end phases are present too. Prints one line
per failure and exits 1, or prints a summary and exits 0.
"""
import json
import sys

import onnx

KERNELS = {"direct_conv", "conv1x1_gemm", "winograd_f2", "winograd_f4", "pool", "matmul",
           "vector", "loops", "view", "none"}


def main():
    model = onnx.load(sys.argv[1], load_external_data=False)
    report = json.load(open(sys.argv[2]))
    want_so = "--so" in sys.argv[3:]
    errors = []
    for key in ("version", "target", "total_flops", "layers", "memory", "phases"):
        if key not in report:
            errors.append(f"report has no '{key}'")
    by_node = {}
    for layer in report.get("layers", []):
        for key in ("nodes", "op", "kernel", "layout", "block", "register_tile",
                    "cache_tile", "parallel_dims", "output_shape", "source", "flops",
                    "weight_bytes"):
            if key not in layer:
                errors.append(f"layer {layer.get('nodes')} has no '{key}'")
        if layer.get("kernel") not in KERNELS:
            errors.append(f"layer {layer.get('nodes')} has unknown kernel {layer.get('kernel')}")
        for n in layer.get("nodes", []):
            by_node.setdefault(n, []).append(layer)
    for node in model.graph.node:
        layers = by_node.get(node.name)
        if not layers:
            errors.append(f"node {node.name} ({node.op_type}) is not in the report")
            continue
        if node.op_type == "Conv":
            convs = [l for l in layers if l["op"] == "kiln.fused_conv"]
            if len(convs) != 1:
                errors.append(f"Conv {node.name} is in {len(convs)} fused_conv layers")
            elif convs[0]["kernel"] not in ("direct_conv", "conv1x1_gemm", "winograd_f2",
                                            "winograd_f4") or \
                    len(convs[0]["register_tile"]) not in (3, 7) or convs[0]["flops"] <= 0:
                errors.append(f"Conv {node.name}: kernel {convs[0]['kernel']} "
                              f"tile {convs[0]['register_tile']} flops {convs[0]['flops']}")
    total = sum(l["flops"] for l in report.get("layers", []))
    if total != report.get("total_flops"):
        errors.append(f"layer FLOPs sum to {total}, total_flops is {report.get('total_flops')}")
    phases = [p["phase"] for p in report.get("phases", [])]
    if phases[:5] != ["import", "bn-folded", "fused", "layout", "kernels"]:
        errors.append(f"phases start {phases[:5]}")
    if want_so:
        mem = report["memory"]
        if not (0 < mem["live_peak_bytes"] <= mem["arena_bytes"] <= mem["unplanned_bytes"]):
            errors.append(f"memory plan {mem}")
        if phases[-3:] != ["llvm-opt", "codegen", "link"]:
            errors.append(f"phases end {phases[-3:]}")
    for e in errors:
        print("check_report:", e)
    if errors:
        return 1
    print(f"check_report: {len(model.graph.node)} nodes in {len(report['layers'])} layers, "
          f"{report['total_flops'] / 1e9:.3f} GFLOP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
