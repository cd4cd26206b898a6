#!/usr/bin/env bash
# Issue 12 §1: CLIENTS (default 200) concurrent reporters POST /cases mixed with GET /assign and
# items reads for SECONDS (default 60) against `wangge serve` on loopback, with the store's
# default synchronous=FULL and with --synchronous normal (the cost of an fsync per commit), then
# the same clients on GET /assign alone. The client is scripts/bench_load.py (Python threads,
# one keep-alive connection each) on the same 2 cores as the server.
# usage: scripts/bench-load.sh [CLIENTS] [SECONDS]
# WANGGE_RELEASE_BIN=path skips the release build (e.g. a debug binary when the release lock is busy).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-200}
SECONDS_=${2:-60}
DIR=$(mktemp -d)
trap 'kill ${SERVE_PID:-}  2>/dev/null || true; rm -rf "$DIR"' EXIT
if [ -z "${WANGGE_RELEASE_BIN:-}" ]; then
  flock /tmp/wangge-release.lock swift build -c release --scratch-path .build-release --product wangge 2>&1 | tail -1
  export WANGGE_RELEASE_BIN=$PWD/.build-release/release/wangge
fi
source scripts/bench-common.sh
PY=${PYTHON:-.venv/bin/python}
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "| run | clients × time | throughput | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|"
for sync in full normal; do
  rm -f "$DIR"/run.sqlite*; cp "$DIR/city.sqlite" "$DIR/run.sqlite"
  TOKEN=$($BIN token create --role reporter --name bench --db "$DIR/run.sqlite" 2>/dev/null)
  $BIN serve --db "$DIR/run.sqlite" --port "$PORT" --no-sample --reload-interval 0 --synchronous $sync >/dev/null 2>&1 &
  SERVE_PID=$!
  until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.2; done
  $PY scripts/bench_load.py "$DIR/run.sqlite" 127.0.0.1 "$PORT" "$TOKEN" cases "$CLIENTS" "$SECONDS_" "POST /cases + reads, synchronous=$sync" || echo "(errors above)"
  if [ $sync = full ]; then
    $PY scripts/bench_load.py "$DIR/run.sqlite" 127.0.0.1 "$PORT" "$TOKEN" assign "$CLIENTS" "$SECONDS_" "GET /assign alone (peer)" || echo "(errors above)"
  fi
  kill $SERVE_PID; wait $SERVE_PID || true
done
