"""Coverage through the real binary, against an independent reference (shapely 2 + pyproj).

A city is generated here (not by wangge) with the hard cases of issue 9 §6: stations just outside
the city, duplicate stations at one spot (ties go to the smaller id), L-shaped compounds whose
centroid lies outside them, compounds straddling grid edges, compounds with entrances, a category
with no station at all, and stations within millimetres of a radius from an entrance. It is
imported with `wangge import`, and `wangge coverage` is compared with:

* distances: pyproj's Geod.inv (Karney, WGS84) from the access point (entrance, else shapely's
  centroid) to every station of the category, nearest first, ties by id;
* flags: zero wrong covered flags away from a 5 cm borderline (and, in fact, beyond 1 mm);
* roll-ups: households and people covered as exact integer sums, ratios equal as floats;
* uncovered areas: the grid minus shapely's union of 256-vertex pyproj-geodesic discs, area by
  Geod.geometry_area_perimeter: within 1 % per category over the city and per grid (or within
  0.1 % of the grid's area for slivers);
* `GET /coverage/gaps` polygons: symmetric difference with the reference below 1 % of its area;
* bad input: unknown category, tier, level, negative / NaN / huge radius exit non-zero, name the
  option and write nothing.
"""
import csv
import io
import json
import math
import os
import random
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
GEOD = Geod(ellps="WGS84")
BASE = (114.40, 23.05)
COLS, ROWS, CELL = 8, 6, 0.005  # ~510 m x 460 m cells
# Stations within millimetres of a radius: one category per tier.
EDGE = {"after_school": 5, "fitness_station": 10, "party_service_station": 15}
CATS = ["canteen", "elder_day_care", "health_station", *EDGE]
EMPTY_CAT = "discussion_pavilion"  # selected, but no station of it exists
TIERS = {5: 300.0, 10: 500.0, 15: 1000.0}


def wangge(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=REPO)


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def feat(props, geom):
    return {"type": "Feature", "properties": props, "geometry": mapping(geom) if not isinstance(geom, dict) else geom}


def generate_city(rng):
    x0, y0 = BASE
    grids = []
    for i in range(COLS):
        for j in range(ROWS):
            community = "441302007%03d" % (i // 4 + 1)
            gid = community + "%03d" % (j + 1 + (i % 4) * ROWS)
            grids.append((gid, community, box(x0 + i * CELL, y0 + j * CELL, x0 + (i + 1) * CELL, y0 + (j + 1) * CELL)))
    city = box(x0, y0, x0 + COLS * CELL, y0 + ROWS * CELL)

    def grid_of(p):
        for gid, c, g in grids:
            if g.covers(p):
                return gid, c
        raise AssertionError(p)

    compounds = []  # (id, grid, community, polygon, entrance or None, households, population)
    n = 0

    def add(poly, entrance=None):
        nonlocal n
        assert poly.is_valid and city.contains(poly)
        if any(poly.intersects(c[3]) for c in compounds):
            return
        gid, com = grid_of(poly.centroid if poly.centroid.within(city) else poly.representative_point())
        n += 1
        h = rng.choice([0, rng.randint(20, 400), rng.randint(400, 4500)])
        compounds.append((f"C{n:04d}", gid, com, poly, entrance, h, int(h * rng.uniform(2.2, 3.4))))

    for gid, _, g in grids:
        minx, miny, maxx, maxy = g.bounds
        for _ in range(rng.randint(2, 4)):
            w, h = rng.uniform(0.0004, 0.0012), rng.uniform(0.0004, 0.0012)
            x, y = rng.uniform(minx + 1e-4, maxx - w - 1e-4), rng.uniform(miny + 1e-4, maxy - h - 1e-4)
            poly = Polygon([(round(x, 7), round(y, 7)), (round(x + w, 7), round(y, 7)), (round(x + w, 7), round(y + h, 7)),
                            (round(x, 7), round(y + h, 7))])
            entrance = None
            if rng.random() < 0.45:  # a gate on the boundary
                entrance = (round(x + w * rng.uniform(0.2, 0.8), 7), round(y, 7))
            add(poly, entrance)
    # L-shaped compounds: thin arms, the centroid falls in the notch, outside the compound.
    for k in range(10):
        x, y = BASE[0] + rng.uniform(0.002, COLS * CELL - 0.006), BASE[1] + rng.uniform(0.002, ROWS * CELL - 0.006)
        L, t = 0.003, 0.0005
        poly = Polygon([(x, y), (x + L, y), (x + L, y + t), (x + t, y + t), (x + t, y + L), (x, y + L)])
        if not poly.centroid.within(poly):
            add(poly)
    # Compounds straddling a grid edge (their grid is the one holding the centroid).
    for k in range(8):
        i, j = rng.randrange(1, COLS), rng.randrange(0, ROWS)
        ex = BASE[0] + i * CELL
        y = BASE[1] + j * CELL + rng.uniform(0.001, 0.003)
        add(box(ex - rng.uniform(0.0003, 0.0009), y, ex + rng.uniform(0.0003, 0.0009), y + 0.0008))

    stations = []  # (id, category, lon, lat)
    sid = 0

    def station(cat, lon, lat, name=None):
        nonlocal sid
        sid += 1
        stations.append((name or f"S{sid:04d}", cat, lon, lat))

    minx, miny, maxx, maxy = city.bounds
    for cat, count in [("canteen", 14), ("elder_day_care", 10), ("health_station", 18), ("other", 6)]:
        for _ in range(count):
            station(cat, rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        # Just outside the city: they still serve compounds near the edge.
        for _ in range(3):
            side = rng.randrange(4)
            lon = rng.uniform(minx, maxx) if side < 2 else (minx - 0.002 if side == 2 else maxx + 0.002)
            lat = rng.uniform(miny, maxy) if side >= 2 else (miny - 0.002 if side == 0 else maxy + 0.002)
            station(cat, lon, lat)
    # Duplicates at one spot: the same category twice (ties by id) and another category there.
    # 60 m from some compounds' entrances, so the tie decides their nearest station.
    for k, c in enumerate([c for c in compounds if c[4] is not None][:40:8]):
        lon, lat, _ = GEOD.fwd(c[4][0], c[4][1], 45.0, 60.0)
        station("canteen", lon, lat, f"S-dup-{k}-b")
        station("canteen", lon, lat, f"S-dup-{k}-a")
        station("health_station", lon, lat, f"S-dup-{k}-c")
    lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
    station("canteen", lon, lat, "S-dup-b")
    station("canteen", lon, lat, "S-dup-a")
    station("health_station", lon, lat, "S-dup-c")
    # Within millimetres of a radius: for each of three categories (one per tier) stations only at
    # r +- a few mm from entrances, the entrances more than 2r + 10 m apart so that each one's own
    # station is its nearest.
    offsets = [-0.004, -0.002, -0.001, 0.001, 0.002, 0.004, 0.0]
    n = 0
    for cat, minutes in EDGE.items():
        r = TIERS[minutes]
        chosen = []
        for c in compounds:
            if c[4] is not None and all(GEOD.inv(c[4][0], c[4][1], o[4][0], o[4][1])[2] > 2 * r + 10 for o in chosen):
                chosen.append(c)
        for c in chosen:
            lon2, lat2, _ = GEOD.fwd(c[4][0], c[4][1], rng.uniform(-180, 180), r + offsets[n % len(offsets)])
            station(cat, lon2, lat2, f"S-edge-{n}")
            n += 1
    return grids, compounds, stations, city


def write_layers(tmp, grids, compounds, stations, city):
    rect = box(*city.buffer(0.01).bounds)
    communities = sorted({c for _, c, _ in grids})
    layers = {
        "districts": fc([feat({"id": "441302", "name": "惠城区"}, rect)]),
        "streets": fc([feat({"id": "441302007", "name": "江北街道", "district_id": "441302"}, rect)]),
        "communities": fc([feat({"id": c, "name": "社区" + c[-3:], "street_id": "441302007"},
                                box(*shapely.union_all([g for _, cc, g in grids if cc == c]).bounds)) for c in communities]),
        "grids": fc([feat({"id": gid, "name": "网格" + gid[-6:], "community_id": c}, shapely.geometry.polygon.orient(g))
                     for gid, c, g in grids]),
        "compounds": fc([feat({"id": cid, "name": "小区" + cid, "grid_id": gid, "community_id": com, "households": h,
                               "population": p, "entrance_lon": e[0] if e else None, "entrance_lat": e[1] if e else None},
                              shapely.geometry.polygon.orient(poly))
                         for cid, gid, com, poly, e, h, p in compounds]),
        "stations": fc([feat({"id": s, "name": "站" + s, "category": cat}, {"type": "Point", "coordinates": [lon, lat]})
                        for s, cat, lon, lat in stations]),
    }
    paths = {}
    for name, obj in layers.items():
        p = tmp / f"{name}.geojson"
        p.write_text(json.dumps(obj))  # floats written with repr: exact round trip
        paths[name] = p
    return paths


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("coverage-ref")
    rng = random.Random(20261130)
    grids, compounds, stations, outline = generate_city(rng)
    paths = write_layers(tmp, grids, compounds, stations, outline)
    db = tmp / "cov.sqlite"
    # A fresh store has the station categories (migration v3) and no walking network, so the
    # default method is straight-line, the method this reference computes.
    for name in ["districts", "streets", "communities", "grids", "compounds", "stations"]:
        wangge("import", name, str(paths[name]), "--db", str(db))
    return dict(tmp=tmp, db=db, grids=grids, compounds=compounds, stations=stations)


def access_point(c):
    return c[4] if c[4] is not None else (c[3].centroid.x, c[3].centroid.y)


def reference_nearest(city, cats):
    """{(compound_id, cat): (station_id, metres, second_metres)} by exhaustive Geod.inv."""
    out = {}
    for c in city["compounds"]:
        ax, ay = access_point(c)
        for cat in cats:
            cand = [(GEOD.inv(ax, ay, lon, lat)[2], s) for s, k, lon, lat in city["stations"] if k == cat]
            cand.sort()
            out[c[0], cat] = (cand[0][1], cand[0][0], cand[1][0] if len(cand) > 1 else math.inf) if cand else None
    return out


def run_coverage(city, *args):
    out = city["tmp"] / f"out-{abs(hash(args))}.csv"
    r = wangge("coverage", "--db", str(city["db"]), "--out", str(out), *args)
    return list(csv.DictReader(out.open(encoding="utf-8"))), r


def test_compound_distances_and_flags(city):
    cats = CATS + [EMPTY_CAT]
    rows, r = run_coverage(city, "--level", "compound", "--tier", "5,10,15", "--categories", ",".join(cats))
    assert list(rows[0].keys()) == ["compound_id", "grid_id", "category", "tier_min", "radius_m", "method", "station_id",
                                    "distance_m", "covered", "households", "population"]
    ref = reference_nearest(city, cats)
    assert len(rows) == len(city["compounds"]) * 3 * (len(cats) + 1)
    comp = {c[0]: c for c in city["compounds"]}
    wrong, borderline, near_mm, ties = [], 0, 0, 0
    for row in rows:
        c = comp[row["compound_id"]]
        radius = float(row["radius_m"])
        assert TIERS[int(row["tier_min"])] == radius and row["method"] == "straight-line*1.0"
        assert row["grid_id"] == c[1] and int(row["households"]) == c[5] and int(row["population"]) == c[6]
        if row["category"] == "all":
            per = [ref[c[0], k] for k in cats]
            d = None if any(p is None for p in per) else max(p[1] for p in per)
            assert row["station_id"] == ""
        else:
            n = ref[c[0], row["category"]]
            d = n[1] if n else None
            if n:
                if n[2] - n[1] > 1e-6 or n[2] == n[1]:  # a clear nearest, or an exact tie (smaller id)
                    assert row["station_id"] == n[0], (row, n)
                ties += n[2] == n[1]
            else:
                assert row["station_id"] == ""
        if d is None:
            assert row["distance_m"] == "" and row["covered"] == "false", row  # no station: empty, never NaN
            continue
        assert abs(float(row["distance_m"]) - d) <= 0.0005 + 1e-9, (row, d)
        expected = d <= radius
        if abs(d - radius) <= 0.05:
            borderline += 1
            near_mm += abs(d - radius) <= 0.005
        if (row["covered"] == "true") != expected and abs(d - radius) > 1e-6:
            wrong.append((row, d))
    assert not wrong, wrong[:5]
    assert near_mm >= 20, f"the generator should put stations within millimetres of a radius ({near_mm})"
    assert ties >= 1, "the duplicate stations should make a tie"
    assert all("nan" not in v.lower() for row in rows for v in row.values())


def reference_rollup(city, cats, ref, level_key):
    sums = {}
    for t, radius in TIERS.items():
        for c in city["compounds"]:
            for cat in cats + ["all"]:
                if cat == "all":
                    per = [ref[c[0], k] for k in cats]
                    covered = all(p is not None and p[1] <= radius for p in per)
                else:
                    covered = ref[c[0], cat] is not None and ref[c[0], cat][1] <= radius
                key = (level_key(c), cat, t)
                s = sums.setdefault(key, [0, 0, 0, 0, 0])
                s[0] += 1; s[1] += c[5]; s[3] += c[6]
                if covered:
                    s[2] += c[5]; s[4] += c[6]
    return sums


@pytest.mark.parametrize("level,key", [("grid", lambda c: c[1]), ("community", lambda c: c[2]), ("city", lambda c: "city")])
def test_rollups_exact(city, level, key):
    rows, _ = run_coverage(city, "--level", level, "--categories", ",".join(CATS))
    assert list(rows[0].keys())[0] == f"{level}_id"
    ref = reference_nearest(city, CATS)
    sums = reference_rollup(city, CATS, ref, key)
    seen = 0
    for row in rows:
        k = (row[f"{level}_id"], row["category"], int(row["tier_min"]))
        s = sums.get(k, [0, 0, 0, 0, 0])
        seen += k in sums
        assert [int(row["compounds"]), int(row["households"]), int(row["households_covered"]),
                int(row["population"]), int(row["population_covered"])] == s, (row, s)
        assert row["ratio_households"] == ("" if s[1] == 0 else row["ratio_households"])
        if s[1]:
            assert float(row["ratio_households"]) == s[2] / s[1]
        if s[3]:
            assert float(row["ratio_population"]) == s[4] / s[3]
    assert seen == len(sums)


def disc(lon, lat, r, n=256):
    pts = [GEOD.fwd(lon, lat, 360.0 * k / n, r)[:2] for k in range(n)]
    return Polygon(pts[::-1])


def reference_uncovered(city, cat, radius, grid_geom):
    minx, miny, maxx, maxy = grid_geom.bounds
    near = [disc(lon, lat, radius) for s, k, lon, lat in city["stations"] if k == cat]
    near = [d for d in near if d.intersects(grid_geom)]
    return grid_geom.difference(shapely.union_all(near)) if near else grid_geom


def geodesic_area(g):
    return abs(GEOD.geometry_area_perimeter(g)[0]) if not g.is_empty else 0.0


def test_uncovered_areas_within_one_percent(city):
    rows, _ = run_coverage(city, "--level", "grid", "--tier", "5,15", "--categories", "canteen,after_school")
    by = {(r["grid_id"], r["category"], int(r["tier_min"])): r for r in rows}
    bad, totals, partial = [], {}, 0
    for gid, _, g in city["grids"]:
        for t in (5, 15):
            parts = {}
            for cat in ["canteen", "after_school"]:
                u = reference_uncovered(city, cat, TIERS[t], g)
                parts[cat] = u
            parts["all"] = shapely.union_all(list(parts.values()))
            grid_area = geodesic_area(g)
            for cat, u in parts.items():
                row = by[gid, cat, t]
                mine, theirs = float(row["uncovered_m2"]), geodesic_area(u)
                assert abs(float(row["area_m2"]) - grid_area) <= 1e-6 * grid_area
                tot = totals.setdefault((cat, t), [0.0, 0.0])
                tot[0] += mine; tot[1] += theirs
                partial += 1 < theirs < 0.99 * grid_area
                if abs(mine - theirs) > max(0.01 * theirs, 0.001 * grid_area):
                    bad.append((gid, cat, t, mine, theirs))
    assert not bad, bad[:5]
    for k, (mine, theirs) in totals.items():
        assert abs(mine - theirs) <= 0.01 * theirs, (k, mine, theirs)
    assert partial >= 50, f"the city should have many partly covered grids ({partial})"


def test_gap_polygons_over_http(city, tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([BIN, "serve", "--db", str(city["db"]), "--port", str(port), "--no-sample"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        community = city["grids"][0][1]
        with urllib.request.urlopen(f"{base}/coverage/gaps?tier=5&category=canteen&community_id={community}") as r:
            assert r.headers["Content-Type"] == "application/geo+json"
            doc = json.load(r)
        areas = [f for f in doc["features"] if f["properties"]["kind"] == "uncovered_area" and f["properties"]["category"] == "canteen"]
        grids = {gid: g for gid, c, g in city["grids"] if c == community}
        assert {f["properties"]["grid_id"] for f in areas} <= set(grids)
        checked = 0
        for gid, g in grids.items():
            ref = reference_uncovered(city, "canteen", 300.0, g)
            mine = [shape(f["geometry"]) for f in areas if f["properties"]["grid_id"] == gid]
            if ref.is_empty or geodesic_area(ref) < 1:
                assert not mine or geodesic_area(mine[0]) < 1
                continue
            assert len(mine) == 1, gid
            diff = geodesic_area(mine[0].symmetric_difference(ref))
            assert diff <= 0.01 * geodesic_area(ref) + 0.001 * geodesic_area(g), (gid, diff, geodesic_area(ref))
            checked += 1
        assert checked > 0
        compounds = [f for f in doc["features"] if f["properties"]["kind"] == "uncovered_compound"]
        ref = reference_nearest(city, ["canteen"])
        expected = {c[0] for c in city["compounds"] if c[2] == community and (ref[c[0], "canteen"] is None or ref[c[0], "canteen"][1] > 300)}
        assert {f["properties"]["compound_id"] for f in compounds if f["properties"]["category"] == "canteen"} == expected
        # Bad input over HTTP: 400 naming the field.
        for q, field in [("tier=7", "tier"), ("radius=-5", "radius"), ("radius=nan", "radius"), ("radius=1e9", "radius"),
                         ("category=nope", "category"), ("level=planet", "level"), ("bogus=1", "bogus")]:
            path = "/coverage/gaps" if field == "grid_id" else "/coverage"
            try:
                urllib.request.urlopen(f"{base}{path}?{q}")
                pytest.fail(q)
            except urllib.error.HTTPError as e:
                assert e.code == 400
                assert json.load(e)["field"] == field, q
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("args,needle", [
    (["--categories", "canteen,nope"], "--categories: unknown category 'nope'"),
    (["--tier", "7"], "--tier: unknown tier '7'"),
    (["--radius", "-5"], "--radius"),
    (["--radius", "nan"], "--radius"),
    (["--radius", "1e9"], "--radius"),
    (["--radius", "300,"], "--radius"),
    (["--level", "planet"], "--level: unknown level 'planet'"),
    (["--tier", "5", "--radius", "300"], "--radius"),
    (["--format", "xml"], "--format"),
])
def test_bad_input_writes_nothing(city, args, needle):
    out = city["tmp"] / "never.csv"
    r = wangge("coverage", "--db", str(city["db"]), "--out", str(out), *args, check=False)
    assert r.returncode != 0
    assert needle in r.stderr, r.stderr
    assert not out.exists()
