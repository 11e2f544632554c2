#!/bin/sh
# README command 2 (and CI): install dependencies if missing, build, and run
# the whole test suite through ctest: GoogleTest unit tests and the lit
# suite (FileCheck tests of every op, importer path and pass, bad-input
# diagnostics, and end-to-end numerics against ONNX Runtime).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
"$root/tools/build.sh"
cd "$root/build"
ctest --output-on-failure -j 1
