#!/usr/bin/env bash
# GPU check of LineWatch, for a machine with an NVIDIA GPU: the SelectiveScan CUDA kernel against a float64
# reference (fp32 ≤ 1e-4, fp16 ≤ 1e-2 of the output's scale) with its timings, then, where the agent is built
# (install/setup.sh, which needs .NET), the ONNX Runtime benchmarks on the CUDA execution provider. Writes one
# Markdown file and exits non-zero if a parity check fails. Meant to finish within 8 minutes.
#
#   tests/gpu/check.sh [--out FILE]          default FILE: $OUT/gpu-check.md when $OUT is set, else docs/gpu-check.md
#   tests/gpu/check.sh --prepare             copies ONNX Runtime's C headers from the restored NuGet package into
#                                            tests/gpu/ort-include (git-ignored), for a GPU machine without .NET
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/gpu"
REPORT="${OUT:+$OUT/gpu-check.md}"
REPORT="${REPORT:-$ROOT/docs/gpu-check.md}"

ort_headers_from_nuget() {
  local version root
  version=$(dotnet msbuild "$ROOT/src/LineWatch.Core/LineWatch.Core.csproj" -nologo -getProperty:OrtVersion) || return 1
  root=$(dotnet msbuild "$ROOT/src/LineWatch.Core/LineWatch.Core.csproj" -nologo -getProperty:NuGetPackageRoot) || return 1
  printf '%s' "${root%/}/microsoft.ml.onnxruntime.gpu.linux/$version/buildTransitive/native/include"
}

case "${1:-}" in
  --prepare)
    src=$(ort_headers_from_nuget) && [ -f "$src/onnxruntime_c_api.h" ] || { echo "check: restore the solution first (install/setup.sh)" >&2; exit 2; }
    rm -rf "$HERE/ort-include" && mkdir -p "$HERE/ort-include" && cp "$src"/*.h "$src"/*.inc "$HERE/ort-include/"
    echo "copied ONNX Runtime headers into tests/gpu/ort-include"; exit 0 ;;
  --out) REPORT="$2" ;;
  "") ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 || { echo "check: no NVIDIA GPU here (nvidia-smi finds none)" >&2; exit 3; }
command -v nvcc >/dev/null || { echo "check: nvcc (the CUDA toolkit) is needed to build the kernel" >&2; exit 3; }
if [ -f "$HERE/ort-include/onnxruntime_c_api.h" ]; then ORT_INCLUDE="$HERE/ort-include"
elif command -v dotnet >/dev/null && ORT_INCLUDE=$(ort_headers_from_nuget) && [ -f "$ORT_INCLUDE/onnxruntime_c_api.h" ]; then :
else echo "check: ONNX Runtime's headers are missing: run tests/gpu/check.sh --prepare on the build machine first" >&2; exit 3; fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$(dirname "$REPORT")"
status=0
{
  echo "# GPU check"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1), $(nvcc --version | tail -1), host CPU $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo
} > "$REPORT"

echo "==> building the CUDA kernel and its check" >&2
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '.')
if ! nvcc -O3 -std=c++17 -gencode "arch=compute_${arch},code=sm_${arch}" -I "$ROOT/src/native/ortops" -I "$ORT_INCLUDE" \
     "$HERE/scan_check.cu" "$ROOT/src/native/ortops/selective_scan_cuda.cu" -o "$WORK/scan_check" 2>"$WORK/nvcc.log"; then
  { echo "## Kernel: build FAILED"; echo; echo '```'; cat "$WORK/nvcc.log"; echo '```'; } >> "$REPORT"
  cat "$WORK/nvcc.log" >&2
  exit 1
fi
echo "==> kernel parity and timing" >&2
{ echo "## SelectiveScan CUDA kernel"; echo; } >> "$REPORT"
timeout 240 "$WORK/scan_check" >> "$REPORT" || status=1

echo "==> the custom-op library with CUDA (CMake)" >&2
if cmake -S "$ROOT/src/native" -B "$WORK/native" -DCMAKE_BUILD_TYPE=Release -DORT_INCLUDE_DIR="$ORT_INCLUDE" >"$WORK/cmake.log" 2>&1 \
   && cmake --build "$WORK/native" -j "$(nproc)" >>"$WORK/cmake.log" 2>&1; then
  printf '\nCustom-op library with CUDA kernels: built (%s)\n' "$(grep -o 'CUDA kernels enabled.*' "$WORK/cmake.log" | head -1)" >> "$REPORT"
else
  { printf '\nCustom-op library with CUDA kernels: build FAILED\n\n```\n'; tail -30 "$WORK/cmake.log"; printf '```\n'; } >> "$REPORT"
  status=1
fi

APP="$ROOT/src/LineWatch.Agent/bin/Release/net10.0/linewatch"
if [ ! -x "$APP" ] || ! command -v dotnet >/dev/null; then
  printf '\nONNX Runtime benchmarks on CUDA: not run (no .NET or no agent build here; run install/setup.sh on a GPU machine with .NET)\n' >> "$REPORT"
  cat "$REPORT"; exit "$status"
fi
# The agent as built by set-up, with the CUDA kernels of this run's library.
cp "$WORK/native/liblinewatch_ortops.so" "$(dirname "$APP")/"

{ echo; echo "## bench scan on the CUDA execution provider (times include ORT's host-device copies)"; echo; } >> "$REPORT"
timeout 60 "$APP" bench scan --ep cuda --repeats 30 >> "$REPORT" 2>"$WORK/err" || { status=1; cat "$WORK/err" >> "$REPORT"; }
timeout 60 "$APP" bench scan --ep cuda --half --repeats 30 2>"$WORK/err" | tail -n +3 >> "$REPORT" || { status=1; cat "$WORK/err" >> "$REPORT"; }

{ echo; echo "## bench backbone --ep cuda"; echo; } >> "$REPORT"
header=1
for size in tiny small; do
  for frames in 8 16; do
    for batch in 1 8 32; do
      out=$(timeout 60 "$APP" bench backbone --ep cuda --size "$size" --frames "$frames" --img 224 --batch "$batch" --iterations 10 --warmup 2 2>"$WORK/err") \
        || { echo "| $size | T=$frames | batch $batch | FAILED: $(tail -1 "$WORK/err") |" >> "$REPORT"; continue; }
      if [ $header -eq 1 ]; then echo "$out" >> "$REPORT"; header=0; else echo "$out" | tail -n 1 >> "$REPORT"; fi
    done
  done
done

{ echo; echo "## bench pipeline --ep cuda (720p25 file cameras, tiny 112² T=8): most cameras that hold real time"; echo; } >> "$REPORT"
held=0
for cameras in 4 8 16 24 32; do
  if timeout 75 "$APP" bench pipeline --ep cuda --cameras "$cameras" --seconds 20 --warmup 5 > "$WORK/pipe" 2>"$WORK/err"; then
    held=$cameras; cp "$WORK/pipe" "$WORK/pipe-held"
  else
    break
  fi
done
echo "Held with $held camera(s) (stopped at the first count that did not hold, or at 32; the host CPU decodes)." >> "$REPORT"
[ -f "$WORK/pipe-held" ] && { echo; cat "$WORK/pipe-held"; } >> "$REPORT"
cat "$REPORT"
exit "$status"
