"""GET /assign in WGS84, EPSG:4547 and GCJ-02 on one keep-alive connection each (requests.Session),
the same points in every CRS, rounds interleaved so that drift on a shared machine hits all alike.
Usage: bench_assign_crs.py BASE_URL [REQUESTS_PER_ROUND] [ROUNDS]"""
import random
import statistics
import sys
import time

import requests
from pyproj import Transformer

base = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3

rng = random.Random(7)
points = [(rng.uniform(114.25, 114.55), rng.uniform(22.95, 23.20)) for _ in range(n)]
gk = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)


def gcj02(lon, lat):
    """The published forward formula (inside China), as AMap applies it."""
    import math
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * math.sqrt(magic)) * math.pi)
    dlon = (dlon * 180.0) / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


queries = {
    "wgs84": [f"/assign?lon={x}&lat={y}" for x, y in points],
    "EPSG:4547": ["/assign?lon=%.3f&lat=%.3f&crs=EPSG:4547" % gk.transform(x, y) for x, y in points],
    "gcj02": ["/assign?lon=%.8f&lat=%.8f&crs=gcj02" % gcj02(x, y) for x, y in points],
}
sessions = {k: requests.Session() for k in queries}
# The first request of each: for EPSG:4547 it creates the shared PROJ transformation.
for k, s in sessions.items():
    t = time.perf_counter()
    r = s.get(base + queries[k][0])
    print(f"first request {k}: {(time.perf_counter() - t) * 1e3:.2f} ms (status {r.status_code})")
    assert r.status_code == 200, r.text

times = {k: [] for k in queries}
grids = {k: [] for k in queries}
for rnd in range(rounds):
    for k, s in sessions.items():
        for q in queries[k]:
            t = time.perf_counter()
            r = s.get(base + q)
            times[k].append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
            if rnd == 0:
                grids[k].append((r.json()["properties"]["grid"] or {}).get("id"))

def p99(v):
    return sorted(v)[max(0, int(len(v) * 0.99) - 1)]

print(f"{rounds} rounds x {n} requests per CRS, one keep-alive connection each:")
for k, v in times.items():
    print(f"  {k:10s} median {statistics.median(v) * 1e3:.3f} ms  p99 {p99(v) * 1e3:.3f} ms  mean {statistics.mean(v) * 1e3:.3f} ms")
w = statistics.median(times["wgs84"])
for k in ("EPSG:4547", "gcj02"):
    print(f"  ratio {k} / wgs84 (median): {statistics.median(times[k]) / w:.2f}")
same = sum(a == b for a, b in zip(grids["wgs84"], grids["EPSG:4547"]))
print(f"  same grid in WGS84 and EPSG:4547 for {same} of {n} points")
