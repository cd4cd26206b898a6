#!/usr/bin/env bash
# What the operations middleware (request id, metrics, rate limit, body limit) costs on the hot
# path: GET /health and GET /assign under wrk, for two release binaries in interleaved rounds
# on the same store and points.
#   BEFORE=/path/to/old/wangge AFTER=.build/release/wangge ROUNDS=4 scripts/bench-ops.sh
# AFTER is also run with `--rate-limit 0` (no limiter) and with --rate-limit-loopback (every
# request goes through the token bucket, at a limit wrk never reaches).
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${BEFORE:?old binary}; AFTER=${AFTER:-.build/release/wangge}; ROUNDS=${ROUNDS:-4}
DIR=${DIR:-/tmp/wangge-bench-ops}; PORT=${PORT:-18391}
WRK_ARGS=${WRK_ARGS:-"-t2 -c32 -d8s --latency"}
mkdir -p "$DIR"
[ -f "$DIR/city.sqlite" ] || "$AFTER" seed --db "$DIR/city.sqlite" > /dev/null
# 10,000 points over the grids' extent (some fall outside every grid, like real reports).
python3 - "$DIR/points.txt" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for _ in range(10000):
        f.write(f"{random.uniform(114.25, 114.55):.6f},{random.uniform(22.95, 23.2):.6f}\n")
PY
run() {  # label binary args...
  local label=$1 bin=$2; shift 2
  "$bin" serve --db "$DIR/city.sqlite" --port "$PORT" --no-sample --reload-interval 0 "$@" > "$DIR/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.2; done
  wrk $WRK_ARGS "http://127.0.0.1:$PORT/health" > "$DIR/h.txt"
  WRK_POINTS="$DIR/points.txt" wrk $WRK_ARGS -s scripts/bench_assign.lua "http://127.0.0.1:$PORT/assign" > "$DIR/a.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-28s /health %9s req/s p99 %8s | /assign %9s req/s p50 %8s p99 %8s | %s\n' "$label" \
    "$(awk '/Requests\/sec/ {print $2}' "$DIR/h.txt")" "$(awk '/99%/ {print $2}' "$DIR/h.txt")" \
    "$(awk '/Requests\/sec/ {print $2}' "$DIR/a.txt")" "$(awk '/50%/ {print $2}' "$DIR/a.txt")" "$(awk '/99%/ {print $2}' "$DIR/a.txt")" \
    "$(grep -hE 'Non-2xx|Socket errors' "$DIR/h.txt" "$DIR/a.txt" | tr '\n' ' ')"
}
for r in $(seq "$ROUNDS"); do
  echo "-- round $r"
  run before "$BEFORE"
  run "after" "$AFTER"
  run "after --rate-limit 0" "$AFTER" --rate-limit 0
  run "after, limiter on loopback" "$AFTER" --rate-limit 100000/s --rate-limit-loopback
done
