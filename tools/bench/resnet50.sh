#!/bin/sh
# Benchmark kiln against ONNX Runtime (CPU provider) on ResNet50, side by side.
#
#   tools/bench/resnet50.sh [--threads N] [--iterations K] [--warmup W] [--build DIR]
#
# Generates ResNet50 v1.5 (both forms: BatchNorm kept and folded) with
# models/gen_resnet.py, compiles each with kiln-compile, checks kiln's output
# against ORT's, then times kiln-run and tools/ort/ort-bench.js one after the
# other on the same input and prints a Markdown table of medians and the
# kiln/ORT ratio of medians, with the machine named. Exits non-zero if the
# numerics disagree.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build"
threads=1
iters=30
warmup=5
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --iterations) iters=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "resnet50.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
py=/usr/bin/python3
out="$build/bench"
mkdir -p "$out"
"$root/tools/ort/install.sh" >/dev/null

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
isa=$(grep -o -w -m1 'avx512f' /proc/cpuinfo | head -1 || true)
[ -n "$isa" ] || isa=$(grep -o -w -m1 'avx2' /proc/cpuinfo | head -1 || echo "sse")
ort_version=$(node -p "require('$root/tools/ort/node_modules/onnxruntime-node/package.json').version")
echo "Machine: $cpu, $(nproc) cores, widest ISA $isa; threads=$threads iterations=$iters warmup=$warmup"
echo "ONNX Runtime $ort_version (onnxruntime-node, CPU provider); kiln $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| model | kiln median ms | kiln min ms | ORT median ms | ORT min ms | kiln / ORT (median) | compile s |"
echo "|---|---|---|---|---|---|---|"
for form in bn folded; do
  model="$out/resnet50-$form.onnx"
  [ -f "$model" ] || $py "$root/models/gen_resnet.py" --form $form -o "$model" --input-npy "$out/x.npy" >/dev/null
  [ -f "$out/x.npy" ] || $py "$root/models/gen_resnet.py" --form $form -o "$model" --input-npy "$out/x.npy" >/dev/null
  t0=$(date +%s.%N)
  "$build/bin/kiln-compile" "$model" -o "$out/libresnet50-$form.so"
  t1=$(date +%s.%N)
  node "$root/tools/ort/ort-run.js" "$model" --input "$out/x.npy" --output "$out/ref-$form.npy" >/dev/null
  kiln=$("$build/bin/kiln-run" "$out/libresnet50-$form.so" --input "$out/x.npy" \
      --output "$out/y-$form.npy" --threads $threads --iterations $iters --warmup $warmup)
  $py "$root/test/Integration/compare.py" "$out/y-$form.npy" "$out/ref-$form.npy" >/dev/null
  ort=$(node "$root/tools/ort/ort-bench.js" "$model" --input "$out/x.npy" \
      --threads $threads --iterations $iters --warmup $warmup | head -1)
  k_med=$(echo "$kiln" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  k_min=$(echo "$kiln" | sed -n 's/.*min \([0-9.]*\) ms.*/\1/p')
  o_med=$(echo "$ort" | sed -n 's/.*ort_median_ms=\([0-9.]*\).*/\1/p')
  o_min=$(echo "$ort" | sed -n 's/.*ort_min_ms=\([0-9.]*\).*/\1/p')
  ratio=$(echo "$k_med $o_med" | awk '{printf "%.2f", $1 / $2}')
  secs=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
  echo "| ResNet50 ($form), batch 1, fp32 | $k_med | $k_min | $o_med | $o_min | $ratio | $secs |"
done
