#!/bin/sh
# Install ONNX Runtime for Node.js (CPU) into tools/ort/node_modules (git-ignored).
# Idempotent: exits 0 at once if the pinned version already loads.
#
# Why --ignore-scripts is enough: onnxruntime-node's npm tarball already ships
# the CPU binding for linux/x64 (bin/napi-v6/linux/x64/onnxruntime_binding.node
# + libonnxruntime.so.1, found next to the binding via its RUNPATH).  Its
# postinstall script (script/install.js) only downloads the optional CUDA 12
# execution provider for linux/x64 from the internet; it is not needed for CPU.
set -eu
cd "$(dirname "$0")"
want=$(node -p "require('./package.json').dependencies['onnxruntime-node']")
have=$(node -e "process.stdout.write(require('onnxruntime-node').env.versions.node)" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
  echo "onnxruntime-node $have already installed in $(pwd)/node_modules"
  exit 0
fi
if [ -f package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi
have=$(node -e "process.stdout.write(require('onnxruntime-node').env.versions.node)")
echo "onnxruntime-node $have installed in $(pwd)/node_modules"
