#!/bin/sh
# README's test command (and CI): install dependencies if missing, build,
# and run the whole test suite through ctest (GoogleTest, lit + FileCheck,
# pytest, end-to-end numerics against ONNX Runtime), then the same suite
# in the ASan+UBSan build with the three libFuzzer targets, then the
# runtime and concurrency tests under ThreadSanitizer.
#
#   tools/check.sh                              all three (CI)
#   tools/check.sh --no-sanitize                the plain build's suite only
#   tools/check.sh --sanitize=address,undefined the ASan+UBSan suite only
#   tools/check.sh --sanitize=thread            the TSan tests only
#
# Each fuzz target runs for KILN_FUZZ_SECONDS (30) in the sanitizer suite.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mode=all
for arg in "$@"; do
  case $arg in
    --no-sanitize) mode=plain ;;
    --sanitize=address,undefined|--sanitize=undefined,address) mode=asan ;;
    --sanitize=thread) mode=tsan ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "check.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
"$root/tools/install-deps.sh"
# The plain build is needed by every mode (TSan compiles its models with it).
"$root/tools/build.sh"
if [ "$mode" = all ] || [ "$mode" = plain ]; then
  # The fuzzers run once, in the sanitizer build, unless that one is skipped.
  skip=
  [ "$mode" = all ] && skip="-E ^kiln-fuzz-"
  (cd "$root/build" && ctest --output-on-failure -j 1 $skip)
fi
if [ "$mode" = all ] || [ "$mode" = asan ]; then
  "$root/tools/build.sh" --sanitize=address,undefined
  (cd "$root/build/sanitize-address-undefined" && ctest --output-on-failure -j 1)
fi
if [ "$mode" = all ] || [ "$mode" = tsan ]; then
  "$root/tools/tsan-runtime.sh"
fi
