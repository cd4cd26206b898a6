"""shapely 2 side of the assignment benchmark: STRtree bulk query of every point against the grids
with covers semantics (predicate "covered_by": the point is covered by the grid), one thread.
Also writes the grids as CSV (id, WKT) for the PostGIS load when asked.

usage: bench_assign_shapely.py GRIDS.geojson POINTS.csv [GRIDS_WKT.csv]"""
import csv
import json
import sys
import time

import numpy as np
import shapely

grids_path, points_path = sys.argv[1], sys.argv[2]
features = json.load(open(grids_path))["features"]
ids = [f["id"] for f in features]
geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
if len(sys.argv) > 3:
    with open(sys.argv[3], "w", newline="") as f:
        w = csv.writer(f)
        for i, g in zip(ids, geoms):
            w.writerow([i, shapely.to_wkt(g, rounding_precision=-1)])

t0 = time.perf_counter()
tree = shapely.STRtree(geoms)
t_tree = time.perf_counter() - t0

xy = np.loadtxt(points_path, delimiter=",", skiprows=1, usecols=(1, 2))
t0 = time.perf_counter()
points = shapely.points(xy)
t_points = time.perf_counter() - t0

t0 = time.perf_counter()
pi, gi = tree.query(points, predicate="covered_by")
t_query = time.perf_counter() - t0
n = len(xy)
print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}): {len(geoms)} grids, STRtree built in {t_tree:.3f} s")
print(f"shapely points from arrays: {t_points:.3f} s")
print(f"shapely STRtree.query(points, predicate='covered_by'): {n} points in {t_query:.3f} s = {n / t_query / 1e6:.3f} M points/s "
      f"({len(np.unique(pi))} points covered, {len(pi)} pairs)")
