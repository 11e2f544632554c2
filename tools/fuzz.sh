#!/bin/sh
# Runs kiln's libFuzzer targets for SECONDS each (default 60), with ASan and
# UBSan, on the committed seeds plus a corpus kept in build/fuzz/.
#
#   tools/fuzz.sh [SECONDS]
#
# Targets: kiln-fuzz-npy (kiln-run's .npy reader: parse, then the
# serialize/parse round trip). Built by tools/build.sh when clang's
# libFuzzer runtime is installed (libclang-rt-22-dev). A crash leaves its
# input as build/fuzz/crash-* and makes this script exit non-zero.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
bin="$root/build/bin/kiln-fuzz-npy"
[ -x "$bin" ] || { echo "fuzz.sh: $bin is not built (install libclang-rt-22-dev, then tools/build.sh)" >&2; exit 2; }
mkdir -p "$root/build/fuzz/corpus-npy"
cd "$root/build/fuzz"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus-npy "$root/test/fuzz/seeds/npy" "$root/models/refs/tiny" 2>&1 |
  grep -E '^(stat::|==|SUMMARY)|ERROR|DONE' || true
# libFuzzer exits non-zero and writes crash-*/leak-*/timeout-* on a finding.
if ls crash-* leak-* timeout-* oom-* >/dev/null 2>&1; then
  echo "fuzz.sh: findings in $root/build/fuzz" >&2
  exit 1
fi
