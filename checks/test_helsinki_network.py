"""Issue 10 §5: network distances and isochrones on the real OpenStreetMap extract
Tests/Fixtures/helsinki.osm.pbf (ODbL, see Tests/Fixtures/README.md), through the real binary,
against the independent reference of checks/network_reference.py (networkx + pyproj geodesics,
snapping written here in Python).

`wangge import network` reads the extract; compounds (with households; half with an entrance,
half measured from their centroid) and stations of three categories are placed on it with a seeded
RNG, some of them a few metres from isolated paths (components of fewer than 50 nodes) so that the
50-node rule decides where they enter the network; districts, streets, communities and one grid are
rectangles covering the extract. Then:

* every compound x category distance of `wangge coverage --level compound --method network`
  equals the reference within 1 cm (a compound beside an island path reaches its station through
  the big component);
* `wangge isochrone` polygons contain every node reached within the time, and every point of them
  lies within the buffer width (25 m) plus ISO_TOL of the reached parts of the network (the
  reference cuts partly reached edges itself), so no node farther is inside unless a reached street
  passes within that distance of it.

The network's edges are read back from the store with OGR (as the import check does): the import
itself is checked against pyosmium in test_network_import.py.
"""
import csv
import json
import math
import random
import shutil
import subprocess

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import MultiLineString, Point, box, shape

from network_reference import MIN_NODES, REPO, TOL_M, Reference, wangge, write_city_layers

PBF = REPO / "Tests" / "Fixtures" / "helsinki.osm.pbf"
CATS = ["canteen", "health_station", "elder_day_care"]
BUFFER_M = 25.0  # the isochrone buffer width wangge states (IsochroneQuery.bufferMetres)
# Polygon approximation: GEOS's 8 segments per quarter circle lie on the circle (inside the true
# buffer by at most 25 m * (1 - cos(pi/32)) = 0.12 m); plus the aeqd projection's scale error
# (< 1e-7 within 5 km) and float noise. 0.5 m covers them with room.
ISO_TOL = 0.5
SPEED = 5000 / 60  # metres per minute: the store's default walking model (5 km/h)
GEOD = Geod(ellps="WGS84")


def store_edges(db):
    out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(db), "network_edges"],
                         capture_output=True, text=True, check=True).stdout
    return [(f["properties"]["source_node"], f["properties"]["target_node"], [tuple(c) for c in f["geometry"]["coordinates"]])
            for f in json.loads(out)["features"]]


def offset(p, metres, azimuth):
    lon, lat, _ = GEOD.fwd(p[0], p[1], azimuth, metres)
    return (round(lon, 7), round(lat, 7))


def place(ref, rng):
    """Compounds and stations on and near the extract's streets, and beside its island paths."""
    big = [k for k in range(len(ref.lines)) if ref.allowed[k]]
    islands = [k for k in range(len(ref.lines)) if not ref.allowed[k] and ref.lengths[k] > 15]
    assert len(islands) >= 4, "the extract has isolated paths (components of < 50 nodes)"

    def on_street(edges):
        k = rng.choice(edges)
        line = ref.lines[k]
        i = rng.randrange(len(line) - 1)
        a, b = line[i], line[i + 1]
        t = rng.random()
        return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)

    stations, compounds = [], []
    counts = {"canteen": 14, "health_station": 9, "elder_day_care": 5}
    for cat, n in counts.items():
        for k in range(n):
            p = offset(on_street(big), rng.uniform(0, 40), rng.uniform(0, 360))
            stations.append((f"S-{cat[:2]}{k:02d}", cat, *p))
    chosen = rng.sample(islands, 4)
    for j, k in enumerate(chosen[:2]):  # stations a few metres from an island path
        line = ref.lines[k]
        p = offset(line[len(line) // 2], 3, rng.uniform(0, 360))
        stations.append((f"S-isle{j}", CATS[j], *p))

    def compound(centre, with_entrance):
        w, h = rng.uniform(30, 90), rng.uniform(30, 90)
        dlon, dlat = w / (111320 * math.cos(math.radians(centre[1]))), h / 110574
        poly = box(round(centre[0] - dlon / 2, 7), round(centre[1] - dlat / 2, 7), round(centre[0] + dlon / 2, 7), round(centre[1] + dlat / 2, 7))
        gate = (round(centre[0], 7), round(centre[1] - dlat / 2, 7)) if with_entrance else None
        compounds.append((f"C{len(compounds) + 1:04d}", poly, gate))

    for k in range(140):
        compound(offset(on_street(big), rng.uniform(20, 80), rng.uniform(0, 360)), k % 2 == 0)
    island_compounds = []
    for k in chosen[2:] + chosen[:1]:  # gates 2 m from an island path (one shares it with a station)
        line = ref.lines[k]
        gate = offset(line[len(line) // 2], 2, rng.uniform(0, 360))
        w = 40 / (111320 * math.cos(math.radians(gate[1])))
        compounds.append((f"C{len(compounds) + 1:04d}", box(gate[0] - w / 2, gate[1] - 0.0004, gate[0] + w / 2, gate[1]), gate))
        island_compounds.append((compounds[-1][0], k))
    return stations, compounds, island_compounds


def access_point(c):
    _, poly, e = c
    return e if e is not None else (poly.centroid.x, poly.centroid.y)


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory):
    if shutil.which("osmium") is None:
        pytest.fail("osmium (Debian's osmium-tool) is not installed: run scripts/setup")
    tmp = tmp_path_factory.mktemp("helsinki-net")
    db = tmp / "h.sqlite"
    wangge("import", "network", str(PBF), "--db", str(db))
    edges = store_edges(db)
    ref = Reference([e[2] for e in edges], ends=[(e[0], e[1]) for e in edges])
    rng = random.Random(20261130)
    stations, compounds, island_compounds = place(ref, rng)
    lons = [c[0] for l in ref.lines for c in l]
    lats = [c[1] for l in ref.lines for c in l]
    bounds = (min(lons) - 0.01, min(lats) - 0.01, max(lons) + 0.01, max(lats) + 0.01)
    paths = write_city_layers(tmp, bounds, compounds, stations)
    for name in ["districts", "streets", "communities", "grids", "compounds", "stations"]:
        wangge("import", name, str(paths[name]), "--db", str(db))
    return dict(tmp=tmp, db=db, ref=ref, stations=stations, compounds=compounds, islands=island_compounds)


def test_every_compound_distance_equals_networkx(helsinki):
    h, ref = helsinki, helsinki["ref"]
    stations, compounds = h["stations"], h["compounds"]
    pts = [(lon, lat) for _, _, lon, lat in stations] + [access_point(c) for c in compounds]
    g = ref.graph(pts)
    out = h["tmp"] / "coverage.csv"
    wangge("coverage", "--db", str(h["db"]), "--level", "compound", "--method", "network", "--tier", "5,10,15",
           "--categories", ",".join(CATS), "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    got = {(r["compound_id"], r["category"], r["tier_min"]): r for r in rows}
    assert len(rows) == len(compounds) * 3 * (len(CATS) + 1)
    checked = 0
    for cat in CATS:
        sources = [("p", i) for i, s in enumerate(stations) if s[1] == cat]
        dist = nx.multi_source_dijkstra_path_length(g, sources, weight="weight")
        for k, c in enumerate(compounds):
            d = dist.get(("p", len(stations) + k))
            for tier, radius in [("5", 300.0), ("10", 500.0), ("15", 1000.0)]:
                row = got[c[0], cat, tier]
                assert row["method"] == "network", row
                if d is None:
                    assert row["distance_m"] == "" and row["covered"] == "false", row
                    continue
                assert abs(float(row["distance_m"]) - d) <= TOL_M, (row, d)
                if abs(d - radius) > TOL_M:
                    assert (row["covered"] == "true") == (d <= radius), (row, d)
                checked += 1
    assert checked >= len(compounds) * 3 * 3 * 0.9
    # Both kinds of access point are in play.
    assert sum(1 for c in compounds if c[2] is None) >= 60 and sum(1 for c in compounds if c[2] is not None) >= 60


def test_the_50_node_rule_sends_island_compounds_through_the_big_component(helsinki):
    h, ref = helsinki, helsinki["ref"]
    by_id = {c[0]: c for c in h["compounds"]}
    out = h["tmp"] / "coverage-isle.csv"
    wangge("coverage", "--db", str(h["db"]), "--level", "compound", "--method", "network", "--tier", "15",
           "--categories", ",".join(CATS), "--out", str(out))
    rows = {(r["compound_id"], r["category"]): r for r in csv.DictReader(out.open(encoding="utf-8"))}
    for cid, island_edge in h["islands"]:
        gate = by_id[cid][2]
        assert ref.component_size[ref.ends[island_edge][0]] < MIN_NODES
        k, _, access = ref.snap(gate)
        assert ref.allowed[k] and k != island_edge
        # The island path is nearer than the street it enters by: the rule, not distance, decides.
        island_d = min(GEOD.inv(gate[0], gate[1], *p)[2] for p in ref.lines[island_edge])
        assert island_d < access, (cid, island_d, access)
        for cat in CATS:
            assert rows[cid, cat]["distance_m"] != "", "reaches every category through the big component"
            assert float(rows[cid, cat]["distance_m"]) >= access - TOL_M


def reached_pieces(ref, snap, dist, budget, centre):
    """The reference's reached parts of the network within `budget` metres: node distances from
    networkx; on each edge the intervals [0, B - d(u)], [L - (B - d(v)), L], and on the centre's
    own edge [offset - (B - access), offset + (B - access)]; the access leg from the centre."""
    k0, off0, acc0 = snap
    pieces = [[centre, ref.piece(k0, off0, off0)[0]]] if acc0 > 0 else []
    for k, (u, v) in enumerate(ref.ends):
        L = ref.lengths[k]
        ivs = []
        if dist.get(u, math.inf) <= budget:
            ivs.append((0.0, min(L, budget - dist[u])))
        if dist.get(v, math.inf) <= budget:
            ivs.append((max(0.0, L - (budget - dist[v])), L))
        if k == k0 and acc0 <= budget:
            ivs.append((max(0.0, off0 - (budget - acc0)), min(L, off0 + (budget - acc0))))
        for s, t in sorted(ivs):
            if t > s:
                pieces.append(ref.piece(k, s, t))
    return pieces


@pytest.mark.parametrize("which", [0, 1, 2])
def test_isochrones_hold_every_reached_node_and_nothing_beyond_the_buffer(helsinki, which):
    h, ref = helsinki, helsinki["ref"]
    rng = random.Random(100 + which)
    if which == 0:  # by station, the CLI's --station
        sid, _, lon, lat = h["stations"][rng.randrange(len(h["stations"]) - 2)]
        centre, args = (lon, lat), ["--station", sid]
    else:
        line = ref.lines[rng.choice([k for k in range(len(ref.lines)) if ref.allowed[k]])]
        centre = offset(line[0], rng.uniform(5, 30), rng.uniform(0, 360))
        args = ["--lon", repr(centre[0]), "--lat", repr(centre[1])]
    minutes = [3, 8]
    out = h["tmp"] / f"iso-{which}.geojson"
    wangge("isochrone", "--db", str(h["db"]), "--minutes", ",".join(map(str, minutes)), "--out", str(out), *args)
    fc = json.loads(out.read_text())
    assert fc["method"] == "network" and len(fc["features"]) == 2
    g = ref.graph([centre])
    dist = nx.single_source_dijkstra_path_length(g, ("p", 0), weight="weight")
    snap = ref.snap(centre)
    assert abs(fc["access_m"] - snap[2]) <= TOL_M
    aeqd = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={centre[1]} +lon_0={centre[0]} +datum=WGS84 +units=m", always_xy=True)

    def to_m(geom):
        return shapely.transform(geom, lambda xy: np.column_stack(aeqd.transform(xy[:, 0], xy[:, 1])))

    stats = []
    for m, f in zip(minutes, fc["features"]):
        budget = m * SPEED
        props = f["properties"]
        assert props["value"] == m and props["method"] == "network" and props["center"] == [centre[0], centre[1]]
        poly_ll = shape(f["geometry"])
        assert poly_ll.is_valid
        area, _ = GEOD.geometry_area_perimeter(poly_ll)
        assert abs(abs(area) - props["area_m2"]) <= 1 + 1e-6 * abs(area), (area, props["area_m2"])
        poly = to_m(poly_ll)
        lines = to_m(MultiLineString(reached_pieces(ref, snap, dist, budget, centre)))
        pos = {}
        for k, (u, v) in enumerate(ref.ends):
            pos[u], pos[v] = ref.lines[k][0], ref.lines[k][-1]
        ids = list(pos)
        d = np.array([dist.get(n, math.inf) for n in ids])  # math.inf: not reachable at all
        xy = np.array(aeqd.transform([pos[n][0] for n in ids], [pos[n][1] for n in ids])).T
        pts = shapely.points(xy)
        covered = shapely.covers(poly, pts)
        reached = d <= budget
        assert reached.sum() >= 10
        # Every node reached within the time is in the polygon.
        assert covered[reached].all(), [(ids[i], d[i]) for i in np.nonzero(reached & ~covered)[0][:5]]
        # The polygon holds the reached lines' buffer (to the polygon approximation) ...
        assert lines.buffer(BUFFER_M - ISO_TOL, quad_segs=16).difference(poly).area < 0.5
        # ... and nothing farther than the buffer width plus ISO_TOL from them: no node beyond the
        # time is inside unless a reached street passes within that distance of it.
        assert poly.difference(lines.buffer(BUFFER_M + ISO_TOL, quad_segs=16)).area < 0.5
        away = ~reached & (shapely.distance(lines, pts) > BUFFER_M + ISO_TOL)
        assert away.sum() >= 10, "nodes beyond the time, away from every reached street"
        assert not covered[away].any(), [(ids[i], d[i]) for i in np.nonzero(away & covered)[0][:5]]
        stats.append((m, int(reached.sum()), int(away.sum()), len(lines.geoms), props["area_m2"]))
    print("minutes, nodes reached, nodes away, reached pieces, area_m2:", stats)
    assert stats[0][4] < stats[1][4] and stats[0][1] < stats[1][1]
