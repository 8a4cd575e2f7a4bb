#!/usr/bin/env bash
# Runs the whole test suite against the Release build made by install/setup.sh.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Config").
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LINEWATCH_CACHE="${LINEWATCH_CACHE:-$HOME/.cache/linewatch}"
log=$(mktemp)
dotnet test "$ROOT/LineWatch.sln" -c Release -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line for the whole suite, summed over the test projects.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { v = $(i+1); gsub(/,/, "", v)
         if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
