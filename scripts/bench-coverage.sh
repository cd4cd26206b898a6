#!/usr/bin/env bash
# Reproduces the coverage numbers of docs/PERFORMANCE.md in one run, on the same stores:
#   1. coverage of every compound x category x 3 tiers (5/10/15 min = 300/500/1000 m):
#      `wangge coverage --level compound` (nearest station per compound and category through the
#      station k-NN, then the three flags) vs PostGIS ST_DWithin(geography) with a GiST index;
#   2. uncovered-area polygons for every grid x category x 3 tiers: `wangge coverage --level grid`
#      (geodesic discs, GEOS union + difference through GEOS's C API, ellipsoidal areas; also `all`)
#      vs PostGIS ST_Buffer(geography) + ST_Union + ST_Difference + ST_Area(geography);
#   both at 1x (the sample city) and, if given, 10x.
# Times are the in-process stage times wangge prints (store already open, like PostGIS with its
# tables loaded) and PostGIS's own statement times (\timing), one thread each side... except
# wangge's GEOS stage, which runs on every core (2 here); PostGIS runs one backend.
# Needs (Debian 12, as root): postgresql-15-postgis-3, a Python with shapely 2.
# Usage: scripts/bench-coverage.sh [CITY10_ROOT]   (CITY10_ROOT holds geodata/ and seeds/ of
#        `python3 tools/generate_sample_city.py --scale 10 --out CITY10_ROOT/geodata`)
# Env: BENCH_DIR (default /tmp/wangge-bench-coverage), PYTHON (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/wangge-bench-coverage}
PY=${PYTHON:-.venv/bin/python}
mkdir -p "$DIR"
chmod 1777 "$DIR"
. scripts/bench-common.sh
CATS=party_service_center,party_service_station,canteen,elder_day_care,health_station,fitness_station,after_school,discussion_pavilion

pg_ctlcluster 15 main start 2>/dev/null || true
PSQL="su postgres -c"

bench_city() {  # $1 = label, $2 = store
  local label=$1 db=$2
  echo "== $label: $($BIN coverage --db "$db" --level city --tier 5 --categories canteen 2>&1 >/dev/null | head -1)"
  echo "-- wangge coverage --level compound --tier 5,10,15 (every compound x 8 categories x 3 tiers)"
  # Straight-line flags, as the peer's ST_DWithin (the sample city has a walking network, which
  # would otherwise be the default method).
  $BIN coverage --db "$db" --level compound --method straight-line --tier 5,10,15 --categories $CATS --out "$DIR/wangge_compound.csv" 2>&1 | grep -E "^coverage|rows"
  echo "-- wangge coverage --level grid --tier 5,10,15 (uncovered polygons of every grid x 8 categories + all x 3 tiers)"
  $BIN coverage --db "$db" --level grid --method straight-line --tier 5,10,15 --categories $CATS --out "$DIR/wangge_grid.csv" 2>&1 | grep -E "^coverage|^uncovered areas:.* in |rows"
  echo "-- the same on one core (taskset -c 0): wangge's GEOS stage runs on every core otherwise"
  taskset -c 0 $BIN coverage --db "$db" --level grid --method straight-line --tier 5,10,15 --categories $CATS --out "$DIR/wangge_grid_1core.csv" 2>&1 | grep -E "^uncovered areas:.* in "
  cmp -s "$DIR/wangge_grid.csv" "$DIR/wangge_grid_1core.csv" || echo "!! one core and every core gave different tables"

  for l in compounds grids stations; do $BIN export $l --db "$db" --out "$DIR/$l.geojson" 2>/dev/null; done
  $PY scripts/bench_coverage_load.py "$DIR"
  $PSQL "psql -q -c 'DROP DATABASE IF EXISTS wangge_cov'" >/dev/null
  $PSQL "psql -q -c 'CREATE DATABASE wangge_cov'" >/dev/null
  $PSQL "psql -q -d wangge_cov -c 'CREATE EXTENSION postgis'" >/dev/null
  cat > "$DIR/load.sql" <<SQL
CREATE TABLE c_raw (id text, wkt text, elon float8, elat float8);
\copy c_raw FROM '$DIR/compounds.csv' CSV
CREATE TABLE access AS SELECT id, COALESCE(ST_SetSRID(ST_MakePoint(elon, elat), 4326), ST_Centroid(ST_SetSRID(ST_GeomFromText(wkt), 4326)))::geography AS geog FROM c_raw;
CREATE TABLE g_raw (id text, wkt text);
\copy g_raw FROM '$DIR/grids.csv' CSV
CREATE TABLE grids AS SELECT id, ST_SetSRID(ST_GeomFromText(wkt), 4326) AS geom, ST_SetSRID(ST_GeomFromText(wkt), 4326)::geography AS geog FROM g_raw;
CREATE TABLE s_raw (id text, category text, lon float8, lat float8);
\copy s_raw FROM '$DIR/stations.csv' CSV
CREATE TABLE stations AS SELECT id, category, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM s_raw;
CREATE INDEX ON stations USING gist (geog);
CREATE INDEX ON stations (category);
CREATE INDEX ON grids USING gist (geog);
CREATE TABLE cats AS SELECT unnest(string_to_array('$CATS', ',')) AS code;
CREATE TABLE tiers AS SELECT * FROM (VALUES (5, 300.0), (10, 500.0), (15, 1000.0)) t(minutes, r);
ANALYZE;
SQL
  $PSQL "psql -q -d wangge_cov -f $DIR/load.sql"
  cat > "$DIR/cover.sql" <<SQL
\timing on
CREATE TABLE cov AS SELECT a.id, c.code, t.minutes,
  EXISTS (SELECT 1 FROM stations s WHERE s.category = c.code AND ST_DWithin(s.geog, a.geog, t.r)) AS covered
FROM access a CROSS JOIN cats c CROSS JOIN tiers t;
SQL
  echo "-- PostGIS: every compound x category x tier, EXISTS ST_DWithin(geography) through GiST"
  $PSQL "psql -q -d wangge_cov -f $DIR/cover.sql" | grep Time
  $PSQL "psql -tA -F, -d wangge_cov -c 'SELECT code, minutes, count(*) FILTER (WHERE covered) FROM cov GROUP BY 1, 2 ORDER BY 1, 2'" > "$DIR/postgis_cov.csv"
  # PostGIS's best form we found: each station's buffer once per tier (a GiST-indexed table), then
  # per grid x category x tier the union of the buffers meeting the grid and the difference. At 1x,
  # in one sitting: 15.9 s, against 20.1 s for a correlated ST_Buffer(geography) per grid and
  # station (this script's query until 2026-11-30) and 20.1 s for one city-wide ST_Union per
  # category x tier, ST_Subdivide'd (256 vertices) and GiST-indexed.
  cat > "$DIR/gaps.sql" <<SQL
\\timing on
CREATE TABLE discs AS SELECT s.category, t.minutes, ST_Buffer(s.geog, t.r)::geometry AS geom
  FROM stations s JOIN cats c ON c.code = s.category CROSS JOIN tiers t;
CREATE INDEX ON discs USING gist (geom);
ANALYZE discs;
CREATE TABLE gaps AS SELECT g.id, c.code, t.minutes,
  ST_Area(COALESCE(ST_Difference(g.geom, (SELECT ST_Union(d.geom) FROM discs d
                                           WHERE d.category = c.code AND d.minutes = t.minutes AND d.geom && g.geom
                                             AND ST_Intersects(d.geom, g.geom))), g.geom)::geography) AS uncovered
FROM grids g CROSS JOIN cats c CROSS JOIN tiers t;
SQL
  echo "-- PostGIS: ST_Buffer(geography) per station x tier (GiST), then every grid x category x tier ST_Difference(grid, ST_Union(buffers)) + ST_Area(geography)"
  $PSQL "psql -q -d wangge_cov -f $DIR/gaps.sql" | grep Time | tee "$DIR/postgis_gaps_times.txt"
  awk '{ s += $2 } END { printf "PostGIS uncovered areas in total: %.3f s\n", s / 1000 }' "$DIR/postgis_gaps_times.txt"
  $PSQL "psql -tA -F, -d wangge_cov -c 'SELECT code, minutes, sum(uncovered) FROM gaps GROUP BY 1, 2 ORDER BY 1, 2'" > "$DIR/postgis_gaps.csv"
  $PY - "$DIR" <<'PYEOF'
import csv, sys
from collections import defaultdict
d = sys.argv[1]
cov = defaultdict(int)
for r in csv.DictReader(open(f"{d}/wangge_compound.csv")):
    if r["covered"] == "true" and r["category"] != "all":
        cov[r["category"], int(r["tier_min"])] += 1
bad = [(k, cov[k[0], int(k[1])], int(n)) for k1, k2, n in csv.reader(open(f"{d}/postgis_cov.csv")) for k in [(k1, k2)] if cov[k1, int(k2)] != int(n)]
print(f"covered (compound, category, tier) triples: wangge {sum(cov.values())}, disagreements with PostGIS: {bad[:5] or 'none'}")
unc = defaultdict(float)
for r in csv.DictReader(open(f"{d}/wangge_grid.csv")):
    if r["category"] != "all":
        unc[r["category"], int(r["tier_min"])] += float(r["uncovered_m2"] or 0)
worst = max(abs(unc[c, int(t)] - float(a)) / max(float(a), 1) for c, t, a in csv.reader(open(f"{d}/postgis_gaps.csv")))
tot_w = sum(unc.values()); tot_p = sum(float(a) for _, _, a in csv.reader(open(f"{d}/postgis_gaps.csv")))
print(f"uncovered m2 over all grids, categories, tiers: wangge {tot_w:.0f}, PostGIS {tot_p:.0f} (largest relative gap per category x tier {worst:.4%}; PostGIS buffers are 32-gons)")
PYEOF
}

bench_city "1x sample city" "$DIR/city.sqlite"
if [ -n "${1:-}" ]; then
  rm -f "$DIR"/city10.sqlite*
  $BIN seed --db "$DIR/city10.sqlite" --root "$1" 2>/dev/null
  bench_city "10x city" "$DIR/city10.sqlite"
fi
