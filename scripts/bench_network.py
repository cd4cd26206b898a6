#!/usr/bin/env python3
"""Network coverage benchmark (issue 10 §6): every compound × category by network distance,
`wangge coverage --level compound --method network` against two peers in the same run, on the same
edges (read back from wangge's store with OGR, so every program walks the very same graph):

* **scipy**: `csgraph.dijkstra` (one multi-source pass per category through a super source linked
  to both ends of every station's edge) + shapely 2 `STRtree.query_nearest` snapping onto the
  edges of components of >= 50 nodes (in a local equirectangular plane, foot by
  `line_locate_point`), edge lengths from pyproj `Geod.line_length`: the same model as wangge's.
* **pandana** (PyPI): `pandana.Network` (contraction hierarchies) over the same edges of components
  of >= 50 nodes, `set_pois` + `nearest_pois(maxdist, num_pois=1)` per category. pandana snaps a
  point to its nearest *node* (not to the foot point on the nearest edge) and adds no access legs,
  and it searches only within `maxdist` (--pandana-maxdist, 3,000 m by default): its answers differ
  from wangge's by design; the table says by how much.

Cases (--cases, comma-separated):
  helsinki   the OpenStreetMap extract Tests/Fixtures/helsinki.osm.pbf imported through
             `wangge import network`; compounds and stations placed on it as
             checks/test_helsinki_network.py places them (seeded RNG), at --helsinki-compounds
             compounds and 6 categories x --helsinki-stations stations;
  1, 10, ... a generated street-lattice city at that scale (70 x 70 junctions ~85 m apart at 1x);
  sample     the bundled sample city, `wangge seed`;
  sample10   the 10x sample city written by `tools/generate_sample_city.py --scale 10 --out DIR`
             (pass DIR as --sample10; seeded from it).

Usage: .venv/bin/python scripts/bench_network.py [--cases helsinki,1,10,sample,sample10]
          [--bin .build/release/wangge] [--sample10 DIR] [--rounds 3]
Timings of wangge come from its own stderr notes: `read` = store read + graph build + snapping
every compound and station; `coverage` = the Dijkstras and the nearest per compound; `process` =
the whole `wangge coverage` process (start, read, compute, CSV written). The peers' are measured
here the same way (graph + snapping, then the per-category passes); they start from edges,
compounds and stations already in Python lists (no store read). Each figure is the median of
--rounds runs.
"""
import argparse
import csv
import json
import math
import os
import random
import re
import shutil
import statistics
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
from shapely.geometry import LineString, box, shape

REPO = Path(__file__).resolve().parent.parent
GEOD = Geod(ellps="WGS84")
BASE = (114.30, 23.00)
STEP = 0.0008
CATS = ["canteen", "elder_day_care", "health_station", "fitness_station", "after_school", "party_service_station"]
MIN_NODES = 50
PBF = REPO / "Tests" / "Fixtures" / "helsinki.osm.pbf"


def run(*args):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True)


# ---------------------------------------------------------------- cases

def lattice(scale, rng):
    """Street lattice city: lines (already split at junctions), compounds (id, x, y, None), stations."""
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
                compounds.append((f"C{len(compounds):06d}", box(x, y, x + 0.0001, y + 0.0001), (x, y)))
    n = max(1, int(40 * scale))
    ext = (side - 1) * STEP
    stations = [(f"S{c[:3]}{k:05d}", c, round(BASE[0] + rng.uniform(0, ext), 7), round(BASE[1] + rng.uniform(0, ext), 7))
                for c in CATS for k in range(n)]
    return lines, compounds, stations


def offset(p, metres, azimuth):
    lon, lat, _ = GEOD.fwd(p[0], p[1], azimuth, metres)
    return (round(lon, 7), round(lat, 7))


def helsinki_place(edges, rng, n_compounds, per_cat):
    """As checks/test_helsinki_network.py places them: stations 0-40 m from a random point of a
    random street of the big component, compounds (30-90 m boxes) 20-80 m from one, half with an
    entrance on their south side, half measured from their centroid."""
    allowed = allowed_edges(edges)
    big = [k for k in range(len(edges)) if allowed[k]]

    def on_street():
        line = edges[rng.choice(big)][2]
        i = rng.randrange(len(line) - 1)
        a, b, t = line[i], line[i + 1], rng.random()
        return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)

    stations = [(f"S-{cat[:3]}{k:03d}", cat, *offset(on_street(), rng.uniform(0, 40), rng.uniform(0, 360)))
                for cat in CATS for k in range(per_cat)]
    compounds = []
    for k in range(n_compounds):
        c = offset(on_street(), rng.uniform(20, 80), rng.uniform(0, 360))
        w, h = rng.uniform(30, 90), rng.uniform(30, 90)
        dlon, dlat = w / (111320 * math.cos(math.radians(c[1]))), h / 110574
        poly = box(round(c[0] - dlon / 2, 7), round(c[1] - dlat / 2, 7), round(c[0] + dlon / 2, 7), round(c[1] + dlat / 2, 7))
        gate = (round(c[0], 7), round(c[1] - dlat / 2, 7)) if k % 2 == 0 else None
        compounds.append((f"C{k + 1:05d}", poly, gate))
    return compounds, stations


def write_layers(tmp, bounds, compounds, stations, lines=None):
    everything = box(*bounds)

    def fc(f):
        return {"type": "FeatureCollection", "features": f}

    def feat(p, g):
        return {"type": "Feature", "properties": p, "geometry": g if isinstance(g, dict) else shapely.geometry.mapping(g)}

    grid = "441302007001001"
    layers = {
        "districts": fc([feat({"id": "441302"}, everything)]),
        "streets": fc([feat({"id": "441302007", "district_id": "441302"}, everything)]),
        "communities": fc([feat({"id": "441302007001", "street_id": "441302007"}, everything)]),
        "grids": fc([feat({"id": grid, "community_id": "441302007001"}, everything)]),
        "compounds": fc([feat({"id": cid, "grid_id": grid, "households": 100, "population": 250,
                               "entrance_lon": e[0] if e else None, "entrance_lat": e[1] if e else None}, poly)
                         for cid, poly, e in compounds]),
        "stations": fc([feat({"id": s, "category": c}, {"type": "Point", "coordinates": [x, y]}) for s, c, x, y in stations]),
    }
    if lines is not None:
        layers["network"] = fc([feat({"highway": "footway"}, {"type": "LineString", "coordinates": l}) for l in lines])
    paths = {}
    for k, v in layers.items():
        paths[k] = tmp / f"{k}.geojson"
        paths[k].write_text(json.dumps(v))
    return paths


def store_edges(binary, db):
    """(source_node, target_node, [(lon, lat), ...]) of every edge of the store, by OGR."""
    out = run("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", db, "network_edges").stdout
    return [(f["properties"]["source_node"], f["properties"]["target_node"], [tuple(c) for c in f["geometry"]["coordinates"]])
            for f in json.loads(out)["features"]]


def read_geojson_city(folder):
    """Compounds (id, polygon, entrance or None) and stations (id, category, lon, lat) of a sample-city folder."""
    comp = []
    for f in json.loads((folder / "compounds.geojson").read_text())["features"]:
        p = f["properties"]
        e = (p["entrance_lon"], p["entrance_lat"]) if p.get("entrance_lon") is not None and p.get("entrance_lat") is not None else None
        comp.append((p["id"], shape(f["geometry"]), e))
    st = [(f["properties"]["id"], f["properties"]["category"], *f["geometry"]["coordinates"][:2])
          for f in json.loads((folder / "stations.geojson").read_text())["features"]]
    return comp, st


def build_case(name, a, tmp):
    """A store at tmp/b.sqlite and the case's (compounds, stations, categories)."""
    db = tmp / "b.sqlite"
    if name == "helsinki":
        run(a.bin, "import", "network", PBF, "--db", db)
        edges = store_edges(a.bin, db)
        compounds, stations = helsinki_place(edges, random.Random(20261130), a.helsinki_compounds, a.helsinki_stations)
        lons = [c[0] for e in edges for c in e[2]]
        lats = [c[1] for e in edges for c in e[2]]
        paths = write_layers(tmp, (min(lons) - 0.01, min(lats) - 0.01, max(lons) + 0.01, max(lats) + 0.01), compounds, stations)
        for k in ["districts", "streets", "communities", "grids", "compounds", "stations"]:
            run(a.bin, "import", k, paths[k], "--db", db)
        return db, compounds, stations, CATS
    if name in ("sample", "sample10"):
        if name == "sample":
            root = REPO
        else:
            if not a.sample10:
                raise SystemExit("sample10 needs --sample10 DIR (tools/generate_sample_city.py --scale 10 --out DIR)")
            root = tmp / "root"
            root.mkdir()
            os.symlink(Path(a.sample10).resolve(), root / "geodata")
            os.symlink(REPO / "seeds", root / "seeds")
        run(a.bin, "seed", "--db", db, "--root", root)
        compounds, stations = read_geojson_city(root / "geodata")
        return db, compounds, stations, sorted({s[1] for s in stations})
    scale = int(name)
    lines, compounds, stations = lattice(scale, random.Random(20261130 + scale))
    side = int(round(70 * math.sqrt(scale)))
    ext = (side - 1) * STEP
    paths = write_layers(tmp, (BASE[0] - 0.01, BASE[1] - 0.01, BASE[0] + ext + 0.01, BASE[1] + ext + 0.01), compounds, stations, lines)
    run(a.bin, "seed", "--db", db)
    for k in ["districts", "streets", "communities", "grids", "compounds", "stations", "network"]:
        run(a.bin, "import", k, paths[k], "--db", db)
    return db, compounds, stations, CATS


# ---------------------------------------------------------------- peers

def allowed_edges(edges):
    """Whether each edge lies on a connected component of >= MIN_NODES nodes (the snapping rule)."""
    ids = {}
    for u, v, _ in edges:
        ids.setdefault(u, len(ids)); ids.setdefault(v, len(ids))
    s = np.array([ids[u] for u, _, _ in edges]); t = np.array([ids[v] for _, v, _ in edges])
    g = sp.csr_matrix((np.ones(len(edges)), (s, t)), shape=(len(ids), len(ids)))
    _, label = csgraph.connected_components(g, directed=False)
    size = np.bincount(label)
    return size[label[s]] >= MIN_NODES


def csr_min(rows, cols, w, n):
    """A CSR matrix keeping the least weight of repeated (row, col) pairs: scipy would sum them
    (parallel edges, or two stations entering at the same node), which is not a walk."""
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    # + 1e-12: an explicit zero weight would read as "no arc" in a sparse matrix.
    return sp.csr_matrix((w[first] + 1e-12, (rows[first], cols[first])), shape=(n, n))


def access_points(compounds):
    return np.array([e if e is not None else (poly.centroid.x, poly.centroid.y) for _, poly, e in compounds])


def plane(edges):
    lat0 = float(np.mean([e[2][0][1] for e in edges]))
    return 111320 * math.cos(math.radians(lat0)), 110574.0


def scipy_peer(edges, compounds, stations, cats):
    t0 = time.perf_counter()
    ids = {}
    for u, v, _ in edges:
        ids.setdefault(u, len(ids)); ids.setdefault(v, len(ids))
    n = len(ids)
    src = np.array([ids[u] for u, _, _ in edges]); dst = np.array([ids[v] for _, v, _ in edges])
    lengths = np.array([GEOD.line_length([p[0] for p in l], [p[1] for p in l]) for _, _, l in edges])
    allowed = np.nonzero(allowed_edges(edges))[0]
    kx, ky = plane(edges)
    geoms = np.array([LineString([(p[0] * kx, p[1] * ky) for p in edges[k][2]]) for k in allowed], dtype=object)
    tree = shapely.STRtree(geoms)

    def snap(xy):
        pts = shapely.points(xy * np.array([kx, ky]))
        idx = tree.query_nearest(pts, return_distance=False, all_matches=False)
        local = idx[1][np.argsort(idx[0], kind="stable")]
        frac = shapely.line_locate_point(geoms[local], pts, normalized=True)
        feet = shapely.line_interpolate_point(geoms[local], frac, normalized=True)
        fx, fy = shapely.get_x(feet) / kx, shapely.get_y(feet) / ky
        e = allowed[local]
        return e, frac * lengths[e], GEOD.inv(xy[:, 0], xy[:, 1], fx, fy)[2]

    ce, coff, cacc = snap(access_points(compounds))
    se, soff, sacc = snap(np.array([(x, y) for _, _, x, y in stations]))
    t1 = time.perf_counter()
    out = {}
    scat = np.array([c for _, c, _, _ in stations])
    for cat in cats:
        k = np.nonzero(scat == cat)[0]
        rows = np.concatenate([src, dst, np.full(len(k), n), np.full(len(k), n)])
        cols = np.concatenate([dst, src, src[se[k]], dst[se[k]]])
        w = np.concatenate([lengths, lengths, sacc[k] + soff[k], sacc[k] + lengths[se[k]] - soff[k]])
        d = csgraph.dijkstra(csr_min(rows, cols, w, n + 1), directed=True, indices=n)
        best = np.minimum(d[src[ce]] + coff, d[dst[ce]] + lengths[ce] - coff)
        on_edge = {}
        for j in k:  # a station on the compound's own edge: the direct walk along it
            on_edge.setdefault(se[j], []).append(j)
        for i in np.nonzero(np.isin(ce, list(on_edge)))[0]:
            for j in on_edge[ce[i]]:
                best[i] = min(best[i], sacc[j] + abs(coff[i] - soff[j]))
        out[cat] = best + cacc
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, out


def pandana_peer(edges, compounds, stations, cats, maxdist):
    import pandas as pd
    import pandana
    t0 = time.perf_counter()
    keep = allowed_edges(edges)
    ids, xy = {}, []
    for k, (u, v, l) in enumerate(edges):
        if keep[k]:
            for node, p in ((u, l[0]), (v, l[-1])):
                if node not in ids:
                    ids[node] = len(ids); xy.append(p)
    kx, ky = plane(edges)
    xy = np.array(xy) * np.array([kx, ky])
    kept = [e for k, e in enumerate(edges) if keep[k]]
    nodes = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})
    frm = pd.Series([ids[u] for u, _, _ in kept]); to = pd.Series([ids[v] for _, v, _ in kept])
    w = pd.DataFrame({"m": [GEOD.line_length([p[0] for p in l], [p[1] for p in l]) for _, _, l in kept]})
    net = pandana.Network(nodes["x"], nodes["y"], frm, to, w, twoway=True)
    cxy = access_points(compounds) * np.array([kx, ky])
    cnode = net.get_node_ids(pd.Series(cxy[:, 0]), pd.Series(cxy[:, 1])).values
    t1 = time.perf_counter()
    out = {}
    scat = np.array([c for _, c, _, _ in stations])
    sxy = np.array([(x, y) for _, _, x, y in stations]) * np.array([kx, ky])
    for cat in cats:
        k = np.nonzero(scat == cat)[0]
        net.set_pois(cat, maxdist, 1, pd.Series(sxy[k, 0]), pd.Series(sxy[k, 1]))
        d = net.nearest_pois(maxdist, cat, num_pois=1)[1]
        out[cat] = d.loc[cnode].values
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, out


# ---------------------------------------------------------------- main

def wangge_coverage(a, db, cats, out):
    t0 = time.perf_counter()
    r = run(a.bin, "coverage", "--db", db, "--level", "compound", "--tier", "15", "--method", "network",
            "--categories", ",".join(cats), "--out", out)
    wall = time.perf_counter() - t0
    read = float(re.search(r"read in ([0-9.]+) s", r.stderr).group(1))
    dij = float(re.search(r"tiers in ([0-9.]+) s", r.stderr).group(1))
    return read, dij, wall


def quiet(f, *args):
    """pandana prints its contraction progress on stdout (from C++): keep the table readable."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            return f(*args)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="helsinki,1,10,sample,sample10")
    ap.add_argument("--scales", help="old spelling of --cases for lattice cities only")
    ap.add_argument("--bin", default=".build/release/wangge")
    ap.add_argument("--sample10", help="folder written by tools/generate_sample_city.py --scale 10 --out")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--helsinki-compounds", type=int, default=2000)
    ap.add_argument("--helsinki-stations", type=int, default=30, help="stations per category (6 categories)")
    ap.add_argument("--pandana-maxdist", type=float, default=3000.0)
    ap.add_argument("--no-pandana", action="store_true")
    a = ap.parse_args()
    a.bin = str(Path(a.bin).resolve())
    cases = (a.scales or a.cases).split(",")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()}; median of {a.rounds} rounds")
    print("| case | nodes | edges | compounds | stations × categories | wangge read+graph+snap | wangge Dijkstras | wangge total (process) "
          "| scipy graph+snap | scipy Dijkstras | scipy total | pandana network+snap | pandana nearest_pois | pandana total "
          "| wangge − scipy median / p99 \\|diff\\| m (> 1 cm) | wangge − pandana median / p99 \\|diff\\| m |")
    print("|" + "---|" * 16)
    for name in cases:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            db, compounds, stations, cats = build_case(name, a, tmp)
            edges = store_edges(a.bin, db)
            out = tmp / "cov.csv"
            w = [wangge_coverage(a, db, cats, out) for _ in range(a.rounds)]
            got = {}
            for row in csv.DictReader(out.open()):
                if row["category"] != "all" and row["distance_m"]:
                    got[row["compound_id"], row["category"]] = float(row["distance_m"])
            s = [scipy_peer(edges, compounds, stations, cats) for _ in range(a.rounds)]
            ref = s[-1][2]
            diffs = np.array([abs(got[c[0], cat] - ref[cat][i]) for cat in cats for i, c in enumerate(compounds)
                              if (c[0], cat) in got and math.isfinite(ref[cat][i])])
            missing = sum(1 for cat in cats for i, c in enumerate(compounds) if ((c[0], cat) in got) != math.isfinite(ref[cat][i]))
            med = lambda xs: statistics.median(xs)
            wr, wd, ww = med([x[0] for x in w]), med([x[1] for x in w]), med([x[2] for x in w])
            sg, sd = med([x[0] for x in s]), med([x[1] for x in s])
            pcol = "– | – | – | –"
            if not a.no_pandana:
                p = [quiet(pandana_peer, edges, compounds, stations, cats, a.pandana_maxdist) for _ in range(a.rounds)]
                pg, pq = med([x[0] for x in p]), med([x[1] for x in p])
                pref = p[-1][2]
                pd_ = np.array([abs(got[c[0], cat] - pref[cat][i]) for cat in cats for i, c in enumerate(compounds)
                                if (c[0], cat) in got and pref[cat][i] < a.pandana_maxdist])
                pcol = (f"{pg:.3f} | {pq:.3f} | {pg + pq:.3f} | "
                        f"{np.median(pd_):.1f} / {np.percentile(pd_, 99):.1f}")
            nodes = len({n for u, v, _ in edges for n in (u, v)})
            per = f"{len(stations):,} × {len(cats)}"
            print(f"| {name} | {nodes:,} | {len(edges):,} | {len(compounds):,} | {per} | {wr:.3f} | {wd:.3f} | {wr + wd:.3f} ({ww:.2f}) | "
                  f"{sg:.3f} | {sd:.3f} | {sg + sd:.3f} | {pcol.rsplit(' | ', 1)[0]} | "
                  f"{np.median(diffs):.4f} / {np.percentile(diffs, 99):.4f} ({int((diffs > 0.01).sum()):,} of {len(diffs):,}"
                  f"{f'; {missing} reached by one only' if missing else ''}) | {pcol.rsplit(' | ', 1)[1]} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
