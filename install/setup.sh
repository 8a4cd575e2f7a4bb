#!/usr/bin/env bash
# LineWatch set-up: everything the build, the agent and the tests need, on Debian 12 / Ubuntu 22.04+.
# Idempotent: a second run with nothing changed only checks and rebuilds incrementally.
#
#   install/setup.sh          Debian packages, ONNX Runtime (verified), native libraries, .NET solution (Release)
#   install/setup.sh --gpu    the same, plus ONNX Runtime's CUDA execution provider (for machines with an NVIDIA GPU)
#
# Environment: LINEWATCH_CACHE (default ~/.cache/linewatch) holds the downloads, outside the work tree.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LINEWATCH_CACHE:-$HOME/.cache/linewatch}"
export LINEWATCH_CACHE="$CACHE"
GPU=0
for arg in "$@"; do
  case "$arg" in
    --gpu) GPU=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

ORT_VERSION=1.29.0
ORT_DIR="$CACHE/ort-$ORT_VERSION"
# name@version  sha256 of the npm tarball (DESIGN.md §2)
ORT_NATIVE_PKG="onnxruntime-node@1.29.0"
ORT_NATIVE_SHA=cfdfb45ec4044b1fdca43e5d2e180fb6817e649ff8ad1e0dfc90e18e51b67037
ORT_MANAGED_PKG="com.github.asus4.onnxruntime@0.4.9"
ORT_MANAGED_SHA=e59788788818fdde1b2e522e766a21ba0f7d8391de55737abf81e32cc801785d
ORT_CUDA_PKG="com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9"
ORT_CUDA_SHA=2b459e0c17f340c92970c10ed86de4f37a3009f93c14053e6ad4334cbb6be412

# Debian packages, each with the reason it is here.
APT_PACKAGES=(
  libgtk-3-0 libdrm2 libatomic1   # what OpenCvSharp's OpenCV library links besides libc: GTK 3 (its unused window functions), DRM, atomics
  libmosquitto-dev      # MQTT client library (libmosquitto1) and its header
  mosquitto             # the embedded broker, and the broker the tests start
  mosquitto-clients     # mosquitto_sub/pub: the independent client the tests check MQTT with
  opencv-doc            # real test footage (vtest.avi, Megamind_bugy.avi)
  ffmpeg                # relays network cameras (rtsp://, http://) to OpenCV; encodes generated clips
  gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav   # GStreamer's RTSP server, for the capture tests
  chromium fonts-dejavu-core   # the browser the dashboard tests drive through Playwright, and a font for it
  python3-prometheus-client    # Prometheus' own parser, to check /metrics independently
)

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nsetup: %s\n' "$*" >&2; exit 1; }
trap 'die "failed at line $LINENO (see the output above)"' ERR

step "Checking the tools a fresh machine must already have"
missing=()
for tool in dotnet g++ cmake node npm python3 git sha256sum tar; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "missing required tools: ${missing[*]} (install them first; see README.md)"
dotnet --list-sdks | grep -q '^10\.' || die "the .NET 10 SDK is required; found: $(dotnet --list-sdks | tr '\n' ' ')"
echo "dotnet $(dotnet --version), $(g++ --version | head -1), $(cmake --version | head -1), node $(node --version)"

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

# fetch_npm NAME@VERSION SHA256 -> path of the verified tarball in the cache
fetch_npm() {
  local spec="$1" sha="$2" name="${1%@*}" version="${1##*@}"
  local file="$CACHE/npm/${name}-${version}.tgz"
  mkdir -p "$CACHE/npm"
  if [ -f "$file" ] && echo "$sha  $file" | sha256sum --check --status; then
    echo "cached: $(basename "$file")" >&2
  else
    echo "downloading $spec (npm registry)" >&2
    rm -f "$file"
    (cd "$CACHE/npm" && npm pack "$spec" --silent >/dev/null) || die "npm could not fetch $spec"
    echo "$sha  $file" | sha256sum --check --status || { rm -f "$file"; die "sha256 mismatch for $spec: the download was removed"; }
    echo "verified sha256 of $(basename "$file")" >&2
  fi
  printf '%s' "$file"
}

step "ONNX Runtime $ORT_VERSION (native library, C/C++ headers, official C# API sources)"
stamp="$ORT_DIR/.complete-$ORT_NATIVE_SHA-$ORT_MANAGED_SHA"
if [ -f "$stamp" ]; then
  echo "already unpacked in $ORT_DIR"
else
  native_tgz=$(fetch_npm "$ORT_NATIVE_PKG" "$ORT_NATIVE_SHA")
  managed_tgz=$(fetch_npm "$ORT_MANAGED_PKG" "$ORT_MANAGED_SHA")
  tmp=$(mktemp -d)
  tar -xzf "$native_tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  tar -xzf "$managed_tgz" -C "$tmp" --wildcards 'package/Runtime/*.cs' 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so' \
    'package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers/*' package/LICENSE
  rm -rf "$ORT_DIR/lib" "$ORT_DIR/include" "$ORT_DIR/managed"
  mkdir -p "$ORT_DIR/lib" "$ORT_DIR/include" "$ORT_DIR/managed"
  # .NET resolves [DllImport("onnxruntime")] to libonnxruntime.so next to the app.
  cp "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ORT_DIR/lib/libonnxruntime.so"
  cp "$tmp/package/Plugins/Linux/x64/libonnxruntime_providers_shared.so" "$ORT_DIR/lib/"
  # The headers are platform-neutral even though they ship inside the iOS framework.
  cp "$tmp"/package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers/*.h "$ORT_DIR/include/"
  (cd "$tmp/package/Runtime" && find . -name '*.cs' -exec cp --parents {} "$ORT_DIR/managed/" \;)
  cp "$tmp/package/LICENSE" "$ORT_DIR/LICENSE"
  rm -rf "$tmp"
  rm -f "$ORT_DIR"/.complete-*
  touch "$stamp"
  echo "unpacked into $ORT_DIR"
fi

if [ "$GPU" -eq 1 ]; then
  step "ONNX Runtime CUDA execution provider (--gpu)"
  if [ -f "$ORT_DIR/lib/libonnxruntime_providers_cuda.so" ]; then
    echo "already present"
  else
    cuda_tgz=$(fetch_npm "$ORT_CUDA_PKG" "$ORT_CUDA_SHA")
    tar -xzf "$cuda_tgz" -C "$ORT_DIR/lib" --strip-components=4 package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so
    echo "installed libonnxruntime_providers_cuda.so (needs CUDA 13 and cuDNN 9 at run time)"
  fi
fi

step "Native library (custom ops) with CMake"
cmake -S "$ROOT/src/native" -B "$ROOT/build/native" -DCMAKE_BUILD_TYPE=Release -DORT_INCLUDE_DIR="$ORT_DIR/include" >/dev/null
cmake --build "$ROOT/build/native" -j "$(nproc)"

step ".NET solution (Release)"
dotnet build "$ROOT/LineWatch.sln" -c Release -nologo -clp:ErrorsOnly -v:q

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
if [ -f "$demo_video" ] && [ -f "$demo_profile" ]; then
  echo "present: data/demo/demo-line.mp4, data/profiles/demo-line.profile"
else
  demo_cache="$CACHE/demo/line-v1-$(sha256sum "$default_model" | cut -c1-16)"
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
  echo "installed data/demo/demo-line.mp4 and data/profiles/demo-line.profile"
fi

step "Done"
echo "run the agent:  install/linewatch run"
echo "run the tests:  install/test.sh"
