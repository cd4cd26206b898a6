#!/usr/bin/env bash
# The bulk path of issue 8 §5, end to end on one 1,000,000-row CSV, peers in the same run:
#   wangge assign points.csv --out out.csv      (release build; index build and process start included)
#   DuckDB 1.5.5 + spatial: read_csv -> ST_Covers join -> COPY to CSV    (scripts/bench_assign_duckdb.py)
#   shapely 2: STRtree.query(points, predicate="covered_by") alone, no file I/O   (scripts/bench_assign_shapely.py)
#   PostGIS (if postgresql-15-postgis-3 is installed): \copy in, ST_Covers join, \copy out
# on a generated city of ~300 grids (wangge-bench city: GridTestSupport's SyntheticCity), ROUNDS
# interleaved rounds, with wangge's peak RSS (GNU time) on the 1 M file and on a 4 M file (memory flat).
# Needs: a Python with shapely 2, numpy, duckdb==1.5.5, duckdb-extension-spatial==1.5.5
#   (.venv/bin/python -m pip install -r scripts/requirements-bench.txt), GNU time.
# Usage: scripts/bench-bulk.sh        Env: POINTS (1000000), ROUNDS (3), COLUMNS/ROWS (20x15),
#        BENCH_DIR (/tmp/wangge-bulk), PYTHON (.venv/bin/python), WANGGE_RELEASE_BIN (skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/wangge-bulk}
N=${POINTS:-1000000}
PY=${PYTHON:-.venv/bin/python}
ROUNDS=${ROUNDS:-3}
mkdir -p "$DIR"
chmod 1777 "$DIR"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ {print $2}') GB, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "${WANGGE_RELEASE_BIN:-}" ]; then
  swift build -c release --scratch-path .build-release --product wangge 2>&1 | tail -1
  swift build -c release --scratch-path .build-release --product wangge-bench 2>&1 | tail -1
fi
BIN=${WANGGE_RELEASE_BIN:-$PWD/.build-release/release/wangge}
BENCH_BIN=$(dirname "$BIN")/wangge-bench

echo "== city and points"
rm -rf "$DIR/city" "$DIR"/synth.sqlite*
$BENCH_BIN city --columns "${COLUMNS:-20}" --rows "${ROWS:-15}" --out "$DIR/city"
for layer in districts streets communities grids compounds; do
  $BIN import "$layer" "$DIR/city/$layer.geojson" --db "$DIR/synth.sqlite" > /dev/null 2>&1
done
$BENCH_BIN assign --db "$DIR/synth.sqlite" --points "$N" --points-csv "$DIR/points.csv" | grep -E "grids:|points written"
$BIN export grids --db "$DIR/synth.sqlite" --out "$DIR/grids.geojson" 2>/dev/null
echo "points.csv: $(wc -l < "$DIR/points.csv") lines, $(du -m "$DIR/points.csv" | cut -f1) MB; first row: $(sed -n 2p "$DIR/points.csv")"
for _ in 1 2 3 4; do tail -n +2 "$DIR/points.csv"; done | sed '1i id,lon,lat' > "$DIR/points4.csv"

HAVE_PG=0
if command -v pg_ctlcluster > /dev/null && [ -e /usr/share/postgresql/15/extension/postgis.control ]; then
  HAVE_PG=1
  STARTED_PG=0
  if ! pg_lsclusters | grep -q "15 *main.*online"; then pg_ctlcluster 15 main start; STARTED_PG=1; fi
  PSQL="su postgres -c"
  $PSQL "psql -q -c 'DROP DATABASE IF EXISTS wangge_bulk'" > /dev/null
  $PSQL "psql -q -c 'CREATE DATABASE wangge_bulk'" > /dev/null
  $PSQL "psql -q -d wangge_bulk -c 'CREATE EXTENSION postgis'" > /dev/null
  $PY - "$DIR/grids.geojson" "$DIR/grids_wkt.csv" <<'PYEOF'
import csv, json, sys
from shapely.geometry import shape
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    for g in json.load(open(sys.argv[1]))["features"]:
        w.writerow([g["id"], shape(g["geometry"]).wkt])
PYEOF
  cat > "$DIR/pg_grids.sql" <<SQL
CREATE TABLE grids_raw (id text, wkt text);
\copy grids_raw FROM '$DIR/grids_wkt.csv' CSV
CREATE TABLE grids AS SELECT id, ST_SetSRID(ST_GeomFromText(wkt), 4326) AS geom FROM grids_raw;
CREATE INDEX ON grids USING gist (geom);
ANALYZE grids;
SQL
  $PSQL "psql -q -d wangge_bulk -f $DIR/pg_grids.sql"
  cat > "$DIR/pg_e2e.sql" <<SQL
CREATE UNLOGGED TABLE e_in (id bigint, lon float8, lat float8);
\copy e_in FROM '$DIR/points.csv' CSV HEADER
CREATE UNLOGGED TABLE e_out AS
  SELECT p.id, g.id AS grid_id FROM (SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM e_in) p
  LEFT JOIN grids g ON ST_Covers(g.geom, p.geom);
\copy e_out TO '$DIR/postgis_out.csv' CSV HEADER
DROP TABLE e_in, e_out;
SQL
  echo "PostgreSQL $($PSQL "psql -tA -d wangge_bulk -c 'SHOW server_version'"), PostGIS $($PSQL "psql -tA -d wangge_bulk -c 'SELECT postgis_lib_version()'")"
fi

rate() { echo "scale=3; $N / $1 / 1000000" | bc; }
for r in $(seq "$ROUNDS"); do
  echo "== round $r"
  /usr/bin/time -f "%e %M" -o "$DIR/time.txt" $BIN assign "$DIR/points.csv" --db "$DIR/synth.sqlite" --out "$DIR/wangge_out.csv" 2> "$DIR/wangge.log"
  read -r T RSS < "$DIR/time.txt"
  echo "wangge assign end to end: $N rows in $T s = $(rate "$T") M rows/s, peak RSS $((RSS / 1024)) MB ($(grep -o 'in [0-9.]* s' "$DIR/wangge.log" | tail -1) after the index build)"
  $PY scripts/bench_assign_duckdb.py "$DIR/grids.geojson" "$DIR/points.csv" "$DIR/duckdb_out.csv"
  $PY scripts/bench_assign_shapely.py "$DIR/grids.geojson" "$DIR/points.csv" | grep "STRtree.query"
  if [ "$HAVE_PG" = 1 ]; then
    t0=$(date +%s.%N); $PSQL "psql -q -d wangge_bulk -f $DIR/pg_e2e.sql"; t1=$(date +%s.%N)
    T=$(echo "$t1 - $t0" | bc)
    echo "PostGIS end to end (\\copy in, ST_Covers join, \\copy out): $N rows in $T s = $(rate "$T") M rows/s"
  fi
done

echo "== memory: the same run on 4x the rows"
/usr/bin/time -f "%e %M" -o "$DIR/time.txt" $BIN assign "$DIR/points4.csv" --db "$DIR/synth.sqlite" --out "$DIR/wangge_out4.csv" 2> /dev/null
read -r T RSS < "$DIR/time.txt"
echo "wangge assign, $((4 * N)) rows: $T s, peak RSS $((RSS / 1024)) MB"

echo "== agreement"
$PY - "$DIR/wangge_out.csv" "$DIR/duckdb_out.csv" ${HAVE_PG:+"$DIR/postgis_out.csv"} <<'PYEOF'
import csv, sys
mine = {r["id"]: set(filter(None, r["candidates"].split(";"))) for r in csv.DictReader(open(sys.argv[1]))}
for path in sys.argv[2:]:
    try:
        rows = csv.DictReader(open(path))
    except FileNotFoundError:
        continue
    theirs = {}
    for r in rows:
        theirs.setdefault(r["id"], set())
        if r["grid_id"]:
            theirs[r["id"]].add(r["grid_id"])
    bad = sum(1 for k in mine if mine[k] != theirs.get(k))
    print(f"wangge vs {path.rsplit('/', 1)[1]}: {len(mine)} points, {bad} covering sets differ")
PYEOF
if [ "$HAVE_PG" = 1 ] && [ "$STARTED_PG" = 1 ]; then pg_ctlcluster 15 main stop; fi
