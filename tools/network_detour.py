"""How far out of the way the sample city's walking network makes people walk: the detour
(network distance ÷ straight-line distance) between compound access points.

    .venv/bin/python tools/network_detour.py [--network geodata/network.geojson] [--pairs 3000]

An estimate for judging the generated network, not a reference for wangge's distances (those are
checked to 1 cm in checks/test_network_reference.py). It follows the README's rules closely enough
for a ratio: the foot profile's only drop that occurs in the file (motorway); lines split where
they share a vertex; only connected parts of >= 50 such nodes take access points; a point enters
at the nearest point of the nearest edge and both access legs count. Lengths are planar in UTM
zone 50N (EPSG:32650, scale error < 0.1 % over Huizhou), not WGS84 geodesics.

Access points: a compound's entrance where it has one, else its polygon's centroid (as wangge).
Pairs (seeded, so every run gives the same figures): for `--pairs` random sources, one random
other compound farther than 300 m in straight line ("city-wide") and one between 300 m and 2 km
("local", the distances a 15-minute walk is about). Prints the median, p90 and share of pairs
without a network path (different connected parts) for each family.
"""
import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import numpy as np
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import LineString, Point, shape

REPO = Path(__file__).resolve().parent.parent
MIN_NODES = 50
TO_M = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)


def load_network(path):
    """[(xy coordinates in metres, original lon/lat tuples)] of the lines a pedestrian may use."""
    fc = json.loads(Path(path).read_text(encoding="utf-8"))
    lines = []
    for f in fc["features"]:
        if f["properties"].get("highway") == "motorway":
            continue
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        lines.append(coords)
    return lines


def split(lines):
    """Edges between junctions: a vertex is a node when it ends a line or occurs more than once."""
    count = Counter(v for line in lines for v in line)
    edges = []
    for line in lines:
        start = 0
        for i in range(1, len(line)):
            if i == len(line) - 1 or count[line[i]] > 1:
                if i > start:
                    edges.append(line[start:i + 1])
                start = i
    return edges


def build(path):
    edges = split(load_network(path))
    nodes = sorted({e[0] for e in edges} | {e[-1] for e in edges})
    G = nx.Graph()
    geoms = []
    for k, e in enumerate(edges):
        xs, ys = TO_M.transform([p[0] for p in e], [p[1] for p in e])
        g = LineString(list(zip(xs, ys)))
        geoms.append(g)
        u, v = e[0], e[-1]
        if u != v and (not G.has_edge(u, v) or G[u][v]["w"] > g.length):
            G.add_edge(u, v, w=g.length)
    big = set()
    for comp in nx.connected_components(G):
        if len(comp) >= MIN_NODES:
            big |= comp
    keep = [k for k, e in enumerate(edges) if e[0] in big]
    return G, edges, geoms, keep, len(nodes)


def access_points():
    fc = json.loads((REPO / "geodata" / "compounds.geojson").read_text(encoding="utf-8"))
    pts = []
    for f in sorted(fc["features"], key=lambda f: f["id"]):
        p = f["properties"]
        lon, lat = (p["entrance_lon"], p["entrance_lat"]) if p["entrance_lon"] is not None else shape(f["geometry"]).centroid.coords[0]
        pts.append(TO_M.transform(lon, lat))
    return np.array(pts)


def detours(network, n_pairs, seed):
    G, edges, geoms, keep, n_nodes = build(network)
    P = access_points()
    tree = STRtree([geoms[k] for k in keep])
    snapped = []   # (edge index, metres along it, access leg)
    for x, y in P:
        q = Point(x, y)
        j = keep[int(tree.nearest(q))]
        g = geoms[j]
        s = g.project(q)
        snapped.append((j, s, g.interpolate(s).distance(q)))

    def ends(i):
        j, s, leg = snapped[i]
        return [(edges[j][0], leg + s), (edges[j][-1], leg + geoms[j].length - s)]

    rng = random.Random(seed)
    n = len(P)
    out = {"city-wide": [], "local": []}
    unreachable = Counter()
    for _ in range(n_pairs):
        a = rng.randrange(n)
        d = np.hypot(P[:, 0] - P[a, 0], P[:, 1] - P[a, 1])
        far = np.flatnonzero(d > 300)
        near = np.flatnonzero((d > 300) & (d <= 2000))
        picks = [("city-wide", int(rng.choice(list(far))))]
        if len(near):
            picks.append(("local", int(rng.choice(list(near)))))
        src = {}
        for node, w in ends(a):
            src[node] = min(w, src.get(node, float("inf")))
        # a virtual source joined to both ends of the source's edge by their access costs
        G.add_node("__src__")
        for node, w in src.items():
            G.add_edge("__src__", node, w=w)
        dist = nx.single_source_dijkstra_path_length(G, "__src__", weight="w")
        G.remove_node("__src__")
        for fam, b in picks:
            best = min((dist[node] + w for node, w in ends(b) if node in dist), default=None)
            ja, sa, la = snapped[a]
            jb, sb, lb = snapped[b]
            if ja == jb:
                along = la + abs(sa - sb) + lb
                best = along if best is None else min(best, along)
            if best is None:
                unreachable[fam] += 1
                continue
            out[fam].append(best / d[b])
    return out, unreachable, G, n_nodes, len(edges)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--network", default=str(REPO / "geodata" / "network.geojson"))
    ap.add_argument("--pairs", type=int, default=3000, help="random sources (default 3000)")
    ap.add_argument("--seed", type=int, default=10)
    args = ap.parse_args(argv)
    out, unreachable, G, n_nodes, n_edges = detours(args.network, args.pairs, args.seed)
    print(f"{args.network}: {n_edges:,} edges, {n_nodes:,} nodes after splitting (motorway dropped)")
    for fam, r in out.items():
        r = np.array(r)
        print(f"{fam:>9}: {len(r):,} pairs, detour median {np.median(r):.2f}, p90 {np.percentile(r, 90):.2f}, "
              f"mean {r.mean():.2f}; {unreachable[fam]} pairs with no network path")


if __name__ == "__main__":
    main()
