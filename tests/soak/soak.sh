#!/usr/bin/env bash
# Soak and fault suite (not part of install/test.sh): the real agent with 4 cameras for a long run while
# this script breaks things on a schedule, then a Markdown report of what survived.
#
#   tests/soak/soak.sh [--minutes 10] [--warmup 60] [--out /tmp/linewatch-soak]
#                      [--flap-every 90] [--flap-down 15] [--broker-every 120] [--broker-down 10]
#                      [--disk-full-at SECONDS] [--disk-full-for 60] [--crash-every 150]
#                      [--refuse-every 300] [--refuse-for 40] [--memory-max 2G]
#
# Cameras: cam1 and cam2 play files with faults (looped); cam3 and cam4 are RTSP streams of faulty footage
# from tests/LineWatch.IntegrationTests/Support/rtsp_server.py, killed (SIGKILL, as a camera losing power)
# in turn every --flap-every seconds and started again --flap-down seconds later. The broker is a Mosquitto
# of the script's own (Mqtt:Mode external) restarted every --broker-every seconds; a persistent QoS 1
# subscriber records every alert event it receives. The agent's data directory (profiles, outbox, logs) is
# a small tmpfs that is filled completely at --disk-full-at (default: 45% into the run) for --disk-full-for
# seconds. Once in every --crash-every seconds (0: never), at a random moment within it, the agent is killed
# with SIGKILL (a crash, an OOM kill, a power cut of the process) and started again at once. Every
# --refuse-every seconds (0: never) the broker is restarted requiring a user and password the agent does not
# have (CONNACK "Not authorized") for --refuse-for seconds, then restarted accepting it again: the agent must
# come back by itself and deliver what it raised meanwhile. No fault starts in the first --warmup seconds or
# ends in the last 45 (time to deliver what is pending). Samples of RSS, open file descriptors and threads
# every 5 s. --memory-max (e.g. 2G, as the systemd unit's MemoryMax=) runs the agent in a memory cgroup of
# that limit, made under the script's own cgroup (v2, or v1's memory controller) and removed at the end; the
# samples then also hold the cgroup's memory use, and cgroup.txt its peak and OOM kills.
#
# Report: OUT/soak-report.md (also printed). Everything else the run saw stays in OUT: agent.log (each line
# stamped with the wall clock), faults.log, samples.csv, delivered.log, stats.json, broker.log, and the
# agent's database as it was left (linewatch.db: the alert history the report checks against the log).
# Needs root (it mounts the tmpfs) and a built checkout (install/setup.sh). Footage and the four cameras'
# learned profiles are made once and kept in OUT (about 6 minutes on 2 cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LINEWATCH="$ROOT/install/linewatch"
PYTHON=/usr/bin/python3 # Debian's, which has GStreamer's bindings
RTSP_SERVER="$ROOT/tests/LineWatch.IntegrationTests/Support/rtsp_server.py"
MODEL="$ROOT/models/videomambapro-tiny-t8-112.onnx"

MINUTES=10 WARMUP=60 OUT=/tmp/linewatch-soak
FLAP_EVERY=90 FLAP_DOWN=15 BROKER_EVERY=120 BROKER_DOWN=10 DISK_FULL_AT="" DISK_FULL_FOR=60 CRASH_EVERY=150
REFUSE_EVERY=300 REFUSE_FOR=40 MEMORY_MAX=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --flap-every) FLAP_EVERY="$2"; shift ;;
    --flap-down) FLAP_DOWN="$2"; shift ;;
    --broker-every) BROKER_EVERY="$2"; shift ;;
    --broker-down) BROKER_DOWN="$2"; shift ;;
    --disk-full-at) DISK_FULL_AT="$2"; shift ;;
    --disk-full-for) DISK_FULL_FOR="$2"; shift ;;
    --crash-every) CRASH_EVERY="$2"; shift ;;
    --refuse-every) REFUSE_EVERY="$2"; shift ;;
    --refuse-for) REFUSE_FOR="$2"; shift ;;
    --memory-max) MEMORY_MAX="$2"; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
DURATION=$(( MINUTES * 60 ))
[ -n "$DISK_FULL_AT" ] || DISK_FULL_AT=$(( DURATION * 45 / 100 ))
QUIET_END=45 # seconds at the end without faults

die() { echo "soak: $*" >&2; exit 1; }
log() { printf '[soak %s] %s\n' "$(date +%T)" "$*"; }
[ "$(id -u)" -eq 0 ] || die "run as root: the data directory is a tmpfs this script mounts and fills"
[ -x "$ROOT/src/LineWatch.Agent/bin/Release/net10.0/linewatch" ] && [ -f "$MODEL" ] || die "build first: install/setup.sh"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
DATA="$OUT/data"
if [ -n "$MEMORY_MAX" ]; then
  MEMORY_LIMIT=$(numfmt --from=iec "$MEMORY_MAX" 2>/dev/null) || die "--memory-max: '$MEMORY_MAX' is not a size (e.g. 2G)"
fi

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- footage and profiles, made once -------------------------------------------------------------------
footage="$OUT/footage"
mkdir -p "$footage"
make_video() { # NAME SECONDS SEED FAULTS
  [ -f "$footage/$1.mp4" ] || { log "generating $1 ($2 s)"; "$LINEWATCH" demo-video --out "$footage" --name "$1" --seconds "$2" --seed "$3" --faults "$4" > /dev/null; }
}
make_video normal 180 101 none
make_video faults-a 240 301 all
make_video faults-b 240 302 all
# The RTSP cameras start their footage again at every server restart; it must outlast the run. Generating
# footage is slower than real time on a busy 2-core box, so six minutes are made and repeated as long as needed.
make_video faults-rtsp-360 360 303 all
rtsp_video="faults-rtsp-$(( DURATION + 60 ))"
[ -f "$footage/$rtsp_video.mp4" ] || ffmpeg -hide_banner -loglevel error -stream_loop -1 -i "$footage/faults-rtsp-360.mp4" \
  -t $(( DURATION + 60 )) -c copy "$footage/$rtsp_video.mp4"

# A profile names its camera (another camera's profile is refused), so each camera learns its own, from the
# same normal footage (whose backbone windows are computed once, in learn-cache). Keyed by the model, which a
# profile is also tied to.
profiles="$OUT/profiles/$(sha256sum "$MODEL" | cut -c1-16)"
mkdir -p "$profiles"
cat > "$OUT/learn.json" <<JSON
{ "AgentId": "soak", "DataDir": "$OUT/learn-data",
  "Cameras": [ { "Name": "cam1", "Source": "$footage/normal.mp4" }, { "Name": "cam2", "Source": "$footage/normal.mp4" },
               { "Name": "cam3", "Source": "$footage/normal.mp4" }, { "Name": "cam4", "Source": "$footage/normal.mp4" } ],
  "Model": { "Path": "$MODEL", "Device": "cpu" }, "Mqtt": { "Mode": "external" } }
JSON
for camera in cam1 cam2 cam3 cam4; do
  [ -f "$profiles/$camera.profile" ] && continue
  log "learning $camera"
  "$LINEWATCH" learn -c "$OUT/learn.json" --camera "$camera" --from "$footage/normal.mp4" --cache "$OUT/learn-cache" \
    --out "$profiles/$camera.profile" | tail -1
done

# ---- the run's own world: data tmpfs, broker, RTSP cameras, subscriber ---------------------------------
pids=()
CGROUP=""
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  [ -n "${AGENT:-}" ] && kill "$AGENT" 2>/dev/null
  wait 2>/dev/null
  mountpoint -q "$DATA" && umount "$DATA"
  [ -n "$CGROUP" ] && rmdir "$CGROUP"
}
trap cleanup EXIT

# The agent's memory cgroup, a child of the script's own, so the machine's limits still hold above it. The
# .NET GC reads the limit as systemd's MemoryMax= would set it (v1's limit_in_bytes, v2's memory.max).
if [ -n "$MEMORY_MAX" ]; then
  own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
  if [ -n "$own" ] && [ -d "/sys/fs/cgroup/memory$own" ]; then
    CGROUP="/sys/fs/cgroup/memory$own/linewatch-soak-$$"
    mkdir "$CGROUP"
    echo "$MEMORY_LIMIT" > "$CGROUP/memory.limit_in_bytes"
    CG_CURRENT=memory.usage_in_bytes CG_PEAK=memory.max_usage_in_bytes CG_EVENTS=memory.oom_control
  else
    root=$(findmnt -n -t cgroup2 -o TARGET | head -1)
    [ -n "$root" ] || die "--memory-max: no cgroup v2 and no v1 memory controller mounted"
    child="$root$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)/linewatch-soak-$$"
    mkdir "$child"
    # A child gets memory.max only where the parent passes the controller down (cgroup.subtree_control).
    [ -f "$child/memory.max" ] || { rmdir "$child"; die "--memory-max: the memory controller is not enabled for children of ${child%/*}"; }
    CGROUP=$child
    echo "$MEMORY_LIMIT" > "$CGROUP/memory.max"
    CG_CURRENT=memory.current CG_PEAK=memory.peak CG_EVENTS=memory.events
  fi
  log "agent memory limit $MEMORY_MAX in $CGROUP"
fi

mountpoint -q "$DATA" && umount "$DATA"
rm -rf "$DATA" "$OUT/broker" "$OUT"/*.log "$OUT/samples.csv" "$OUT/stats.json" "$OUT/cgroup.txt" "$OUT"/linewatch.db*
mkdir -p "$DATA" "$OUT/broker"
# Profiles (4 × 7.5 MB) plus room for the outbox and logs; small enough to fill in an instant.
mount -t tmpfs -o size=64m linewatch-soak "$DATA"
mkdir -p "$DATA/profiles"
cp "$profiles"/cam?.profile "$DATA/profiles/"

faults="$OUT/faults.log"
fault() { printf '%s %s\n' "$(date +%s.%N)" "$*" >> "$faults"; log "$*"; }

broker_port=$(free_port)
# Two configurations on one port and one persistence file: "accepting" lets anyone in; "refusing" only the
# subscriber, whose user and password the agent does not have (CONNACK "Not authorized").
SUBSCRIBER_PASSWORD=soak-$RANDOM$RANDOM
: > "$OUT/broker/passwords"
mosquitto_passwd -b "$OUT/broker/passwords" soak-subscriber "$SUBSCRIBER_PASSWORD"
for mode in accepting refusing; do
  {
    echo "listener $broker_port 127.0.0.1"
    if [ "$mode" = accepting ]; then echo "allow_anonymous true"; else echo "allow_anonymous false"; echo "password_file $OUT/broker/passwords"; fi
    echo "persistence true"
    echo "persistence_location $OUT/broker/"
    echo "log_dest stderr"
    echo "user root"
  } > "$OUT/broker/$mode.conf"
done
BROKER="" BROKER_MODE=accepting
broker_start() {
  /usr/sbin/mosquitto -c "$OUT/broker/$BROKER_MODE.conf" 2>> "$OUT/broker.log" &
  BROKER=$!
  pids+=("$BROKER")
  until (exec 3<>"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null; do sleep 0.1; done
}
broker_stop() {
  [ -n "$BROKER" ] || return 0
  kill -TERM "$BROKER"; wait "$BROKER" 2>/dev/null || true
  BROKER=""
}
# A refusal may begin or end while a restart has the broker down: the next start picks the mode up.
broker_mode() { # accepting|refusing
  BROKER_MODE=$1
  [ -z "$BROKER" ] || { broker_stop; broker_start; }
}
broker_start

declare -A rtsp_port rtsp_pid
rtsp_start() { # camera
  local fifo="$OUT/rtsp-$1.ready"
  rm -f "$fifo"; mkfifo "$fifo"
  "$PYTHON" "$RTSP_SERVER" "${rtsp_port[$1]}" "$footage/$rtsp_video.mp4" > "$fifo" 2>> "$OUT/rtsp-$1.log" &
  rtsp_pid[$1]=$!
  pids+=("$!")
  read -r line < "$fifo"
  [ "$line" = ready ] || die "the RTSP server for $1 did not start"
}
rtsp_kill() { kill -KILL "${rtsp_pid[$1]}"; wait "${rtsp_pid[$1]}" 2>/dev/null || true; }
for camera in cam3 cam4; do rtsp_port[$camera]=$(free_port); rtsp_start "$camera"; done

# Persistent session (-c, fixed id) at QoS 1: what arrives while the subscriber is cut off by a broker
# restart is queued by the broker and delivered when it reconnects, so the count measures the agent alone.
mosquitto_sub -h 127.0.0.1 -p "$broker_port" -u soak-subscriber -P "$SUBSCRIBER_PASSWORD" -i soak-subscriber -c -q 1 -t 'linewatch/+/+/events' -F '%U %t %p' \
  > "$OUT/delivered.log" 2> "$OUT/subscriber.log" &
pids+=("$!")

cat > "$OUT/linewatch.json" <<JSON
{
  "AgentId": "soak",
  "DataDir": "$DATA",
  "Cameras": [
    { "Name": "cam1", "Source": "$footage/faults-a.mp4", "AnalysisFps": 8, "Loop": true },
    { "Name": "cam2", "Source": "$footage/faults-b.mp4", "AnalysisFps": 8, "Loop": true },
    { "Name": "cam3", "Source": "rtsp://127.0.0.1:${rtsp_port[cam3]}/cam", "AnalysisFps": 8 },
    { "Name": "cam4", "Source": "rtsp://127.0.0.1:${rtsp_port[cam4]}/cam", "AnalysisFps": 8 }
  ],
  "Model": { "Path": "$MODEL", "Device": "cpu" },
  "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "Port": $broker_port, "KeepAliveSeconds": 10 },
  "ShutdownTimeoutSeconds": 10
}
JSON

# ---- the agent -------------------------------------------------------------------------------------------
# Each output line stamped with the wall clock (the agent's own stamps are to the second).
stamp() { "$PYTHON" -u -c 'import sys, time
for line in sys.stdin: sys.stdout.write("%.3f %s" % (time.time(), line))'; }

# cpu_ticks: the agent's user + system time (clock ticks); load1: the machine's, which others share. One
# sampler per agent process (a crash starts a new one); pid tells the runs apart.
# cgroup_bytes: the agent's memory cgroup's use (page cache and tmpfs included, as MemoryMax= counts it), if any.
echo "t,pid,rss_kb,fds,threads,cpu_ticks,load1,cgroup_bytes" > "$OUT/samples.csv"
sample() { # pid
  while kill -0 "$1" 2>/dev/null; do
    local rss threads fds ticks load cgroup_bytes=""
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null) || break
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null) || break
    fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
    ticks=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}') || break
    load=$(cut -d' ' -f1 /proc/loadavg)
    [ -z "$CGROUP" ] || cgroup_bytes=$(cat "$CGROUP/$CG_CURRENT")
    [ -n "$rss" ] && echo "$(( $(date +%s) - STARTED )),$1,$rss,$fds,$threads,$ticks,$load,$cgroup_bytes" >> "$OUT/samples.csv"
    sleep 5
  done
}
# The agent enters its cgroup before it execs, so nothing of it runs outside; the log stamper stays out.
in_cgroup() {
  [ -z "$CGROUP" ] || echo "$BASHPID" > "$CGROUP/cgroup.procs"
  exec "$@"
}
agent_start() {
  in_cgroup "$LINEWATCH" run --config "$OUT/linewatch.json" > >(stamp >> "$OUT/agent.log") 2>&1 &
  AGENT=$!
  fault "agent-start pid $AGENT"
  sample "$AGENT" &
  SAMPLER=$!
}
: > "$OUT/agent.log"
STARTED=$(date +%s)
agent_start

# ---- the schedule: "second action camera", faults only between warm-up and the quiet end ---------------
schedule=$(
  last=$(( DURATION - QUIET_END ))
  k=0
  for (( t = WARMUP + 10; t + FLAP_DOWN <= last; t += FLAP_EVERY )); do
    camera=$([ $(( k % 2 )) -eq 0 ] && echo cam3 || echo cam4)
    echo "$t camera-kill $camera"; echo "$(( t + FLAP_DOWN )) camera-start $camera"
    k=$(( k + 1 ))
  done
  for (( t = WARMUP + 10 + BROKER_EVERY / 2; t + BROKER_DOWN <= last; t += BROKER_EVERY )); do
    echo "$t broker-stop"; echo "$(( t + BROKER_DOWN )) broker-start"
  done
  if [ "$REFUSE_EVERY" -gt 0 ]; then
    for (( t = WARMUP + 10 + REFUSE_EVERY / 3; t + REFUSE_FOR <= last; t += REFUSE_EVERY )); do
      echo "$t broker-refuse"; echo "$(( t + REFUSE_FOR )) broker-accept"
    done
  fi
  if [ "$CRASH_EVERY" -gt 0 ]; then
    for (( t = WARMUP; t + CRASH_EVERY <= last; t += CRASH_EVERY )); do echo "$(( t + RANDOM % CRASH_EVERY )) agent-crash"; done
  fi
  if [ "$DISK_FULL_AT" -ge "$WARMUP" ] && [ $(( DISK_FULL_AT + DISK_FULL_FOR )) -le "$last" ]; then
    echo "$DISK_FULL_AT disk-fill"; echo "$(( DISK_FULL_AT + DISK_FULL_FOR )) disk-free"
  fi
  echo "$DURATION end"
)
while read -r at action camera; do
  now=$(( $(date +%s) - STARTED ))
  [ "$at" -gt "$now" ] && sleep $(( at - now ))
  kill -0 "$AGENT" 2>/dev/null || { fault "agent-died"; break; }
  # A fault is stamped before it is done (the agent may notice it within milliseconds), a recovery once it is.
  case "$action" in
    camera-kill) fault "camera-kill $camera"; rtsp_kill "$camera" ;;
    camera-start) rtsp_start "$camera"; fault "camera-start $camera" ;;
    broker-stop) fault "broker-stop"; broker_stop ;;
    broker-start) broker_start; fault "broker-start" ;;
    broker-refuse) broker_mode refusing; fault "broker-refuse" ;;
    broker-accept) broker_mode accepting; fault "broker-accept" ;;
    disk-fill)
      dd if=/dev/zero of="$DATA/fill" bs=1M status=none 2>/dev/null || true
      fault "disk-fill $(df --output=avail -B1 "$DATA" | tail -1) bytes left" ;;
    disk-free) rm -f "$DATA/fill"; fault "disk-free" ;;
    agent-crash)
      fault "agent-crash pid $AGENT"
      kill -KILL "$AGENT"; wait "$AGENT" 2>/dev/null || true
      agent_start ;;
    end) ;;
  esac
done < <(sort -n <<< "$schedule")

# ---- wind down and report --------------------------------------------------------------------------------
mosquitto_sub -h 127.0.0.1 -p "$broker_port" -t linewatch/soak/stats -C 1 -W 10 > "$OUT/stats.json" || true
kill "$SAMPLER" 2>/dev/null || true
exit_code=died
if kill -0 "$AGENT" 2>/dev/null; then
  kill -TERM "$AGENT"
  if wait "$AGENT"; then exit_code=0; else exit_code=$?; fi
fi
AGENT=""
fault "agent-exit $exit_code"
if [ -n "$CGROUP" ]; then
  { echo "limit $MEMORY_LIMIT"; echo "peak $(cat "$CGROUP/$CG_PEAK" 2>/dev/null || echo unknown)"; cat "$CGROUP/$CG_EVENTS"; } > "$OUT/cgroup.txt"
fi
sleep 3 # the subscriber's last messages
# The history as the agent left it (the data tmpfs is unmounted on exit).
cp "$DATA"/linewatch.db* "$OUT/" 2>/dev/null || true
"$PYTHON" "$ROOT/tests/soak/soak_report.py" "$OUT" "$WARMUP" "$DURATION" "$exit_code" | tee "$OUT/soak-report.md"
