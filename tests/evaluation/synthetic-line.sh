#!/usr/bin/env bash
# End-to-end detection quality on the synthetic production line (the numbers in docs/benchmarks.md):
# for each seed, learn on 10 minutes of normal video, evaluate on a separate 10 minutes with every fault type.
# Usage: tests/evaluation/synthetic-line.sh [OUT_DIR] [SEEDS...]   (default: /tmp/linewatch-eval, seeds 1 2 3)
# Needs a built checkout (install/setup.sh). Takes about 5 minutes per seed on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-/tmp/linewatch-eval}"
shift || true
[ $# -gt 0 ] && SEEDS=("$@") || SEEDS=(1 2 3)
mkdir -p "$OUT"
cat > "$OUT/linewatch.json" <<JSON
{ "AgentId": "eval", "DataDir": "data",
  "Cameras": [ { "Name": "line", "Source": "line.mp4", "AnalysisFps": 8, "Stride": 4 } ],
  "Model": { "Path": "$ROOT/models/videomambapro-tiny-t8-112.onnx", "Device": "cpu" },
  "Mqtt": { "Mode": "external" } }
JSON
for seed in "${SEEDS[@]}"; do
  echo "== seed $seed"
  "$ROOT/install/linewatch" demo-video --out "$OUT" --name "normal-$seed" --seconds 600 --seed "$((100 + seed))" --faults none > /dev/null
  "$ROOT/install/linewatch" demo-video --out "$OUT" --name "faults-$seed" --seconds 600 --seed "$((200 + seed))" --faults all > /dev/null
  "$ROOT/install/linewatch" learn -c "$OUT/linewatch.json" --camera line --from "$OUT/normal-$seed.mp4" --out "$OUT/line-$seed.profile"
  # One scoring pass: the JSON report is kept, and its headline printed.
  "$ROOT/install/linewatch" eval -c "$OUT/linewatch.json" --profile "$OUT/line-$seed.profile" --video "$OUT/faults-$seed.mp4" \
    --labels "$OUT/faults-$seed.labels.json" --json > "$OUT/report-$seed.json"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); f=lambda v, fmt: "n/a" if v is None else fmt % v; print("frame AUROC %s, recall %d/%d, false alarms %d in %.1f normal min, latency p50 %s s" % (f(r["frameAuroc"], "%.3f"), r["eventsCaught"], r["events"], r["falseAlarms"], r["normalHours"]*60, f(r["latencyP50Seconds"], "%.1f")))' "$OUT/report-$seed.json"
done
