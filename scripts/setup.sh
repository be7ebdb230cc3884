#!/usr/bin/env bash
# Installs what Incept needs on Debian 12, then configures and builds it.
# Safe to re-run: installs only what is missing, and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build ccache git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22 libclang-rt-22-dev
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata libfmt-dev libgtest-dev
  python3-torch python3-torchvision python3-onnx python3-numpy python3-pytest
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Two cores: keep the compiler cache across runs and big enough for LLVM-heavy objects.
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-2G}
[ -f build/build.ninja ] || cmake -G Ninja -S . -B build
ninja -C build

# ONNX Runtime for the end-to-end tests and bench/ (npm; Node 20 and npm come with the
# machine image). --ignore-scripts: the install script only downloads CUDA pieces; the
# CPU binary is inside the package. Reinstalls only when package-lock.json changed.
if [ ! -f tools/ort/node_modules/.package-lock.json ] ||
   [ tools/ort/package-lock.json -nt tools/ort/node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null; then
    (cd tools/ort && npm ci --ignore-scripts --no-audit --no-fund)
  else
    echo "setup: npm not found; the end-to-end tests and bench/ need ONNX Runtime (tools/ort)" >&2
  fi
fi
