#!/usr/bin/env bash
# Installs the agent built from this checkout as a systemd service (run as root). Idempotent.
#
#   install/install-service.sh                  build (install/setup.sh), publish and install; start or restart the service
#   install/install-service.sh --gpu            the same, keeping ONNX Runtime's CUDA provider in the release; new configs get Model:Device auto
#   install/install-service.sh --uninstall      remove the service, the releases and the `linewatch` command; keep config and data
#   install/install-service.sh --uninstall --purge   also remove /etc/linewatch, /var/lib/linewatch and the linewatch user
#
# Options:
#   --root DIR       install under DIR as a prefix (DIR/opt/linewatch, DIR/etc/...), paths inside files included,
#                    without users, ownership or systemctl: a working tree for tests, run by the invoking user
#   --no-build       do not run install/setup.sh; install what it last built
#   --no-start       install and enable the service, but do not (re)start it
#   --release NAME   name of the release directory (default: <version>-<commit>, "-dirty" with uncommitted changes)
#   --keep N         releases to keep, the current one included (default 3)
#
# Layout: /opt/linewatch/releases/<release>/{app,models,share,bin}, /opt/linewatch/current -> releases/<release>,
# /usr/local/bin/linewatch -> /opt/linewatch/current/bin/linewatch, /etc/linewatch/linewatch.json (written once,
# never overwritten), /var/lib/linewatch (data), /etc/systemd/system/linewatch.service (rewritten each install).
# Rollback: point `current` at an older release and restart (docs/operations.md).
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICE_USER=linewatch
MODEL_FILE=videomambapro-tiny-t8-112.onnx

GPU=0 UNINSTALL=0 PURGE=0 BUILD=1 START=1 KEEP=3 PREFIX="" RELEASE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) GPU=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --purge) PURGE=1 ;;
    --no-build) BUILD=0 ;;
    --no-start) START=0 ;;
    --root) PREFIX="${2:?--root needs a directory}"; shift ;;
    --release) RELEASE="${2:?--release needs a name}"; shift ;;
    --keep) KEEP="${2:?--keep needs a number}"; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-service: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { printf 'install-service: %s\n' "$*" >&2; exit 1; }
say() { printf '  %s\n' "$*"; }

[ "$PURGE" -eq 0 ] || [ "$UNINSTALL" -eq 1 ] || die "--purge goes with --uninstall"
[[ "$KEEP" =~ ^[1-9][0-9]*$ ]] || die "--keep takes a whole number of at least 1"
if [ -n "$PREFIX" ]; then
  mkdir -p "$PREFIX"
  PREFIX="$(cd "$PREFIX" && pwd)"
  # The prefix ends up in the unit's ExecStart and in the configuration, neither of which takes spaces unquoted.
  [[ "$PREFIX" != *[[:space:]]* ]] || die "--root must not contain spaces"
  SYSTEM=0
else
  [ "$(id -u)" -eq 0 ] || die "run as root (or use --root DIR to install under a directory)"
  SYSTEM=1
fi

APP_HOME="$PREFIX/opt/linewatch"
CONF_DIR="$PREFIX/etc/linewatch"
CONFIG="$CONF_DIR/linewatch.json"
DATA_DIR="$PREFIX/var/lib/linewatch"
UNIT="$PREFIX/etc/systemd/system/linewatch.service"
COMMAND="$PREFIX/usr/local/bin/linewatch"
# systemctl only for a real install on a machine that runs systemd (not in a container without it).
SYSTEMD=0
if [ "$SYSTEM" -eq 1 ] && [ -d /run/systemd/system ]; then SYSTEMD=1; fi

uninstall() {
  echo "Uninstalling LineWatch${PREFIX:+ from $PREFIX}"
  if [ "$SYSTEMD" -eq 1 ]; then
    systemctl disable --now linewatch.service 2>/dev/null || true
  fi
  if [ -e "$UNIT" ]; then rm -f "$UNIT"; say "removed $UNIT"; fi
  if [ "$SYSTEMD" -eq 1 ]; then systemctl daemon-reload; fi
  # Only our own link: a `linewatch` installed by something else stays.
  if [ -L "$COMMAND" ] && [[ "$(readlink "$COMMAND")" == "$APP_HOME/"* ]]; then rm -f "$COMMAND"; say "removed $COMMAND"; fi
  if [ -e "$APP_HOME" ]; then rm -rf "$APP_HOME"; say "removed $APP_HOME"; fi
  if [ "$PURGE" -eq 1 ]; then
    rm -rf "$CONF_DIR" "$DATA_DIR"
    say "removed $CONF_DIR and $DATA_DIR"
    if [ "$SYSTEM" -eq 1 ] && getent passwd "$SERVICE_USER" >/dev/null; then userdel "$SERVICE_USER"; say "removed user $SERVICE_USER"; fi
  else
    say "kept $CONF_DIR and $DATA_DIR (add --purge to remove them)"
  fi
}

if [ "$UNINSTALL" -eq 1 ]; then
  uninstall
  exit 0
fi

echo "Installing LineWatch${PREFIX:+ under $PREFIX}"

# The agent is published framework-dependent: the machine needs the .NET 10 and ASP.NET Core 10 runtimes.
command -v dotnet >/dev/null || die "the .NET 10 runtime is required (dotnet not found)"
DOTNET_ROOT_DIR="$(dirname "$(readlink -f "$(command -v dotnet)")")"
dotnet --list-runtimes | grep -q '^Microsoft.AspNetCore.App 10\.' || die "the ASP.NET Core 10 runtime is required; found: $(dotnet --list-runtimes | tr '\n' ' ')"

if [ "$BUILD" -eq 1 ]; then
  "$SRC/install/setup.sh"
fi
BUILT="$SRC/src/LineWatch.Agent/bin/Release/net10.0"
for file in "$BUILT/linewatch" "$SRC/models/$MODEL_FILE" "$SRC/data/demo/demo-line.mp4" "$SRC/data/profiles/demo-line.profile"; do
  [ -e "$file" ] || die "$file is missing: run install/setup.sh first (or drop --no-build)"
done

if [ -z "$RELEASE" ]; then
  version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$SRC/Directory.Build.props" | head -1)"
  RELEASE="$version"
  if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    RELEASE="$version-$(git -C "$SRC" rev-parse --short=7 HEAD)"
    git -C "$SRC" diff --quiet HEAD -- || RELEASE="$RELEASE-dirty"
  fi
fi
[[ "$RELEASE" =~ ^[A-Za-z0-9._+-]+$ ]] || die "release name '$RELEASE' may hold only letters, digits, '.', '_', '+' and '-'"

# render TEMPLATE OUT: the template with this installation's paths filled in.
render() {
  sed -e "s|@APP_HOME@|$APP_HOME|g" -e "s|@CONFIG@|$CONFIG|g" -e "s|@CONF_DIR@|$CONF_DIR|g" -e "s|@DATA_DIR@|$DATA_DIR|g" \
      -e "s|@USER@|$SERVICE_USER|g" -e "s|@DOTNET_ROOT@|$DOTNET_ROOT_DIR|g" "$1" > "$2"
}

# The release is assembled beside the others and moved into place whole, so `current` never points at half a release.
releases="$APP_HOME/releases"
staging="$releases/.staging-$RELEASE"
rm -rf "$staging"
mkdir -p "$staging/bin" "$staging/models" "$staging/share/demo" "$staging/share/profiles"
dotnet publish "$SRC/src/LineWatch.Agent/LineWatch.Agent.csproj" -c Release --no-build -nologo -v:q -o "$staging/app" >/dev/null \
  || die "dotnet publish failed (is the Release build complete? run install/setup.sh)"
# ONNX Runtime's package always brings its GPU providers (about 285 MB). A CPU-only release leaves them out; the
# agent then says plainly that CUDA is not installed if a configuration asks for it.
if [ "$GPU" -eq 1 ]; then
  [ -e "$staging/app/libonnxruntime_providers_cuda.so" ] || { rm -rf "$staging"; die "the published agent lacks ONNX Runtime's CUDA provider (libonnxruntime_providers_cuda.so)"; }
else
  rm -f "$staging/app/libonnxruntime_providers_cuda.so" "$staging/app/libonnxruntime_providers_tensorrt.so"
fi
cp "$SRC/models/$MODEL_FILE" "$staging/models/"
cp "$SRC/data/demo/demo-line.mp4" "$SRC/data/demo/demo-line.labels.json" "$staging/share/demo/"
cp "$SRC/data/profiles/demo-line.profile" "$staging/share/profiles/"
render "$SRC/install/service/linewatch.sh" "$staging/bin/linewatch"
chmod 0755 "$staging/bin/linewatch"
{
  echo "release=$RELEASE"
  echo "commit=$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "installed=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "gpu=$GPU"
} > "$staging/RELEASE"
if [ -e "$releases/$RELEASE" ]; then
  mv "$releases/$RELEASE" "$releases/.replaced-$RELEASE"
  mv "$staging" "$releases/$RELEASE"
  rm -rf "$releases/.replaced-$RELEASE"
else
  mv "$staging" "$releases/$RELEASE"
fi
say "release $releases/$RELEASE"

# Atomic switch: a new link renamed over the old one. Relative, so a tree under --root can be moved.
ln -sfn "releases/$RELEASE" "$APP_HOME/current.new"
mv -T "$APP_HOME/current.new" "$APP_HOME/current"
say "current -> releases/$RELEASE"

mkdir -p "$(dirname "$COMMAND")"
if [ -e "$COMMAND" ] && [ ! -L "$COMMAND" ]; then die "$COMMAND exists and is not our link; move it away first"; fi
ln -sfn "$APP_HOME/current/bin/linewatch" "$COMMAND"
say "command $COMMAND"

if [ "$SYSTEM" -eq 1 ] && ! getent passwd "$SERVICE_USER" >/dev/null; then
  useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin --comment "LineWatch agent" "$SERVICE_USER"
  say "created system user $SERVICE_USER"
fi
# USB cameras (/dev/video*) belong to the video group.
if [ "$SYSTEM" -eq 1 ] && getent group video >/dev/null; then usermod -a -G video "$SERVICE_USER"; fi

# The configuration is the operator's once written: an upgrade never touches it.
mkdir -p "$CONF_DIR"
if [ -e "$CONFIG" ]; then
  say "kept $CONFIG"
  if [ "$GPU" -eq 1 ] && grep -q '"Device": *"cpu"' "$CONFIG"; then
    say "note: $CONFIG has Model:Device \"cpu\"; set it to \"auto\" to use the GPU"
  fi
else
  # The checkout's default configuration (the demo camera, embedded broker), with this machine's paths.
  python3 - "$SRC/config/linewatch.json" "$CONFIG" "$DATA_DIR" "$APP_HOME/current/models/$MODEL_FILE" "$([ "$GPU" -eq 1 ] && echo auto || echo cpu)" \
    "$(hostname -s 2>/dev/null || echo box)" <<'PY'
import json, re, sys
source, target, data_dir, model, device, host = sys.argv[1:]
config = json.load(open(source))
config["AgentId"] = "linewatch-" + (re.sub(r"[^A-Za-z0-9_-]", "-", host) or "box")
config["DataDir"] = data_dir
config["Model"]["Path"] = model
config["Model"]["Device"] = device
with open(target, "w") as out:
    json.dump(config, out, indent=2)
    out.write("\n")
PY
  say "wrote $CONFIG"
fi

# Data: the demo camera's video and learned profile, unless the operator already has them.
mkdir -p "$DATA_DIR/demo" "$DATA_DIR/profiles"
for file in demo/demo-line.mp4 demo/demo-line.labels.json profiles/demo-line.profile; do
  [ -e "$DATA_DIR/$file" ] || cp "$APP_HOME/current/share/$file" "$DATA_DIR/$file"
done
say "data $DATA_DIR"

if [ "$SYSTEM" -eq 1 ]; then
  chown root:"$SERVICE_USER" "$CONF_DIR" "$CONFIG"
  chmod 0750 "$CONF_DIR"
  chmod 0640 "$CONFIG" # it may hold the broker password
  chown -R "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR"
  chmod 0750 "$DATA_DIR"
fi

mkdir -p "$(dirname "$UNIT")"
render "$SRC/install/service/linewatch.service" "$UNIT"
say "unit $UNIT"

# Older releases beyond --keep go, oldest first; the current one always stays.
current="$(readlink "$APP_HOME/current")"
for old in $(ls -1t "$releases" | tail -n +"$((KEEP + 1))"); do
  [ "releases/$old" = "$current" ] && continue
  rm -rf "${releases:?}/$old"
  say "removed old release $old"
done

if [ "$SYSTEMD" -eq 1 ]; then
  systemctl daemon-reload
  systemctl enable linewatch.service >/dev/null 2>&1
  if [ "$START" -eq 1 ]; then
    systemctl restart linewatch.service
    say "service restarted: systemctl status linewatch; journalctl -u linewatch -f"
  else
    say "service enabled, not started: systemctl start linewatch"
  fi
elif [ "$SYSTEM" -eq 1 ]; then
  say "systemd is not running on this machine: the unit is installed but nothing was started"
fi
echo "Done: $RELEASE"
