#!/bin/sh
# The runtime and its GoogleTests (thread pool, one instance shared by
# threads, independent instances), and the concurrency test of
# test/Integration/concurrency.test (two real models, 8 + 2 threads with
# their own instances, 1000 runs each) under ThreadSanitizer.
#
#   tools/tsan-runtime.sh [BUILD_DIR]      (default build/tsan-runtime)
#
# Compiles runtime/src/*.c, the fake model and test/runtime's tests with
# clang-22 -fsanitize=thread and runs them; exits non-zero on a failure or
# a race report. The two models are compiled to objects by build/bin/kiln-compile
# (tools/build.sh first) and linked here with the TSan-built runtime. Needs
# libclang-rt-22-dev (apt-get install libclang-rt-22-dev), GoogleTest and
# Debian's python3 with onnx. About 30 s; tools/check.sh --sanitize=thread
# runs it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/build/tsan-runtime"}
mkdir -p "$out"
echo 'int main(void) { return 0; }' > "$out/probe.c"
clang-22 -fsanitize=thread "$out/probe.c" -o "$out/probe" 2>/dev/null || {
  echo "tsan-runtime.sh: ThreadSanitizer's runtime is missing (apt-get install libclang-rt-22-dev)" >&2
  exit 2
}
flags="-fsanitize=thread -g -O1 -fPIC -I$root/runtime/include -I$root/runtime/src"
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
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
"$out/kiln-runtime-tests-tsan"

# Two real models, the runtime linked in with TSan, many instances at once.
kiln_compile="$root/build/bin/kiln-compile"
[ -x "$kiln_compile" ] || { echo "tsan-runtime.sh: build kiln first (tools/build.sh)" >&2; exit 2; }
/usr/bin/python3 "$root/models/gen_resnet.py" --blocks 1,1,1,1 --size 32 --width 8 \
  --classes 10 --seed 0 -o "$out/tiny.onnx" > /dev/null
/usr/bin/python3 "$root/models/gen_test_models.py" -o "$out/m" --only mininet_opset13 > /dev/null
for model in tiny:"$out/tiny.onnx" mininet:"$out/m/mininet_opset13.onnx"; do
  name=${model%%:*}
  "$kiln_compile" "${model#*:}" --emit=obj -o "$out/$name.o"
  clang-22 -fsanitize=thread -shared "$out/$name.o" $objs -lpthread -lm -o "$out/$name.so"
done
clang-22 $flags -std=c11 -I"$root/runtime/include/kiln" "$root/test/Integration/Inputs/concurrency_main.c" \
  -lpthread -ldl -lm -o "$out/concurrency-tsan"
"$out/concurrency-tsan" "$out/tiny.so" "$out/mininet.so" 1000
