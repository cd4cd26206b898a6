"""Greedy siting (`wangge suggest`) against an exact maximal covering solve (spopt MCLP + CBC).

For one category and tier on a store, and for each p in --counts:
  * `wangge suggest --count p` (compound candidates), wall time of the whole process (store read,
    coverage of the existing stations, candidate sets, greedy, output);
  * the exact MCLP (Church & ReVelle 1974) on the same instance with spopt's MCLP.from_cost_matrix,
    solved by CBC through PuLP: demand = the compounds the existing stations leave uncovered
    (weights = households), facilities = every compound's access point, cost = pyproj geodesic
    (detour 1.0), radius = the tier's; time = the build of the model plus the CBC solve (the cost
    matrix is computed once before, not timed).
Prints one line per p: greedy households, exact households, gap %, both times.
Usage: .venv/bin/python scripts/bench_suggest_exact.py --db STORE --geodata geodata --bin .build/release/wangge
"""
import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pulp
from pyproj import Geod
from shapely.geometry import shape
from spopt.locate import MCLP

GEOD = Geod(ellps="WGS84")
TIERS = {5: 300.0, 10: 500.0, 15: 1000.0}


def access_points(compounds):
    out = []
    for f in compounds["features"]:
        p = f["properties"]
        if p.get("entrance_lon") is not None and p.get("entrance_lat") is not None:
            out.append((p["entrance_lon"], p["entrance_lat"]))
        else:
            c = shape(f["geometry"]).centroid
            out.append((c.x, c.y))
    return np.array(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--geodata", default="geodata")
    ap.add_argument("--bin", default=".build/release/wangge")
    ap.add_argument("--category", default="canteen")
    ap.add_argument("--tier", type=int, default=5)
    ap.add_argument("--counts", default="5,10,20,50")
    a = ap.parse_args()
    r = TIERS[a.tier]
    compounds = json.load(open(Path(a.geodata) / "compounds.geojson"))
    stations = [f["geometry"]["coordinates"] for f in json.load(open(Path(a.geodata) / "stations.geojson"))["features"]
                if f["properties"]["category"] == a.category]
    pts = access_points(compounds)
    hh = np.array([f["properties"].get("households") or 0 for f in compounds["features"]])
    st = np.array(stations)
    covered = np.zeros(len(pts), bool)
    for i, (x, y) in enumerate(pts):
        d = GEOD.inv(np.full(len(st), x), np.full(len(st), y), st[:, 0], st[:, 1])[2]
        covered[i] = d.min() <= r
    demand = np.nonzero(~covered)[0]
    t = time.perf_counter()
    cost = np.empty((len(demand), len(pts)))
    for j, (x, y) in enumerate(pts):
        cost[:, j] = GEOD.inv(np.full(len(demand), x), np.full(len(demand), y), pts[demand, 0], pts[demand, 1])[2]
    print(f"{a.category} tier {a.tier} ({r:.0f} m): {len(pts)} compounds, {covered.sum()} covered by {len(st)} stations "
          f"({hh[covered].sum()} of {hh.sum()} households); demand {len(demand)} x {len(pts)} candidates, "
          f"cost matrix {time.perf_counter() - t:.1f} s (pyproj, untimed below)")
    print("p | greedy households | exact households | gap | wangge suggest (process) | spopt MCLP + CBC")
    for p in map(int, a.counts.split(",")):
        with tempfile.NamedTemporaryFile(suffix=".csv") as out:
            t = time.perf_counter()
            subprocess.run([a.bin, "suggest", "--db", a.db, "--category", a.category, "--tier", str(a.tier), "--count", str(p),
                            "--out", out.name], check=True, capture_output=True)
            tg = time.perf_counter() - t
            lines = Path(out.name).read_text().splitlines()[1:]
        greedy = sum(int(l.split(",")[8]) for l in lines)
        t = time.perf_counter()
        m = MCLP.from_cost_matrix(cost, hh[demand], service_radius=r, p_facilities=p)
        m = m.solve(pulp.PULP_CBC_CMD(msg=False))
        te = time.perf_counter() - t
        assert pulp.LpStatus[m.problem.status] == "Optimal", pulp.LpStatus[m.problem.status]
        exact = int(round(pulp.value(m.problem.objective)))
        gap = (exact - greedy) / exact * 100 if exact else 0.0
        print(f"{p} | {greedy} | {exact} | {gap:.2f} % | {tg:.2f} s | {te:.2f} s")


if __name__ == "__main__":
    main()
