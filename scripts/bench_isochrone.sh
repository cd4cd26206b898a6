#!/usr/bin/env bash
# GET /isochrone latency under wrk (issue 10 §6), with GET /health and GET /nearest (network) as
# peers on the same server in the same run. A fresh store seeded with the sample city (walking
# network included), `wangge serve --no-sample` on loopback, then each URL for DURATION with
# `wrk -t2 -c4 --latency`. Usage: WANGGE_BIN=.build/release/wangge [DURATION=6s] scripts/bench_isochrone.sh
set -euo pipefail
BIN=${WANGGE_BIN:-.build/release/wangge}
DURATION=${DURATION:-6s}
PORT=${PORT:-18732}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$BIN" seed --db "$tmp/s.sqlite" >/dev/null 2>&1
"$BIN" serve --db "$tmp/s.sqlite" --no-sample --host 127.0.0.1 --port "$PORT" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
B=http://127.0.0.1:$PORT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(uptime | sed 's/.*load/load/'); $BIN"
for u in "/health" "/nearest?lon=114.4158&lat=23.1108&k=5&method=network" \
         "/isochrone?lon=114.4158&lat=23.1108&minutes=5,10,15" "/isochrone?lon=114.4158&lat=23.1108&minutes=15"; do
  echo "## GET $u"
  wrk -t2 -c4 -d"$DURATION" --latency "$B$u" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
done
echo "# single requests (curl, one at a time): minutes=15, 5,10,15, 60"
for q in "minutes=15" "minutes=5,10,15" "minutes=60"; do
  curl -s -o /dev/null -w "$q %{http_code} %{time_total} s\n" "$B/isochrone?lon=114.4158&lat=23.1108&$q"
done
