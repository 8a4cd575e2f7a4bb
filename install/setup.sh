#!/usr/bin/env bash
# LineWatch set-up: everything the build, the agent and the tests need, on Debian 12 / Ubuntu 22.04+.
# Idempotent: a second run with nothing changed only checks and rebuilds incrementally.
#
#   install/setup.sh    Debian packages, NuGet packages, native libraries, .NET solution (Release), default model, demo
#
# ONNX Runtime comes with its CUDA provider: on a machine with an NVIDIA GPU (CUDA 13 + cuDNN 9) the agent uses it,
# elsewhere it runs on CPU. Environment: LINEWATCH_CACHE (default ~/.cache/linewatch) caches the demo footage.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LINEWATCH_CACHE:-$HOME/.cache/linewatch}"
export LINEWATCH_CACHE="$CACHE"
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# Debian packages, each with the reason it is here.
APT_PACKAGES=(
  libgtk-3-0 libdrm2 libatomic1   # what OpenCvSharp's OpenCV library links besides libc: GTK 3 (its unused window functions), DRM, atomics
  mosquitto             # the embedded broker, and the broker the tests start
  mosquitto-clients     # mosquitto_sub/pub: the independent client the tests check MQTT with
  opencv-doc            # real test footage (vtest.avi, Megamind_bugy.avi)
  ffmpeg                # relays network cameras (rtsp://, http://) to OpenCV; encodes generated clips
  gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav   # GStreamer's RTSP server, for the capture tests
  chromium fonts-dejavu-core   # the browser the dashboard tests drive through Playwright, and a font for it
  python3-prometheus-client    # Prometheus' own parser, to check /metrics independently
  strace                # the tests that check what reaches the disk (fsync order) and the service's system calls
  g++-aarch64-linux-gnu qemu-user   # the ARM64 (NEON) scan kernel: cross-built and run by install/check-arm64.sh
)

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nsetup: %s\n' "$*" >&2; exit 1; }
trap 'die "failed at line $LINENO (see the output above)"' ERR

step "Checking the tools a fresh machine must already have"
missing=()
for tool in dotnet g++ cmake python3 git sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "missing required tools: ${missing[*]} (install them first; see README.md)"
dotnet --list-sdks | grep -q '^10\.' || die "the .NET 10 SDK is required; found: $(dotnet --list-sdks | tr '\n' ' ')"
echo "dotnet $(dotnet --version), $(g++ --version | head -1), $(cmake --version | head -1)"

step "Debian packages"
command -v dpkg-query >/dev/null || die "dpkg-query not found: this set-up supports Debian and Ubuntu only"
need=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "all ${#APT_PACKAGES[@]} packages present"
else
  echo "installing: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "installing ${need[*]} needs root: run as root or install sudo"
    SUDO="sudo"
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

step ".NET packages (ONNX Runtime, OpenCV, MQTT, logging, tests)"
dotnet restore "$ROOT/LineWatch.sln" -nologo -v:q
# The custom-op library compiles against the C/C++ headers that ship inside ONNX Runtime's own package, so it
# always matches the runtime the agent loads.
ORT_VERSION=$(dotnet msbuild "$ROOT/src/LineWatch.Core/LineWatch.Core.csproj" -nologo -getProperty:OrtVersion)
NUGET_ROOT=$(dotnet msbuild "$ROOT/src/LineWatch.Core/LineWatch.Core.csproj" -nologo -getProperty:NuGetPackageRoot)
ORT_INCLUDE="${NUGET_ROOT%/}/microsoft.ml.onnxruntime.gpu.linux/$ORT_VERSION/buildTransitive/native/include"
[ -f "$ORT_INCLUDE/onnxruntime_lite_custom_op.h" ] || die "ONNX Runtime $ORT_VERSION headers not found in $ORT_INCLUDE after the restore"

step "Native library (custom ops) with CMake against ONNX Runtime $ORT_VERSION"
cmake -S "$ROOT/src/native" -B "$ROOT/build/native" -DCMAKE_BUILD_TYPE=Release -DORT_INCLUDE_DIR="$ORT_INCLUDE" >/dev/null
cmake --build "$ROOT/build/native" -j "$(nproc)"

step ".NET solution (Release)"
dotnet build "$ROOT/LineWatch.sln" -c Release -nologo -clp:ErrorsOnly -v:q --no-restore

step "Default backbone model"
# The default configuration's model: VideoMambaPro-Ti, 8 frames at 112x112, deterministic random weights (no
# official weights can be downloaded here; import them with `linewatch model build --weights FILE.pth`).
default_model="$ROOT/models/videomambapro-tiny-t8-112.onnx"
if [ -f "$default_model" ]; then
  echo "present: models/$(basename "$default_model")"
else
  "$ROOT/install/linewatch" model build --arch videomambapro --size tiny --frames 8 --img 112 --weights random --seed 0 --out "$default_model"
fi

step "Demo camera: the synthetic production line and its learned profile"
# The default configuration's camera (Source "demo:") plays data/demo/demo-line.mp4: ten minutes of the
# generated line with every fault type, looped. Its profile is learned from ten other minutes of normal
# operation. Both depend only on the generator and the model, so they are made once and cached.
demo_video="$ROOT/data/demo/demo-line.mp4"
demo_profile="$ROOT/data/profiles/demo-line.profile"
# The key names what the demo depends on: the generator and profile format ("line-v10") and the model. A marker
# beside the installed profile records the key it came from, so a checkout whose profile format changed gets a
# new demo profile, while one that only gained operator feedback keeps it.
demo_key="line-v10-$(sha256sum "$default_model" | cut -c1-16)"
demo_marker="$ROOT/data/profiles/.demo-line.key"
if [ -f "$demo_video" ] && [ -f "$demo_profile" ] && [ "$(cat "$demo_marker" 2>/dev/null)" = "$demo_key" ]; then
  echo "present: data/demo/demo-line.mp4, data/profiles/demo-line.profile"
else
  demo_cache="$CACHE/demo/$demo_key"
  if [ ! -f "$demo_cache/demo-line.profile" ]; then
    mkdir -p "$demo_cache"
    echo "generating the demo video and normal footage, then learning (a few minutes, once)"
    "$ROOT/install/linewatch" demo-video --out "$demo_cache" --name demo-line --seconds 600 --seed 1 --faults all
    "$ROOT/install/linewatch" demo-video --out "$demo_cache" --name normal --seconds 600 --seed 101 --faults none
    "$ROOT/install/linewatch" learn --config "$ROOT/config/linewatch.json" --camera demo-line \
      --from "$demo_cache/normal.mp4" --out "$demo_cache/demo-line.profile.partial"
    mv "$demo_cache/demo-line.profile.partial" "$demo_cache/demo-line.profile"
  fi
  mkdir -p "$ROOT/data/demo" "$ROOT/data/profiles"
  cp "$demo_cache/demo-line.mp4" "$demo_cache/demo-line.labels.json" "$ROOT/data/demo/"
  cp "$demo_cache/demo-line.profile" "$demo_profile"
  echo "$demo_key" > "$demo_marker"
  echo "installed data/demo/demo-line.mp4 and data/profiles/demo-line.profile"
fi

step "Done"
echo "run the agent:  install/linewatch run"
echo "run the tests:  install/test.sh"
