"""DuckDB side of the bulk benchmark: `read_csv` -> `ST_Covers` join -> `COPY` to CSV, end to end
on the same points file as `wangge assign`, with DuckDB's spatial extension from PyPI installed
offline (DESIGN §5). The grids are loaded into a table first and are not timed.

usage: bench_assign_duckdb.py GRIDS.geojson POINTS.csv OUT.csv"""
import glob
import json
import os
import sys
import time

import duckdb
import duckdb_extension_spatial

grids_path, points_path, out_path = sys.argv[1:4]
con = duckdb.connect()
ext = glob.glob(os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "**", "spatial.duckdb_extension"), recursive=True)[0]
con.execute(f"INSTALL '{ext}'")
con.execute("LOAD spatial")
features = json.load(open(grids_path))["features"]
con.execute("CREATE TABLE grids (id VARCHAR, geom GEOMETRY)")
con.executemany("INSERT INTO grids VALUES (?, ST_GeomFromGeoJSON(?))", [(f["id"], json.dumps(f["geometry"])) for f in features])
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
t0 = time.perf_counter()
con.execute(f"""COPY (SELECT p.id, g.id AS grid_id
                      FROM read_csv('{points_path}', header = true, columns = {{'id': 'BIGINT', 'lon': 'DOUBLE', 'lat': 'DOUBLE'}}) p
                      LEFT JOIN grids g ON ST_Covers(g.geom, ST_Point(p.lon, p.lat)))
                TO '{out_path}' (HEADER, DELIMITER ',')""")
t = time.perf_counter() - t0
n = con.execute(f"SELECT count(*) FROM read_csv('{points_path}', header = true)").fetchone()[0]
print(f"duckdb {duckdb.__version__} + spatial ({threads} threads): read_csv -> ST_Covers join -> COPY of {n} rows in {t:.3f} s = {n / t / 1e6:.3f} M rows/s")
