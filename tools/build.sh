#!/bin/sh
# Configure and build kiln (CMake + Ninja, clang-22, ccache, -j2).
#
#   tools/build.sh                             into build/
#   tools/build.sh --sanitize=address,undefined   into build/sanitize-address-undefined/
#   tools/build.sh --sanitize=thread              into build/sanitize-thread/
#
# A sanitizer build instruments kiln's own code (compiler, runtime, tools,
# tests; see KILN_SANITIZE in CMakeLists.txt); tools/check.sh --sanitize=...
# runs the test suite in it. KILN_JOBS overrides -j.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${KILN_JOBS:-2}
# ccache hits across clones of the repository (CI builds a fresh clone).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
sanitize=
for arg in "$@"; do
  case $arg in
    --sanitize=*) sanitize=${arg#--sanitize=} ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
case $sanitize in
  ""|address|undefined|address,undefined|undefined,address|thread) ;;
  *) echo "build.sh: --sanitize takes address,undefined or thread, not '$sanitize'" >&2; exit 2 ;;
esac
if [ -n "$sanitize" ]; then
  dir="$root/build/sanitize-$(echo "$sanitize" | tr ',' '-')"
else
  dir="$root/build"
fi
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DKILN_SANITIZE="$sanitize"
fi
cmake --build "$dir" -j "$jobs"
