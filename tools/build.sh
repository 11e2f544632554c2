#!/bin/sh
# Configure and build kiln into build/ (CMake + Ninja, clang-22, ccache, -j2).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${KILN_JOBS:-2}
if [ ! -f "$root/build/build.ninja" ]; then
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
fi
cmake --build "$root/build" -j "$jobs"
