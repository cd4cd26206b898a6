"""Issue 11 through the real binary: `wangge serve` over the sample city, a token minted with
`wangge token create`, and cases reported in GCJ-02 over HTTP. Each case must land in the grid
that `GET /assign` names for the same point and CRS, and in the grid polygon that shapely finds
for the WGS84 point (an independent reference: the GCJ-02 offset computed here in Python by the
published forward formula)."""
import json
import math
import random
import subprocess
import urllib.error
import urllib.request

from shapely.geometry import Point, shape

from conftest import BIN


def gcj02_from_wgs84(lon, lat):
    """The published WGS84 → GCJ-02 forward formula (Krasovsky 1940 ellipsoid)."""
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
    radlat = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (a / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def mint_token(db, role):
    out = subprocess.run([BIN, "token", "create", "--role", role, "--name", f"checks-{role}", "--db", str(db)],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()  # the token alone on stdout (the note goes to stderr)


def call(method, url, body=None, token=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_gcj02_reports_land_in_the_grid_assign_names(server, city_db):
    token = mint_token(city_db, "reporter")
    grids = []
    url = f"{server}/collections/grids/items?limit=1000"
    while url:
        _, page = call("GET", url)
        grids += page["features"]
        url = next((l["href"] for l in page["links"] if l["rel"] == "next"), None)
    shapes = [(g["id"], shape(g["geometry"])) for g in grids]
    rng = random.Random(20261130)
    checked = 0
    for gid, poly in rng.sample(shapes, 25):
        minx, miny, maxx, maxy = poly.bounds
        while True:
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if poly.contains(p) and poly.boundary.distance(p) > 1e-5:
                break
        glon, glat = gcj02_from_wgs84(p.x, p.y)
        status, assigned = call("GET", f"{server}/assign?lon={glon!r}&lat={glat!r}&crs=gcj02")
        assert status == 200
        status, case = call("POST", f"{server}/cases", {
            "lon": glon, "lat": glat, "crs": "gcj02", "category": "broken_lift", "description": f"电梯故障 {checked}",
            "contact": "13800000000"}, token=token, headers={"Idempotency-Key": f"gcj-{checked}"})
        assert status == 201, case
        assert case["grid_id"] == assigned["properties"]["grid"]["id"] == gid
        assert case["community_id"] == assigned["properties"]["community"]["id"]
        assert case["input_crs"] == "gcj02" and case["state"] == "reported"
        assert abs(case["lon"] - p.x) < 1e-7 and abs(case["lat"] - p.y) < 1e-7
        # The retry returns the same case.
        again_status, again = call("POST", f"{server}/cases", {
            "lon": glon, "lat": glat, "crs": "gcj02", "category": "broken_lift", "description": f"电梯故障 {checked}"},
            token=token, headers={"Idempotency-Key": f"gcj-{checked}"})
        assert again_status == 200 and again["id"] == case["id"]
        checked += 1
    assert checked == 25


def test_cases_need_a_token_and_the_store_keeps_them_in_a_point_layer(server, city_db):
    status, body = call("POST", f"{server}/cases", {"lon": 114.4, "lat": 23.1, "category": "garbage", "description": "x"})
    assert status == 401 and body["code"]
    info = subprocess.run(["ogrinfo", "-ro", "-so", str(city_db), "cases"], capture_output=True, text=True, check=True).stdout
    assert "Geometry: Point" in info
