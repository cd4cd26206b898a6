"""The independent network-distance reference shared by the network checks (networkx + pyproj),
written from the README's rule, not from wangge's code:

* edge lengths: sums of pyproj Geod.inv (Karney, WGS84) over the segments;
* components: networkx connected components; only those of >= MIN_NODES nodes take snapped points;
* snapping: for every segment of those edges near the point (a planar prefilter in metres east and
  north at the network's mean latitude), the least geodesic distance from the point to the geodesic
  segment by golden-section search along it (Geod.fwd); the foot point splits its edge and the
  access leg (point to foot point) hangs off it;
* distances: networkx Dijkstra over the graph so split.
"""
import json
import math
import os
import subprocess
from pathlib import Path

import networkx as nx
import numpy as np
from pyproj import Geod
from shapely.geometry import mapping

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
GEOD = Geod(ellps="WGS84")
MIN_NODES = 50
TOL_M = 0.01  # metres: every network distance must equal the reference within 1 cm


def wangge(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check, cwd=REPO)


def network_edge_count(db):
    import sqlite3
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM network_edges").fetchone()[0]


def seg_len(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def point_along(a, b, s):
    """The point s metres from a along the geodesic a->b."""
    az, _, length = GEOD.inv(a[0], a[1], b[0], b[1])
    if length == 0 or s <= 0:
        return a
    if s >= length:
        return b
    lon, lat, _ = GEOD.fwd(a[0], a[1], az, s)
    return (lon, lat)


def foot_on_segment(q, a, b):
    """(metres from a along the geodesic a->b, geodesic distance q->foot): golden-section search."""
    az, _, length = GEOD.inv(a[0], a[1], b[0], b[1])
    if length == 0:
        return 0.0, seg_len(q, a)

    def f(s):
        lon, lat, _ = GEOD.fwd(a[0], a[1], az, s)
        return GEOD.inv(lon, lat, q[0], q[1])[2]

    lo, hi = 0.0, length
    g = (math.sqrt(5) - 1) / 2
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(70):
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - g * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + g * (hi - lo)
            f2 = f(x2)
    cands = [(f(0.0), 0.0), (f(length), length), (f((lo + hi) / 2), (lo + hi) / 2)]
    d, s = min(cands)
    return s, d


class Reference:
    """`lines`: each edge's vertices (lon, lat). `ends`: each edge's two node keys (default: its
    first and last positions, for generated networks that meet only at equal end points; OSM
    networks meet at node ids, so pass the store's source and target nodes)."""

    def __init__(self, lines, ends=None, min_nodes=MIN_NODES):
        self.lines = lines
        self.ends = ends if ends is not None else [(l[0], l[-1]) for l in lines]
        self.seglens = [[seg_len(l[k], l[k + 1]) for k in range(len(l) - 1)] for l in lines]
        self.lengths = [sum(s) for s in self.seglens]
        g = nx.MultiGraph()
        for k, (u, v) in enumerate(self.ends):
            g.add_edge(u, v, key=k)
        size = {}
        for comp in nx.connected_components(g):
            for n in comp:
                size[n] = len(comp)
        self.component_size = size
        self.allowed = [size[u] >= min_nodes for u, _ in self.ends]
        # Segments of allowed edges, for a planar prefilter (metres east/north at the mean latitude).
        lat0 = sum(l[0][1] for l in lines) / len(lines)
        segs = [(k, s, l[s], l[s + 1]) for k, l in enumerate(lines) if self.allowed[k] for s in range(len(l) - 1)]
        self.segs = segs
        self.kx, self.ky = 111320 * math.cos(math.radians(lat0)), 110574.0
        self.A = np.array([[a[0] * self.kx, a[1] * self.ky] for _, _, a, _ in segs])
        self.B = np.array([[b[0] * self.kx, b[1] * self.ky] for _, _, _, b in segs])

    def snap(self, q):
        """(edge, offset from its first point, access metres) on the nearest allowed edge."""
        p = np.array([q[0] * self.kx, q[1] * self.ky])
        d = self.B - self.A
        ll = (d * d).sum(axis=1)
        t = np.clip(((p - self.A) * d).sum(axis=1) / np.where(ll > 0, ll, 1), 0, 1)
        planar = np.hypot(*(self.A + d * t[:, None] - p).T)
        best = None
        for i in np.nonzero(planar <= planar.min() * 1.02 + 3)[0]:
            k, s, a, b = self.segs[i]
            off, acc = foot_on_segment(q, a, b)
            cand = (acc, k, sum(self.seglens[k][:s]) + off)
            if best is None or cand < best:
                best = cand
        acc, k, off = best
        return k, off, acc

    def graph(self, points):
        """networkx graph of the network split at the points' foot points; point p is node ('p', i)."""
        splits = {}
        for i, q in enumerate(points):
            k, off, acc = self.snap(q)
            splits.setdefault(k, []).append((off, i, acc))
        g = nx.Graph()

        def link(u, v, w):  # parallel edges: keep the shorter (Dijkstra would)
            if g.has_edge(u, v):
                w = min(w, g[u][v]["weight"])
            g.add_edge(u, v, weight=w)

        for k, (first, last) in enumerate(self.ends):
            chain = [(0.0, first)]
            for off, i, acc in sorted(splits.get(k, [])):
                foot = ("foot", i)
                chain.append((off, foot))
                link(foot, ("p", i), acc)
            chain.append((self.lengths[k], last))
            for (o1, u), (o2, v) in zip(chain, chain[1:]):
                if u != v:  # a loop's whole length returns to its node: never a shorter way
                    link(u, v, o2 - o1)
        return g

    def piece(self, k, s, t):
        """Vertices of edge k from s to t metres along it (cut by geodesic interpolation)."""
        line, lens = self.lines[k], self.seglens[k]
        out, acc = [], 0.0
        for i, L in enumerate(lens):
            a, b = line[i], line[i + 1]
            if not out and s <= acc + L:
                out.append(point_along(a, b, s - acc))
            if out and t <= acc + L:
                out.append(point_along(a, b, t - acc))
                return out
            if out:
                out.append(b)
            acc += L
        out.append(line[-1])
        return out


def write_city_layers(tmp, bounds, compounds, stations, network=None):
    """GeoJSON files of districts, streets, communities and grids (one rectangle `bounds` each),
    compounds (id, shapely polygon, entrance or None; 100 households), stations (id, category,
    lon, lat), and optionally the network (lists of (lon, lat)); returns {layer: path}."""
    from shapely.geometry import box
    everything = box(*bounds)

    def fc(features):
        return {"type": "FeatureCollection", "features": features}

    def feat(props, geom):
        return {"type": "Feature", "properties": props, "geometry": geom if isinstance(geom, dict) else mapping(geom)}

    grid = "441302007001001"
    layers = {
        "districts": fc([feat({"id": "441302", "name": "惠城区"}, everything)]),
        "streets": fc([feat({"id": "441302007", "name": "江北街道", "district_id": "441302"}, everything)]),
        "communities": fc([feat({"id": "441302007001", "name": "社区", "street_id": "441302007"}, everything)]),
        "grids": fc([feat({"id": grid, "name": "网格", "community_id": "441302007001"}, everything)]),
        "compounds": fc([feat({"id": cid, "name": "小区" + cid, "grid_id": grid, "households": 100, "population": 250,
                               "entrance_lon": e[0] if e else None, "entrance_lat": e[1] if e else None}, poly)
                         for cid, poly, e in compounds]),
        "stations": fc([feat({"id": s, "name": "站" + s, "category": cat}, {"type": "Point", "coordinates": [lon, lat]})
                        for s, cat, lon, lat in stations]),
    }
    if network is not None:
        layers["network"] = fc([feat({"highway": "footway" if k % 3 == 0 else "residential"},
                                     {"type": "LineString", "coordinates": [list(p) for p in line]})
                                for k, line in enumerate(network)])
    paths = {}
    for name, obj in layers.items():
        p = tmp / f"{name}.geojson"
        p.write_text(json.dumps(obj))
        paths[name] = p
    return paths
