"""Turns exported layers (wangge export) into CSV files PostGIS loads with \\copy, for
scripts/bench-coverage.sh: compounds (id, WKT, entrance lon/lat), grids (id, WKT), stations
(id, category, lon, lat). Coordinates are written with repr: exactly the stored doubles.

usage: bench_coverage_load.py DIR   (reads DIR/{compounds,grids,stations}.geojson)"""
import csv
import json
import sys

import shapely

d = sys.argv[1]


def features(name):
    return json.load(open(f"{d}/{name}.geojson"))["features"]


def num(v):
    return "" if v is None else repr(float(v))


with open(f"{d}/compounds.csv", "w", newline="") as f:
    w = csv.writer(f)
    for ft in features("compounds"):
        p = ft["properties"]
        w.writerow([ft["id"], shapely.to_wkt(shapely.geometry.shape(ft["geometry"]), rounding_precision=-1),
                    num(p.get("entrance_lon")), num(p.get("entrance_lat"))])
with open(f"{d}/grids.csv", "w", newline="") as f:
    w = csv.writer(f)
    for ft in features("grids"):
        w.writerow([ft["id"], shapely.to_wkt(shapely.geometry.shape(ft["geometry"]), rounding_precision=-1)])
with open(f"{d}/stations.csv", "w", newline="") as f:
    w = csv.writer(f)
    for ft in features("stations"):
        lon, lat = ft["geometry"]["coordinates"]
        w.writerow([ft["id"], ft["properties"]["category"], repr(lon), repr(lat)])
