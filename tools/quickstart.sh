#!/bin/sh
# README command 1: install dependencies, build kiln, generate ResNet50,
# compile it to a shared library and run it (top-5 classes and latency).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
"$root/tools/build.sh"
out="$root/build/models"
mkdir -p "$out"
/usr/bin/python3 "$root/models/gen_resnet.py" -o "$out/resnet50.onnx" \
  --input-npy "$out/x.npy" --input-kind image
"$root/build/bin/kiln-compile" "$out/resnet50.onnx" -o "$out/libresnet50.so" -v
"$root/build/bin/kiln-run" "$out/libresnet50.so" --input "$out/x.npy" \
  --output "$out/y.npy" --threads 1 --iterations 20 --warmup 3 --print-topk 5
