#!/usr/bin/env bash
# Cross-builds the custom-op library and scan_kernel_check for ARM64 (AArch64) and checks its NEON scan kernel:
# the library must build, its kernel must use NEON vector instructions, and, where qemu-aarch64 is installed,
# scan_kernel_check must pass under it (the kernel against a float64 reference of the scan).
#
#   install/check-arm64.sh [BUILD_DIR]     (default build/native-arm64)
# Needs g++-aarch64-linux-gnu (Debian) and cmake; optional: qemu-user.
# The ONNX Runtime headers come from the NuGet package install/setup.sh restored (they are platform-neutral).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/build/native-arm64}"
die() { printf 'check-arm64: %s\n' "$*" >&2; exit 1; }

command -v aarch64-linux-gnu-g++ >/dev/null || die "no aarch64-linux-gnu-g++: apt-get install --no-install-recommends g++-aarch64-linux-gnu"
ORT_INCLUDE=$(grep -m1 '^ORT_INCLUDE_DIR:PATH=' "$ROOT/build/native/CMakeCache.txt" 2>/dev/null | cut -d= -f2- || true)
[ -f "$ORT_INCLUDE/onnxruntime_lite_custom_op.h" ] || die "ONNX Runtime headers not found (run install/setup.sh first)"

cmake -S "$ROOT/src/native" -B "$OUT" -DCMAKE_BUILD_TYPE=Release -DORT_INCLUDE_DIR="$ORT_INCLUDE" \
  -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ >/dev/null
cmake --build "$OUT" -j "$(nproc)" >/dev/null

file "$OUT/liblinewatch_ortops.so" | grep -q 'ARM aarch64' || die "liblinewatch_ortops.so is not an AArch64 library: $(file -b "$OUT/liblinewatch_ortops.so")"
# The kernel's recurrence must be NEON: fused multiply-adds on 4 floats at once.
kernel_object=$(find "$OUT" -name 'scan_block4.cc.o' | head -1)
fmla=$(aarch64-linux-gnu-objdump -d "$kernel_object" | grep -c 'fmla.*\.4s' || true)
[ "$fmla" -gt 0 ] || die "the baseline kernel has no NEON fmla instructions"
echo "arm64: liblinewatch_ortops.so and scan_kernel_check built; the NEON kernel has $fmla fmla v.4s instructions"

if command -v qemu-aarch64 >/dev/null; then
  # Emulated, so its times say nothing about an ARM CPU; the differences are what is checked.
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$OUT/scan_kernel_check" 393
else
  echo "arm64: qemu-aarch64 not installed (apt-get install qemu-user): the kernel was built, not run"
fi
