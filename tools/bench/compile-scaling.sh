#!/bin/sh
# Compile-time scaling of kiln-compile: time and peak memory per graph size.
#
#   tools/bench/compile-scaling.sh [--build DIR] [--sizes "1000 5000 20000"]
#
# Compiles chains of N Relu nodes (1x16), N conv+Relu layers (16 channels,
# 8x8) and Softmaxes over 1xK (tools/bench/gen_scaling_models.py) to shared
# libraries, and prints a Markdown table: wall time, peak resident memory
# (GNU time) and the time of each phase (kiln-compile -v), with the machine
# named. Linear compile time shows as time growing like N.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build"
sizes="1000 5000 20000"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "compile-scaling.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
py=/usr/bin/python3
gen="$root/tools/bench/gen_scaling_models.py"
out="$build/bench/scaling"
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "compile-scaling.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
echo "Machine: $cpu, $(nproc) cores; commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
phases="import linalg tiled bufferized llvm llvm-opt codegen link"
printf '| model | nodes | wall s | peak MiB |'
for p in $phases; do printf ' %s ms |' "$p"; done
printf '\n|---|---|---|---|'
for p in $phases; do printf -- '---|'; done
printf '\n'
row() { # row NAME KIND N NODES
  m="$out/$2-$3.onnx"
  $py "$gen" "$2" "$3" "$m"
  /usr/bin/time -f '%e %M' -o "$out/time.txt" \
    "$build/bin/kiln-compile" "$m" -o "$out/$2-$3.so" -v 2> "$out/phases.txt"
  set -- "$1" "$2" "$3" "$4" $(cat "$out/time.txt")
  printf '| %s | %s | %s | %d |' "$1" "$4" "$5" $(($6 / 1024))
  for p in $phases; do
    ms=$(sed -n "s/^kiln-compile: $p  *\([0-9.]*\) ms$/\1/p" "$out/phases.txt")
    printf ' %s |' "${ms:--}"
  done
  printf '\n'
}
for n in $sizes; do row "Relu chain 1x16" chain "$n" "$n"; done
for n in $sizes; do
  layers=$((n / 20))
  row "conv+Relu 16ch 8x8" convs "$layers" $((2 * layers))
done
for k in 1000 8192 65536 1048576; do row "Softmax 1x$k" softmax "$k" 1; done
