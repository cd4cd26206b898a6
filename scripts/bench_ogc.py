#!/usr/bin/env python3
"""Pages of GeoJSON features: wangge's OGC API items endpoint against PostGIS's ST_AsGeoJSON
writing the same page of the same table, one client, one connection each, the same run.

Usage: bench_ogc.py BASE_URL PSQL_DB LAYER [--page 1000] [--rounds 20]
The PostGIS table must hold the layer's rows with an `ogc_fid` in the store's fid order
(ogr2ogr from `wangge export` does that)."""
import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit


def wangge_pages(base, layer, page, total, rounds, query=""):
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    times, sizes, ids = [], [], []
    offsets = list(range(0, total, page))
    for r in range(rounds + 1):  # round 0 warms up
        for off in offsets:
            t0 = time.perf_counter()
            conn.request("GET", f"/collections/{layer}/items?limit={page}&offset={off}{query}")
            resp = conn.getresponse()
            body = resp.read()
            dt = time.perf_counter() - t0
            assert resp.status == 200, body[:300]
            if r == 0:
                ids.extend(f["id"] for f in json.loads(body)["features"])
            else:
                times.append(dt)
                sizes.append(len(body))
    return times, sizes, ids


def postgis_pages(db, layer, page, total, rounds, columns):
    props = ", ".join(columns)
    offsets = list(range(0, total, page))
    # One FeatureCollection per page, built in the database: ST_AsGeoJSON(record) writes each
    # whole Feature (geometry with 9 decimals, every other column as a property).
    q = ("SELECT '{{\"type\":\"FeatureCollection\",\"numberMatched\":' || (SELECT count(*) FROM {t}) || "
         "',\"numberReturned\":' || count(*) || ',\"features\":[' || string_agg(ST_AsGeoJSON(p.*, 'geom', 9), ',') || ']}}' "
         "FROM (SELECT id, {props}, geom FROM {t} ORDER BY ogc_fid LIMIT {n} OFFSET {o}) p;")
    lines = ["\\timing on", "\\pset format unaligned", "\\pset tuples_only on"]
    # Warm-up round written to a file to check ids and size; timed rounds to /dev/null.
    lines.append("\\o /tmp/wangge_bench_postgis_page.json")
    lines.append(q.format(t=layer, props=props, n=page, o=0))
    lines.append("\\o /dev/null")
    for _ in range(rounds):
        for off in offsets:
            lines.append(q.format(t=layer, props=props, n=page, o=off))
    script = "\n".join(lines) + "\n"
    out = subprocess.run(["su", "postgres", "-c", f"psql -q -X -d {db}"], input=script, capture_output=True, text=True, check=True).stdout
    ms = [float(x) for x in re.findall(r"^Time: ([\d.]+) ms", out, re.M)]
    first = open("/tmp/wangge_bench_postgis_page.json").read()
    return [m / 1000 for m in ms[1:]], first


def report(name, times, bytes_per_page, page):
    n = len(times)
    total = sum(times)
    med = statistics.median(times) * 1000
    p95 = sorted(times)[int(0.95 * (n - 1))] * 1000
    print(f"{name:<44} {n:>5} pages  {n / total:8.1f} pages/s  {n * page / total / 1000:8.1f} k features/s  "
          f"median {med:6.1f} ms  p95 {p95:6.1f} ms  {bytes_per_page / 1e6:5.2f} MB/page")
    return n / total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("db")
    ap.add_argument("layer")
    ap.add_argument("--page", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--label", default="wangge GET /collections/grids/items (HTTP)")
    ap.add_argument("--wangge-only", action="store_true", help="skip PostGIS (e.g. for a server started with other settings)")
    a = ap.parse_args()
    with http_get(a.base + f"/collections/{a.layer}/items?limit=1") as r:
        total = json.loads(r.read())["numberMatched"]
    with http_get(a.base + "/api") as r:
        api = json.loads(r.read())
    columns = [p["name"] for p in api["paths"][f"/collections/{a.layer}/items"]["get"]["parameters"]
               if "name" in p and p.get("in") == "query" and p["name"] != "id"]
    print(f"{a.layer}: {total} features, pages of {a.page} ({-(-total // a.page)} per pass), {a.rounds} passes; "
          f"properties id, {', '.join(columns)}")
    wt, ws, wids = wangge_pages(a.base, a.layer, a.page, total, a.rounds)
    if a.wangge_only:
        report(a.label, wt, statistics.mean(ws), a.page)
        return
    pt, first = postgis_pages(a.db, a.layer, a.page, total, a.rounds, columns)
    # PostGIS 3.3 has no id_column argument yet: the id is a property there.
    pids = [f["properties"]["id"] for f in json.loads(first)["features"]]
    assert pids == wids[:len(pids)], "both produce the same features in the same order"
    w = report(a.label, wt, statistics.mean(ws), a.page)
    p = report("PostGIS ST_AsGeoJSON page (psql, \\timing)", pt, len(first), a.page)
    wt3, ws3, _ = wangge_pages(a.base, a.layer, a.page, total, max(2, a.rounds // 4), "&crs=http://www.opengis.net/def/crs/EPSG/0/4547")
    report("wangge, same pages with crs=EPSG:4547", wt3, statistics.mean(ws3), a.page)
    print(f"ratio wangge / PostGIS: {w / p:.2f}x pages per second")


def http_get(url):
    import urllib.request
    return urllib.request.urlopen(url, timeout=60)


if __name__ == "__main__":
    sys.exit(main())
