"""Exact k-nearest stations with shapely 2 + pyproj, the Python peer of the nearest benchmark.

For each query: an STRtree query of a box of R metres around the point (cos φ accounted for),
pyproj Geod.inv to every candidate, sorted by (distance, id); if fewer than k candidates lie
within R metres the box doubles. Exact: every station within R metres is inside the box, so the k
nearest found within R are the k nearest overall. Checks its answers against wangge's.

usage: bench_nearest_peer.py STATIONS.csv POINTS.csv K N [WANGGE_ANSWERS.csv]"""
import csv
import math
import sys
import time

import numpy as np
import pyproj
import shapely

stations_path, points_path, k, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ids, sx, sy = [], [], []
for r in csv.DictReader(open(stations_path)):
    ids.append(r["id"]); sx.append(float(r["lon"])); sy.append(float(r["lat"]))
sx, sy = np.array(sx), np.array(sy)
pts = np.loadtxt(points_path, delimiter=",", skiprows=1, usecols=(1, 2))[:n]
geod = pyproj.Geod(ellps="WGS84")
t0 = time.perf_counter()
tree = shapely.STRtree(shapely.points(sx, sy))
t_tree = time.perf_counter() - t0
# Start from the radius that holds ~4k stations on average.
area = (sx.max() - sx.min()) * 111_320 * math.cos(math.radians(sy.mean())) * (sy.max() - sy.min()) * 110_574
r0 = math.sqrt(4 * k * area / len(ids) / math.pi)


def nearest(lon, lat):
    r = r0
    while True:
        dlat = r / 110_574
        dlon = r / (111_320 * max(math.cos(math.radians(min(89.9, abs(lat) + dlat))), 1e-6))
        cand = tree.query(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        if len(cand) >= k or r > 2e7:
            _, _, d = geod.inv(np.full(len(cand), lon), np.full(len(cand), lat), sx[cand], sy[cand])
            order = sorted(zip(d, (ids[c] for c in cand)))
            if (len(order) >= k and order[k - 1][0] <= r) or r > 2e7:
                return order[:k]
        r *= 2


t0 = time.perf_counter()
answers = [nearest(lon, lat) for lon, lat in pts]
t = time.perf_counter() - t0
print(f"shapely {shapely.__version__} STRtree + pyproj {pyproj.__version__} Geod.inv, exact k={k}: {len(pts)} queries in {t:.3f} s "
      f"= {t / len(pts) * 1e6:.1f} µs/query (tree built in {t_tree:.3f} s, one thread)")
if len(sys.argv) > 5:
    mine = {}
    for r in csv.DictReader(open(sys.argv[5])):
        mine.setdefault(int(r["id"]), []).append((float(r["distance_m"]), r["station_id"]))
    worst, wrong = 0.0, 0
    for i, a in enumerate(answers):
        b = mine.get(i, [])
        worst = max([worst] + [abs(x[0] - y[0]) for x, y in zip(a, b)])
        # Ids must agree wherever neighbouring distances are 5 cm apart.
        for r, (x, y) in enumerate(zip(a, b)):
            near = [abs(a[r][0] - a[j][0]) <= 0.05 for j in (r - 1, r + 1) if 0 <= j < len(a)]
            if x[1] != y[1] and not any(near):
                wrong += 1
    print(f"wangge vs shapely/pyproj: {len(answers)} queries, {wrong} id disagreements, largest distance difference {worst * 1000:.3f} mm")
