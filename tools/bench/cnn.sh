#!/bin/sh
# kiln against ONNX Runtime (CPU provider) on several CNNs, interleaved.
#
#   tools/bench/cnn.sh [--cases "resnet50:1:1 resnet50:1:2 resnet50:8:2 resnet18:1:1 ..."]
#                      [--iterations K] [--warmup W] [--rounds R] [--build DIR]
#
# A case is MODEL:BATCH:THREADS. MODEL is resnet50 (models/gen_resnet.py, BN
# folded), resnet50-bn (BN kept), resnet50v2 (gen_resnet.py --form preact:
# pre-activation, a standalone BN + ReLU before each block); any other name
# is a torchvision architecture exported by models/export_torchvision.py
# (resnet18, vgg11, resnext50_32x4d, ...). For
# each case: compile (timed), check kiln's output against ORT's
# (test/Integration/compare.py), then R rounds of kiln-run and ort-bench.js
# one after the other (K timed runs after W warmups each), medians over all
# rounds' medians. Reports per image at batch > 1, the ratio of medians,
# peak RSS of each process (/usr/bin/time; ORT's includes node.js), kiln's
# effective GFLOP/s and its share of the FMA peak that kiln-run --profile
# measures on as many threads. Prints a Markdown table with the machine named;
# exits non-zero if numerics disagree.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build"
cases="resnet50:1:1 resnet50:1:2 resnet50:8:2 resnet18:1:1 vgg11:1:1 resnext50_32x4d:1:1 resnet50v2:1:1"
iters=20
warmup=3
rounds=2
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2 ;;
    --iterations) iters=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "cnn.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
py=/usr/bin/python3
out="$build/bench"
mkdir -p "$out"
"$root/tools/ort/install.sh" >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
ort_version=$(node -p "require('$root/tools/ort/node_modules/onnxruntime-node/package.json').version")
isa=none
if grep -qw avx512f /proc/cpuinfo; then isa=avx512f; elif grep -qw avx2 /proc/cpuinfo; then isa=avx2; fi
echo "Machine: $cpu, $(nproc) cores; $isa; LLVM host CPU $(/usr/lib/llvm-22/bin/llc --version 2>/dev/null | sed -n 's/.*Host CPU: *//p' | head -1)"
echo "ONNX Runtime $ort_version (onnxruntime-node, CPU provider); kiln $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $rounds rounds x $iters runs after $warmup warmups"
echo "kiln GFLOP/s counts a convolution's direct FLOPs (2 per multiply-add), so Winograd layers (fewer multiplies) can put it above the FMA peak."
echo
echo "| model | batch | threads | kiln ms/img | ORT ms/img | kiln / ORT | kiln GFLOP/s | % FMA peak | kiln RSS MB | ORT RSS MB | weights MB | compile s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
status=0
for c in $cases; do
  name=${c%%:*}; rest=${c#*:}; batch=${rest%%:*}; threads=${rest#*:}
  model="$out/$name-b$batch.onnx"; x="$out/$name-b$batch-x.npy"
  if [ ! -f "$model" ] || [ ! -f "$x" ]; then
    case "$name" in
      resnet50) $py "$root/models/gen_resnet.py" --form folded --batch "$batch" -o "$model" --input-npy "$x" >/dev/null ;;
      resnet50-bn) $py "$root/models/gen_resnet.py" --form bn --batch "$batch" -o "$model" --input-npy "$x" >/dev/null ;;
      resnet50v2) $py "$root/models/gen_resnet.py" --form preact --batch "$batch" -o "$model" --input-npy "$x" >/dev/null ;;
      *) $py "$root/models/export_torchvision.py" --arch "$name" --batch "$batch" -o "$model" --input-npy "$x" >/dev/null 2>&1 ;;
    esac
  fi
  lib="$out/lib$name-b$batch.so"
  t0=$(date +%s.%N)
  "$build/bin/kiln-compile" "$model" -o "$lib" --report="$out/$name-b$batch-report.json"
  t1=$(date +%s.%N)
  node "$root/tools/ort/ort-run.js" "$model" --input "$x" --output "$out/$name-b$batch-ref.npy" >/dev/null
  "$build/bin/kiln-run" "$lib" --input "$x" --output "$out/$name-b$batch-y.npy" >/dev/null
  if ! $py "$root/test/Integration/compare.py" "$out/$name-b$batch-y.npy" "$out/$name-b$batch-ref.npy" >"$out/cmp.txt"; then
    echo "cnn.sh: $name batch $batch: kiln disagrees with ORT: $(cat "$out/cmp.txt")" >&2
    status=1
  fi
  : > "$out/k.txt"; : > "$out/o.txt"; : > "$out/krss.txt"; : > "$out/orss.txt"
  r=0
  while [ $r -lt "$rounds" ]; do
    /usr/bin/time -f "%M" -o "$out/rss" "$build/bin/kiln-run" "$lib" --input "$x" --threads "$threads" \
        --iterations "$iters" --warmup "$warmup" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' >> "$out/k.txt"
    cat "$out/rss" >> "$out/krss.txt"
    /usr/bin/time -f "%M" -o "$out/rss" node "$root/tools/ort/ort-bench.js" "$model" --input "$x" --threads "$threads" \
        --iterations "$iters" --warmup "$warmup" | head -1 | sed -n 's/.*ort_median_ms=\([0-9.]*\).*/\1/p' >> "$out/o.txt"
    cat "$out/rss" >> "$out/orss.txt"
    r=$((r + 1))
  done
  "$build/bin/kiln-run" "$lib" --input "$x" --threads "$threads" --profile="$out/$name-b$batch-t$threads-profile.json" >/dev/null
  k=$(median < "$out/k.txt"); o=$(median < "$out/o.txt")
  krss=$(sort -n "$out/krss.txt" | tail -1); orss=$(sort -n "$out/orss.txt" | tail -1)
  flops=$($py -c "import json;print(json.load(open('$out/$name-b$batch-report.json'))['total_flops'])")
  peak=$($py -c "import json;print(json.load(open('$out/$name-b$batch-t$threads-profile.json'))['fma_peak_gflops'])")
  wmb=$(du -m "$model" | cut -f1)
  echo "$k $o $batch $flops $peak $krss $orss $t0 $t1" | awk -v n="$name" -v t="$threads" -v w="$wmb" '{
    g = $4 / ($1 * 1e6);
    printf "| %s | %d | %d | %.2f | %.2f | %.2f | %.1f | %.0f%% | %.0f | %.0f | %s | %.1f |\n",
      n, $3, t, $1 / $3, $2 / $3, $1 / $2, g, 100 * g / $5, $6 / 1024, $7 / 1024, w, $9 - $8 }'
done
exit $status
