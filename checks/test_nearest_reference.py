"""Nearest stations through the real binary and the real server, against an independent
reference: pyproj's Geod.inv (GeographicLib) to every station, sorted by (distance, id).

Stations are generated here (not by wangge) with the hard cases: a random scatter over a
~20 km city, stations just outside the city, a cluster of duplicates at one spot (exact ties),
pairs mirrored across the query's meridian (equal distances by symmetry), a ring of stations at
500 m +- a millimetre (nearly equal distances). They replace the sample city's stations layer
with `wangge import`, and are compared on:

* distances: rank by rank within 5 cm of the reference;
* ids: the same ids in the same order wherever the reference's neighbouring distances differ by
  more than 5 cm; inside a group of stations within 5 cm of each other, the ids come from the group;
* exact ties (duplicates at one spot): the smallest ids, ascending.

The binary is $WANGGE_BIN (default .build/debug/wangge).
"""
import csv
import json
import os
import random
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from pyproj import Geod

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
GEOD = Geod(ellps="WGS84")
TOL = 0.05  # metres
CATS = ["canteen", "elder_day_care", "health_station", "fitness_station"]
BOX = (114.30, 23.00, 114.50, 23.18)  # the generated city
DUP = (114.41, 23.09)
RING = (114.36, 23.13)
MIRROR_LAT = 23.05


def wangge(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=REPO)


def generate_stations(rng):
    out = []

    def add(lon, lat, cat=None):
        # Ids in no spatial order, so the tie rule is really exercised.
        sid = "ST%05d" % ((len(out) * 7919) % 99991)
        out.append({"id": sid, "category": cat or rng.choice(CATS), "lon": lon, "lat": lat})

    x0, y0, x1, y1 = BOX
    for _ in range(1500):
        add(rng.uniform(x0, x1), rng.uniform(y0, y1))
    # Just outside the city, on all four sides (up to ~1 km out).
    for _ in range(60):
        side = rng.randrange(4)
        d = rng.uniform(0.0005, 0.01)
        if side == 0:
            add(x0 - d, rng.uniform(y0, y1))
        elif side == 1:
            add(x1 + d, rng.uniform(y0, y1))
        elif side == 2:
            add(rng.uniform(x0, x1), y0 - d)
        else:
            add(rng.uniform(x0, x1), y1 + d)
    # Duplicates at one spot: exact ties.
    for i in range(10):
        add(DUP[0], DUP[1], CATS[i % 2])
    # Mirrored pairs across meridians: equal distances from (m, MIRROR_LAT) by symmetry.
    for m in (114.33, 114.37, 114.45):
        for d in (0.001, 0.0023, 0.004):
            c = rng.choice(CATS)
            add(m - d, MIRROR_LAT + d / 3, c)
            add(m + d, MIRROR_LAT + d / 3, c)
    # A ring at 500 m +- 1 mm: nearly equal distances.
    for i in range(36):
        lon, lat, _ = GEOD.fwd(RING[0], RING[1], i * 10.0, 500.0 + rng.uniform(-0.001, 0.001))
        add(lon, lat, CATS[i % 2])
    return out


def queries(rng):
    x0, y0, x1, y1 = BOX
    q = [("dup", *DUP), ("ring", *RING)]
    for m in (114.33, 114.37, 114.45):
        q.append((f"mirror{m}", m, MIRROR_LAT))
    for i in range(400):
        q.append((f"q{i}", rng.uniform(x0 - 0.02, x1 + 0.02), rng.uniform(y0 - 0.02, y1 + 0.02)))
    return q


def reference(stations, lon, lat, k, cats=None):
    """Every station's geodesic distance by pyproj, sorted by (distance, id); the first k and
    the rest (for the group check at the k-th place)."""
    sel = [s for s in stations if cats is None or s["category"] in cats]
    if not sel:
        return []
    _, _, d = GEOD.inv([lon] * len(sel), [lat] * len(sel), [s["lon"] for s in sel], [s["lat"] for s in sel])
    return sorted(((dist, s["id"]) for dist, s in zip(d, sel)), key=lambda t: (t[0], t[1]))


def check_answer(got, ref, k, where):
    """got: [(station_id, distance_m)] nearest first."""
    assert len(got) == min(k, len(ref)), where
    for r, (sid, dist) in enumerate(got):
        assert abs(dist - ref[r][0]) <= TOL, f"{where} rank {r + 1}: {dist} vs reference {ref[r][0]}"
        # The group of reference stations within 5 cm (chained) of this rank's distance.
        lo = r
        while lo > 0 and ref[lo][0] - ref[lo - 1][0] <= TOL:
            lo -= 1
        hi = r
        while hi + 1 < len(ref) and ref[hi + 1][0] - ref[hi][0] <= TOL:
            hi += 1
        group = {i for _, i in ref[lo:hi + 1]}
        if lo == hi:
            assert sid == ref[r][1], f"{where} rank {r + 1}: {sid}, reference {ref[r][1]} ({ref[r][0]} m)"
        else:
            assert sid in group, f"{where} rank {r + 1}: {sid} not among the tied {sorted(group)}"
    assert len({sid for sid, _ in got}) == len(got), f"{where}: a station twice"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    if not (REPO / "geodata" / "grids.geojson").exists():
        pytest.skip("geodata/ (the sample city) is not there")
    rng = random.Random(20261201)
    tmp = tmp_path_factory.mktemp("nearest")
    db = tmp / "city.sqlite"
    # No `seed`: the sample city's walking network would make network the default method; the
    # reference here is straight-line (a fresh store has the categories, migration v3).
    stations = generate_stations(rng)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": s["id"], "properties": {"category": s["category"], "name": "n" + s["id"]},
         "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]}} for s in stations]}
    path = tmp / "stations.geojson"
    path.write_text(json.dumps(fc))
    wangge("import", "stations", str(path), "--db", str(db))
    qs = queries(rng)
    pts = tmp / "points.csv"
    with open(pts, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat"])
        for q in qs:
            w.writerow([q[0], repr(q[1]), repr(q[2])])
    return {"db": db, "stations": stations, "queries": qs, "points": pts, "tmp": tmp}


def read_cli(path):
    rows = {}
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        assert r.fieldnames == ["id", "rank", "station_id", "category", "distance_m", "walk_min"]
        for row in r:
            rows.setdefault(row["id"], [])
            if row["rank"]:
                rows[row["id"]].append(row)
    return rows


@pytest.mark.parametrize("k,cats", [(1, None), (5, None), (12, None), (5, ["canteen"]), (3, ["canteen", "health_station"])])
def test_cli_matches_pyproj(city, k, cats):
    out = city["tmp"] / f"out_{k}_{'-'.join(cats or ['all'])}.csv"
    args = ["nearest", str(city["points"]), "--db", str(city["db"]), "--k", str(k), "--out", str(out)]
    for c in cats or []:
        args += ["--category", c]
    wangge(*args)
    rows = read_cli(out)
    assert set(rows) == {q[0] for q in city["queries"]}
    for qid, lon, lat in city["queries"]:
        ref = reference(city["stations"], lon, lat, k, cats)
        got = rows[qid]
        assert [int(r["rank"]) for r in got] == list(range(1, len(got) + 1))
        for r in got:
            assert cats is None or r["category"] in cats
            # 5 km/h, detour factor 1 (the default walking model).
            assert abs(float(r["walk_min"]) - float(r["distance_m"]) / (5000 / 60)) <= 0.001
        check_answer([(r["station_id"], float(r["distance_m"])) for r in got], ref, k, f"{qid} k={k} {cats}")


def test_exact_ties_go_to_the_smallest_ids(city):
    out = city["tmp"] / "dup.csv"
    pts = city["tmp"] / "dup_points.csv"
    pts.write_text(f"id,lon,lat\ndup,{DUP[0]!r},{DUP[1]!r}\n")
    wangge("nearest", str(pts), "--db", str(city["db"]), "--k", "4", "--out", str(out))
    got = [r["station_id"] for r in read_cli(out)["dup"]]
    dup_ids = sorted(s["id"] for s in city["stations"] if (s["lon"], s["lat"]) == DUP)
    assert got == dup_ids[:4]


def test_cli_bad_input(city):
    r = wangge("nearest", str(city["points"]), "--db", str(city["db"]), "--category", "bakery", check=False)
    assert r.returncode != 0 and "category" in r.stderr and "canteen" in r.stderr and "bakery" in r.stderr
    for k in ("0", "101"):
        r = wangge("nearest", str(city["points"]), "--db", str(city["db"]), "--k", k, check=False)
        assert r.returncode != 0 and "--k" in r.stderr
    r = wangge("nearest", str(city["points"]), "--db", str(city["db"]), "--max-distance=-5", check=False)
    assert r.returncode != 0 and "max-distance" in r.stderr
    bad = city["tmp"] / "bad.csv"
    bad.write_text("id,lon,lat\na,114.4,23.1\nb,114.4,923.1\nc,114.4,23.1\n")
    out = city["tmp"] / "bad_out.csv"
    r = wangge("nearest", str(bad), "--db", str(city["db"]), "--out", str(out), check=False)
    assert r.returncode == 1 and "line 3" in r.stderr and "lat" in r.stderr
    assert not out.exists(), "a stopped run leaves no output"


@pytest.fixture(scope="module")
def server(city):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(city["tmp"] / "serve.log", "w")
    proc = subprocess.Popen([BIN, "serve", "--db", str(city["db"]), "--port", str(port), "--no-sample"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("wangge serve did not come up")
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def get(base, path, **params):
    url = base + path + "?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), json.loads(e.read())


def test_http_matches_pyproj(city, server):
    for n, (qid, lon, lat) in enumerate(city["queries"][:150]):
        k = [1, 5, 10][n % 3]
        cats = [None, ["canteen"], ["elder_day_care", "fitness_station"]][n % 3]
        params = {"lon": repr(lon), "lat": repr(lat), "k": k}
        if cats:
            params["category"] = cats
        status, ctype, body = get(server, "/nearest", **params)
        assert status == 200 and ctype.startswith("application/geo+json"), body
        assert body["type"] == "FeatureCollection" and body["method"] == "straight-line" and body["detour_factor"] == 1
        feats = body["features"]
        assert [f["properties"]["rank"] for f in feats] == list(range(1, len(feats) + 1))
        for f in feats:
            st = next(s for s in city["stations"] if s["id"] == f["id"])
            assert f["geometry"]["coordinates"] == [st["lon"], st["lat"]]
            assert f["properties"]["category"] == st["category"] and f["properties"]["name"] == "n" + st["id"]
        check_answer([(f["id"], f["properties"]["distance_m"]) for f in feats],
                     reference(city["stations"], lon, lat, k, cats), k, f"GET {qid}")


def test_http_batch_matches_get(city, server):
    qs = city["queries"][:40]
    body = "id,lon,lat\n" + "".join(f"{q},{lon!r},{lat!r}\n" for q, lon, lat in qs)
    req = urllib.request.Request(server + "/nearest?k=3", data=body.encode(), headers={"Content-Type": "text/csv"})
    with urllib.request.urlopen(req, timeout=10) as r:
        batch = json.loads(r.read())
    assert batch["queries"] == len(qs)
    for qid, lon, lat in qs:
        _, _, one = get(server, "/nearest", lon=repr(lon), lat=repr(lat), k=3)
        mine = [f for f in batch["features"] if f["properties"]["query_id"] == qid]
        assert [f["id"] for f in mine] == [f["id"] for f in one["features"]]


def test_http_bad_input(server):
    cases = [
        ({"lon": "114.4", "lat": "23.1", "category": "bakery"}, "category"),
        ({"lon": "114.4", "lat": "23.1", "k": "0"}, "k"),
        ({"lon": "114.4", "lat": "23.1", "k": "101"}, "k"),
        ({"lon": "114.4", "lat": "23.1", "k": "five"}, "k"),
        ({"lon": "114.4", "lat": "23.1", "max_distance": "-1"}, "max_distance"),
        ({"lon": "114.4", "lat": "23.1", "max_distance": "nan"}, "max_distance"),
        ({"lon": "114.4", "lat": "23.1", "max_distance": "1e300"}, "max_distance"),
        ({"lon": "114.4", "lat": "93.1"}, "lat"),
        ({"lon": "114.4"}, "lat"),
    ]
    for params, field in cases:
        status, ctype, body = get(server, "/nearest", **params)
        assert status == 400 and ctype.startswith("application/json"), (params, body)
        assert body["field"] == field, (params, body)
    _, _, body = get(server, "/nearest", lon="114.4", lat="23.1", category="bakery")
    assert "canteen" in body["description"]


def test_tiers(server):
    status, _, body = get(server, "/tiers")
    assert status == 200
    assert [(t["minutes"], t["radius_m"]) for t in body["tiers"]] == [(5, 300), (10, 500), (15, 1000)]
    assert body["walking_speed_kmh"] == 5 and body["detour_factor"] == 1 and body["method"] == "straight-line"
    assert all(t["name_zh"] and t["name_en"] for t in body["tiers"])
