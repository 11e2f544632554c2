#!/bin/sh
# Install kiln's build and test dependencies on Debian 12 (idempotent).
#
# LLVM/MLIR 22, clang and lld; ONNX's C++ library, Protobuf, GoogleTest;
# Ninja and ccache; Debian's Python with onnx and numpy (model generators)
# and torch (the PyTorch-exporter tests; KILN_NO_TORCH=1 skips it, and
# those tests with it); the AArch64 libc headers (to cross-build the
# runtime and kiln-run) and qemu-user (to run AArch64 code in the tests);
# ONNX's node tests (libonnx-testdata); clang's sanitizer and libFuzzer
# runtimes (libclang-rt-22-dev, for the fuzz test); Node.js, and ONNX Runtime from npm
# (tools/ort) as the numeric reference and speed peer.
set -eu
pkgs="cmake ninja-build ccache llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
clang-22 lld-22 libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev
python3-onnx python3-numpy libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
libstdc++-12-dev-arm64-cross qemu-user pybind11-dev python3-dev python3-pytest
libonnx-testdata libclang-rt-22-dev"
[ -n "${KILN_NO_TORCH:-}" ] || pkgs="$pkgs python3-torch python3-torchvision"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
"$(dirname "$0")/ort/install.sh"
