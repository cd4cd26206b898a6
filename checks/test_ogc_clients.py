"""OGC API – Features proven with real clients against a real `wangge serve` over the sample
city: GDAL's OAPIF driver (ogrinfo, ogr2ogr through paging and filter push-down), OWSLib, and
schemathesis fuzzing the OpenAPI definition."""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from conftest import BIN, LAYERS, REPO, ROOT, free_port


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, dict(r.headers), json.loads(r.read())


def store_count(db, layer):
    with sqlite3.connect(db) as c:
        return c.execute(f"SELECT count(*) FROM {layer}").fetchone()[0]


def test_ogrinfo_lists_every_collection(server):
    out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{server}"], capture_output=True, text=True, check=True).stdout
    names = re.findall(r"^\d+: (\w+)", out, re.M)
    assert names == LAYERS, out


def test_ogrinfo_reads_each_layer_with_its_count_and_crs(server, city_db):
    for layer in LAYERS:
        out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{server}", layer], capture_output=True, text=True, check=True).stdout
        assert f"Feature Count: {store_count(city_db, layer)}" in out, out
        assert 'ID["EPSG",4326]' in out


def test_ogr2ogr_copies_every_grid_through_paging_into_a_geopackage(server, city_db, tmp_path):
    gpkg = tmp_path / "grids.gpkg"
    r = subprocess.run(["ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{server}", "grids", "-oo", "PAGE_SIZE=1000"],
                       capture_output=True, text=True, env={**os.environ, "CPL_DEBUG": "ON"})
    assert r.returncode == 0, r.stderr[-3000:]
    fetched = re.findall(r"Fetch\((\S+/collections/grids/items\S*)\)", r.stderr)
    expected = store_count(city_db, "grids")
    assert expected > 1000, "the sample city has more grids than one page"
    assert len({u for u in fetched}) >= -(-expected // 1000), f"paged through next links: {fetched}"
    assert any("offset=" in u for u in fetched)
    with sqlite3.connect(gpkg) as c:
        n, distinct = c.execute("SELECT count(*), count(DISTINCT id) FROM grids").fetchone()
        assert (n, distinct) == (expected, expected)
        cols = {row[1] for row in c.execute("PRAGMA table_info(grids)")}
    assert {"id", "name", "community_id", "street_id", "district_id", "worker_name"} <= cols


def test_ogr2ogr_pushes_bbox_and_declared_property_filters_to_the_server(server, tmp_path):
    _, _, page = get(f"{server}/collections/grids/items?limit=1")
    community = page["features"][0]["properties"]["community_id"]
    _, _, want = get(f"{server}/collections/grids/items?limit=1&community_id={community}")
    gpkg = tmp_path / "one_community.gpkg"
    r = subprocess.run(["ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{server}", "grids", "-where", f"community_id = '{community}'"],
                       capture_output=True, text=True, env={**os.environ, "CPL_DEBUG": "ON"})
    assert r.returncode == 0, r.stderr[-3000:]
    # GDAL read the filter from the API definition and sent it as a query parameter.
    assert re.search(rf"Fetch\(\S+/collections/grids/items\?\S*community_id={community}", r.stderr), r.stderr[-3000:]
    with sqlite3.connect(gpkg) as c:
        assert c.execute("SELECT count(*) FROM grids").fetchone()[0] == want["numberMatched"]


def test_owslib_reads_landing_conformance_collections_and_items(server):
    from owslib.ogcapi.features import Features
    w = Features(server)
    conf = w.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in conf
    ids = [c["id"] for c in w.collections()["collections"]]
    assert ids == LAYERS
    assert set(w.feature_collections()) == set(LAYERS)
    grids = w.collection("grids")
    assert grids["storageCrs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert "http://www.opengis.net/def/crs/EPSG/0/4547" in grids["crs"]
    items = w.collection_items("grids", limit=7)
    assert items["numberReturned"] == 7 and len(items["features"]) == 7
    first = items["features"][0]
    one = w.collection_item("grids", first["id"])
    assert one["id"] == first["id"] and one["geometry"] == first["geometry"]
    # Part 2 through OWSLib's keyword passing: latitude first in EPSG:4326.
    swapped = w.collection_items("grids", limit=1, crs="http://www.opengis.net/def/crs/EPSG/0/4326")
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    lat2, lon2 = swapped["features"][0]["geometry"]["coordinates"][0][0][0]
    assert (lat2, lon2) == (lat, lon)
    api = w.api()
    assert "/collections/grids/items" in api["paths"]


def test_crs_output_matches_pyproj(server):
    from pyproj import Transformer
    import shapely
    from shapely.geometry import shape
    for layer in ("stations", "grids"):
        _, _, plain = get(f"{server}/collections/{layer}/items?limit=50")
        for code in (4326, 4490, 4547, 3857):
            status, headers, page = get(f"{server}/collections/{layer}/items?limit=50&crs=http://www.opengis.net/def/crs/EPSG/0/{code}")
            assert headers["Content-Crs"] == f"<http://www.opengis.net/def/crs/EPSG/0/{code}>"
            t = Transformer.from_crs("EPSG:4326", f"EPSG:{code}")  # authority axis order on both sides
            tol = 1e-9 if code in (4326, 4490) else 0.002
            for a, b in zip(plain["features"], page["features"]):
                assert a["id"] == b["id"]
                lonlat = shapely.get_coordinates(shape(a["geometry"]))
                got = shapely.get_coordinates(shape(b["geometry"]))
                want = [t.transform(lat, lon) for lon, lat in lonlat]
                assert len(got) == len(want)
                assert max(max(abs(g[0] - w[0]), abs(g[1] - w[1])) for g, w in zip(got, want)) <= tol, (layer, code, a["id"])


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, tmp_path):
    exe = Path(sys.executable).parent / "schemathesis"
    cmd = [str(exe), "run", f"{server}/api",
           "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                       "response_headers_conformance,response_schema_conformance",
           "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"),
           "--seed", "20261122", "--generation-database", "none", "--no-color", "--suppress-health-check", "all",
           "--request-timeout", "30"]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=420)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert re.search(r"\d+ generated, \d+ passed", r.stdout), r.stdout[-3000:]


def test_items_pages_give_the_same_geometries_as_export(server, city_db, tmp_path):
    """The items endpoint writes geometries from WKB on its own fast path; `wangge export` goes
    through the GeoJSON codec. Both must give the same coordinates for every feature."""
    for layer in ("grids", "stations"):
        out = tmp_path / f"{layer}.geojson"
        subprocess.run([BIN, "export", layer, "--db", str(city_db), "--out", str(out)], check=True, capture_output=True)
        exported = json.loads(out.read_text())["features"]
        got, url = [], f"{server}/collections/{layer}/items?limit=1000"
        while url:
            _, _, page = get(url)
            got += page["features"]
            url = next((l["href"] for l in page["links"] if l["rel"] == "next"), None)
        assert [f["id"] for f in got] == [f["id"] for f in exported]
        assert all(a["geometry"] == b["geometry"] for a, b in zip(got, exported))


# HTTP as browsers and GIS clients speak it (issue 8 §3), against the real server: what the
# router tests check, once more over real sockets (NIO's HEAD handling, real header casing).

def test_head_is_get_without_a_body(server):
    for path in ["/health", "/", "/collections", "/collections/grids/items", "/collections/grids/items?limit=3&crs=EPSG:4547",
                 "/collections/nope/items", "/api", "/map", "/static/map.js"]:
        g = requests.get(server + path, timeout=30)
        h = requests.head(server + path, timeout=30)
        assert h.status_code == g.status_code, path
        assert h.content == b"", path
        assert h.headers.get("Content-Type") == g.headers.get("Content-Type"), path
        assert h.headers.get("Content-Length") == str(len(g.content)), path
        assert h.headers.get("Content-Crs") == g.headers.get("Content-Crs"), path


def test_wrong_method_is_405_with_allow_and_options_lists_methods(server):
    r = requests.delete(server + "/assign", timeout=30)
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert r.json()["code"] == "MethodNotAllowed"
    r = requests.post(server + "/collections/grids/items", data="x", timeout=30)
    assert (r.status_code, r.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")
    r = requests.options(server + "/collections/grids/items", timeout=30)
    assert (r.status_code, r.headers["Allow"]) == (204, "GET, HEAD, OPTIONS")
    assert requests.delete(server + "/no/such/route", timeout=30).status_code == 404


def test_cors_lets_pages_on_other_origins_read_the_layers(server):
    """What a Leaflet or OpenLayers page on another origin needs: a preflight answered, the
    answer readable, and Content-Crs exposed."""
    origin = {"Origin": "https://maps.example.org"}
    pre = requests.options(server + "/collections/grids/items",
                           headers={**origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "accept"}, timeout=30)
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert set(m.strip() for m in pre.headers["Access-Control-Allow-Methods"].split(",")) == {"GET", "HEAD"}
    assert "accept" in pre.headers["Access-Control-Allow-Headers"].lower()
    r = requests.get(server + "/collections/grids/items?limit=1", headers=origin, timeout=30)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Crs" in r.headers["Access-Control-Expose-Headers"]
    err = requests.get(server + "/collections/grids/items?limit=ten", headers=origin, timeout=30)
    assert err.status_code == 400 and err.headers["Access-Control-Allow-Origin"] == "*"
    # Reads only: the batch endpoint is not offered across origins.
    pre = requests.options(server + "/assign", headers={**origin, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert "Access-Control-Allow-Origin" not in pre.headers


def test_cors_origin_option_limits_or_turns_off_cors(city_db, tmp_path):
    for option, origin, expected in [("https://maps.example.org", "https://maps.example.org", "https://maps.example.org"),
                                     ("https://maps.example.org", "https://other.example", None),
                                     ("none", "https://maps.example.org", None)]:
        port = free_port()
        proc = subprocess.Popen([BIN, "serve", "--db", str(city_db), "--port", str(port), "--no-sample", "--reload-interval", "0",
                                 "--cors-origin", option], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.time() + 60
            while True:
                try:
                    requests.get(base + "/health", timeout=2)
                    break
                except requests.ConnectionError:
                    assert proc.poll() is None and time.time() < deadline, "serve did not come up"
                    time.sleep(0.2)
            r = requests.get(base + "/collections", headers={"Origin": origin}, timeout=30)
            assert r.status_code == 200
            assert r.headers.get("Access-Control-Allow-Origin") == expected, (option, origin)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    bad = subprocess.run([BIN, "serve", "--db", str(city_db), "--cors-origin", "maps.example.org"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode != 0 and "--cors-origin" in bad.stderr


def test_gis_client_inputs_are_answered(server):
    """A percent-encoded feature id, a bbox across the antimeridian, a limit above the maximum,
    datetime on a layer without time."""
    page = requests.get(server + "/collections/stations/items?limit=1", timeout=30).json()
    fid = page["features"][0]["id"]
    one = requests.get(server + "/collections/stations/items/" + quote(fid, safe=""), timeout=30)
    assert one.status_code == 200 and one.json()["id"] == fid
    r = requests.get(server + "/collections/grids/items?bbox=100,20,-170,30&limit=1", timeout=30)
    assert r.status_code == 200 and r.json()["numberMatched"] > 0, "Huizhou lies between 100°E and 190°E"
    r = requests.get(server + "/collections/grids/items?limit=50000", timeout=30)
    assert r.status_code == 200 and r.json()["numberReturned"] <= 10000
    r = requests.get(server + "/collections/grids/items?limit=5&datetime=2025-01-01T00:00:00Z", timeout=30)
    assert r.status_code == 200 and r.json()["numberReturned"] == 5
