#!/usr/bin/env bash
# Reproduces the nearest-station numbers of docs/PERFORMANCE.md in one run on one set of points:
#   1. k=5 nearest per query: wangge's StationIndex (wangge-bench nearest) vs PostGIS geography
#      KNN (ORDER BY geog <-> q LIMIT 4k, then re-ranked by the spheroid distance) vs an exact
#      shapely 2 STRtree + pyproj Geod.inv KNN; answers compared;
#   2. GET /nearest?k=5&method=straight-line vs GET /health on a release server under wrk (loopback),
#      then GET /nearest along the walking network (its default when a network is loaded);
#   3. the same in-process comparison on a 10x city, if given.
# Needs (Debian 12, as root): postgresql-15-postgis-3, wrk, a Python with shapely 2, pyproj, numpy.
# Usage: scripts/bench-nearest.sh [CITY10_ROOT]   (CITY10_ROOT holds geodata/ and seeds/ of
#        `python3 tools/generate_sample_city.py --scale 10 --out CITY10_ROOT/geodata`)
# Env: QUERIES (default 200000 in process), PG_QUERIES (default 20000), PY_QUERIES (default 20000),
#      BENCH_DIR (default /tmp/wangge-bench-nearest), PYTHON (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/wangge-bench-nearest}
N=${QUERIES:-200000}
NPG=${PG_QUERIES:-20000}
NPY=${PY_QUERIES:-20000}
PY=${PYTHON:-.venv/bin/python}
PORT=${PORT:-8098}
K=5
mkdir -p "$DIR"
chmod 1777 "$DIR"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

. scripts/bench-common.sh

PSQL="su postgres -c"
pg_ctlcluster 15 main start 2>/dev/null || true

compare() {  # $1: store, $2: label
  echo "== $2: in process, k=$K"
  $BENCH_BIN nearest --db "$1" --points "$N" --k $K --points-csv "$DIR/points.csv" --stations-csv "$DIR/stations.csv" --answers-csv "$DIR/answers.csv"
  echo "== $2: shapely + pyproj"
  $PY scripts/bench_nearest_peer.py "$DIR/stations.csv" "$DIR/points.csv" $K "$NPY" "$DIR/answers.csv"
  echo "== $2: PostGIS"
  $PSQL "psql -q -c 'DROP DATABASE IF EXISTS wangge_bench_nearest'" >/dev/null
  $PSQL "psql -q -c 'CREATE DATABASE wangge_bench_nearest'" >/dev/null
  $PSQL "psql -q -d wangge_bench_nearest -c 'CREATE EXTENSION postgis'" >/dev/null
  echo "$($PSQL "psql -tA -d wangge_bench_nearest -c 'SELECT version()'" | cut -d, -f1); PostGIS $($PSQL "psql -tA -d wangge_bench_nearest -c 'SELECT postgis_lib_version()'")"
  head -$((NPG + 1)) "$DIR/points.csv" > "$DIR/points_pg.csv"
  cat > "$DIR/load.sql" <<SQL
CREATE TABLE st_in (id text, category text, lon float8, lat float8);
\copy st_in FROM '$DIR/stations.csv' CSV HEADER
CREATE TABLE stations AS SELECT id, category, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM st_in;
CREATE INDEX ON stations USING gist (geog);
ANALYZE stations;
CREATE TABLE q_in (id bigint, lon float8, lat float8);
\copy q_in FROM '$DIR/points_pg.csv' CSV HEADER
CREATE TABLE queries AS SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM q_in;
ANALYZE queries;
SQL
  $PSQL "psql -q -d wangge_bench_nearest -f $DIR/load.sql"
  # KNN by <-> (sphere distance through the GiST index), 4k candidates, re-ranked on the spheroid.
  cat > "$DIR/knn.sql" <<SQL
\timing on
CREATE UNLOGGED TABLE knn AS
SELECT q.id, r.rank, r.id AS station_id, r.d
FROM queries q CROSS JOIN LATERAL (
  SELECT c.id, c.d, row_number() OVER (ORDER BY c.d, c.id) AS rank FROM (
    SELECT s.id, ST_Distance(s.geog, q.geog, true) AS d FROM stations s ORDER BY s.geog <-> q.geog LIMIT $((4 * K))
  ) c ORDER BY c.d, c.id LIMIT $K
) r;
SQL
  T=$($PSQL "psql -q -d wangge_bench_nearest -f $DIR/knn.sql" | awk '/Time:/ {print $2}')
  echo "PostGIS geography KNN (<-> LIMIT $((4 * K)) + ST_Distance(spheroid) re-rank, one statement, LATERAL): $NPG queries in $T ms = $(echo "scale=1; $T * 1000 / $NPG" | bc) µs/query"
  $PSQL "psql -q -d wangge_bench_nearest -c \"\\copy (SELECT id, rank, station_id, d FROM knn ORDER BY id, rank) TO '$DIR/postgis_knn.csv' CSV HEADER\""
  $PY - "$DIR/answers.csv" "$DIR/postgis_knn.csv" <<'PYEOF'
import csv, sys
mine = {(r["id"], r["rank"]): (r["station_id"], float(r["distance_m"])) for r in csv.DictReader(open(sys.argv[1]))}
bad = worst = n = 0
for r in csv.DictReader(open(sys.argv[2])):
    m = mine[(r["id"], r["rank"])]; n += 1
    worst = max(worst, abs(m[1] - float(r["d"])))
    bad += m[0] != r["station_id"]
print(f"wangge vs PostGIS: {n} rows, {bad} different ids (ties within 5 cm may differ), largest distance difference {worst * 1000:.3f} mm")
PYEOF
}

compare "$DIR/city.sqlite" "1x sample city"

echo "== HTTP under wrk (release server on 127.0.0.1:$PORT)"
awk -F, 'NR > 1 && NR <= 10001 {print $2 "," $3}' "$DIR/points.csv" > "$DIR/wrk-points.txt"
$BIN serve --db "$DIR/city.sqlite" --port "$PORT" --no-sample > "$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
curl -s "http://127.0.0.1:$PORT/nearest?k=5&lon=$(head -1 "$DIR/wrk-points.txt" | cut -d, -f1)&lat=$(head -1 "$DIR/wrk-points.txt" | cut -d, -f2)" | head -c 300; echo
WRK_ARGS=${WRK_ARGS:--t2 -c32 -d8s --latency}
ROUNDS=${ROUNDS:-4}
HS=0; NS=0
for r in $(seq "$ROUNDS"); do
  wrk $WRK_ARGS "http://127.0.0.1:$PORT/health" > "$DIR/wrk-health.txt"
  sleep 1
  # Straight-line (geodesic, the station index): issue 9's contract. The network method (issue
  # 10, the default when a network is loaded) walks the graph per query; it is measured below.
  WRK_EXTRA="&method=straight-line" WRK_POINTS="$DIR/wrk-points.txt" wrk $WRK_ARGS -s scripts/bench_nearest.lua "http://127.0.0.1:$PORT/nearest" > "$DIR/wrk-nearest.txt"
  H=$(awk '/Requests\/sec/ {print $2}' "$DIR/wrk-health.txt"); A=$(awk '/Requests\/sec/ {print $2}' "$DIR/wrk-nearest.txt")
  echo "-- round $r: /health $H req/s, /nearest $A req/s (p50 $(awk '/50%/ {print $2}' "$DIR/wrk-nearest.txt"), p99 $(awk '/99%/ {print $2}' "$DIR/wrk-nearest.txt")), ratio $(echo "scale=3; $A / $H" | bc); $(grep -hE 'Non-2xx|Socket errors' "$DIR"/wrk-*.txt | tr '\n' ' ' || echo 'no errors')"
  HS=$(echo "$HS + $H" | bc); NS=$(echo "$NS + $A" | bc)
done
echo "/nearest (method=straight-line) rps / /health rps over $ROUNDS rounds = $(echo "scale=3; $NS / $HS" | bc)"
if grep -q '"method":"network"' <(curl -s "http://127.0.0.1:$PORT/nearest?k=5&lon=$(head -1 "$DIR/wrk-points.txt" | cut -d, -f1)&lat=$(head -1 "$DIR/wrk-points.txt" | cut -d, -f2)"); then
  WRK_EXTRA="&method=network" WRK_POINTS="$DIR/wrk-points.txt" wrk $WRK_ARGS -s scripts/bench_nearest.lua "http://127.0.0.1:$PORT/nearest" > "$DIR/wrk-nearest.txt"
  echo "-- along the walking network (method=network, the default with a network): $(awk '/Requests\/sec/ {print $2}' "$DIR/wrk-nearest.txt") req/s (p50 $(awk '/50%/ {print $2}' "$DIR/wrk-nearest.txt"), p99 $(awk '/99%/ {print $2}' "$DIR/wrk-nearest.txt"))"
fi
kill $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

if [ -n "${1:-}" ]; then
  rm -f "$DIR"/city10.sqlite*
  $BIN seed --db "$DIR/city10.sqlite" --root "$1" 2>/dev/null
  compare "$DIR/city10.sqlite" "10x city"
fi
