#!/usr/bin/env bash
# The sanity check of issue #13 on real footage: OpenCV's vtest.avi (a fixed camera over a pavement, people
# walking; 79.5 s at 10 fps). Learn on its first 60 %, then count false alarms on the remaining 40 %, which
# holds nothing a factory would call a fault: people keep walking as they did. With so little footage the camera
# analyses a window every 2 frames (stride 2) so that learning has enough windows to fit and to hold out.
#
#   tests/evaluation/real-footage-sanity.sh [OUT]      needs a built checkout (install/setup.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-/tmp/linewatch-vtest}"
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
LW="$ROOT/install/linewatch"
[ -f "$VTEST" ] || { echo "$VTEST is missing (install/setup.sh installs opencv-doc)" >&2; exit 1; }
mkdir -p "$OUT"
cat > "$OUT/linewatch.json" <<JSON
{ "AgentId": "vtest", "DataDir": "data",
  "Cameras": [ { "Name": "pavement", "Source": "learn.mkv", "AnalysisFps": 8, "Stride": 2 } ],
  "Model": { "Path": "$ROOT/models/videomambapro-tiny-t8-112.onnx", "Device": "cpu" },
  "Mqtt": { "Mode": "external" } }
JSON
# Lossless cuts, so the split adds no compression of its own.
ffmpeg -hide_banner -loglevel error -y -i "$VTEST" -t 47.7 -c:v ffv1 "$OUT/learn.mkv"
ffmpeg -hide_banner -loglevel error -y -ss 47.7 -i "$VTEST" -c:v ffv1 "$OUT/rest.mkv"
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$OUT/rest.mkv")
echo "{\"fps\": 10, \"frames\": $frames, \"anomalies\": []}" > "$OUT/rest.labels.json"
"$LW" learn -c "$OUT/linewatch.json" --camera pavement --from "$OUT/learn.mkv" --out "$OUT/pavement.profile" >&2
"$LW" eval -c "$OUT/linewatch.json" --profile "$OUT/pavement.profile" --video "$OUT/rest.mkv" --labels "$OUT/rest.labels.json"
