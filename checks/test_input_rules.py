"""Issue 8 §2 and §4 through the real binary: coordinates outside their CRS's area of use, GCJ-02
outside China, ids written as JSON numbers (GeoJSON and shapefile), and numbers JSON cannot carry,
in `wangge import`, `wangge assign` and `wangge export`.

The binary is $WANGGE_BIN (default .build/debug/wangge)."""
import csv
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pyproj import Transformer

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
# The independent reference for the Gauss-Kruger coordinates.
TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)


def wangge(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=REPO)


def square(x, y, d):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def strict_json(text):
    """json.loads that refuses the Infinity/NaN extensions Python accepts by default."""
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture()
def store(tmp_path):
    """A fresh store with one grid G1 covering 114.4..114.5 E, 23.0..23.1 N."""
    db = tmp_path / "s.sqlite"
    src = tmp_path / "grids.geojson"
    src.write_text(collection({"type": "Feature", "properties": {"id": "G1", "name": "一"}, "geometry": square(114.4, 23.0, 0.1)}))
    wangge("import", "grids", str(src), "--db", str(db))
    return db


def export(db, layer, tmp_path):
    out = tmp_path / f"{layer}-export.geojson"
    wangge("export", layer, "--db", str(db), "--out", str(out))
    return strict_json(out.read_text())


def test_assign_refuses_degrees_given_as_gauss_kruger(store, tmp_path):
    e, n = TO_GK.transform(114.42, 23.05)
    points = tmp_path / "p.csv"
    points.write_text(f"id,lon,lat\nmetres,{e},{n}\ndegrees,114.42,23.05\nswapped,{n},{e}\n")
    out = tmp_path / "out.csv"
    r = wangge("assign", str(points), "--db", str(store), "--crs", "EPSG:4547", "--out", str(out))
    rows = list(csv.DictReader(out.open()))
    assert [(x["id"], x["grid_id"]) for x in rows] == [("metres", "G1")]
    assert "line 3" in r.stderr and "EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)" in r.stderr
    assert "look like longitude and latitude in degrees" in r.stderr
    assert "line 4" in r.stderr and "look swapped" in r.stderr
    assert "2,540" not in r.stdout + out.read_text()
    r = wangge("assign", str(points), "--db", str(store), "--crs", "EPSG:4547", "--on-error", "stop", check=False)
    assert r.returncode != 0 and "degrees" in r.stderr


def test_assign_refuses_gcj02_outside_china(store, tmp_path):
    points = tmp_path / "p.geojson"
    points.write_text(collection(
        {"type": "Feature", "id": "huizhou", "properties": {}, "geometry": {"type": "Point", "coordinates": [114.4565, 23.0485]}},
        {"type": "Feature", "id": "osaka", "properties": {}, "geometry": {"type": "Point", "coordinates": [135.5023, 34.6937]}},
        {"type": "Feature", "id": "seoul", "properties": {}, "geometry": {"type": "Point", "coordinates": [126.978, 37.5665]}}))
    out = tmp_path / "out.csv"
    for crs in ("gcj02", "bd09"):
        r = wangge("assign", str(points), "--db", str(store), "--crs", crs, "--out", str(out))
        assert [x["id"] for x in csv.DictReader(out.open())] == ["huizhou"]
        assert "feature 1" in r.stderr and "feature 2" in r.stderr, r.stderr
        assert "outside the region where" in r.stderr and "name the CRS wgs84" in r.stderr


def test_import_refuses_coordinates_outside_the_crs_area(store, tmp_path):
    before = export(store, "grids", tmp_path)
    src = tmp_path / "d.geojson"
    src.write_text(collection({"type": "Feature", "properties": {"id": "D1"}, "geometry": square(114.3, 23.0, 0.1)}))
    r = wangge("import", "districts", str(src), "--db", str(store), "--crs", "EPSG:4547", check=False)
    assert r.returncode != 0 and "feature 0 (id D1)" in r.stderr and "EPSG:4547" in r.stderr and "degrees" in r.stderr
    r = wangge("import", "districts", str(src), "--db", str(store), "--crs", "gcj02", check=False)
    assert r.returncode == 0, r.stderr
    src.write_text(collection({"type": "Feature", "properties": {"id": "D1"}, "geometry": square(135.4, 34.6, 0.1)}))
    r = wangge("import", "districts", str(src), "--db", str(store), "--crs", "gcj02", check=False)
    assert r.returncode != 0 and "outside the region where GCJ-02 is used" in r.stderr
    assert export(store, "grids", tmp_path) == before


def test_numeric_ids_follow_one_rule(store, tmp_path):
    src = tmp_path / "d.geojson"
    # 10, 1e1, 10.0 and "10" are one id (written by hand: json.dumps cannot write 1e1).
    src.write_text('{"type":"FeatureCollection","features":[' + ",".join(
        '{"type":"Feature","id":%s,"properties":{},"geometry":%s}' % (i, json.dumps(square(114 + k * 0.1, 23, 0.1)))
        for k, i in enumerate(["10", "1e1", "10.0", '"10"'])) + "]}")
    r = wangge("import", "districts", str(src), "--db", str(store), check=False)
    assert r.returncode != 0
    for k in (1, 2, 3):
        assert f"feature {k} (id 10)" in r.stderr, r.stderr
    assert r.stderr.count("duplicate id (also feature 0)") == 3
    src.write_text(collection(
        {"type": "Feature", "properties": {"code": 441302001001001.0}, "geometry": square(114, 23, 0.1)},
        {"type": "Feature", "properties": {"code": 4.41302001001002e14}, "geometry": square(114.1, 23, 0.1)}))
    wangge("import", "districts", str(src), "--db", str(store), "--map", "id=code")
    assert [f["id"] for f in export(store, "districts", tmp_path)["features"]] == ["441302001001001", "441302001001002"]
    src.write_text(collection({"type": "Feature", "properties": {"id": 12.5}, "geometry": square(114, 23, 0.1)}))
    r = wangge("import", "districts", str(src), "--db", str(store), check=False)
    assert r.returncode != 0 and "feature 0" in r.stderr and "properties.id" in r.stderr and "whole number" in r.stderr


def test_shapefile_float_ids_follow_the_same_rule(store, tmp_path):
    """ogr2ogr writes the code as a Real DBF field, as a pandas/QGIS round trip does."""
    src = tmp_path / "d.geojson"
    src.write_text(collection(
        {"type": "Feature", "properties": {"code": 441302001001001.0, "name": "甲"}, "geometry": square(114, 23, 0.1)},
        {"type": "Feature", "properties": {"code": 441302001001002.0, "name": "乙"}, "geometry": square(114.1, 23, 0.1)}))
    shp = tmp_path / "d.shp"
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", str(shp), str(src)], check=True, capture_output=True)
    wangge("import", "districts", str(shp), "--db", str(store), "--map", "id=code")
    assert [f["id"] for f in export(store, "districts", tmp_path)["features"]] == ["441302001001001", "441302001001002"]
    src.write_text(collection({"type": "Feature", "properties": {"code": 12.5}, "geometry": square(114, 23, 0.1)}))
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-overwrite", str(shp), str(src)], check=True, capture_output=True)
    r = wangge("import", "districts", str(shp), "--db", str(store), "--map", "id=code", check=False)
    assert r.returncode != 0 and "whole number" in r.stderr


def test_assign_point_ids_written_as_numbers(store, tmp_path):
    points = tmp_path / "p.geojson"
    points.write_text('{"type":"FeatureCollection","features":['
                      '{"type":"Feature","id":1e1,"properties":{},"geometry":{"type":"Point","coordinates":[114.45,23.05]}},'
                      '{"type":"Feature","properties":{"id":441302001001001.0},"geometry":{"type":"Point","coordinates":[114.45,23.05]}},'
                      '{"type":"Feature","id":2.5,"properties":{},"geometry":{"type":"Point","coordinates":[114.45,23.05]}}]}')
    out = tmp_path / "out.csv"
    r = wangge("assign", str(points), "--db", str(store), "--out", str(out))
    assert [x["id"] for x in csv.DictReader(out.open())] == ["10", "441302001001001"]
    assert "feature 2" in r.stderr and "whole number" in r.stderr


def test_numbers_json_cannot_carry_are_refused_and_never_written(store, tmp_path):
    src = tmp_path / "c.geojson"
    src.write_text('{"type":"FeatureCollection","features":['
                   '{"type":"Feature","properties":{"id":"C1","entrance_lon":114.45},"geometry":' + json.dumps(square(114.44, 23.04, 0.01)) + '},'
                   '{"type":"Feature","properties":{"id":"C2","entrance_lon":1e400},"geometry":' + json.dumps(square(114.46, 23.04, 0.01)) + '}]}')
    r = wangge("import", "compounds", str(src), "--db", str(store), check=False)
    assert r.returncode != 0 and "feature 1 (id C2)" in r.stderr and "properties.entrance_lon" in r.stderr
    assert export(store, "compounds", tmp_path)["features"] == []
    # A store edited by another tool can hold Inf: export and the items route still write JSON.
    src.write_text(src.read_text().replace("1e400", "114.47"))
    wangge("import", "compounds", str(src), "--db", str(store))
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE compounds SET entrance_lon = 9e999, entrance_lat = -9e999, extra = '{\"h\":1e999}' WHERE id = 'C2'")
    c2 = [f for f in export(store, "compounds", tmp_path)["features"] if f["id"] == "C2"][0]
    assert c2["properties"]["entrance_lon"] is None and c2["properties"]["h"] is None
    out = tmp_path / "a.jsonl"
    points = tmp_path / "p.csv"
    points.write_text("id,lon,lat\na,114.465,23.045\n")
    wangge("assign", str(points), "--db", str(store), "--out", str(out), "--format", "jsonl")
    assert strict_json(out.read_text().splitlines()[0])["compound"]["id"] == "C2"
