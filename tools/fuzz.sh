#!/bin/sh
# Runs kiln's libFuzzer targets for SECONDS each (default 60), with ASan and
# UBSan, on the committed and generated seeds plus a corpus kept in
# build/fuzz/corpus-<target>.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]     TARGET: npy importer pipeline
#
#   npy       kiln-run's .npy reader: parse, then the serialize/parse round trip
#   importer  bytes -> ModelProto -> kiln dialect -> verifier -> graph passes
#   pipeline  structure-aware mutations of small models through the whole
#             compiler to an object file
#
# importer and pipeline come from the sanitizer build (tools/build.sh
# --sanitize=address,undefined, where all of kiln's C++ code has libFuzzer's
# coverage instrumentation); npy from either build. A finding leaves its
# input as build/fuzz/crash-* (or leak-, timeout-, oom-) and makes this
# script exit non-zero. Each target prints libFuzzer's final stats
# (stat::number_of_executed_units is the number of inputs run).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-npy importer pipeline}
san="$root/build/sanitize-address-undefined"
mkdir -p "$root/build/fuzz"
cd "$root/build/fuzz"
status=0
for t in $targets; do
  case $t in
    npy) bin="$san/bin/kiln-fuzz-npy"; [ -x "$bin" ] || bin="$root/build/bin/kiln-fuzz-npy"
         seeds="$root/test/fuzz/seeds/npy $root/models/refs/tiny"; len=4096 ;;
    importer|pipeline)
         bin="$san/bin/kiln-fuzz-$t"
         rm -rf "seeds-models" && mkdir -p seeds-models
         /usr/bin/python3 "$root/models/gen_test_models.py" -o seeds-models > /dev/null
         seeds="seeds-models $root/test/fuzz/regressions"; len=65536 ;;
    *) echo "fuzz.sh: unknown target '$t' (npy, importer, pipeline)" >&2; exit 2 ;;
  esac
  [ -x "$bin" ] || { echo "fuzz.sh: $bin is not built (tools/build.sh --sanitize=address,undefined; needs libclang-rt-22-dev)" >&2; exit 2; }
  mkdir -p "corpus-$t"
  echo "== $t ($seconds s)"
  "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=$len \
    -print_final_stats=1 "corpus-$t" $seeds 2>&1 |
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|==[0-9]+==|SUMMARY)|ERROR|DONE' || true
done
# libFuzzer writes crash-*/leak-*/timeout-*/oom-* on a finding.
if ls crash-* leak-* timeout-* oom-* >/dev/null 2>&1; then
  echo "fuzz.sh: findings in $root/build/fuzz" >&2
  exit 1
fi
