#!/usr/bin/env bash
# Issue 12 §1: CLIENTS (default 200) concurrent reporters POST /cases for SECONDS (default 60)
# while CLIENTS/2 more connections read (GET /assign and grids items pages), against
# `wangge serve` on loopback, then check that every acknowledged case is stored exactly once with
# its intake event and that nothing got a 5xx. Runs, on a fresh copy of the sample city each:
#   1. synchronous=FULL (the default), reporters back to back: the server's saturation;
#   2. synchronous=FULL, reporters pacing themselves (exponential think time THINK_MS, default 80,
#      so 200 reporters offer up to 2,500 cases/s, about 2,200 at 10 ms latency): the latency at
#      the goal's rate (at 90 ms they could never offer more than 2,222/s);
#   3. GET /assign alone on CLIENTS connections (the peer);
#   4. synchronous=NORMAL, back to back (what FULL's fsync costs).
# The client is wrk with scripts/bench_intake.lua, driven and checked by scripts/bench_load_wrk.py;
# CLIENT=python uses the older Python-threads client (scripts/bench_load.py) instead.
# usage: scripts/bench-load.sh [CLIENTS] [SECONDS]
# WANGGE_RELEASE_BIN=path skips the release build. PERF=1 records a perf profile of the server
# during run 1 (perf.data in the working directory).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-200}
SECONDS_=${2:-60}
THINK_MS=${THINK_MS:-80}
DIR=$(mktemp -d)
trap 'kill ${SERVE_PID:-}  2>/dev/null || true; rm -rf "$DIR"' EXIT
if [ -z "${WANGGE_RELEASE_BIN:-}" ]; then
  flock /tmp/wangge-release.lock swift build -c release --scratch-path .build-release --product wangge 2>&1 | tail -1
  export WANGGE_RELEASE_BIN=$PWD/.build-release/release/wangge
fi
source scripts/bench-common.sh
PY=${PYTHON:-.venv/bin/python}
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== $(date -u '+%F %H:%M UTC'), $BIN, load average: $(cut -d' ' -f1-3 /proc/loadavg)"

start() {  # start SYNC: a fresh copy of the city, a reporter token, serve
  rm -f "$DIR"/run.sqlite*; cp "$DIR/city.sqlite" "$DIR/run.sqlite"
  TOKEN=$($BIN token create --role reporter --name bench --db "$DIR/run.sqlite" 2>/dev/null)
  $BIN serve --db "$DIR/run.sqlite" --port "$PORT" --no-sample --reload-interval 0 --synchronous "$1" >/dev/null 2>&1 &
  SERVE_PID=$!
  until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.2; done
}
stop() { kill $SERVE_PID; wait $SERVE_PID || true; }
run() {  # run MODE LABEL [THINK_MS]
  if [ "${CLIENT:-wrk}" = python ]; then
    $PY scripts/bench_load.py "$DIR/run.sqlite" 127.0.0.1 "$PORT" "$TOKEN" "$1" "$CLIENTS" "$SECONDS_" "$2" || echo "(errors above)"
  else
    $PY scripts/bench_load_wrk.py "$DIR/run.sqlite" 127.0.0.1 "$PORT" "$TOKEN" "$1" "$CLIENTS" "$SECONDS_" "$2" "${3:-0}" || echo "(errors above)"
  fi
  echo "   (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
}

echo "| run | clients × time | throughput | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|"
start full
if [ -n "${PERF:-}" ]; then perf record -F 499 -g -p $SERVE_PID -o perf.data -- sleep "$SECONDS_" >/dev/null 2>&1 & fi
run cases "POST /cases + reads, synchronous=full, back to back"
stop
if [ "${CLIENT:-wrk}" != python ]; then
  start full
  run cases "POST /cases + reads, synchronous=full, reporters pacing (think ${THINK_MS} ms)" "$THINK_MS"
  stop
fi
start full
run assign "GET /assign alone (peer)"
stop
start normal
run cases "POST /cases + reads, synchronous=normal, back to back"
stop
