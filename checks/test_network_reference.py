"""Network distances through the real binary, against an independent reference (networkx + pyproj).

A walking network is generated here (not by wangge) with the hard cases of issue 10 §2: a street
lattice with bent edges (interior vertices), a river crossed by two bridges only, dropped streets,
parallel edges (two ways between the same junctions), loops (a way back to its own junction),
courtyard paths of fewer than 50 nodes right beside compounds (the 50-node rule: the compound must
snap past them), a second district of streets no bridge reaches (its compounds reach no health
station: uncovered, empty distance), two stations on one street with compounds between and beyond
them on the same street, and a category with no station. Lines are written as GeoJSON, already
split at junctions (they meet only at their end points), property `highway`, and imported with
`wangge import network FILE --db DB`; compounds and stations with `wangge import`.

The reference (checks/network_reference.py, shared with the Helsinki check):
* edge lengths: sums of pyproj Geod.inv (Karney, WGS84) over the segments;
* components: networkx connected components; only those of >= 50 nodes take snapped points;
* snapping: for every segment of those edges within reach, the least geodesic distance from the
  point to the geodesic segment, by golden-section search along it (Geod.fwd) — the foot point
  splits its edge, the access leg (point to foot point) hangs off it;
* distances: networkx multi_source_dijkstra_path_length from a category's stations (one pass);
  nearest k by single-source Dijkstra from the query point.
Every compound x category distance must equal the reference within 1 cm.

`wangge import network` is issue 10 §1 (the network-import branch): without it the network checks
are skipped with that reason; the method-switch checks that need no network run anyway.
"""
import csv
import random

import networkx as nx
import pytest
from shapely.geometry import box

from network_reference import TOL_M as TOL, Reference, network_edge_count, wangge, write_city_layers

BASE = (114.40, 23.05)
NX_, NY_, STEP = 16, 12, 0.0008  # junction lattice, ~82 m x 88 m blocks
RIVER_ROW = 5  # no street between rows 5 and 6 except at the bridges
BRIDGES = {3, 12}
CATS = ["canteen", "health_station", "elder_day_care"]  # elder_day_care: no station at all


# ---------------------------------------------------------------- generation


def generate(rng):
    nodes = {}
    for i in range(NX_):
        for j in range(NY_):
            nodes[i, j] = (round(BASE[0] + i * STEP + rng.uniform(-1e-4, 1e-4), 7),
                           round(BASE[1] + j * STEP + rng.uniform(-1e-4, 1e-4), 7))
    lines = []  # lists of (lon, lat); first and last are junctions

    def bent(a, b, k=None):
        k = rng.randint(0, 2) if k is None else k
        pts = [a]
        for t in sorted(rng.uniform(0.15, 0.85) for _ in range(k)):
            pts.append((round(a[0] + (b[0] - a[0]) * t + rng.uniform(-4e-5, 4e-5), 7),
                        round(a[1] + (b[1] - a[1]) * t + rng.uniform(-4e-5, 4e-5), 7)))
        pts.append(b)
        return pts

    for i in range(NX_):
        for j in range(NY_):
            if i + 1 < NX_ and rng.random() > 0.06:
                lines.append(bent(nodes[i, j], nodes[i + 1, j]))
            if j + 1 < NY_ and (j != RIVER_ROW or i in BRIDGES) and rng.random() > 0.06:
                lines.append(bent(nodes[i, j], nodes[i, j + 1]))
    # Parallel edges: a second, longer way between the same junctions.
    for i, j in [(2, 2), (7, 8), (10, 3)]:
        a, b = nodes[i, j], nodes[i + 1, j]
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - 0.0002)
        lines.append([a, (round(mid[0], 7), round(mid[1], 7)), b])
    # Loops: back to their own junction.
    for i, j in [(4, 9), (13, 1)]:
        c = nodes[i, j]
        lines.append([c, (round(c[0] + 0.0002, 7), round(c[1] + 0.0003, 7)), (round(c[0] + 0.0004, 7), round(c[1] + 0.00005, 7)), c])
    # A district east of the city that no street reaches: 8 x 8 junctions.
    east = {}
    for i in range(8):
        for j in range(8):
            east[i, j] = (round(BASE[0] + (NX_ + 3 + i) * STEP, 7), round(BASE[1] + j * STEP + 1e-5 * i, 7))
    for i in range(8):
        for j in range(8):
            if i + 1 < 8:
                lines.append(bent(east[i, j], east[i + 1, j], 1))
            if j + 1 < 8:
                lines.append(bent(east[i, j], east[i, j + 1], 1))

    compounds = []  # (id, polygon, entrance or None)
    stations = []  # (id, category, lon, lat)

    def compound(poly, entrance=None):
        compounds.append((f"C{len(compounds) + 1:04d}", poly, entrance))

    # Compounds in blocks: a box in the block's middle, half of them with a gate (not in the
    # blocks that hold a courtyard path, below).
    courtyards = [(1, 1), (6, 4), (9, 9), (12, 7)]
    for i in range(NX_ - 1):
        for j in range(NY_ - 1):
            if rng.random() < 0.55 and (i, j) not in courtyards:
                x0, y0 = BASE[0] + i * STEP + 0.00025, BASE[1] + j * STEP + 0.00025
                w, h = rng.uniform(0.0001, 0.0003), rng.uniform(0.0001, 0.0003)
                poly = box(round(x0, 7), round(y0, 7), round(x0 + w, 7), round(y0 + h, 7))
                entrance = (round(x0 + w / 2, 7), round(y0, 7)) if rng.random() < 0.5 else None
                compound(poly, entrance)
    for i in range(7):
        x0, y0 = BASE[0] + (NX_ + 3 + i) * STEP + 0.0003, BASE[1] + 3 * STEP + 0.0003
        compound(box(x0, y0, x0 + 0.0002, y0 + 0.0002))
    # Courtyard paths (2 edges, 3 nodes) a few metres from a compound's gate, mid-block.
    for i, j in courtyards:
        x0, y0 = BASE[0] + i * STEP + 0.0003, BASE[1] + j * STEP + 0.0004
        a, b, c = (round(x0, 7), round(y0, 7)), (round(x0 + 0.0002, 7), round(y0, 7)), (round(x0 + 0.0002, 7), round(y0 + 0.0001, 7))
        lines += [[a, b], [b, c]]
        gate = (round(x0 + 0.00008, 7), round(y0 - 0.00003, 7))
        compound(box(gate[0] - 0.0001, gate[1] - 0.00015, gate[0] + 0.0001, gate[1]), gate)

    # Two stations beside one street, compounds between and beyond them on it.
    a, b = nodes[5, 2], nodes[6, 2]
    street = [a, b]
    if street not in lines:
        lines.append(street)

    def along(t, side):
        return (round(a[0] + (b[0] - a[0]) * t, 7), round(a[1] + (b[1] - a[1]) * t + side, 7))

    stations.append(("S-street-1", "canteen", *along(0.2, 0.00004)))
    stations.append(("S-street-2", "canteen", *along(0.7, -0.00003)))
    for t in (0.45, 0.9):
        gate = along(t, 0.00005)
        compound(box(gate[0] - 0.00005, gate[1], gate[0] + 0.00005, gate[1] + 0.0001), gate)

    city = box(BASE[0], BASE[1], BASE[0] + (NX_ - 1) * STEP, BASE[1] + (NY_ - 1) * STEP)
    minx, miny, maxx, maxy = city.bounds
    for k in range(12):
        stations.append((f"S-c{k:02d}", "canteen", round(rng.uniform(minx, maxx), 7), round(rng.uniform(miny, maxy), 7)))
    for k in range(3):  # in the unreachable district
        stations.append((f"S-e{k:02d}", "canteen", round(BASE[0] + (NX_ + 4 + 2 * k) * STEP + 0.0002, 7), round(BASE[1] + 0.0021, 7)))
    for k in range(9):
        stations.append((f"S-h{k:02d}", "health_station", round(rng.uniform(minx, maxx), 7), round(rng.uniform(miny, maxy), 7)))
    return lines, compounds, stations


def write_layers(tmp, lines, compounds, stations):
    bounds = (BASE[0] - 0.01, BASE[1] - 0.01, BASE[0] + (NX_ + 14) * STEP, BASE[1] + (NY_ + 4) * STEP)
    return write_city_layers(tmp, bounds, compounds, stations, network=lines)


# ---------------------------------------------------------------- fixtures and checks


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("network-ref")
    rng = random.Random(20261130)
    lines, compounds, stations = generate(rng)
    paths = write_layers(tmp, lines, compounds, stations)
    db = tmp / "net.sqlite"
    wangge("seed", "--db", str(db))
    for name in ["districts", "streets", "communities", "grids", "compounds", "stations"]:
        wangge("import", name, str(paths[name]), "--db", str(db))
    return dict(tmp=tmp, db=db, lines=lines, compounds=compounds, stations=stations, paths=paths)


@pytest.fixture(scope="module")
def networked(city):
    r = wangge("import", "network", str(city["paths"]["network"]), "--db", str(city["db"]), check=False)
    if r.returncode != 0 and "unknown layer 'network'" in r.stderr:
        pytest.skip("`wangge import network` is not in this build (issue 10 §1, the network-import branch); "
                    "run this check after merging it")
    assert r.returncode == 0, r.stderr
    assert network_edge_count(city["db"]) == len(city["lines"]), "every generated line is one edge (already split)"
    return city


def access_point(c):
    _, poly, e = c
    return e if e is not None else (poly.centroid.x, poly.centroid.y)


def coverage_rows(city, *args):
    out = city["tmp"] / f"cov-{abs(hash(args))}.csv"
    r = wangge("coverage", "--db", str(city["db"]), "--out", str(out), *args)
    return list(csv.DictReader(out.open(encoding="utf-8"))), r


@pytest.fixture(scope="module")
def bare(city):
    """The same layers in a store filled by importing them alone: no walking network (`wangge seed`
    would bring the sample city's)."""
    db = city["tmp"] / "bare.sqlite"
    for name in ["districts", "streets", "communities", "grids", "compounds", "stations"]:
        wangge("import", name, str(city["paths"][name]), "--db", str(db))
    return dict(city, db=db)


def test_without_a_network_the_method_is_straight_line_and_network_is_refused(bare):
    city = bare
    assert network_edge_count(city["db"]) == 0
    rows, _ = coverage_rows(city, "--level", "compound", "--tier", "15", "--categories", "canteen")
    assert rows and all(r["method"] == "straight-line*1.0" for r in rows)
    r = wangge("coverage", "--db", str(city["db"]), "--method", "network", "--level", "compound", check=False)
    assert r.returncode != 0 and "--method" in r.stderr and "no walking network" in r.stderr, r.stderr
    r = wangge("coverage", "--db", str(city["db"]), "--method", "walk", check=False)
    assert r.returncode != 0 and "--method" in r.stderr and "unknown method" in r.stderr, r.stderr


def test_every_compound_distance_equals_networkx(networked):
    city = networked
    ref = Reference(city["lines"])
    stations = city["stations"]
    compounds = city["compounds"]
    pts = [(lon, lat) for _, _, lon, lat in stations] + [access_point(c) for c in compounds]
    g = ref.graph(pts)
    rows, r = coverage_rows(city, "--level", "compound", "--tier", "5,10,15", "--categories", ",".join(CATS))
    assert "walking network" in r.stderr
    got = {(row["compound_id"], row["category"], row["tier_min"]): row for row in rows}
    assert len(rows) == len(compounds) * 3 * (len(CATS) + 1)
    checked = unreachable = 0
    for cat in CATS:
        sources = [("p", i) for i, s in enumerate(stations) if s[1] == cat]
        dist = nx.multi_source_dijkstra_path_length(g, sources, weight="weight") if sources else {}
        for k, c in enumerate(compounds):
            d = dist.get(("p", len(stations) + k))
            for tier, radius in [("5", 300.0), ("10", 500.0), ("15", 1000.0)]:
                row = got[c[0], cat, tier]
                assert row["method"] == "network", row
                if d is None:
                    assert row["distance_m"] == "" and row["covered"] == "false" and row["station_id"] == "", row
                    unreachable += 1
                    continue
                assert abs(float(row["distance_m"]) - d) <= TOL, (row, d)
                if abs(d - radius) > TOL:
                    assert (row["covered"] == "true") == (d <= radius), (row, d)
                checked += 1
    assert checked > 500
    assert unreachable >= 7 * 3 * 2, "the eastern district reaches no health station, nobody reaches elder_day_care"
    # The courtyard compounds snapped past their islands: their distances are finite.
    for cid, _, e in compounds[-6:-2]:
        assert got[cid, "canteen", "15"]["distance_m"] != ""


def test_network_method_is_the_default_and_straight_line_still_answers(networked):
    city = networked
    rows, _ = coverage_rows(city, "--level", "compound", "--tier", "15", "--categories", "canteen", "--method", "straight-line")
    assert rows and all(r["method"] == "straight-line*1.0" for r in rows)
    net, _ = coverage_rows(city, "--level", "compound", "--tier", "15", "--categories", "canteen")
    assert all(r["method"] == "network" for r in net)
    # Along the streets is never shorter than the straight line.
    sl = {r["compound_id"]: r for r in rows if r["category"] == "canteen"}
    for r in net:
        if r["category"] == "canteen" and r["distance_m"]:
            assert float(r["distance_m"]) >= float(sl[r["compound_id"]]["distance_m"]) - 0.002, r


def test_nearest_by_network_equals_networkx(networked):
    city = networked
    ref = Reference(city["lines"])
    stations = city["stations"]
    rng = random.Random(7)
    queries = [(round(BASE[0] + rng.uniform(0, (NX_ - 1) * STEP), 7), round(BASE[1] + rng.uniform(0, (NY_ - 1) * STEP), 7))
               for _ in range(25)]
    a, b = queries[0], queries[1]
    pts = [(lon, lat) for _, _, lon, lat in stations] + queries
    g = ref.graph(pts)
    src = city["tmp"] / "queries.csv"
    src.write_text("id,lon,lat\n" + "".join(f"q{i},{lon},{lat}\n" for i, (lon, lat) in enumerate(queries)))
    out = city["tmp"] / "nearest.csv"
    wangge("nearest", str(src), "--db", str(city["db"]), "--k", "3", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by = {}
    for r in rows:
        by.setdefault(r["id"], []).append(r)
    for i in range(len(queries)):
        d = nx.single_source_dijkstra_path_length(g, ("p", len(stations) + i), weight="weight")
        expect = sorted((d[("p", j)], s[0]) for j, s in enumerate(stations) if ("p", j) in d)[:3]
        got = by[f"q{i}"]
        assert len(got) == len(expect)
        for r, (m, sid) in zip(got, expect):
            assert abs(float(r["distance_m"]) - m) <= TOL, (r, m, sid)
