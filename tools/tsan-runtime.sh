#!/bin/sh
# The runtime and its GoogleTests (thread pool, one instance shared by
# threads, independent instances) under ThreadSanitizer.
#
#   tools/tsan-runtime.sh [BUILD_DIR]      (default build/tsan-runtime)
#
# Compiles runtime/src/*.c, the fake model and test/runtime's tests with
# clang-22 -fsanitize=thread and runs them; exits non-zero on a failure or
# a race report. Needs libclang-rt-22-dev (apt-get install
# libclang-rt-22-dev) and GoogleTest. About 10 s; not part of tools/check.sh.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/build/tsan-runtime"}
mkdir -p "$out"
echo 'int main(void) { return 0; }' > "$out/probe.c"
clang-22 -fsanitize=thread "$out/probe.c" -o "$out/probe" 2>/dev/null || {
  echo "tsan-runtime.sh: ThreadSanitizer's runtime is missing (apt-get install libclang-rt-22-dev)" >&2
  exit 2
}
flags="-fsanitize=thread -g -O1 -I$root/runtime/include -I$root/runtime/src"
objs=""
for f in alloc check memref model status threadpool; do
  clang-22 $flags -std=c11 -c "$root/runtime/src/$f.c" -o "$out/$f.o"
  objs="$objs $out/$f.o"
done
clang-22 $flags -std=c11 -c "$root/test/runtime/fake_model.c" -o "$out/fake_model.o"
clang++-22 $flags -std=c++17 -I"$root" -I"$root/tools/kiln-run" \
  "$root/test/runtime/RuntimeTest.cpp" "$root/test/runtime/NpyTest.cpp" \
  "$root/tools/kiln-run/Npy.cpp" $objs "$out/fake_model.o" \
  -lgtest -lgtest_main -lpthread -o "$out/kiln-runtime-tests-tsan"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" "$out/kiln-runtime-tests-tsan"
