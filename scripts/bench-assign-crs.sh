#!/usr/bin/env bash
# GET /assign in EPSG:4547 and GCJ-02 against WGS84 (docs/PERFORMANCE.md, "CRS on /assign"):
# a release server over the sample city; the same points in each CRS, 300 requests per CRS and
# round on one keep-alive connection each (Python requests.Session), then wrk on one point.
# Usage: scripts/bench-assign-crs.sh   Env: BENCH_DIR (default /tmp/wangge-bench-crs),
#        PYTHON (default .venv/bin/python), WANGGE_RELEASE_BIN (a prebuilt binary), ROUNDS (3)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/wangge-bench-crs}
PY=${PYTHON:-.venv/bin/python}
PORT=${PORT:-8098}
mkdir -p "$DIR"

. scripts/bench-common.sh

$BIN serve --db "$DIR/city.sqlite" --port "$PORT" --no-sample > "$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done

$PY scripts/bench_assign_crs.py "http://127.0.0.1:$PORT" 300 "${ROUNDS:-3}"

echo "== wrk, 2 threads, 8 connections, 5 s each, one point (114.42, 23.10)"
for q in "lon=114.42&lat=23.10" "lon=543027.949&lat=2555673.924&crs=EPSG:4547"; do
  echo "-- /assign?$q"
  wrk -t2 -c8 -d5s --latency "http://127.0.0.1:$PORT/assign?$q" | grep -E "Requests/sec|50%|99%"
done
