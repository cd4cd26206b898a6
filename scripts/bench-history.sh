#!/usr/bin/env bash
# What boundary history costs, against the release before it in the same run:
#  1. a replacing import of the sample city's grids: BASE_BIN (deletes the old rows) against BIN
#     (moves them to grids_history in the same transaction), alternating, ROUNDS times each;
#  2. `wangge assign` of the same points at the newest generation and at an older one (the index
#     set built from history rows).
# Usage: BASE_BIN=/path/to/previous/wangge BIN=.build/debug/wangge ROUNDS=5 scripts/bench-history.sh /tmp/bench-history
set -euo pipefail
DIR=${1:-/tmp/bench-history}
ROUNDS=${ROUNDS:-5}
BIN=${BIN:-$PWD/.build/debug/wangge}
: "${BASE_BIN:?set BASE_BIN to the binary of the previous release}"
mkdir -p "$DIR"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== BASE_BIN=$BASE_BIN BIN=$BIN ROUNDS=$ROUNDS"
rm -f "$DIR"/base.sqlite* "$DIR"/new.sqlite*
"$BASE_BIN" seed --db "$DIR/base.sqlite" 2>/dev/null
"$BIN" seed --db "$DIR/new.sqlite" 2>/dev/null
grids=geodata/grids.geojson
echo "== replacing import of $(python3 -c "import json;print(len(json.load(open('$grids'))['features']))") grids (seconds)"
now() { date +%s.%N; }
base_total=0; new_total=0
for r in $(seq "$ROUNDS"); do
  t0=$(now); "$BASE_BIN" import grids "$grids" --db "$DIR/base.sqlite" 2>/dev/null; t1=$(now)
  "$BIN" import grids "$grids" --db "$DIR/new.sqlite" 2>/dev/null; t2=$(now)
  b=$(echo "$t1 - $t0" | bc); n=$(echo "$t2 - $t1" | bc)
  base_total=$(echo "$base_total + $b" | bc); new_total=$(echo "$new_total + $n" | bc)
  printf 'round %d: previous release %.2f s, with history %.2f s\n' "$r" "$b" "$n"
done
printf 'sum: previous release %.2f s, with history %.2f s, ratio %.2f\n' "$base_total" "$new_total" "$(echo "$new_total / $base_total" | bc -l)"
"$BIN" generations --db "$DIR/new.sqlite" | tail -3
echo "grids_history rows: $(sqlite3 "$DIR/new.sqlite" 'SELECT count(*) FROM grids_history')"

echo "== assign 200,000 points: newest generation against the first grids generation (index from history)"
python3 - "$DIR/points.csv" <<'EOF'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("id,lon,lat\n")
    for k in range(200_000):
        f.write(f"{k},{random.uniform(114.2, 114.7):.7f},{random.uniform(22.9, 23.3):.7f}\n")
EOF
first=$("$BIN" generations --db "$DIR/new.sqlite" | awk '$3 == "grids" {print $1; exit}')
for r in $(seq "$ROUNDS"); do
  for gen in "" "$first"; do
    t0=$(now)
    "$BIN" assign "$DIR/points.csv" --db "$DIR/new.sqlite" ${gen:+--generation $gen} --out "$DIR/out.csv" 2> "$DIR/assign.log"
    t1=$(now)
    printf 'round %d, generation %s: %.2f s (%s)\n' "$r" "${gen:-newest}" "$(echo "$t1 - $t0" | bc)" "$(grep -o 'built in [0-9.]* s' "$DIR/assign.log")"
  done
done
