#!/usr/bin/env bash
# The OGC API items numbers of docs/PERFORMANCE.md: pages of 1,000 grids from a release
# `wangge serve` against PostGIS writing the same pages with ST_AsGeoJSON, same data, same run.
# Needs (Debian 12, as root): postgresql-15-postgis-3, gdal-bin (ogr2ogr loads PostGIS), python3.
# Usage: scripts/bench-ogc.sh    Env: ROUNDS (default 20), BENCH_DIR (default /tmp/wangge-bench-ogc), PORT (8098)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/wangge-bench-ogc}
PORT=${PORT:-8098}
ROUNDS=${ROUNDS:-20}
PY=${PYTHON:-python3}
mkdir -p "$DIR"
chmod 755 "$DIR"

. scripts/bench-common.sh
$BIN export grids --db "$DIR/city.sqlite" --out "$DIR/grids.geojson"
chmod 644 "$DIR/grids.geojson"

pg_ctlcluster 15 main start 2>/dev/null || true
PSQL="su postgres -c"
$PSQL "psql -q -c 'DROP DATABASE IF EXISTS wangge_bench_ogc'" >/dev/null
$PSQL "psql -q -c 'CREATE DATABASE wangge_bench_ogc'" >/dev/null
$PSQL "psql -q -d wangge_bench_ogc -c 'CREATE EXTENSION postgis'" >/dev/null
echo "$($PSQL "psql -tA -d wangge_bench_ogc -c 'SELECT version()'" | cut -d, -f1); PostGIS $($PSQL "psql -tA -d wangge_bench_ogc -c 'SELECT postgis_lib_version()'")"
# The same rows, in the store's order (ogc_fid follows the export, which follows fid).
$PSQL "ogr2ogr -f PostgreSQL PG:dbname=wangge_bench_ogc $DIR/grids.geojson -nln grids -lco GEOMETRY_NAME=geom -lco FID=ogc_fid -lco SPATIAL_INDEX=GIST -nlt PROMOTE_TO_MULTI"
$PSQL "psql -q -d wangge_bench_ogc -c 'VACUUM ANALYZE grids'"

$BIN serve --db "$DIR/city.sqlite" --port "$PORT" --no-sample >"$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done

echo "== pages of 1000 grids, one client, one connection each"
$PY scripts/bench_ogc.py "http://127.0.0.1:$PORT" wangge_bench_ogc grids --page 1000 --rounds "$ROUNDS"
echo "== the same server code with SpatiaLite's AsGeoJSON writing the stored geometries (WANGGE_ITEMS_GEOJSON=spatialite)"
WANGGE_ITEMS_GEOJSON=spatialite $BIN serve --db "$DIR/city.sqlite" --port "$((PORT + 1))" --no-sample >"$DIR/serve2.log" 2>&1 &
SERVER2=$!
trap 'kill $SERVER $SERVER2 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((PORT + 1))/health" >/dev/null && break; sleep 0.2; done
$PY scripts/bench_ogc.py "http://127.0.0.1:$((PORT + 1))" wangge_bench_ogc grids --page 1000 --rounds "$ROUNDS" --wangge-only \
  --label "wangge, geometry by SpatiaLite AsGeoJSON"
kill $SERVER2
if command -v wrk >/dev/null; then
  echo "== wrk, 1 thread, 4 connections, 10 s: GET /collections/grids/items?limit=1000&offset=1000"
  wrk -t1 -c4 -d10s --latency "http://127.0.0.1:$PORT/collections/grids/items?limit=1000&offset=1000" | grep -E "Requests/sec|Transfer/sec|50%|99%"
fi
