#!/bin/sh
# What event clips cost: `linewatch bench pipeline` with clips off, buffering the pre-roll, and recording a clip
# all along, alternating in rounds in one run (so the machine's load falls on all three alike); prints a Markdown
# table of the medians over the rounds. Usage: tests/benchmarks/clip-cost.sh [ROUNDS] [CAMERAS] [SECONDS] [JSON-DIR]
# (JSON-DIR keeps each run's `--json` report; by default they go to a temporary folder, removed at the end)
set -eu
rounds=${1:-3}
cameras=${2:-1}
seconds=${3:-20}
here=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${4:-}" ]; then
  out=$4
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
for round in $(seq 1 "$rounds"); do
  for mode in off buffer record; do
    echo "round $round: clips $mode" >&2
    "$here/install/linewatch" bench pipeline --cameras "$cameras" --seconds "$seconds" --warmup 5 --clips "$mode" --json \
      > "$out/$mode-$round.json" 2>/dev/null || true  # a run that misses the analysis target still reports its figures
  done
done
python3 - "$out" "$cameras" <<'PY'
import glob, json, os, statistics, subprocess, sys
out, cameras = sys.argv[1], int(sys.argv[2])
cpu = next((l.split(':', 1)[1].strip() for l in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines() if l.startswith('Model name')), '?')
load = os.getloadavg()
print(f"{cameras} camera(s) of 1280x720 at 25 fps; CPU {cpu}, {os.cpu_count()} logical CPUs; load average at the end {load[0]:.1f}")
print()
print("| clips | runs | process CPU % of one core | encoder (ffmpeg) CPU % | total CPU % per camera | peak RSS MB | pre-roll ring MB per camera | seconds held | JPEG KB per frame | decoded fps | analysed fps | clip frames dropped | clip s (median) | clip MB (median) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for mode in ('off', 'buffer', 'record'):
    runs = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{mode}-*.json")) if os.path.getsize(f) > 0]
    if not runs:
        print(f"| {mode} | 0 | | | | | | | | | | | | |"); continue
    med = lambda f: statistics.median(f(r) for r in runs)
    clip = lambda key: med(lambda r: (r.get('clips') or {}).get(key, 0))
    process = med(lambda r: r['processCpuPercentOfOneCore'])
    encoder = clip('encoderCpuPercentOfOneCore')
    total = med(lambda r: (r['processCpuPercentOfOneCore'] + ((r.get('clips') or {}).get('encoderCpuPercentOfOneCore', 0))) / cameras)
    decoded = med(lambda r: statistics.mean(c['decodedFps'] for c in r['rows']))
    analysed = med(lambda r: statistics.mean(c['analysedFps'] for c in r['rows']))
    print(f"| {mode} | {len(runs)} | {process:.0f} | {encoder:.0f} | {total:.0f} | {med(lambda r: r['peakRssMb']):.0f} | {clip('ringMbPerCamera'):.1f} | {clip('heldSeconds'):.1f} | "
          f"{clip('jpegBytesPerFrame') / 1024:.1f} | {decoded:.1f} | {analysed:.2f} | {clip('framesDropped'):.0f} | {clip('clipSecondsMedian'):.1f} | {clip('clipMbMedian'):.1f} |")
PY
