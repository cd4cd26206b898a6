"""Boundary history and seed tables through the real binary: a store written by the v1 release
migrates in place and opens in GDAL with its history layers, `wangge generations` lists the
imports, `wangge assign --generation N` answers as the grids stood then, and a fresh store takes
stations without `wangge seed`."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
LAYERS = ["districts", "streets", "communities", "grids", "compounds", "stations"]
STORES = REPO / "Tests/Fixtures/stores"


def wangge(*args, check=True, cwd=REPO, **kw):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=cwd, **kw)


def ogr_counts(db):
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(db)], capture_output=True, text=True, check=True).stdout
    names = re.findall(r"^Layer name: (\S+)", out, re.M)
    counts = [int(c) for c in re.findall(r"^Feature Count: (\d+)", out, re.M)]
    return dict(zip(names, counts))


@pytest.fixture
def v1_store(tmp_path):
    db = tmp_path / "v1.sqlite"
    shutil.copy(STORES / "v1.sqlite", db)
    return db


def test_v1_store_migrates_in_place_and_opens_in_ogrinfo_with_its_history(v1_store, tmp_path):
    r = wangge("generations", "--db", str(v1_store))  # opening migrates
    lines = r.stdout.strip().splitlines()
    assert lines[0].split()[:5] == ["generation", "imported_at", "layer", "features", "repaired"]
    rows = [l.split() for l in lines[1:]]
    assert [(int(x[0]), x[2], int(x[3])) for x in rows] == [
        (1, "districts", 2), (2, "streets", 2), (3, "communities", 2), (4, "grids", 4), (5, "compounds", 2), (6, "grids", 3)]
    assert rows[5][-1] == "grids_gen2.geojson"

    counts = ogr_counts(v1_store)
    assert {l: counts.get(l) for l in LAYERS} == {"districts": 2, "streets": 2, "communities": 2, "grids": 3, "compounds": 2, "stations": 0}
    assert {l: counts.get(l + "_history") for l in LAYERS} == {l: 0 for l in LAYERS}, "history layers open too"
    for layer in LAYERS:
        out = tmp_path / f"{layer}.geojson"
        wangge("export", layer, "--db", str(v1_store), "--out", str(out))
        assert out.read_text() == (STORES / "v1-export" / f"{layer}.geojson").read_text(), f"{layer}: export as v1 wrote it"

    # A re-import keeps generation 6's grids: in history, in GDAL, and through assign.
    r = wangge("import", "grids", str(STORES / "grids_gen1.geojson"), "--db", str(v1_store))
    assert "boundary generation 7" in r.stderr
    counts = ogr_counts(v1_store)
    assert counts["grids"] == 4 and counts["grids_history"] == 3
    info = subprocess.run(["ogrinfo", "-ro", "-al", "-where", "id = '441302001001001'", str(v1_store), "grids_history"],
                          capture_output=True, text=True, check=True).stdout
    assert "generation_low (Integer) = 6" in info and "generation_high (Integer) = 6" in info and "MULTIPOLYGON" in info

    points = tmp_path / "points.csv"
    points.write_text("id,lon,lat\nP,114.415,23.06\n")  # in 合并网格 (gen 6), in the second grid of gen 1/7
    now = list(csv.DictReader(io.StringIO(wangge("assign", str(points), "--db", str(v1_store)).stdout)))
    then = list(csv.DictReader(io.StringIO(wangge("assign", str(points), "--db", str(v1_store), "--generation", "6").stdout)))
    gen6 = {f["properties"]["id"] for f in json.loads((STORES / "grids_gen2.geojson").read_text())["features"]}
    gen7 = {f["properties"]["id"] for f in json.loads((STORES / "grids_gen1.geojson").read_text())["features"]}
    assert then[0]["grid_id"] == "441302001001001" and then[0]["grid_id"] in gen6
    assert now[0]["grid_id"] in gen7 and now[0]["grid_id"] != then[0]["grid_id"]
    r = wangge("assign", str(points), "--db", str(v1_store), "--generation", "8", check=False)
    assert r.returncode != 0 and "generations 1 to 7" in r.stderr and "Usage" not in r.stderr

    # `export --generation`: the grids as they stood at generation 6 (now all history rows) and at 7.
    def exported_ids(*extra):
        out = tmp_path / "export.geojson"
        wangge("export", "grids", "--db", str(v1_store), "--out", str(out), *extra)
        features = json.loads(out.read_text())["features"]
        return [f["id"] for f in features], features
    ids6, features6 = exported_ids("--generation", "6")
    assert sorted(ids6) == sorted(gen6)
    source6 = {f["properties"]["id"]: f["geometry"] for f in json.loads((STORES / "grids_gen2.geojson").read_text())["features"]}
    for f in features6:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon") and f["id"] in source6
    assert sorted(exported_ids("--generation", "7")[0]) == sorted(gen7) == sorted(exported_ids()[0])
    assert exported_ids("--generation", "4")[0] == [], "v1 kept no history: generation 4's grids were overwritten by 6"
    bad = tmp_path / "bad.geojson"
    r = wangge("export", "grids", "--db", str(v1_store), "--out", str(bad), "--generation", "9", check=False)
    assert r.returncode != 0 and "generations 1 to 7" in r.stderr and not bad.exists(), "no file for an unknown generation"
    assert "Usage" not in r.stderr, "a plain message, not the root command's usage"
    # A negative generation is a value out of range, not a missing value (`-1` looks like an option).
    for cmd in (["export", "grids", "--out", str(bad)], ["assign", str(points)]):
        r = wangge(*cmd, "--db", str(v1_store), "--generation", "-1", check=False)
        assert r.returncode != 0 and "generations 1 to 7" in r.stderr and "Missing value" not in r.stderr, r.stderr


def test_fresh_store_imports_every_layer_of_the_sample_city_without_seed(tmp_path):
    if not (REPO / "geodata/stations.geojson").exists():
        pytest.skip("geodata/ (the sample city) is not there")
    db = tmp_path / "fresh.sqlite"
    for layer in LAYERS:
        wangge("import", layer, str(REPO / "geodata" / f"{layer}.geojson"), "--db", str(db), cwd=tmp_path)
    expected = {l: len(json.loads((REPO / "geodata" / f"{l}.geojson").read_text())["features"]) for l in LAYERS}
    counts = ogr_counts(db)
    assert {l: counts.get(l) for l in LAYERS} == expected
    listed = wangge("categories", "--db", str(db), cwd=tmp_path).stdout
    assert listed == (REPO / "seeds/station_categories.csv").read_text()

    bad = tmp_path / "bad_station.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "id": "X1", "category": "spaceport"}, "geometry": {"type": "Point", "coordinates": [114.4, 23.1]}}]}))
    r = wangge("import", "stations", str(bad), "--db", str(db), "--append", check=False, cwd=tmp_path)
    assert r.returncode != 0
    assert "category 'spaceport' is not a station category" in r.stderr and "canteen" in r.stderr
    assert "wangge categories --add" in r.stderr
    extra = tmp_path / "more.csv"
    extra.write_text("code,name_zh,name_en,counts_toward_all\nspaceport,航天港,Spaceport,0\n")
    wangge("categories", "--db", str(db), "--add", str(extra), cwd=tmp_path)
    wangge("import", "stations", str(bad), "--db", str(db), "--append", cwd=tmp_path)
    assert ogr_counts(db)["stations"] == expected["stations"] + 1
