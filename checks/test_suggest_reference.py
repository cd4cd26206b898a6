"""`wangge suggest` (greedy maximal covering, issue 9 §4) against an independent greedy in Python.

The city is the one test_coverage_reference.py generates (same generator and seed), imported
with `wangge import`. The reference, written here with pyproj's Geod.inv (Karney, WGS84) and
shapely, computes: which compounds the existing stations of the category already cover
(nearest station's geodesic distance × detour 1.0 ≤ radius, from the access point = the
entrance, else shapely's centroid), then the greedy: each step the candidate covering the most
households not yet covered, ties by candidate id, stopping when no candidate adds one. Candidates
are the compounds' access points, or the lattice rule (steps = spacing / metres per degree measured
by geodesic over ±0.0005° at the centre of the grids' extent, from the south-west corner, kept where
a grid covers the point). `wangge suggest` must give the same sites in the same order with the
same household and population gains, and bad input must name the option and write nothing.
"""
import csv

import numpy as np
import pytest
from shapely.geometry import Point

from test_coverage_reference import GEOD, TIERS, access_point, city, wangge  # noqa: F401  (city is a fixture)


def already_covered(city, cat, r):
    st = [(lon, lat) for _, k, lon, lat in city["stations"] if k == cat]
    out = set()
    for c in city["compounds"]:
        ax, ay = access_point(c)
        if st:
            d = GEOD.inv(np.full(len(st), ax), np.full(len(st), ay), np.array([s[0] for s in st]), np.array([s[1] for s in st]))[2]
            if d.min() <= r:
                out.add(c[0])
    return out


def lattice(city, spacing):
    bounds = [g.bounds for _, _, g in city["grids"]]
    minx, miny = min(b[0] for b in bounds), min(b[1] for b in bounds)
    maxx, maxy = max(b[2] for b in bounds), max(b[3] for b in bounds)
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    per_lat = GEOD.inv(lon, lat - 0.0005, lon, lat + 0.0005)[2] / 0.001
    per_lon = GEOD.inv(lon - 0.0005, lat, lon + 0.0005, lat)[2] / 0.001
    dlon, dlat = spacing / per_lon, spacing / per_lat
    rows, cols = int((maxy - miny) // dlat) + 1, int((maxx - minx) // dlon) + 1
    out = []
    for r in range(rows):
        for c in range(cols):
            p = (minx + c * dlon, miny + r * dlat)
            if any(g.covers(Point(p)) for _, _, g in city["grids"]):
                out.append(("L%04d-%04d" % (r, c), p))
    return out


def reference_greedy(city, cat, minutes, count, candidates):
    r = TIERS[minutes]
    done = already_covered(city, cat, r)
    open_ = [c for c in city["compounds"] if c[0] not in done]
    ax = np.array([access_point(c)[0] for c in open_])
    ay = np.array([access_point(c)[1] for c in open_])
    sets = {}
    for cid, (lon, lat) in candidates:
        d = GEOD.inv(np.full(len(open_), lon), np.full(len(open_), lat), ax, ay)[2] if open_ else np.array([])
        sets[cid] = {open_[i][0] for i in np.nonzero(d <= r)[0]}
    hh = {c[0]: c[5] for c in city["compounds"]}
    pop = {c[0]: c[6] for c in city["compounds"]}
    taken, sites = set(), []
    for _ in range(count):
        best, gain = None, 0
        for cid in sorted(sets):
            g = sum(hh[k] for k in sets[cid] - taken)
            if g > gain:
                best, gain = cid, g
        if best is None:
            break
        new = sets[best] - taken
        taken |= new
        sites.append((best, gain, sum(pop[k] for k in new), sorted(new)))
    return sites


def run_suggest(city, *args):
    out = city["tmp"] / f"suggest-{abs(hash(args))}.csv"
    wangge("suggest", "--db", str(city["db"]), "--out", str(out), *args)
    return list(csv.DictReader(out.open(encoding="utf-8")))


@pytest.mark.parametrize("cat,minutes,count", [("canteen", 5, 20), ("health_station", 10, 8), ("elder_day_care", 15, 5),
                                               ("discussion_pavilion", 5, 12)])
def test_compound_candidates_match_reference(city, cat, minutes, count):
    cands = [(c[0], access_point(c)) for c in city["compounds"]]
    ref = reference_greedy(city, cat, minutes, count, cands)
    rows = run_suggest(city, "--category", cat, "--tier", str(minutes), "--count", str(count))
    assert len(ref) > 0
    assert [r["site_id"] for r in rows] == [s[0] for s in ref]
    assert [int(r["households_new"]) for r in rows] == [s[1] for s in ref]
    assert [int(r["population_new"]) for r in rows] == [s[2] for s in ref]
    assert [r["compound_ids"].split(";") for r in rows] == [s[3] for s in ref]
    cum = [int(r["households_cumulative"]) for r in rows]
    assert all(b - a == int(r["households_new"]) for a, b, r in zip(cum, cum[1:], rows[1:]))


@pytest.mark.parametrize("cat,minutes,spacing", [("canteen", 5, 150), ("health_station", 15, 400)])
def test_lattice_candidates_match_reference(city, cat, minutes, spacing):
    cands = lattice(city, spacing)
    ref = reference_greedy(city, cat, minutes, 10, cands)
    rows = run_suggest(city, "--category", cat, "--tier", str(minutes), "--count", "10", "--candidates", "lattice",
                       "--spacing", str(spacing))
    assert len(ref) > 0
    assert [r["site_id"] for r in rows] == [s[0] for s in ref]
    assert [int(r["households_new"]) for r in rows] == [s[1] for s in ref]
    pts = dict(cands)
    for r in rows:
        assert abs(float(r["lon"]) - pts[r["site_id"]][0]) < 1e-9 and abs(float(r["lat"]) - pts[r["site_id"]][1]) < 1e-9


@pytest.mark.parametrize("args,needle", [
    (["--category", "nope", "--tier", "5", "--count", "3"], "--category: unknown category 'nope'"),
    (["--category", "canteen", "--tier", "7", "--count", "3"], "--tier: unknown tier '7'"),
    (["--category", "canteen", "--tier", "5", "--count", "0"], "--count"),
    (["--category", "canteen", "--tier", "5", "--count", "101"], "--count"),
    (["--category", "canteen", "--tier", "5", "--count", "3", "--candidates", "lattice", "--spacing", "10"], "--spacing"),
    (["--category", "canteen", "--tier", "5", "--count", "3", "--candidates", "lattice", "--spacing", "9000"], "--spacing"),
    (["--category", "canteen", "--tier", "5", "--count", "3", "--candidates", "hex"], "--candidates"),
    (["--category", "canteen", "--tier", "5", "--count", "3", "--format", "xml"], "--format"),
])
def test_bad_input_writes_nothing(city, args, needle):
    out = city["tmp"] / "never-suggest.csv"
    r = wangge("suggest", "--db", str(city["db"]), "--out", str(out), *args, check=False)
    assert r.returncode != 0
    assert needle in r.stderr, r.stderr
    assert not out.exists()
