#!/usr/bin/env python3
"""Network coverage benchmark (issue 10 §6): every compound × category by network distance, on a
generated city at 1× and 10×, `wangge coverage --level compound --method network` against a peer
in the same run: scipy `csgraph.dijkstra` (one multi-source pass per category through a super
source) + shapely 2 `STRtree.query_nearest` snapping (in a local equirectangular plane, foot by `line_locate_point`).

Usage: .venv/bin/python scripts/bench_network.py [--scales 1,10] [--bin .build/release/wangge]
Needs `wangge import network` (issue 10 §1). Timings of wangge come from its own stderr notes:
`read` = store read + graph build + snapping every compound and station; `coverage` = the
Dijkstras and the nearest per compound. The peer's are measured here the same way (its graph
and snapping, then its Dijkstras). Both are checked to agree (median and 99th percentile of
|difference|, and how many differ by more than 1 cm: the peer snaps in a plane, so it is close, not exact).
"""
import argparse
import csv
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from pyproj import Geod
from scipy.sparse import csgraph
import shapely
from shapely.geometry import LineString, Point

GEOD = Geod(ellps="WGS84")
BASE = (114.30, 23.00)
STEP = 0.0008
CATS = ["canteen", "elder_day_care", "health_station", "fitness_station", "after_school", "party_service_station"]


def generate(scale, rng):
    side = int(round(70 * math.sqrt(scale)))
    node = {}
    for i in range(side):
        for j in range(side):
            node[i, j] = (round(BASE[0] + i * STEP + rng.uniform(-1e-4, 1e-4), 7), round(BASE[1] + j * STEP + rng.uniform(-1e-4, 1e-4), 7))
    lines = []
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < side and j + dj < side and rng.random() > 0.05:
                    a, b = node[i, j], node[i + di, j + dj]
                    m = (round((a[0] + b[0]) / 2 + rng.uniform(-3e-5, 3e-5), 7), round((a[1] + b[1]) / 2 + rng.uniform(-3e-5, 3e-5), 7))
                    lines.append([a, m, b])
    compounds = []
    for i in range(side - 1):
        for j in range(side - 1):
            if rng.random() < 0.6:
                x, y = BASE[0] + i * STEP + 0.0003, BASE[1] + j * STEP + 0.0003
                compounds.append((f"C{len(compounds):06d}", x, y))
    n = max(1, int(40 * scale))
    ext = (side - 1) * STEP
    stations = [(f"S{c[:3]}{k:05d}", c, round(BASE[0] + rng.uniform(0, ext), 7), round(BASE[1] + rng.uniform(0, ext), 7))
                for c in CATS for k in range(n)]
    return side, lines, compounds, stations


def write(tmp, side, lines, compounds, stations):
    ext = (side - 1) * STEP
    rect = [[BASE[0] - 0.01, BASE[1] - 0.01], [BASE[0] + ext + 0.01, BASE[1] - 0.01], [BASE[0] + ext + 0.01, BASE[1] + ext + 0.01],
            [BASE[0] - 0.01, BASE[1] + ext + 0.01], [BASE[0] - 0.01, BASE[1] - 0.01]]
    poly = {"type": "Polygon", "coordinates": [rect]}
    grid = "441302007001001"

    def fc(f):
        return {"type": "FeatureCollection", "features": f}

    def feat(p, g):
        return {"type": "Feature", "properties": p, "geometry": g}

    def box(x, y, d=0.0001):
        return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}

    layers = {
        "districts": fc([feat({"id": "441302"}, poly)]),
        "streets": fc([feat({"id": "441302007", "district_id": "441302"}, poly)]),
        "communities": fc([feat({"id": "441302007001", "street_id": "441302007"}, poly)]),
        "grids": fc([feat({"id": grid, "community_id": "441302007001"}, poly)]),
        "compounds": fc([feat({"id": c, "grid_id": grid, "households": 100, "population": 250, "entrance_lon": x, "entrance_lat": y},
                              box(x, y)) for c, x, y in compounds]),
        "stations": fc([feat({"id": s, "category": c}, {"type": "Point", "coordinates": [x, y]}) for s, c, x, y in stations]),
        "network": fc([feat({"highway": "footway"}, {"type": "LineString", "coordinates": l}) for l in lines]),
    }
    paths = {}
    for k, v in layers.items():
        paths[k] = tmp / f"{k}.geojson"
        paths[k].write_text(json.dumps(v))
    return paths


def peer(lines, compounds, stations):
    t0 = time.perf_counter()
    ids = {}
    src, dst, lengths = [], [], []
    for l in lines:
        for p in (l[0], l[-1]):
            ids.setdefault(p, len(ids))
        lons = np.array([p[0] for p in l]); lats = np.array([p[1] for p in l])
        lengths.append(GEOD.line_length(lons, lats))
        src.append(ids[l[0]]); dst.append(ids[l[-1]])
    n = len(ids)
    src, dst, lengths = np.array(src), np.array(dst), np.array(lengths)
    # Snapping in a local metric plane (equirectangular at the city's latitude), as a GIS user would.
    kx, ky = 111320 * math.cos(math.radians(BASE[1])), 110574.0
    geoms = [LineString([(p[0] * kx, p[1] * ky) for p in l]) for l in lines]
    tree = shapely.STRtree(geoms)

    def snap(xy):
        pts = shapely.points(xy * np.array([kx, ky]))
        idx = tree.query_nearest(pts, return_distance=False, all_matches=False)
        e = idx[1][np.argsort(idx[0], kind="stable")]
        frac = shapely.line_locate_point(np.array(geoms, dtype=object)[e], pts, normalized=True)
        feet = shapely.line_interpolate_point(np.array(geoms, dtype=object)[e], frac, normalized=True)
        fx, fy = shapely.get_x(feet) / kx, shapely.get_y(feet) / ky
        access = GEOD.inv(xy[:, 0], xy[:, 1], fx, fy)[2]
        return e, frac * lengths[e], access

    cxy = np.array([(x, y) for _, x, y in compounds])
    sxy = np.array([(x, y) for _, _, x, y in stations])
    ce, coff, cacc = snap(cxy)
    se, soff, sacc = snap(sxy)
    t1 = time.perf_counter()
    out = {}
    scat = np.array([c for _, c, _, _ in stations])
    for cat in CATS:
        k = np.nonzero(scat == cat)[0]
        # A super source n linked to both ends of every station's edge with access + the leg.
        rows = np.concatenate([src, dst, np.full(len(k), n), np.full(len(k), n)])
        cols = np.concatenate([dst, src, src[se[k]], dst[se[k]]])
        w = np.concatenate([lengths, lengths, sacc[k] + soff[k], sacc[k] + lengths[se[k]] - soff[k]])
        g = sp.csr_matrix((w + 1e-12, (rows, cols)), shape=(n + 1, n + 1))
        d = csgraph.dijkstra(g, directed=True, indices=n)
        best = np.minimum(d[src[ce]] + coff, d[dst[ce]] + lengths[ce] - coff)
        # A station on the compound's own edge: the direct walk along it.
        on_edge = {}
        for j in k:
            on_edge.setdefault(se[j], []).append(j)
        for i in np.nonzero(np.isin(ce, list(on_edge)))[0]:
            for j in on_edge[ce[i]]:
                best[i] = min(best[i], sacc[j] + abs(coff[i] - soff[j]))
        out[cat] = best + cacc
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--bin", default=".build/release/wangge")
    a = ap.parse_args()
    print("| city | nodes | edges | compounds | stations | wangge read+snap s | wangge Dijkstras s | wangge total s | peer graph+snap s | peer Dijkstras s | peer total s | median / p99 abs diff m | > 1 cm |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in [int(s) for s in a.scales.split(",")]:
        rng = random.Random(20261130 + scale)
        side, lines, compounds, stations = generate(scale, rng)
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            paths = write(tmp, side, lines, compounds, stations)
            db = tmp / "b.sqlite"
            subprocess.run([a.bin, "seed", "--db", str(db)], check=True, capture_output=True)
            for k in ["districts", "streets", "communities", "grids", "compounds", "stations", "network"]:
                subprocess.run([a.bin, "import", k, str(paths[k]), "--db", str(db)], check=True, capture_output=True)
            out = tmp / "cov.csv"
            t0 = time.perf_counter()
            r = subprocess.run([a.bin, "coverage", "--db", str(db), "--level", "compound", "--tier", "15", "--method", "network",
                                "--categories", ",".join(CATS), "--out", str(out)], check=True, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            read = float(re.search(r"read in ([0-9.]+) s", r.stderr).group(1))
            dij = float(re.search(r"tiers in ([0-9.]+) s", r.stderr).group(1))
            got = {}
            for row in csv.DictReader(out.open()):
                if row["category"] != "all" and row["distance_m"]:
                    got[row["compound_id"], row["category"]] = float(row["distance_m"])
            pg, pd, ref = peer(lines, compounds, stations)
            diffs = [abs(got[c[0], cat] - ref[cat][i]) for cat in CATS for i, c in enumerate(compounds) if (c[0], cat) in got]
            nodes = len({p for l in lines for p in (l[0], l[-1])})
            print(f"| {scale}x | {nodes:,} | {len(lines):,} | {len(compounds):,} | {len(stations):,} | {read:.2f} | {dij:.3f} | "
                  f"{wall:.2f} (process) | {pg:.2f} | {pd:.3f} | {pg + pd:.2f} | {np.median(diffs):.4f} / {np.percentile(diffs, 99):.4f} | "
                  f"{sum(x > 0.01 for x in diffs)} of {len(diffs):,} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
