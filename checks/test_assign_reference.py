"""Point in grid through the real binary, against an independent reference (shapely 2 / GEOS).

A city is generated here (not by wangge) with the hard cases: jagged grids whose neighbours share
identical vertices, points exactly on shared vertices and along shared edges, points at a vertex's
latitude, a grid with a hole filled by an enclave grid, an unfilled hole, a multipolygon grid with
an exclave, points on the city's outer edge, far away (poles, +-180). It is imported with
`wangge import`, assigned with `wangge assign`, and compared with shapely's covers:

* away from boundaries: zero disagreements on the grid;
* on a boundary: boundary is true, the primary grid is one of shapely's covering grids, and
  candidates is exactly the covering set;
* outside every grid: no grid, and the nearest grid with its distance, checked in a local
  equidistant projection (pyproj) for points near the city.

The binary is $WANGGE_BIN (default .build/debug/wangge).
"""
import csv
import json
import math
import os
import random
import subprocess
from pathlib import Path

import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, mapping

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))

U = 1.0 / 4096  # lattice coordinates are multiples of U: midpoints of lattice edges are exact
BASE = (114.5, 22.75)
COLS, ROWS, STEP = 16, 12, 16  # lattice cells of STEP units (~430 m)


def wangge(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=REPO)


def generate_city(rng):
    """Grids on a jittered lattice. Horizontal lattice edges get dyadic jagged vertices (so their
    midpoints are exactly on the edge), vertical ones get 7-decimal vertices like real data."""
    def xy(u, v):
        return (BASE[0] + u * U, BASE[1] + v * U)

    corner = {}
    for i in range(COLS + 1):
        for j in range(ROWS + 1):
            inner = 0 < i < COLS and 0 < j < ROWS
            du, dv = (rng.randint(-2, 2), rng.randint(-2, 2)) if inner else (0, 0)
            corner[i, j] = xy(i * STEP + du, j * STEP + dv)

    hedge, vedge = {}, {}  # interior vertices of each lattice edge, from the lower corner on
    for i in range(COLS):
        for j in range(ROWS + 1):
            a, b = corner[i, j], corner[i + 1, j]
            if j in (0, ROWS):
                hedge[i, j] = [((a[0] + b[0]) / 2, a[1])]
            else:
                ua, va = round((a[0] - BASE[0]) / U), round((a[1] - BASE[1]) / U)
                ub, vb = round((b[0] - BASE[0]) / U), round((b[1] - BASE[1]) / U)
                hedge[i, j] = [xy(ua + (ub - ua) // 3, (va + (vb - va) // 3) + rng.randint(-1, 1)),
                               xy(ua + 2 * (ub - ua) // 3, (va + 2 * (vb - va) // 3) + rng.randint(-1, 1))]
    for i in range(COLS + 1):
        for j in range(ROWS):
            a, b = corner[i, j], corner[i, j + 1]
            if i in (0, COLS):
                vedge[i, j] = [(a[0], (a[1] + b[1]) / 2)]
            else:
                vedge[i, j] = [(round(a[0] + (b[0] - a[0]) * t + rng.uniform(-1, 1) * U, 7), round(a[1] + (b[1] - a[1]) * t, 7))
                               for t in (0.3, 0.55, 0.8)]

    def cell_ring(i, j):
        ring = [corner[i, j], *hedge[i, j], corner[i + 1, j], *vedge[i + 1, j], corner[i + 1, j + 1],
                *reversed(hedge[i, j + 1]), corner[i, j + 1], *reversed(vedge[i, j]), corner[i, j]]
        return ring

    def square(cu, cv, half):
        return [xy(cu - half, cv - half), xy(cu + half, cv - half), xy(cu + half, cv + half),
                xy(cu - half, cv + half), xy(cu - half, cv - half)]

    cells = {(i, j): Polygon(cell_ring(i, j)) for i in range(COLS) for j in range(ROWS)}
    for c, poly in cells.items():
        assert poly.is_valid, (c, shapely.is_valid_reason(poly))
    # Pairs of cells merged into one grid (the shared edge disappears, vertices stay identical).
    owner = {c: c for c in cells}
    for j in range(0, ROWS, 3):
        for i in range(0, COLS - 1, 4):
            owner[i + 1, j] = (i, j)
    groups = {}
    for c, o in owner.items():
        groups.setdefault(o, []).append(c)

    def centre_units(c):
        return c[0] * STEP + STEP // 2, c[1] * STEP + STEP // 2

    hole_cell, lake_cell, exclave_host, exclave_owner = (3, 4), (9, 7), (12, 2), (5, 9)
    extra = {}
    grids = {}
    for o, members in sorted(groups.items()):
        geom = shapely.union_all([cells[c] for c in members]) if len(members) > 1 else cells[members[0]]
        assert geom.geom_type == "Polygon" and geom.is_valid
        holes = []
        if hole_cell in members:
            holes.append(square(*centre_units(hole_cell), 3))
        if lake_cell in members:
            holes.append(square(*centre_units(lake_cell), 2))
        if exclave_host in members:
            holes.append(square(*centre_units(exclave_host), 3))
        geom = Polygon(geom.exterior.coords, holes)
        if exclave_owner in members:
            geom = MultiPolygon([geom, Polygon(square(*centre_units(exclave_host), 3))])
        grids[o] = geom
    extra["enclave"] = Polygon(square(*centre_units(hole_cell), 3))
    ids = {}
    out = []
    for n, (o, geom) in enumerate(sorted(grids.items())):
        community = "441302007%03d" % (o[0] // 4 + 1)
        gid = community + "%03d" % (n + 1)
        ids[o] = gid
        out.append((gid, community, geom))
    enclave_id = "441302007%03d" % (hole_cell[0] // 4 + 1) + "999"
    out.append((enclave_id, enclave_id[:12], extra["enclave"]))
    for _, _, g in out:
        assert g.is_valid, shapely.is_valid_reason(g)
    # Exact tiling check: the grids cover the lattice minus the lake, without overlaps.
    total = sum(g.area for _, _, g in out)
    assert abs(total - shapely.union_all([g for _, _, g in out]).area) < 1e-12
    meta = dict(corners=list(corner.values()), hedge=hedge, vedge=vedge, holes=dict(
        enclave=xy(*centre_units(hole_cell)), lake=xy(*centre_units(lake_cell)), exclave=xy(*centre_units(exclave_host))))
    return out, meta


def write_layers(tmp, grids):
    minx, miny, maxx, maxy = shapely.union_all([g for _, _, g in grids]).bounds
    rect = mapping(shapely.box(minx - 0.01, miny - 0.01, maxx + 0.01, maxy + 0.01))

    def fc(features):
        return {"type": "FeatureCollection", "features": features}

    def feat(props, geom):
        return {"type": "Feature", "properties": props, "geometry": geom}

    communities = sorted({c for _, c, _ in grids})
    layers = {
        "districts": fc([feat({"id": "441302", "name": "惠城区"}, rect)]),
        "streets": fc([feat({"id": "441302007", "name": "江北街道", "district_id": "441302"}, rect)]),
        "communities": fc([feat({"id": c, "name": "社区" + c[-3:], "street_id": "441302007"}, rect) for c in communities]),
        "grids": fc([feat({"id": gid, "name": "网格" + gid[-6:], "community_id": c, "worker_name": "李" + gid[-2:]},
                          mapping(shapely.geometry.polygon.orient(g) if g.geom_type == "Polygon" else g))
                     for gid, c, g in grids]),
    }
    paths = {}
    for name, obj in layers.items():
        p = tmp / f"{name}.geojson"
        p.write_text(json.dumps(obj))  # json writes floats with repr: exact round trip
        paths[name] = p
    return paths


def hard_points(rng, grids, meta):
    pts = []  # (kind, lon, lat)
    for c in meta["corners"]:
        pts.append(("vertex", *c))
    for (i, j), vs in meta["hedge"].items():
        for v in vs:
            pts.append(("vertex", *v))
    for (i, j), vs in meta["vedge"].items():
        for v in vs:
            pts.append(("vertex", *v))
    # Exactly on shared edges: midpoints of dyadic segments (every horizontal lattice edge and the
    # outer edge) are exactly representable and exactly collinear.
    for _, _, g in grids:
        polys = g.geoms if g.geom_type == "MultiPolygon" else [g]
        for poly in polys:
            for ring in [poly.exterior, *poly.interiors]:
                cs = list(ring.coords)
                for a, b in zip(cs, cs[1:]):
                    m = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
                    pts.append(("edge", *m))
    # At a vertex's latitude (the crossing-number ray passes through vertices).
    minx, miny, maxx, maxy = shapely.union_all([g for _, _, g in grids]).bounds
    for c in rng.sample(meta["corners"], 150):
        pts.append(("vertex-latitude", rng.uniform(minx - 0.01, maxx + 0.01), c[1]))
        pts.append(("vertex-longitude", c[0], rng.uniform(miny - 0.01, maxy + 0.01)))
    for name, (x, y) in meta["holes"].items():
        for _ in range(20):
            pts.append((name, x + rng.uniform(-1.5, 1.5) * U, y + rng.uniform(-1.5, 1.5) * U))
    for _ in range(20_000):
        pts.append(("random", rng.uniform(minx - 0.004, maxx + 0.004), rng.uniform(miny - 0.004, maxy + 0.004)))
    for lon, lat in [(0, 90), (0, -90), (180, 0), (-180, 0), (180, 22.9), (-180, -22.9), (179.9999999, 89.9999999),
                     (0, 0), (114.6, 60), (-65.5, -30), (114.6, 22.0)]:
        pts.append(("far", float(lon), float(lat)))
    return pts


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("assign-ref")
    rng = random.Random(20261122)
    grids, meta = generate_city(rng)
    paths = write_layers(tmp, grids)
    db = tmp / "ref.sqlite"
    for name in ["districts", "streets", "communities", "grids"]:
        wangge("import", name, str(paths[name]), "--db", str(db))
    pts = hard_points(rng, grids, meta)
    points_csv = tmp / "points.csv"
    with points_csv.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat", "kind"])
        for k, (kind, lon, lat) in enumerate(pts):
            w.writerow([f"p{k}", repr(lon), repr(lat), kind])
    return dict(tmp=tmp, db=db, grids=grids, points=pts, points_csv=points_csv)


def shapely_covering(grids, pts):
    geoms = [g for _, _, g in grids]
    tree = shapely.STRtree(geoms)
    points = shapely.points([(p[1], p[2]) for p in pts])
    pi, gi = tree.query(points, predicate="intersects")
    cover = [set() for _ in pts]
    boundary = [False] * len(pts)
    for a, b in zip(pi, gi):
        g, pt = geoms[b], points[a]
        if g.covers(pt):
            cover[a].add(grids[b][0])
            if g.boundary.intersects(pt):
                boundary[a] = True
    return cover, boundary


def test_assign_agrees_with_shapely_everywhere(city):
    out = city["tmp"] / "assigned.csv"
    r = wangge("assign", str(city["points_csv"]), "--db", str(city["db"]), "--out", str(out), "--nearest")
    assert "skipped 0 bad row(s)" in r.stderr, r.stderr
    rows = list(csv.DictReader(out.open()))
    pts = city["points"]
    assert len(rows) == len(pts)
    cover, on_boundary = shapely_covering(city["grids"], pts)

    interior_disagreements, boundary_disagreements = [], []
    kinds_on_boundary = {}
    for k, (row, (kind, lon, lat)) in enumerate(zip(rows, pts)):
        assert row["id"] == f"p{k}"
        cands = set(filter(None, row["candidates"].split(";")))
        mine_boundary = row["boundary"] == "true"
        if on_boundary[k] or mine_boundary:
            kinds_on_boundary[kind] = kinds_on_boundary.get(kind, 0) + 1
            ok = (mine_boundary == on_boundary[k] and cands == cover[k] and row["grid_id"] in cover[k]
                  and row["grid_id"] == min(cover[k]))
            if not ok:
                boundary_disagreements.append((kind, lon, lat, row, sorted(cover[k])))
        else:
            expected = next(iter(cover[k])) if cover[k] else ""
            if len(cover[k]) > 1 or row["grid_id"] != expected or cands != cover[k]:
                interior_disagreements.append((kind, lon, lat, row, sorted(cover[k])))
        if not cover[k]:
            assert row["grid_id"] == "" and row["nearest_grid_id"] != "", row
    assert interior_disagreements == [], interior_disagreements[:5]
    assert boundary_disagreements == [], boundary_disagreements[:5]
    # The hard cases were really exercised.
    assert kinds_on_boundary.get("vertex", 0) > 500 and kinds_on_boundary.get("edge", 0) > 1000, kinds_on_boundary
    shared = sum(1 for c in cover if len(c) >= 2)
    assert shared > 1000
    by_kind = {kind: [rows[k]["grid_id"] for k, p in enumerate(pts) if p[0] == kind] for kind in ("enclave", "lake", "exclave")}
    assert all(g.endswith("999") for g in by_kind["enclave"])
    assert all(g == "" for g in by_kind["lake"])
    assert len(set(by_kind["exclave"])) == 1 and by_kind["exclave"][0] != ""


def test_nearest_grid_outside_is_geodesically_nearest(city):
    """Outside every grid: the nearest grid and its geodesic distance, checked in an azimuthal
    equidistant projection centred on each point (distances from the centre are exact geodesics
    there, and the boundary is densified so the projected edges bend as they should)."""
    out = city["tmp"] / "assigned.csv"
    if not out.exists():
        wangge("assign", str(city["points_csv"]), "--db", str(city["db"]), "--out", str(out), "--nearest")
    rows = list(csv.DictReader(out.open()))
    pts = city["points"]
    outside = [k for k, row in enumerate(rows) if row["grid_id"] == "" and pts[k][0] in ("random", "lake")]
    rng = random.Random(5)
    sample = rng.sample(outside, min(40, len(outside)))
    geod = Geod(ellps="WGS84")
    for k in sample:
        _, lon, lat = pts[k]
        t = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84", always_xy=True)
        dist = {}
        # Only grids that could be nearest: within twice the nearest distance in degrees plus slack.
        here = Point(lon, lat)
        deg = {gid: shapely.distance(here, g) for gid, _, g in city["grids"]}
        cutoff = 2 * min(deg.values()) + 0.002
        for gid, _, g in city["grids"]:
            if deg[gid] > cutoff:
                continue
            dense = shapely.segmentize(g.boundary, max_segment_length=U / 64)
            coords = shapely.get_coordinates(dense)
            x, y = t.transform(coords[:, 0], coords[:, 1])
            dist[gid] = shapely.distance(Point(0, 0), shapely.linestrings(list(zip(x, y))) if len(x) > 1 else Point(x[0], y[0]))
        best = sorted(dist.items(), key=lambda kv: kv[1])
        mine_d = float(rows[k]["nearest_m"])
        assert abs(mine_d - best[0][1]) < 0.05 + 1e-4 * best[0][1], (pts[k], rows[k], best[:2])
        if best[1][1] - best[0][1] > 0.1:
            assert rows[k]["nearest_grid_id"] == best[0][0], (pts[k], rows[k], best[:2])
    # And far away: a grid, with a distance that matches pyproj's geodesic to within the city's size.
    for k, p in enumerate(pts):
        if p[0] == "far":
            _, _, d = geod.inv(p[1], p[2], 114.55, 22.8)
            assert rows[k]["grid_id"] == "" and abs(float(rows[k]["nearest_m"]) - d) < 60_000, (p, rows[k])


def test_bad_rows_are_reported_with_line_numbers(city):
    bad = city["tmp"] / "bad.csv"
    bad.write_text("id,lon,lat\n"
                   "a,114.51,22.76\n"
                   "b,abc,22.76\n"      # line 3: non-numeric
                   "c,114.51\n"         # line 4: short row
                   "d,114.51,nan\n"     # line 5: NaN
                   "e,114.51,inf\n"     # line 6: infinite
                   "f,214.51,22.7\n"    # line 7: out of range
                   "\"g,114.5,22.7\n"   # line 8: unterminated quote
                   "h,114.52,22.77\n")
    out = city["tmp"] / "bad-out.csv"
    r = wangge("assign", str(bad), "--db", str(city["db"]), "--out", str(out))
    for line, word in [(3, "lon"), (4, "fields"), (5, "lat"), (6, "lat"), (7, "lon"), (8, "malformed")]:
        assert any(f"line {line}:" in l and word in l for l in r.stderr.splitlines()), (line, r.stderr)
    assert "skipped 6 bad row(s)" in r.stderr
    assert [row["id"] for row in csv.DictReader(out.open())] == ["a", "h"]

    r = wangge("assign", str(bad), "--db", str(city["db"]), "--out", str(out), "--on-error", "stop", check=False)
    assert r.returncode != 0
    assert "line 3:" in r.stderr and "line 4:" not in r.stderr
    assert [row["id"] for row in csv.DictReader(out.open())] == ["a"]

    r = wangge("assign", str(bad), "--db", str(city["db"]), "--crs", "mars", check=False)
    assert r.returncode != 0 and "mars" in r.stderr


def test_geojson_in_and_other_outputs(city):
    pts = [p for p in city["points"] if p[0] == "edge"][:50] + [p for p in city["points"] if p[0] == "random"][:50]
    src = city["tmp"] / "pts.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"q{k}", "properties": {"note": "x"}, "geometry": {"type": "Point", "coordinates": [p[1], p[2]]}}
        for k, p in enumerate(pts)]}, indent=1))
    csv_out, gj_out, jl_out = city["tmp"] / "q.csv", city["tmp"] / "q.geojson", city["tmp"] / "q.jsonl"
    wangge("assign", str(src), "--db", str(city["db"]), "--out", str(csv_out))
    wangge("assign", str(src), "--db", str(city["db"]), "--out", str(gj_out))
    wangge("assign", str(src), "--db", str(city["db"]), "--out", str(jl_out))
    rows = list(csv.DictReader(csv_out.open()))
    features = json.loads(gj_out.read_text())["features"]
    lines = [json.loads(l) for l in jl_out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [f["id"] for f in features] == [l["id"] for l in lines] == [f"q{k}" for k in range(len(pts))]
    cover, _ = shapely_covering(city["grids"], pts)
    for row, f, l, c in zip(rows, features, lines, cover):
        assert set(filter(None, row["candidates"].split(";"))) == c
        assert set(f["properties"]["candidates"]) == c == set(l["candidates"])
        assert (f["properties"]["grid"] or {}).get("id", "") == row["grid_id"]

    broken = city["tmp"] / "broken.geojson"
    broken.write_text('{"type":"FeatureCollection","features":[\n'
                      '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[114.51,22.76]}},\n'
                      '{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}\n]}')
    r = wangge("assign", str(broken), "--db", str(city["db"]), "--out", str(city["tmp"] / "b.csv"))
    assert "feature 1" in r.stderr and "line 3" in r.stderr and "skipped 1 bad row(s)" in r.stderr
