"""The foundation through the real binary: seed the sample city, open the store in GDAL's
ogrinfo, import and export through the CLI, bad imports leave the store alone, serve answers."""
import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
LAYERS = ["districts", "streets", "communities", "grids", "compounds", "stations"]


def wangge(*args, check=True, **kw):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=REPO, **kw)


def geodata_counts():
    return {l: len(json.loads((REPO / "geodata" / f"{l}.geojson").read_text())["features"]) for l in LAYERS}


def ogr_counts(db):
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(db)], capture_output=True, text=True, check=True).stdout
    names = re.findall(r"^Layer name: (\S+)", out, re.M)
    counts = [int(c) for c in re.findall(r"^Feature Count: (\d+)", out, re.M)]
    return dict(zip(names, counts))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    db = tmp_path_factory.mktemp("seed") / "city.sqlite"
    r = wangge("seed", "--db", str(db))
    assert "grids:" in r.stderr
    return db


def test_every_layer_opens_in_ogrinfo_with_its_feature_count(seeded):
    counts = ogr_counts(seeded)
    assert {l: counts.get(l) for l in LAYERS} == geodata_counts()


def test_export_gives_back_the_sample_city(seeded, tmp_path):
    out = tmp_path / "grids.geojson"
    wangge("export", "grids", "--db", str(seeded), "--out", str(out))
    exported = json.loads(out.read_text())
    original = json.loads((REPO / "geodata/grids.geojson").read_text())
    assert "crs" not in exported
    assert [f["id"] for f in exported["features"]] == [f["properties"]["id"] for f in original["features"]]
    for a, b in zip(exported["features"][:200], original["features"][:200]):
        assert a["properties"]["community_id"] == b["properties"]["community_id"]
        ca, cb = json.dumps(a["geometry"]["coordinates"]), json.dumps(b["geometry"]["coordinates"])
        na = [float(x) for x in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", ca)]
        nb = [float(x) for x in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", cb)]
        # Stored as MultiPolygon with RFC 7946 winding: the same numbers, perhaps in reversed rings.
        assert len(na) == len(nb)
        assert max(abs(x - y) for x, y in zip(sorted(na), sorted(nb))) <= 1e-9


def test_bad_import_exits_nonzero_names_the_feature_and_changes_nothing(seeded, tmp_path):
    before = ogr_counts(seeded)
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "G1", "community_id": "nope"},
         "geometry": {"type": "Polygon", "coordinates": [[[114, 23], [114.1, 23], [114.1, 23.1], [114, 23]]]}},
        {"type": "Feature", "properties": {"id": "G2"},
         "geometry": {"type": "Polygon", "coordinates": [[[114, 23], [114.1, 23.1], [114.1, 23], [114, 23.1], [114, 23]]]}},
    ]}))
    r = wangge("import", "grids", str(bad), "--db", str(seeded), check=False)
    assert r.returncode != 0
    assert "feature 1 (id G2)" in r.stderr and "Self-intersection" in r.stderr
    assert "store is unchanged" in r.stderr
    r = wangge("import", "grids", str(bad), "--db", str(seeded), "--invalid", "repair", check=False)
    assert r.returncode != 0 and "community_id 'nope' names no row in communities" in r.stderr
    truncated = tmp_path / "truncated.geojson"
    truncated.write_text('{"type": "FeatureCollection",\n "features": [\n {"type": "Feature"')
    r = wangge("import", "grids", str(truncated), "--db", str(seeded), check=False)
    assert r.returncode != 0 and "line 3" in r.stderr
    r = wangge("import", "grids", str(bad), "--db", str(seeded), "--crs", "EPSG:999999", check=False)
    assert r.returncode != 0 and "unknown CRS" in r.stderr
    assert ogr_counts(seeded) == before


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_fills_an_empty_store_with_the_sample_city_and_answers(tmp_path):
    port = free_port()
    db = tmp_path / "data" / "fresh.sqlite"
    proc = subprocess.Popen([BIN, "serve", "--db", str(db), "--port", str(port)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as r:
                    assert json.load(r) == {"status": "ok"}
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.1)
        else:
            pytest.fail("server did not come up")
        counts = geodata_counts()
        for layer in LAYERS:
            with urllib.request.urlopen(f"{base}/collections/{layer}/items?limit=3", timeout=10) as r:
                assert r.headers["Content-Type"] == "application/geo+json"
                page = json.load(r)
            assert page["numberMatched"] == counts[layer]
            assert page["numberReturned"] == 3
        fid = page["features"][0]["id"]
        with urllib.request.urlopen(f"{base}/collections/stations/items/{fid}", timeout=10) as r:
            assert json.load(r)["id"] == fid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_server_follows_a_reimport_by_another_process(tmp_path):
    """`wangge import` in another process makes a new boundary generation; the running server
    notices and answers from a rebuilt index without a restart."""
    db = tmp_path / "city.sqlite"
    wangge("seed", "--db", str(db))
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--db", str(db), "--port", str(port), "--reload-interval", "1"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.1)
        grid = json.loads((REPO / "geodata/grids.geojson").read_text())["features"][0]
        ring = grid["geometry"]["coordinates"][0][0] if grid["geometry"]["type"] == "MultiPolygon" else grid["geometry"]["coordinates"][0]
        lon, lat = ring[0]  # a vertex of the first grid: covered by it (and perhaps neighbours)
        with urllib.request.urlopen(f"{base}/assign?lon={lon}&lat={lat}", timeout=10) as r:
            before = json.load(r)["properties"]
        assert before["grid"] is not None
        # Replace the grids layer with one grid covering the whole city, in the same community.
        city = [[[100, 10], [130, 10], [130, 40], [100, 40], [100, 10]]]
        new = tmp_path / "one_grid.geojson"
        new.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
            "id": "NEWGRID", "name": "全市网格", "community_id": grid["properties"]["community_id"]},
            "geometry": {"type": "Polygon", "coordinates": city}}]}))
        wangge("import", "grids", str(new), "--db", str(db))
        after = None
        for _ in range(100):
            with urllib.request.urlopen(f"{base}/assign?lon={lon}&lat={lat}", timeout=10) as r:
                after = json.load(r)["properties"]
            if after["generation"] != before["generation"]:
                break
            time.sleep(0.1)
        assert after["generation"] > before["generation"]
        assert after["grid"]["id"] == "NEWGRID" and after["candidates"] == ["NEWGRID"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_tokens_are_shown_once_listed_by_prefix_and_revoked(seeded, tmp_path):
    import shutil
    db = tmp_path / "tokens.sqlite"
    shutil.copy(seeded, db)
    grid = json.loads((REPO / "geodata" / "grids.geojson").read_text())["features"][0]["properties"]["id"]
    r = wangge("token", "create", "--role", "worker", "--grid", grid, "--name", "张三", "--db", str(db))
    token = r.stdout.strip()
    assert re.fullmatch(r"wg_[A-Za-z0-9_-]{43}", token), r.stdout
    listed = wangge("token", "list", "--db", str(db)).stdout
    assert token not in listed and token[:10] in listed and f"grid:{grid}" in listed and "张三" in listed
    token_id = listed.splitlines()[1].split("\t")[0]

    bad = wangge("token", "create", "--role", "worker", "--db", str(db), check=False)
    assert bad.returncode != 0 and "--grid" in bad.stderr
    bad = wangge("token", "create", "--role", "mayor", "--db", str(db), check=False)
    assert bad.returncode != 0 and "unknown role mayor" in bad.stderr

    wangge("token", "revoke", token_id, "--db", str(db))
    assert "\t-\n" not in wangge("token", "list", "--db", str(db)).stdout.splitlines()[1] + "\n", "revoked_at is set"
    again = wangge("token", "revoke", token_id, "--db", str(db), check=False)
    assert again.returncode != 0 and "already revoked" in again.stderr


def test_isochrone_of_an_unknown_station_is_a_plain_error_not_a_usage_error(seeded, tmp_path):
    # A station id the store does not hold is a data error: exit 1 and the message, not the usage
    # text and exit 64 that argument-parser gives a malformed command line.
    station = json.loads((REPO / "geodata" / "stations.geojson").read_text())["features"][0]["properties"]["id"]
    out = tmp_path / "iso.geojson"
    wangge("isochrone", "--db", str(seeded), "--station", station, "--minutes", "5", "--out", str(out))
    assert json.loads(out.read_text())["station_id"] == station
    bad = wangge("isochrone", "--db", str(seeded), "--station", "KE104/2-149", "--out", str(tmp_path / "x.geojson"), check=False)
    assert bad.returncode == 1, (bad.returncode, bad.stderr)
    assert "no station with id 'KE104/2-149'" in bad.stderr and "Usage:" not in bad.stderr
    assert not (tmp_path / "x.geojson").exists()


def test_a_mistyped_store_path_is_refused_by_reading_commands_and_not_created(tmp_path):
    # Without this, `wangge export grids --db data/wangge.sqlit` created an empty store (and its
    # folders) and printed an empty collection with exit code 0.
    missing = tmp_path / "no" / "such.sqlite"
    for args in (["export", "grids"], ["generations"], ["coverage", "--level", "city"], ["token", "list"],
                 ["cases", "sweep"], ["isochrone", "--lon", "114.4", "--lat", "23.1"]):
        r = wangge(*args, "--db", str(missing), check=False)
        assert r.returncode == 1, (args, r.returncode, r.stderr)
        assert f"no store at {missing}" in r.stderr and "Usage:" not in r.stderr, (args, r.stderr)
        assert not missing.exists() and not missing.parent.exists(), args


def test_a_wrong_value_found_while_running_names_the_commands_help_not_the_roots_usage(seeded):
    """A value a command finds wrong as it runs (not a parsing error) is a plain message that points
    at that command's help; the root command's usage, which names none of its options, is not printed."""
    r = wangge("import", "nosuch", "x.geojson", "--db", str(seeded), check=False)
    assert r.returncode != 0 and "unknown layer 'nosuch'" in r.stderr, r.stderr
    assert "See 'wangge import --help'." in r.stderr and "Usage: wangge <subcommand>" not in r.stderr, r.stderr
