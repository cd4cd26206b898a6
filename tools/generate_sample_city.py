#!/usr/bin/env python3
"""Deterministic sample-city generator for wangge (Huizhou, Guangdong).

Real inputs (read-only, see DESIGN.md section 6):
  * huizhou_districts_wgs84_from_amap.geojson - the 5 real district outlines
  * huizhou_townships_mca2025.csv              - the 70 real streets/towns (MCA 2025 codes)

Synthetic outputs (GeoJSON, RFC 7946, one feature per line):
  districts, streets, communities, grids, compounds, stations.

How the tiling stays exact
  1. Streets are Voronoi cells of seed points (urban streets small and clustered at
     the district's urban core, towns large), intersected with the district.
  2. Inside every street a square lattice (size chosen per street) is labelled:
     communities by noisy multi-source region growing from k-means seeds, then grids
     inside every community the same way.  A few 2x2 blocks deep inside one grid are
     handed to another grid of the same community (enclave: one grid gets a hole,
     the other a detached part).
  3. All linework of the city (street boundaries + lattice edges where the label
     changes, clipped to their street) is noded together ONCE with snap rounding on
     the 1e-7 degree grid and polygonized.  Every face is then classified; every
     polygon of every layer is a coverage union of faces, so neighbours (at every
     level, also across district borders) share identical vertices.
  4. The output is re-read and verified (validity, exact coverage, areas, ids,
     calibration counts, containment) before anything is written.

Usage:  python3 tools/generate_sample_city.py [--seed 20261122] [--scale 1]
                                             [--source geodata/sources] [--out geodata]
Needs Python 3.11, shapely 2 (GEOS >= 3.12) and numpy (tools/requirements.txt).
"""
from __future__ import annotations

import argparse
import csv
import heapq
import json
import math
import os
import sys
import time
from collections import defaultdict

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon, shape
from shapely.geometry.polygon import orient

GRID = 1e-7  # snap-rounding grid in degrees == 7 decimals in the output
LAT0 = 23.1
MX = 111320.0 * math.cos(math.radians(LAT0))  # metres per degree of longitude (approx.)
MY = 110574.0  # metres per degree of latitude (approx.)

ZONE_ZK = "仲恺高新区"
ZONE_DYW = "大亚湾开发区"

# 仲恺 calibration at scale 1 (source material: 27 communities, 167 grids ...)
ZK_COMMUNITIES = {"441302007": 8, "441302009": 7, "441302106": 5, "441302107": 4, "441302114": 3}
ZK_GRIDS = 167
ZK_COMPOUNDS = 167
ZK_STATIONS = {"canteen": 18, "elder_day_care": 23, "fitness_station": 47}

# approximate urban cores (county seats), WGS84
# (lon, lat, streets): the first core takes the remaining urban streets of the district
CORES = {
    "441302": [(114.410, 23.090, None)],  # 惠城 city centre
    "441303": [(114.460, 22.790, None),  # 惠阳 淡水
               (114.540, 22.740, ("441303004", "441303005", "441303006"))],  # 大亚湾
    "441322": [(114.290, 23.170, None)],  # 博罗 罗阳
    "441323": [(114.720, 22.990, None)],  # 惠东 平山
    "441324": [(114.250, 23.730, None)],  # 龙门 龙城
}
# coastal towns (they take the southernmost town seeds, so the islands fall to them)
COASTAL_TOWNS = {
    "441323": ("441323106", "441323104", "441323105", "441323109", "441323124"),  # 平海 稔山 铁涌 吉隆 黄埠
}
URBAN_KM2 = 32.0  # target mean area of an urban street (街道)

CATEGORIES = [
    ("party_service_center", "党群服务中心", "Party-mass service centre", 1),
    ("party_service_station", "党群服务站", "Party-mass service station", 1),
    ("canteen", "社区食堂", "Community canteen", 1),
    ("elder_day_care", "日间照料中心", "Elder day-care centre", 1),
    ("health_station", "健康驿站", "Health station", 1),
    ("fitness_station", "健身驿站", "Fitness station", 1),
    ("after_school", "四点半课堂", "After-school room", 1),
    ("discussion_pavilion", "邻里议事亭", "Neighbourhood discussion pavilion", 1),
    ("other", "其他", "Other", 0),
]
CATEGORY_CODES = [c[0] for c in CATEGORIES]
LEVELS = ["county", "town", "community", "compound"]

# ----------------------------------------------------------------------------- names
COMMUNITY_NAMES = (
    "东湖 新村 江北 南坛 河东 金山 下角 水北 东平 西湖 望江 新岸 花边 鹅岭 环城 学背 麦地 上排 "
    "下埔 演达 长湖 富民 祝屋 黄岗 江南 桥背 东新 龙湖 华侨 平安 和平 开城 祥云 瑞光 新联 上围 "
    "下围 石湖 荷岭 梅湖 竹园 松山 白鹭 凤岗 龙岗 大塘 新塘 石岗 岭头 河背 沙岗 田心 坪山 高岭 "
    "莲塘 桂林 柏岗 榕树 芙蓉 紫薇 碧湖 翠园 金湖 银岗 新华 光明 东升 团结 建设 红星 先锋 群英 "
    "友谊 联合 新民 永安 长安 太平 福田 禾田 谷岭 泉塘 径口 湖山 岗头 塘尾 围仔 洲头 沥口 湾仔 "
    "埔心 坑背 陂头 新圩 老圩 上塘 下塘 东岸 西岸 南岭 北岭 鹤山 龙潭 凤凰 麒麟 青草 红花 白沙 "
    "黄沙 石桥 沙埔 水围 马岭 牛岗 鸡心 象岭 狮岭 梧桐 杨梅 荔枝 龙眼 蕉岭 茶园 竹坑 松岗"
).split()
NAME_PREFIX_CHARS = "东西南北新上下中大小金银石沙水江河湖山岭龙凤鹤桂荷梅竹松禾田白黄青红三五长高平"
NAME_SUFFIX_CHARS = "塘坑岭围湖田坝岗洲湾头尾园埔溪桥边背角圳陂沥墩坪寮楼屋山"

COMPOUND_PREFIXES = (
    "金山 江景 东江 翠湖 御景 锦绣 富丽 碧水 星河 阳光 金色 明珠 丽日 嘉禾 泰和 康城 宏达 鸿福 "
    "盛世 景湖 怡景 馨怡 雅乐 华阳 丰泽 瑞景 紫荆 桂花 荔园 榕城 鹅城 西子 湖畔 半岛 水岸 滨江 "
    "江畔 海悦 山水 云山 天悦 龙光 凤凰 麒麟 百合 兰亭 书香 学府 康乐 幸福 和谐 文华 富康 安居 "
    "乐居 宜家 丽景 合正 东方 南湖 北湖 西湖 中信 城市 世纪 新天地 金湖 银湖 翡翠 玉兰 丹桂 "
    "梧桐 香樟 榕树 木棉 紫薇 海棠 金域 锦江 华府 御湖 君悦 尚城 悦澜 逸景 观澜 映月 朝阳 晨曦 "
    "星光 星辰 金叶 东湖 江南 水口 鹿江 红花 鹅岭"
).split()
COMPOUND_SUFFIXES = "花园 苑 小区 雅居 华庭 新村 公寓 名都 豪庭 家园 山庄 新城 雅苑 府 湾 名苑".split()

SURNAMES = (
    "陈 陈 陈 李 李 黄 黄 张 张 刘 刘 林 林 叶 钟 钟 邓 王 罗 杨 吴 曾 何 谢 朱 郑 赖 古 温 江 "
    "徐 周 梁 卢 余 蔡 廖 彭 巫 骆 范 胡 丘 欧阳 肖 冯 许 潘 汤"
).split()
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲志文建国红海燕俊婷斌慧丹鹏辉健晓雪宇"
    "琳春梅嘉欣振浩锋思颖佳雯冬秋荣耀德胜新福凯永光金兰凤珍"
)
PHONE_PREFIXES = "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 177 180 181 182 183 185 186 187 188 189 199".split()


def street_base(name: str) -> str:
    for suf in ("瑶族乡", "街道", "镇", "乡"):
        if name.endswith(suf):
            return name[: -len(suf)]
    return name


def is_urban_code(code: str) -> bool:
    return int(code[6:9]) < 100


# ----------------------------------------------------------------------------- helpers
def area_m2(g) -> float:
    return shapely.area(g) * MX * MY


def kmeans(P, w, k, rng, iters=25):
    """Weighted k-means with k-means++ initialisation (deterministic given rng)."""
    if len(P) > 6000:  # centres only seed the region growing: a sample is plenty
        sub = np.sort(rng.choice(len(P), 6000, replace=False))
        P, w = P[sub], w[sub]
    n = len(P)
    if k >= n:
        return P[:k].copy()
    p0 = w / w.sum()
    idx = [int(rng.choice(n, p=p0))]
    d2 = ((P - P[idx[0]]) ** 2).sum(1)
    for _ in range(k - 1):
        pr = w * d2
        s = pr.sum()
        i = int(rng.choice(n, p=pr / s)) if s > 0 else int(rng.integers(n))
        idx.append(i)
        d2 = np.minimum(d2, ((P - P[i]) ** 2).sum(1))
    C = P[idx].copy()
    for _ in range(iters):
        a = assign_nearest(P, C)
        sw = np.bincount(a, weights=w, minlength=k)
        sx = np.bincount(a, weights=w * P[:, 0], minlength=k)
        sy = np.bincount(a, weights=w * P[:, 1], minlength=k)
        ok = sw > 0
        C[ok, 0] = sx[ok] / sw[ok]
        C[ok, 1] = sy[ok] / sw[ok]
    return C


def assign_nearest(P, C, chunk=50000):
    """Index of the nearest row of C for every row of P (2-D points)."""
    out = np.empty(len(P), dtype=np.int64)
    cx, cy = C[:, 0][None, :], C[:, 1][None, :]
    for s in range(0, len(P), chunk):
        qx, qy = P[s : s + chunk, 0][:, None], P[s : s + chunk, 1][:, None]
        out[s : s + chunk] = ((qx - cx) ** 2 + (qy - cy) ** 2).argmin(1)
    return out


def smooth_noise(ny, nx, period, rng):
    """Smooth random field (bilinear interpolation of a coarse gaussian grid), std ~1."""
    cy = max(2, int(math.ceil(ny / period)) + 2)
    cx = max(2, int(math.ceil(nx / period)) + 2)
    coarse = rng.standard_normal((cy, cx))
    yy = np.arange(ny) / period
    xx = np.arange(nx) / period
    y0 = np.floor(yy).astype(int)
    x0 = np.floor(xx).astype(int)
    fy = (yy - y0)[:, None]
    fx = (xx - x0)[None, :]
    a = coarse[np.ix_(y0, x0)]
    b = coarse[np.ix_(y0, x0 + 1)]
    c = coarse[np.ix_(y0 + 1, x0)]
    d = coarse[np.ix_(y0 + 1, x0 + 1)]
    return a * (1 - fy) * (1 - fx) + b * (1 - fy) * fx + c * fy * (1 - fx) + d * fy * fx


def grow(nx, ny, cells, seeds, seed_labels, seed_w, cost):
    """Multi-source, multiplicatively weighted region growing (Dijkstra) on a 4-connected
    lattice restricted to `cells` (flat indices).  Returns dict cell -> label.  Every label
    region is 4-connected.  Cells not reachable from any seed stay unlabelled."""
    allowed = set(cells.tolist())
    lab = {}
    best = {}
    heap = []
    for s, l, w in zip(seeds, seed_labels, seed_w):
        heapq.heappush(heap, (0.0, int(s), int(l), float(w)))
        best[int(s)] = 0.0
    cost = cost  # flat array (indexable by cell)
    while heap:
        d, c, l, w = heapq.heappop(heap)
        if c in lab:
            continue
        lab[c] = l
        x = c % nx
        cc = cost[c]
        for nb in (c - 1 if x > 0 else -1, c + 1 if x < nx - 1 else -1, c - nx, c + nx):
            if nb < 0 or nb not in allowed or nb in lab:
                continue
            nd = d + w * 0.5 * (cc + cost[nb])
            if nd < best.get(nb, math.inf):
                best[nb] = nd
                heapq.heappush(heap, (nd, nb, l, w))
    return lab


def label_region(nx, ny, cells, centres_m, weights, k, rng, noise, seed_w, order_key):
    """Split `cells` (flat indices) into k connected labelled regions.  Returns array of
    labels 0..k-1 aligned with `cells` (ordered by `order_key(seed_xy_m)`) and the seeds.
    Up to four tries; the one with the most even (cell-weighted) region sizes wins."""
    best = None
    for attempt in range(4):
        C = kmeans(centres_m, weights, k, rng)
        seeds = []
        free = np.ones(len(centres_m), dtype=bool)
        for j in range(k):
            d = (centres_m[:, 0] - C[j, 0]) ** 2 + (centres_m[:, 1] - C[j, 1]) ** 2
            d[~free] = np.inf
            i = int(np.argmin(d))
            free[i] = False
            seeds.append(i)
        seed_xy = centres_m[seeds]
        order = sorted(range(k), key=lambda j: order_key(seed_xy[j]))
        rank = {j: r for r, j in enumerate(order)}
        sw = [seed_w(rank[j]) if attempt < 2 else 1.0 for j in range(k)]
        lab = grow(nx, ny, cells, cells[seeds], [rank[j] for j in range(k)], sw, noise)
        out = np.array([lab.get(int(c), -1) for c in cells], dtype=np.int64)
        # unreachable components (islands): nearest labelled cell
        un = np.nonzero(out < 0)[0]
        if len(un):
            labd = np.nonzero(out >= 0)[0]
            nn = assign_nearest(centres_m[un], centres_m[labd])
            out[un] = out[labd[nn]]
        counts = np.bincount(out, weights=weights, minlength=k)
        ratio = counts.min() / counts.mean()
        if best is None or ratio > best[0]:
            best = (ratio, out, seed_xy[order])
        if ratio >= 0.35:
            break
    return best[1], best[2]


# ----------------------------------------------------------------------------- model
class Street:
    def __init__(self, code, name, district, zone):
        self.code = code
        self.name = name
        self.district = district
        self.zone = zone or None
        self.urban = is_urban_code(code)
        self.poly = None
        self.seed = None
        self.comm_grids = []  # grids per community


class Community:
    __slots__ = ("idx", "id", "name", "street", "seat", "grids", "geom", "area", "orient", "centre")


class Grid:
    __slots__ = ("idx", "id", "name", "community", "street", "worker_name", "worker_phone",
                 "geom", "faces", "lam", "n_compounds")


def load_source(src):
    with open(os.path.join(src, "huizhou_districts_wgs84_from_amap.geojson"), encoding="utf-8") as f:
        fc = json.load(f)
    districts = []
    for feat in fc["features"]:
        p = feat["properties"]
        g = shape(feat["geometry"])
        if not g.is_valid:
            g = shapely.make_valid(g)
        districts.append({"id": str(p["adcode"]), "name": p["name"], "src": g})
    districts.sort(key=lambda d: d["id"])
    streets = []
    with open(os.path.join(src, "huizhou_townships_mca2025.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["level"].strip() == "4":
                streets.append(Street(r["code"].strip(), r["name"].strip(), r["parent"].strip(),
                                      r["functional_zone"].strip() or None))
    streets.sort(key=lambda s: s.code)
    return districts, streets


def sample_in(geom, n, rng):
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    out = []
    got = 0
    while got < n:
        c = rng.uniform([minx, miny], [maxx, maxy], size=(max(256, 2 * n), 2))
        c = c[shapely.contains_xy(geom, c[:, 0], c[:, 1])]
        out.append(c)
        got += len(c)
    return np.vstack(out)[:n]


def build_streets(districts, streets, rng):
    """Voronoi street cells inside each district; urban streets clustered at the core(s)."""
    for dist in districts:
        D = dist["src"]
        sts = [s for s in streets if s.district == dist["id"]]
        urb = [s for s in sts if s.urban]
        tw = [s for s in sts if not s.urban]
        n = len(sts)
        # urban clusters: (core, streets); a core with a street list takes exactly those
        clusters = []
        claimed = set()
        for lon, lat, codes in CORES[dist["id"]][1:]:
            members = [s for s in urb if s.code in codes]
            claimed.update(codes)
            clusters.append(((lon, lat), members))
        lon, lat, _ = CORES[dist["id"]][0]
        clusters.insert(0, ((lon, lat), [s for s in urb if s.code not in claimed]))
        cx, cy = clusters[0][0]
        mainland = max(shapely.get_parts(D), key=lambda p: p.area)
        pts = sample_in(mainland, 9000, rng)
        P = np.c_[(pts[:, 0] - cx) * MX, (pts[:, 1] - cy) * MY]
        A = area_m2(D) / 1e6
        # sample weights: every cluster disc holds the mass of its streets; denser to the centre
        w = np.ones(len(P))
        discs = []
        t_mass_per_street = None
        free = np.ones(len(P), dtype=bool)
        for (lon, lat), members in clusters:
            q = np.c_[(pts[:, 0] - lon) * MX, (pts[:, 1] - lat) * MY]
            r = np.hypot(q[:, 0], q[:, 1])
            frac = min(0.3, len(members) * URBAN_KM2 / A)
            R = float(np.quantile(r, frac))
            discs.append((q, r, R, members))
            free &= r > R
        rest_share = free.mean()
        town_mass = rest_share / max(len(tw), 1)
        for q, r, R, members in discs:
            inner = r <= R
            grad = 1.0 + 2.0 * np.exp(-((r / (0.45 * R)) ** 2))
            base = town_mass * len(members) / max((grad * inner).sum() / len(P), 1e-9)
            w = np.maximum(w, 1 + (base * grad - 1) / (1 + np.exp(-(R - r) / (0.12 * R))))
        best = None
        for attempt in range(10):
            C = []
            tags = []
            for ci, (q, r, R, members) in enumerate(discs):
                if not members:
                    continue
                inner = r <= R
                Cq = kmeans(q[inner], w[inner], len(members), rng)
                lon, lat = clusters[ci][0]
                C.append(np.c_[Cq[:, 0] + (lon - cx) * MX, Cq[:, 1] + (lat - cy) * MY])
                tags += [ci] * len(members)
            C.append(kmeans(P[free], np.ones(free.sum()), len(tw), rng))
            tags += [-1] * len(tw)
            C = np.vstack(C)
            tags = np.array(tags)
            for _ in range(30):  # joint Lloyd on the density-weighted samples
                a = assign_nearest(P, C)
                sw = np.bincount(a, weights=w, minlength=n)
                ok = sw > 0
                C[ok, 0] = np.bincount(a, weights=w * P[:, 0], minlength=n)[ok] / sw[ok]
                C[ok, 1] = np.bincount(a, weights=w * P[:, 1], minlength=n)[ok] / sw[ok]
            seeds = np.c_[C[:, 0] / MX + cx, C[:, 1] / MY + cy]
            cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=D.envelope.buffer(0.5),
                                             ordered=True)
            S = merge_slivers(shapely.intersection(np.array(list(cells.geoms)), D))
            if S is None:
                continue
            areas = shapely.area(S) * MX * MY / 1e6
            au, at = areas[tags >= 0], areas[tags < 0]
            score = 0.0
            for arr in (au, at):
                score += arr.std() / arr.mean() + 10 * max(0.0, 0.35 - arr.min() / np.median(arr))
            score += 0.02 * sum(len(shapely.get_parts(x)) - 1 for x in S)
            if au.mean() > 0.7 * at.mean():
                score += 5
            if best is None or score < best[0]:
                best = (score, seeds, S, tags)
        _, seeds, S, tags = best
        assign = {}
        for ci, ((lon, lat), members) in enumerate(clusters):
            idx = sorted(np.nonzero(tags == ci)[0].tolist(),
                         key=lambda i: math.hypot((seeds[i][0] - lon) * MX, (seeds[i][1] - lat) * MY))
            zone_m = [s for s in members if s.zone]
            if zone_m and ci == 0:
                # a functional zone inside the main cluster: its westmost seeds
                west = sorted(idx, key=lambda i: seeds[i][0])[: len(zone_m)]
                for s, i in zip(zone_m, west):
                    assign[s.code] = i
                idx = [i for i in idx if i not in west]
                members = [s for s in members if not s.zone]
            for s, i in zip(members, idx):  # nearest the core gets the lowest code
                assign[s.code] = i
        t_idx = np.nonzero(tags < 0)[0].tolist()
        zone_t = [s for s in tw if s.zone]
        if zone_t:
            west = sorted(t_idx, key=lambda i: seeds[i][0])[: len(zone_t)]
            for s, i in zip(zone_t, west):
                assign[s.code] = i
            t_idx = [i for i in t_idx if i not in west]
        coastal = [s for s in tw if s.code in COASTAL_TOWNS.get(dist["id"], ())]
        if coastal:
            south = sorted(t_idx, key=lambda i: seeds[i][1])[: len(coastal)]
            for s, i in zip(coastal, south):
                assign[s.code] = i
            t_idx = [i for i in t_idx if i not in south]
        rest_t = [s for s in tw if not s.zone and s.code not in assign]
        perm = rng.permutation(len(t_idx))
        for s, p in zip(rest_t, perm):
            assign[s.code] = t_idx[int(p)]
        for s in sts:
            i = assign[s.code]
            s.poly = S[i]
            s.seed = seeds[i]


def merge_slivers(S):
    """Detached mainland pieces of a Voronoi cell clipped by a wiggly outline go to the
    neighbour they share most boundary with; islands (no neighbour) stay."""
    S = list(S)
    if any(shapely.is_empty(x) or shapely.area(x) <= 0 for x in S):
        return None
    for _ in range(3):
        moved = False
        for i in range(len(S)):
            parts = sorted(shapely.get_parts(S[i]), key=lambda p: -p.area)
            if len(parts) < 2:
                continue
            total = S[i].area
            keep = [parts[0]]
            for p in parts[1:]:
                best, bl = -1, 0.0
                if p.area < 0.25 * total:
                    pb = p.buffer(1e-7)
                    for j in range(len(S)):
                        if j != i and S[j].intersects(pb):
                            ln = shapely.length(shapely.intersection(S[j].boundary, pb))
                            if ln > bl:
                                best, bl = j, ln
                if best >= 0 and bl > 0.2 * p.length:
                    S[best] = shapely.union(S[best], p, grid_size=1e-9)
                    moved = True
                else:
                    keep.append(p)
            S[i] = keep[0] if len(keep) == 1 else MultiPolygon(keep)
        if not moved:
            break
    if any(shapely.area(x) <= 0 for x in S):
        return None
    return np.array(S)


def plan_counts(streets, scale, rng):
    """Number of communities per street and grids per community."""
    for s in streets:
        if scale == 1 and s.code in ZK_COMMUNITIES:
            nc = ZK_COMMUNITIES[s.code]
        elif s.urban:
            nc = int(rng.integers(5, 11)) * scale
        else:
            nc = int(rng.integers(4, 10)) * scale
        lo, hi = (5, 8) if s.urban else (3, 6)
        s.comm_grids = [int(rng.integers(lo, hi + 1)) for _ in range(nc)]
    if scale == 1:
        zk = [s for s in streets if s.code in ZK_COMMUNITIES]
        slots = [(s, i) for s in zk for i in range(len(s.comm_grids))]
        total = sum(s.comm_grids[i] for s, i in slots)
        guard = 0
        while total != ZK_GRIDS:
            s, i = slots[int(rng.integers(len(slots)))]
            lo, hi = (5, 8) if s.urban else (3, 6)
            if total < ZK_GRIDS and s.comm_grids[i] < hi:
                s.comm_grids[i] += 1
                total += 1
            elif total > ZK_GRIDS and s.comm_grids[i] > lo:
                s.comm_grids[i] -= 1
                total -= 1
            guard += 1
            if guard > 100000:
                raise SystemExit("cannot calibrate 仲恺 grid counts")


class Lattice:
    pass


def label_street(s, scale, rng, communities, grids):
    """Lattice + community and grid labels for one street."""
    S = s.poly
    n_grids = sum(s.comm_grids)
    K = 90 if s.urban else 50
    h = math.sqrt(area_m2(S) / (n_grids * K))
    L = Lattice()
    L.hx, L.hy = h / MX, h / MY
    minx, miny, maxx, maxy = S.bounds
    L.x0 = minx - L.hx * 0.37
    L.y0 = miny - L.hy * 0.41
    L.nx = int(math.ceil((maxx - L.x0) / L.hx)) + 1
    L.ny = int(math.ceil((maxy - L.y0) / L.hy)) + 1
    L.xs = L.x0 + L.hx * np.arange(L.nx + 1)
    L.ys = L.y0 + L.hy * np.arange(L.ny + 1)
    L.h = h
    X0, Y0 = np.meshgrid(L.xs[:-1], L.ys[:-1])
    X1, Y1 = np.meshgrid(L.xs[1:], L.ys[1:])
    boxes = shapely.box(X0.ravel(), Y0.ravel(), X1.ravel(), Y1.ravel())
    shapely.prepare(S)
    inter = shapely.intersects(S, boxes)
    inside = shapely.contains_properly(S, boxes)
    frac = np.where(inside, 1.0, 0.0)
    edge = np.nonzero(inter & ~inside)[0]
    if len(edge):
        frac[edge] = shapely.area(shapely.intersection(boxes[edge], S)) / (L.hx * L.hy)
    cells = np.nonzero(frac > 1e-9)[0]
    L.inside = inside
    N = L.nx * L.ny
    cx = (L.x0 + L.hx * (cells % L.nx + 0.5) - s.seed[0]) * MX
    cy = (L.y0 + L.hy * (cells // L.nx + 0.5) - s.seed[1]) * MY
    centres = np.c_[cx, cy]
    wts = frac[cells]
    nc = len(s.comm_grids)
    period = max(3.0, math.sqrt(len(cells) / max(nc, 1)) * 0.7)
    noise_c = np.exp(0.55 * smooth_noise(L.ny, L.nx, period, rng).ravel()
                     + 0.45 * rng.standard_normal(N))
    cw = [1.0 + 0.25 * float(rng.uniform(-1, 1)) for _ in range(nc)]
    if not s.urban:
        cw[0] = 1.45  # the town seat (nearest the centre) is a smaller, denser community
    clab, cseeds = label_region(L.nx, L.ny, cells, centres, wts, nc, rng, noise_c,
                                lambda r: cw[r], lambda xy: float(np.hypot(*xy)))
    comm_lab = np.full(N, -1, dtype=np.int64)
    grid_lab = np.full(N, -1, dtype=np.int64)
    base = street_base(s.name)
    cnames = community_names(s, nc, rng)
    s.communities = []
    for k in range(nc):
        c = Community()
        c.idx = len(communities)
        c.id = f"{s.code}{k + 1:03d}"
        c.name = cnames[k]
        c.street = s
        c.seat = (k == 0)
        c.centre = None
        c.orient = float(rng.uniform(-30, 30))
        c.grids = []
        communities.append(c)
        s.communities.append(c)
        sel = clab == k
        comm_lab[cells[sel]] = c.idx
        ccells = cells[sel]
        cc = centres[sel]
        ng = s.comm_grids[k]
        period = max(2.5, math.sqrt(len(ccells) / ng) * 0.8)
        noise_g = np.exp(0.5 * smooth_noise(L.ny, L.nx, period, rng).ravel()
                         + 0.5 * rng.standard_normal(N))
        gw = [1.0 + 0.15 * float(rng.uniform(-1, 1)) for _ in range(ng)]
        glab, _ = label_region(L.nx, L.ny, ccells, cc, wts[sel], ng, rng, noise_g,
                               lambda r: gw[r], lambda xy: (-round(xy[1] / (3 * h)), xy[0]))
        for j in range(ng):
            g = Grid()
            g.idx = len(grids)
            g.id = f"{c.id}{j + 1:03d}"
            g.name = f"{c.name}第{j + 1}网格"
            g.community = c
            g.street = s
            g.faces = []
            grids.append(g)
            c.grids.append(g)
            grid_lab[ccells[glab == j]] = g.idx
    L.comm_lab = comm_lab
    L.grid_lab = grid_lab
    L.cells = cells
    s.lattice = L


def community_names(s, n, rng):
    base = street_base(s.name)
    curated = [COMMUNITY_NAMES[i] for i in rng.permutation(len(COMMUNITY_NAMES))]
    combos = [a + b for a in NAME_PREFIX_CHARS for b in NAME_SUFFIX_CHARS]
    combos = [combos[i] for i in rng.permutation(len(combos))]
    out = []
    seen = set()
    for nm in curated + combos:
        if nm == base or nm in seen or nm in base:
            continue
        seen.add(nm)
        out.append(nm)
        if len(out) == n:
            break
    names = []
    for k, nm in enumerate(out):
        if s.urban or k == 0:
            names.append(f"{base}{nm}社区")
        else:
            names.append(f"{base}{nm}村")
    return names


def add_enclaves(streets, grids, rng, want):
    """Hand 2x2 blocks deep inside one grid to another grid of the same community."""
    cands = []
    for s in streets:
        for c in s.communities:
            if len(c.grids) >= 3:
                cands.append(c)
    order = rng.permutation(len(cands))
    made = []
    used_streets = defaultdict(int)
    for oi in order:
        if len(made) >= want:
            break
        c = cands[int(oi)]
        s = c.street
        if used_streets[s.code] >= 1 + (len(made) > 3 * want // 4):
            continue
        L = s.lattice
        G = L.grid_lab.reshape(L.ny, L.nx)
        ins = L.inside.reshape(L.ny, L.nx)
        gids = [g.idx for g in c.grids]
        found = None
        for H in [gids[int(i)] for i in rng.permutation(len(gids))]:
            # ring (4x4) all H and inside the street
            m = (G == H) & ins
            if m.sum() < 20:
                continue
            ok = np.ones((L.ny - 3, L.nx - 3), dtype=bool)
            for dy in range(4):
                for dx in range(4):
                    ok &= m[dy : L.ny - 3 + dy, dx : L.nx - 3 + dx]
            pos = np.argwhere(ok)
            if len(pos) == 0:
                continue
            # prefer a block near the middle of the candidates
            mid = pos.mean(0)
            p = pos[np.argmin(((pos - mid) ** 2).sum(1))]
            others = [gi for gi in gids if gi != H]
            # the receiver: the grid of the community whose cells are nearest but not adjacent
            Gi = others[int(rng.integers(len(others)))]
            found = (H, Gi, int(p[0]) + 1, int(p[1]) + 1)
            break
        if not found:
            continue
        H, Gi, j, i = found
        G[j : j + 2, i : i + 2] = Gi
        made.append((grids[H].id, grids[Gi].id))
        used_streets[s.code] += 1
    return made


def street_linework(s):
    """Lattice edges where the grid label changes, merged into straight runs, clipped."""
    L = s.lattice
    G = L.grid_lab.reshape(L.ny, L.nx)
    segs = []
    # vertical edges between (j,i) and (j,i+1) at x = xs[i+1]
    V = (G[:, :-1] != G[:, 1:]) & (G[:, :-1] >= 0) & (G[:, 1:] >= 0)
    for i in np.nonzero(V.any(0))[0]:
        col = np.r_[False, V[:, i], False].astype(np.int8)
        d = np.diff(col)
        starts = np.nonzero(d == 1)[0]
        ends = np.nonzero(d == -1)[0]
        x = L.xs[i + 1]
        for a, b in zip(starts, ends):
            segs.append(((x, L.ys[a]), (x, L.ys[b])))
    Hh = (G[:-1, :] != G[1:, :]) & (G[:-1, :] >= 0) & (G[1:, :] >= 0)
    for j in np.nonzero(Hh.any(1))[0]:
        row = np.r_[False, Hh[j, :], False].astype(np.int8)
        d = np.diff(row)
        starts = np.nonzero(d == 1)[0]
        ends = np.nonzero(d == -1)[0]
        y = L.ys[j + 1]
        for a, b in zip(starts, ends):
            segs.append(((L.xs[a], y), (L.xs[b], y)))
    if not segs:
        return []
    lines = shapely.linestrings(np.array(segs))
    ml = shapely.multilinestrings(lines)
    clipped = shapely.intersection(ml, s.poly)
    return list(shapely.get_parts(clipped))


def build_faces(streets, grids):
    lines = []
    for s in streets:
        lines.extend(shapely.get_parts(shapely.boundary(s.poly)))
        lines.extend(street_linework(s))
    lines = [g for g in lines if g.geom_type in ("LineString", "LinearRing")]
    noded = shapely.union_all(np.array(lines, dtype=object), grid_size=GRID)
    faces = np.array(list(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))))
    faces = faces[shapely.area(faces) > 0]
    # classify
    spolys = np.array([s.poly for s in streets])
    tree = STRtree(spolys)
    rp = shapely.point_on_surface(faces)
    fi, si = tree.query(rp, predicate="within")
    cand = defaultdict(list)
    for a, b in zip(fi, si):
        cand[int(a)].append(int(b))
    face_street = np.full(len(faces), -1, dtype=np.int64)
    for f in range(len(faces)):
        c = cand.get(f, [])
        if len(c) == 1:
            face_street[f] = c[0]
        else:
            if not c:
                c = [int(x) for x in tree.query(faces[f], predicate="intersects")]
            if not c:
                c = [int(tree.query_nearest(faces[f])[0])]
            ar = [shapely.area(shapely.intersection(faces[f], spolys[k])) for k in c]
            face_street[f] = c[int(np.argmax(ar))]
    face_grid = np.full(len(faces), -1, dtype=np.int64)
    xy = shapely.get_coordinates(rp)
    for si_ in range(len(streets)):
        L = streets[si_].lattice
        fs = np.nonzero(face_street == si_)[0]
        if len(fs) == 0:
            continue
        ii = np.clip(np.floor((xy[fs, 0] - L.x0) / L.hx).astype(int), 0, L.nx - 1)
        jj = np.clip(np.floor((xy[fs, 1] - L.y0) / L.hy).astype(int), 0, L.ny - 1)
        lab = L.grid_lab[jj * L.nx + ii]
        bad = np.nonzero(lab < 0)[0]
        if len(bad):
            lc = L.cells[L.grid_lab[L.cells] >= 0]
            cxy = np.c_[L.x0 + L.hx * (lc % L.nx + 0.5), L.y0 + L.hy * (lc // L.nx + 0.5)]
            nn = assign_nearest(xy[fs[bad]], cxy)
            lab[bad] = L.grid_lab[lc[nn]]
        face_grid[fs] = lab
    # clean tiny fragments (snap slivers / cells cut by the street outline)
    ftree = STRtree(faces)
    fareas = shapely.area(faces)
    changed = True
    rounds = 0
    while changed and rounds < 5:
        changed = False
        rounds += 1
        by_grid = defaultdict(list)
        for f, g in enumerate(face_grid):
            by_grid[int(g)].append(f)
        for g, fl in by_grid.items():
            if len(fl) < 2:
                continue
            L = grids[g].street.lattice
            thr = 0.35 * L.hx * L.hy
            big = max(fareas[f] for f in fl)
            for f in fl:
                if fareas[f] >= thr or fareas[f] == big:
                    continue
                nbrs = [int(k) for k in ftree.query(faces[f], predicate="intersects") if int(k) != f]
                bestk, bestlen = -1, 0.0
                fb = faces[f].boundary
                for k in nbrs:
                    if face_grid[k] == g or face_street[k] != face_street[f]:
                        continue
                    ln = shapely.length(shapely.intersection(fb, faces[k].boundary))
                    same = grids[int(face_grid[k])].community is grids[g].community
                    score = ln * (2.0 if same else 1.0)
                    if score > bestlen:
                        bestk, bestlen = k, score
                if bestk >= 0:
                    face_grid[f] = face_grid[bestk]
                    changed = True
    return faces, face_grid


def union_faces(fs):
    if len(fs) == 1:
        g = fs[0]
    else:
        g = shapely.coverage_union_all(np.array(fs))
    parts = list(shapely.get_parts(g))
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def finish(g):
    """Round to 7 decimals and orient (CCW shells, CW holes)."""
    g = shapely.transform(g, lambda c: np.round(c, 7))
    if g.geom_type == "Polygon":
        return orient(g, 1.0)
    return MultiPolygon([orient(p, 1.0) for p in g.geoms])


# ----------------------------------------------------------------------------- compounds
def quad(cx, cy, w, d, theta_deg, rng, irregular, entrance):
    t = math.radians(theta_deg)
    ct, st = math.cos(t), math.sin(t)
    pts = [(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)]
    if irregular:
        e = 0.05 * min(w, d)
        pts = [(x + float(rng.uniform(-e, e)), y + float(rng.uniform(-e, e))) for x, y in pts]
    ring = list(pts)
    ent = None
    if entrance:
        k = int(rng.integers(4))
        a, b = pts[k], pts[(k + 1) % 4]
        tt = float(rng.uniform(0.35, 0.65))
        ent = (a[0] + tt * (b[0] - a[0]), a[1] + tt * (b[1] - a[1]))
        ring = pts[: k + 1] + [ent] + pts[k + 1 :]
    out = [(round(cx + (x * ct - y * st) / MX, 7), round(cy + (x * st + y * ct) / MY, 7)) for x, y in ring]
    poly = orient(Polygon(out), 1.0)
    e2 = None
    if ent is not None:
        x, y = ent
        e2 = (round(cx + (x * ct - y * st) / MX, 7), round(cy + (x * st + y * ct) / MY, 7))
    return poly, e2


def random_points_in(geom, n, rng):
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(50):
        c = rng.uniform([minx, miny], [maxx, maxy], size=(max(32, 4 * n), 2))
        c = c[shapely.contains_xy(geom, c[:, 0], c[:, 1])]
        if len(c) >= n:
            return c[:n]
    return np.array([shapely.get_coordinates(shapely.point_on_surface(geom))[0]] * n)


class Compound:
    __slots__ = ("id", "name", "grid", "geom", "households", "population", "entrance", "urban", "big")


def make_compounds(streets, communities, grids, scale, rng):
    sf = 1.0 / math.sqrt(scale)
    margin = 8.0 * sf / MY
    gap = 12.0 * sf / MY
    # expected compounds per grid: dense near the urban cores, a few in town seats and villages
    urban = []
    for g in grids:
        if g.street.urban:
            x, y = shapely.get_coordinates(shapely.point_on_surface(g.geom))[0]
            dkm = min(math.hypot((x - cx) * MX, (y - cy) * MY) for cx, cy, _ in CORES[g.street.district]) / 1000
            g.lam = float(np.clip(2.5 * math.exp(-dkm / 5.0), 0.3, 3.0))
            # and clustered around the community's centre (its neighbourhood core)
            c = g.community
            if c.centre is None:
                cen = c.geom.centroid
                c.centre = shapely.get_coordinates(cen if c.geom.contains(cen) else
                                                   shapely.point_on_surface(c.geom))[0]
            dc = math.hypot((x - c.centre[0]) * MX, (y - c.centre[1]) * MY) * math.sqrt(scale)
            g.lam *= float(np.clip(2.0 * math.exp(-dc / 1300.0), 0.2, 2.0))
            urban.append(g)
        elif g.community.seat:
            g.lam = 1.0
        else:
            g.lam = 0.28
    norm = 2.0 * len(urban) / sum(g.lam for g in urban)
    for g in urban:
        g.lam *= norm
    cap = {g.idx: int(max(1, min(8, area_m2(g.geom) / (110000.0 * sf * sf)))) for g in grids}
    want = {}
    zk = [g for g in grids if g.street.zone == ZONE_ZK]
    for g in grids:
        if not (scale == 1 and g.street.zone == ZONE_ZK):
            want[g.idx] = int(min(cap[g.idx], rng.poisson(g.lam)))
    if scale == 1:
        lam = np.array([g.lam for g in zk])
        counts = rng.multinomial(ZK_COMPOUNDS, lam / lam.sum())
        counts = np.minimum(counts, [cap[g.idx] for g in zk])
        while counts.sum() < ZK_COMPOUNDS:
            k = int(rng.choice(len(zk), p=lam / lam.sum()))
            if counts[k] < cap[zk[k].idx]:
                counts[k] += 1
        for g, c in zip(zk, counts):
            want[g.idx] = int(c)
    placed = defaultdict(list)  # grid idx -> [Compound]
    straddlers = []
    names_used = defaultdict(set)

    def new_name(s):
        key = s.code  # unique within a street
        for _ in range(200):
            nm = COMPOUND_PREFIXES[int(rng.integers(len(COMPOUND_PREFIXES)))] + \
                COMPOUND_SUFFIXES[int(rng.integers(len(COMPOUND_SUFFIXES)))]
            if nm not in names_used[key]:
                names_used[key].add(nm)
                return nm
        for suffix in ("二期", "三期", "四期", "五期", "六期"):
            for _ in range(50):
                nm = COMPOUND_PREFIXES[int(rng.integers(len(COMPOUND_PREFIXES)))] + \
                    COMPOUND_SUFFIXES[int(rng.integers(len(COMPOUND_SUFFIXES)))] + suffix
                if nm not in names_used[key]:
                    names_used[key].add(nm)
                    return nm
        raise SystemExit("ran out of compound names")

    gtree = STRtree(np.array([g.geom for g in grids]))

    def households(nominal_m2, urban, big=False):
        if big:
            return int(rng.integers(4100, 6800))
        dens = 0.0135 if urban else 0.0075
        hh = nominal_m2 * dens * math.exp(float(rng.normal(0, 0.35)))
        return int(max(60, min(2600, round(hh))))

    def finalize(cpd, poly, ent, nominal, urban, big=False, hh=None):
        cpd.geom = poly
        cpd.entrance = ent
        cpd.households = hh if hh is not None else households(nominal, urban, big)
        cpd.population = int(round(cpd.households * float(rng.uniform(2.6, 3.2))))
        cpd.urban = urban
        cpd.big = big

    # 1. large compounds straddling two grids of the same community (outside 仲恺)
    n_str = 5 * scale
    ucands = [g for g in grids if g.street.urban and g.street.zone != ZONE_ZK]
    order = rng.permutation(len(ucands))
    for oi in order:
        if len(straddlers) >= n_str:
            break
        g1 = ucands[int(oi)]
        nb = [grids[int(k)] for k in gtree.query(g1.geom, predicate="touches")]
        nb = [g2 for g2 in nb if g2.community is g1.community]
        if not nb:
            continue
        g2 = nb[int(rng.integers(len(nb)))]
        shared = shapely.line_merge(shapely.intersection(g1.geom.boundary, g2.geom.boundary))
        if shapely.length(shared) * MY < 500 * sf:
            continue
        both = shapely.union(g1.geom, g2.geom)
        bnd = both.boundary
        ok = False
        for _ in range(30):
            p = shapely.line_interpolate_point(shared, float(rng.uniform(0.2, 0.8)), normalized=True)
            w = float(rng.uniform(380, 520)) * sf
            d = float(rng.uniform(300, 420)) * sf
            poly, ent = quad(p.x, p.y, w, d, g1.community.orient + float(rng.uniform(-8, 8)),
                             rng, bool(rng.random() < 0.5), bool(rng.random() < 0.6))
            if not both.contains(poly) or shapely.dwithin(poly, bnd, margin):
                continue
            a1 = shapely.area(shapely.intersection(poly, g1.geom)) / poly.area
            if not (0.25 < a1 < 0.75):
                continue
            cen = poly.centroid
            home = g1 if g1.geom.contains(cen) else (g2 if g2.geom.contains(cen) else None)
            if home is None:
                continue
            if any(shapely.dwithin(poly, o.geom, gap) for o in straddlers):
                continue
            cpd = Compound()
            cpd.grid = home
            cpd.name = new_name(home.street)
            finalize(cpd, poly, ent, w * d / sf / sf, True, big=True)
            straddlers.append(cpd)
            placed[home.idx].append(cpd)
            ok = True
            break
        if not ok:
            continue
    str_tree_geoms = [c.geom for c in straddlers]
    # 2. ordinary compounds inside one grid
    big_left = 4 * scale
    deficit = 0  # for 仲恺 exactness: move failed placements to another zone grid
    order = list(range(len(grids)))
    for gi in order:
        g = grids[gi]
        n = want.get(gi, 0)
        if n == 0:
            continue
        G = g.geom
        shapely.prepare(G)
        bnd = G.boundary
        near = [c for c in straddlers if shapely.intersects(c.geom, G)]
        got = 0
        fails = 0
        while got < n and fails < 80:
            urban = g.street.urban
            big = urban and big_left > 0 and rng.random() < 0.01
            shrink = 1.0 - min(0.6, fails / 100.0)
            if big:
                w = float(rng.uniform(420, 560))
                d = float(rng.uniform(340, 460))
            elif urban:
                w = float(rng.uniform(120, 420))
                d = float(rng.uniform(100, 340))
            else:
                w = float(rng.uniform(100, 300))
                d = float(rng.uniform(90, 260))
            nominal = w * d
            w, d = w * sf * shrink, d * sf * shrink
            p = random_points_in(G, 1, rng)[0]
            poly, ent = quad(p[0], p[1], w, d, g.community.orient + float(rng.uniform(-10, 10)),
                             rng, bool(rng.random() < 0.6), bool(rng.random() < 0.5))
            if (not G.contains(poly)) or shapely.dwithin(poly, bnd, margin) or \
                    any(shapely.dwithin(poly, o.geom, gap) for o in placed[gi]) or \
                    any(shapely.dwithin(poly, o.geom, gap) for o in near) or \
                    not G.contains(poly.centroid):
                fails += 1
                continue
            cpd = Compound()
            cpd.grid = g
            cpd.name = new_name(g.street)
            finalize(cpd, poly, ent, nominal * shrink * shrink, urban,
                     hh=int(rng.integers(3000, 4700)) if big else None)
            if big:
                big_left -= 1
            placed[gi].append(cpd)
            got += 1
        if got < n and g.street.zone == ZONE_ZK and scale == 1:
            deficit += n - got
            # give the failed ones to the next zone grids
            later = [z for z in zk if z.idx > gi]
            k = 0
            while deficit and later:
                z = later[k % len(later)]
                want[z.idx] = want.get(z.idx, 0) + 1
                deficit -= 1
                k += 1
    if deficit:
        raise SystemExit("could not place all 仲恺 compounds")
    compounds = []
    for g in grids:
        lst = placed[g.idx]
        if len(lst) > 99:
            raise SystemExit(f"too many compounds in grid {g.id}")
        for k, c in enumerate(lst):
            c.id = f"{g.id}-C{k + 1:02d}"
            compounds.append(c)
        g.n_compounds = len(lst)
    return compounds


# ----------------------------------------------------------------------------- stations
class Station:
    __slots__ = ("id", "name", "category", "level", "grid", "compound", "xy", "zone_community")


def make_stations(districts, streets, communities, grids, compounds, scale, rng):
    sf = 1.0 / math.sqrt(scale)
    gtree = STRtree(np.array([g.geom for g in grids]))
    ctree = STRtree(np.array([c.geom for c in compounds]))
    comp_by_comm = defaultdict(list)
    for c in compounds:
        comp_by_comm[c.grid.community.idx].append(c)
    stations = []

    def locate(x, y):
        pt = Point(round(x, 7), round(y, 7))
        gi = gtree.query(pt, predicate="within")
        if len(gi) != 1:
            return None, None
        ci = ctree.query(pt, predicate="within")
        return grids[int(gi[0])], (compounds[int(ci[0])] if len(ci) == 1 else None)

    def near_point(anchor_xy, rmin, rmax, accept, tries=40):
        for t in range(tries):
            r = float(rng.uniform(rmin, rmax)) * sf * (1 + t / 10)
            a = float(rng.uniform(0, 2 * math.pi))
            x = anchor_xy[0] + r * math.cos(a) / MX
            y = anchor_xy[1] + r * math.sin(a) / MY
            g, cp = locate(x, y)
            if g is not None and accept(g, cp):
                return (round(x, 7), round(y, 7)), g, cp
        return None

    def inside_point(geom, accept, tries=60):
        for p in random_points_in(geom, tries, rng):
            g, cp = locate(p[0], p[1])
            if g is not None and accept(g, cp):
                return (round(p[0], 7), round(p[1], 7)), g, cp
        raise SystemExit("could not place a station")

    def add(name, cat, level, where):
        xy, g, cp = where
        st = Station()
        st.name, st.category, st.level, st.grid, st.compound, st.xy = name, cat, level, g, cp, xy
        stations.append(st)
        return st

    def comm_anchor(c, centre_p=0.5):
        lst = comp_by_comm.get(c.idx)
        if lst and rng.random() < centre_p:  # the households' centre, when it lies in the community
            hh = np.array([k.households for k in lst], dtype=float)
            cen = np.array([shapely.get_coordinates(k.geom.centroid)[0] for k in lst])
            m = (cen * hh[:, None]).sum(0) / hh.sum()
            if c.geom.contains(Point(m)):
                return m
        if lst:
            hh = np.array([k.households for k in lst], dtype=float)
            k = lst[int(rng.choice(len(lst), p=hh / hh.sum()))]
            return shapely.get_coordinates(k.geom.centroid)[0]
        return shapely.get_coordinates(shapely.point_on_surface(c.geom))[0]

    def place_in_comm(c, rmin=40, rmax=450, centre_p=0.5):
        accept = lambda g, cp: g.community is c and cp is None
        r = near_point(comm_anchor(c, centre_p), rmin, rmax, accept)
        return r or inside_point(c.geom, accept)

    # county level
    for d in districts:
        cx, cy = CORES[d["id"]][0][:2]
        accept = lambda g, cp, did=d["id"]: g.street.district == did and cp is None
        where = near_point((cx, cy), 100, 900, accept) or inside_point(d["geom"], accept)
        add(f"{d['name']}党群服务中心", "party_service_center", "county", where)
        where = near_point((cx, cy), 200, 1200, accept) or inside_point(d["geom"], accept)
        add(f"{d['name']}政务服务中心", "other", "county", where)
    # town level
    town_tpl = [
        ("party_service_center", 1.0, "{s}党群服务中心"),
        ("health_station", 0.9, "{s}社区卫生服务中心"),
        ("other", 1.0, "{s}综合文化站"),
        ("elder_day_care", 0.5, "{s}综合养老服务中心"),
        ("canteen", 0.35, "{s}长者饭堂"),
        ("fitness_station", 0.3, "{s}全民健身驿站"),
        ("after_school", 0.15, "{s}青少年四点半课堂"),
    ]
    for s in streets:
        seat = s.communities[0]
        accept = lambda g, cp, s=s: g.street is s and cp is None
        for cat, p, tpl in town_tpl:
            if rng.random() < p:
                where = near_point(comm_anchor(seat), 100, 700, accept) or inside_point(s.geom, accept)
                add(tpl.format(s=s.name), cat, "town", where)
    # community level
    for c in communities:
        u = c.street.urban
        add(f"{c.name}党群服务中心", "party_service_center", "community", place_in_comm(c, centre_p=0.8))
        plan = []
        if rng.random() < (0.75 if u else 0.3):
            plan.append(("canteen", "{c}长者饭堂"))
        if rng.random() < (0.7 if u else 0.3):
            plan.append(("elder_day_care", "{c}日间照料中心"))
        if rng.random() < (0.8 if u else 0.5):
            plan.append(("health_station", "{c}健康驿站" if u else "{c}卫生站"))
        nf = int(rng.poisson(1.6 if u else 0.6))
        for k in range(nf):
            plan.append(("fitness_station", "{c}健身驿站" if k == 0 else "{c}%d号健身驿站" % (k + 1)))
        if rng.random() < (0.55 if u else 0.25):
            plan.append(("after_school", "{c}四点半课堂"))
        if rng.random() < (0.65 if u else 0.3):
            plan.append(("discussion_pavilion", "{c}邻里议事亭"))
        if rng.random() < 0.5:
            opts = ["{c}快递驿站", "{c}便民服务点", "{c}新时代文明实践站"] + ([] if u else ["{c}农家书屋"])
            plan.append(("other", opts[int(rng.integers(len(opts)))]))
        for cat, tpl in plan:
            add(tpl.format(c=c.name), cat, "community", place_in_comm(c))
    # compound level
    cpd_tpl = [
        ("party_service_station", 0.085, "{k}党群服务站"),
        ("fitness_station", 0.12, "{k}健身驿站"),
        ("discussion_pavilion", 0.06, "{k}邻里议事亭"),
        ("after_school", 0.04, "{k}四点半课堂"),
        ("health_station", 0.03, "{k}健康驿站"),
        ("canteen", 0.025, "{k}长者饭堂"),
        ("elder_day_care", 0.02, "{k}日间照料中心"),
        ("other", 0.05, "{k}快递驿站"),
    ]

    def place_in_compound(k):
        accept = lambda g, cp: cp is k and g is k.grid  # so grid_id agrees with the compound's
        cen = shapely.get_coordinates(k.geom.centroid)[0]
        r = near_point(cen, 5, 40, accept, tries=20)
        return r or inside_point(k.geom, accept)

    for k in compounds:
        for cat, p, tpl in cpd_tpl:
            if rng.random() < p:
                add(tpl.format(k=k.name), cat, "compound", place_in_compound(k))
    # 仲恺 calibration
    if scale == 1:
        zk_comms = [c for c in communities if c.street.zone == ZONE_ZK]
        zk_cpds = [k for k in compounds if k.grid.street.zone == ZONE_ZK]
        for cat, target in ZK_STATIONS.items():
            cur = [i for i, st in enumerate(stations)
                   if st.category == cat and st.grid.street.zone == ZONE_ZK]
            if len(cur) > target:
                removable = [i for i in cur if stations[i].level in ("community", "compound")]
                drop = set(removable[int(j)] for j in rng.permutation(len(removable))[: len(cur) - target])
                stations[:] = [st for i, st in enumerate(stations) if i not in drop]
            names = {"canteen": ("{c}长者饭堂", "{k}长者饭堂"),
                     "elder_day_care": ("{c}日间照料中心", "{k}日间照料中心"),
                     "fitness_station": ("{c}%d号健身驿站", "{k}健身驿站")}[cat]
            n_add = target - len(cur)
            have = defaultdict(int)
            existing = set(st.name for st in stations)
            while n_add > 0:
                if rng.random() < 0.7:
                    c = zk_comms[int(rng.integers(len(zk_comms)))]
                    have[c.idx] += 1
                    tpl = names[0]
                    nm = tpl.format(c=c.name) if "%d" not in tpl else (tpl % (have[c.idx] + 1)).format(c=c.name)
                    if nm in existing:
                        continue
                    add(nm, cat, "community", place_in_comm(c))
                else:
                    k = zk_cpds[int(rng.integers(len(zk_cpds)))]
                    nm = names[1].format(k=k.name)
                    if nm in existing:
                        continue
                    add(nm, cat, "compound", place_in_compound(k))
                existing.add(nm)
                n_add -= 1
    for i, st in enumerate(stations):
        st.id = f"S{i + 1:06d}"
    return stations


# ----------------------------------------------------------------------------- output
def geom_json(g):
    def ring(r):
        return [[float(x), float(y)] for x, y in np.round(np.asarray(r.coords), 7)]

    if g.geom_type == "Point":
        return {"type": "Point", "coordinates": [round(g.x, 7), round(g.y, 7)]}
    if g.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(g.exterior)] + [ring(h) for h in g.interiors]}
    return {"type": "MultiPolygon",
            "coordinates": [[ring(p.exterior)] + [ring(h) for h in p.interiors] for p in g.geoms]}


def feature_collection(feats):
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def feat(id_, props, geom):
    p = {"id": id_}
    p.update(props)
    return {"type": "Feature", "id": id_, "properties": p, "geometry": geom_json(geom)}


# ----------------------------------------------------------------------------- verification
class VerifyError(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise VerifyError(msg)


def verify(texts, districts_src, scale, enclaves):
    """Re-read the serialized layers and check everything; returns stats."""
    layers = {k: json.loads(v) for k, v in texts.items()}
    stats = {}
    for k, fc in layers.items():
        check(fc.get("type") == "FeatureCollection" and "crs" not in fc, f"{k}: not a plain FeatureCollection")
        ids = [f["id"] for f in fc["features"]]
        check(len(ids) == len(set(ids)), f"{k}: duplicate ids")
        for f in fc["features"]:
            check(isinstance(f["id"], str) and f["properties"]["id"] == f["id"], f"{k}: id mismatch {f['id']}")
    geo = {}
    for k in ("districts", "streets", "communities", "grids", "compounds"):
        feats = layers[k]["features"]
        gs = np.array([shape(f["geometry"]) for f in feats])
        bad = np.nonzero(~shapely.is_valid(gs))[0]
        check(len(bad) == 0, f"{k}: invalid polygons after rounding: {[feats[i]['id'] for i in bad[:5]]}")
        check(not shapely.is_empty(gs).any(), f"{k}: empty geometry")
        # orientation: CCW shells, CW holes
        for f, g in zip(feats, gs):
            for p in shapely.get_parts(g):
                check(p.exterior.is_ccw, f"{k} {f['id']}: exterior ring not CCW")
                for h in p.interiors:
                    check(not h.is_ccw, f"{k} {f['id']}: hole not CW")
        geo[k] = ({f["id"]: i for i, f in enumerate(feats)}, feats, gs)
    # every layer is an exact coverage (shared edges identical, no overlaps)
    for k in ("districts", "streets", "communities", "grids"):
        gs = geo[k][2]
        check(bool(shapely.coverage_is_valid(gs)), f"{k}: not a valid coverage (edges do not match exactly)")
    # districts vs. source
    did, dfeats, dgs = geo["districts"]
    for d in districts_src:
        g = dgs[did[d["id"]]]
        rel = abs(g.area - d["src"].area) / d["src"].area
        check(rel < 1e-5, f"district {d['id']}: area differs from source by {rel:.2e}")
        check(shapely.hausdorff_distance(g.boundary, d["src"].boundary) < 2e-7,
              f"district {d['id']}: outline moved")
    # parent tiling
    chain = [("streets", "district_id", "districts"), ("communities", "street_id", "streets"),
             ("grids", "community_id", "communities")]
    for child, key, parent in chain:
        pid, pfeats, pgs = geo[parent]
        cid, cfeats, cgs = geo[child]
        groups = defaultdict(list)
        for i, f in enumerate(cfeats):
            check(f["properties"][key] in pid, f"{child} {f['id']}: unknown parent {f['properties'][key]}")
            groups[f["properties"][key]].append(i)
        for p, i in pid.items():
            members = groups.get(p)
            check(bool(members), f"{parent} {p}: has no {child}")
            sub = cgs[members]
            pa = pgs[i].area
            s = float(shapely.area(sub).sum())
            u = shapely.coverage_union_all(sub)
            check(abs(s - pa) <= 1e-9 * pa, f"{parent} {p}: {child} area sum {s} != {pa}")
            check(abs(u.area - pa) <= 1e-9 * pa, f"{parent} {p}: {child} union area != parent")
            check(shapely.symmetric_difference(u, pgs[i]).area <= 1e-9 * pa, f"{parent} {p}: {child} do not tile it")
    # streets: pairwise overlaps are zero
    sid, sfeats, sgs = geo["streets"]
    tree = STRtree(sgs)
    a, b = tree.query(sgs, predicate="intersects")
    for i, j in zip(a, b):
        if i < j:
            check(shapely.area(shapely.intersection(sgs[i], sgs[j])) < 1e-12, "streets overlap")
    # hierarchy consistency
    cid, cfeats, cgs = geo["communities"]
    for f in cfeats:
        p = f["properties"]
        check(sfeats[sid[p["street_id"]]]["properties"]["district_id"] == p["district_id"], f"{f['id']}: district")
        check(f["id"].startswith(p["street_id"]) and len(f["id"]) == 12, f"{f['id']}: community id")
    gid, gfeats, ggs = geo["grids"]
    for f in gfeats:
        p = f["properties"]
        c = cfeats[cid[p["community_id"]]]["properties"]
        check(c["street_id"] == p["street_id"] and c["district_id"] == p["district_id"], f"{f['id']}: hierarchy")
        check(f["id"].startswith(p["community_id"]) and len(f["id"]) == 15 and f["id"].isdigit(), f"{f['id']}: grid id")
        check(len(p["worker_phone"]) == 11 and p["worker_phone"][0] == "1", f"{f['id']}: phone")
    # holes and exclaves
    holes = 0
    multi = 0
    for f, g in zip(gfeats, ggs):
        if g.geom_type == "MultiPolygon":
            multi += 1
        for part in shapely.get_parts(g):
            for h in part.interiors:
                holes += 1
                hp = Polygon(h)
                same = [k for k in gtree_query(ggs, hp) if gfeats[k]["properties"]["community_id"] ==
                        f["properties"]["community_id"] and k != gid[f["id"]]]
                cov = shapely.union_all(ggs[same]) if same else Polygon()
                check(shapely.difference(hp, cov).area <= 1e-9 * max(hp.area, 1e-12),
                      f"grid {f['id']}: hole not filled by grids of the same community")
    for H, G in enclaves:
        gh = ggs[gid[H]]
        check(any(len(p.interiors) for p in shapely.get_parts(gh)), f"enclave host {H} has no hole")
        check(ggs[gid[G]].geom_type == "MultiPolygon", f"enclave grid {G} is not a multipolygon")
    check(holes >= 10, f"only {holes} grid holes")
    check(multi >= 10, f"only {multi} multipolygon grids")
    stats["grid_holes"] = holes
    stats["grid_multipolygons"] = multi
    # compounds
    kid, kfeats, kgs = geo["compounds"]
    shapely.prepare(ggs)
    for f, g in zip(kfeats, kgs):
        p = f["properties"]
        check(p["grid_id"] in gid, f"{f['id']}: unknown grid")
        gp = gfeats[gid[p["grid_id"]]]["properties"]
        check(gp["community_id"] == p["community_id"] and gp["street_id"] == p["street_id"] and
              gp["district_id"] == p["district_id"], f"{f['id']}: hierarchy")
        check(f["id"].startswith(p["grid_id"] + "-C"), f"{f['id']}: id")
        check(ggs[gid[p["grid_id"]]].contains(g.centroid), f"{f['id']}: centroid not in its grid")
        check(p["households"] > 0 and p["population"] >= p["households"], f"{f['id']}: households")
        if p["entrance_lon"] is not None:
            check(shapely.intersects(g.boundary, Point(p["entrance_lon"], p["entrance_lat"])),
                  f"{f['id']}: entrance not on the boundary")
    ktree = STRtree(kgs)
    a, b = ktree.query(kgs, predicate="intersects")
    check(all(i == j for i, j in zip(a, b)), "compounds overlap")
    # every compound lies inside its grid or (straddlers) inside its community
    cgeo = {f["id"]: g for f, g in zip(cfeats, cgs)}
    stats["straddlers"] = 0
    for f, g in zip(kfeats, kgs):
        if not ggs[gid[f["properties"]["grid_id"]]].contains(g):
            check(cgeo[f["properties"]["community_id"]].contains(g), f"{f['id']}: leaves its community")
            stats["straddlers"] += 1
    # stations
    tfeats = layers["stations"]["features"]
    for f in tfeats:
        p = f["properties"]
        check(p["category"] in CATEGORY_CODES and p["level"] in LEVELS, f"{f['id']}: category/level")
        pt = shape(f["geometry"])
        check(p["grid_id"] in gid, f"{f['id']}: unknown grid")
        check(ggs[gid[p["grid_id"]]].covers(pt), f"{f['id']}: not inside its grid")
        gp = gfeats[gid[p["grid_id"]]]["properties"]
        check(gp["community_id"] == p["community_id"] and gp["street_id"] == p["street_id"] and
              gp["district_id"] == p["district_id"], f"{f['id']}: hierarchy")
        if p["compound_id"] is not None:
            check(kgs[kid[p["compound_id"]]].covers(pt), f"{f['id']}: not inside its compound")
            check(kfeats[kid[p["compound_id"]]]["properties"]["grid_id"] == p["grid_id"],
                  f"{f['id']}: grid differs from its compound's grid")
        else:
            check(len(ktree.query(pt, predicate="intersects")) == 0, f"{f['id']}: inside a compound but no compound_id")
    # every street / community / district has exactly one party-mass service centre at its level
    pc = defaultdict(int)
    for f in tfeats:
        p = f["properties"]
        if p["category"] == "party_service_center":
            key = {"county": p["district_id"], "town": p["street_id"], "community": p["community_id"]}[p["level"]]
            pc[(p["level"], key)] += 1
    for lvl, layer in (("county", "districts"), ("town", "streets"), ("community", "communities")):
        for i in geo[layer][0]:
            check(pc[(lvl, i)] == 1, f"{layer} {i}: {pc[(lvl, i)]} party-mass service centres")
    # 仲恺 calibration
    zk_streets = {f["id"] for f in sfeats if f["properties"]["zone"] == ZONE_ZK}
    zk = {
        "streets": len(zk_streets),
        "communities": sum(1 for f in cfeats if f["properties"]["street_id"] in zk_streets),
        "grids": sum(1 for f in gfeats if f["properties"]["street_id"] in zk_streets),
        "compounds": sum(1 for f in kfeats if f["properties"]["street_id"] in zk_streets),
        "stations": sum(1 for f in tfeats if f["properties"]["street_id"] in zk_streets),
    }
    for cat in CATEGORY_CODES:
        zk[cat] = sum(1 for f in tfeats if f["properties"]["street_id"] in zk_streets and
                      f["properties"]["category"] == cat)
    if scale == 1:
        check(zk["streets"] == 5, "仲恺 must have 5 streets")
        check(zk["communities"] == sum(ZK_COMMUNITIES.values()), f"仲恺 communities {zk['communities']}")
        check(zk["grids"] == ZK_GRIDS, f"仲恺 grids {zk['grids']}")
        check(zk["compounds"] == ZK_COMPOUNDS, f"仲恺 compounds {zk['compounds']}")
        for cat, n in ZK_STATIONS.items():
            check(zk[cat] == n, f"仲恺 {cat} {zk[cat]} != {n}")
    # categories at several levels
    lv = defaultdict(set)
    for f in tfeats:
        lv[f["properties"]["category"]].add(f["properties"]["level"])
    for cat in CATEGORY_CODES:
        check(len(lv[cat]) >= (1 if cat == "party_service_station" else 2), f"{cat} only at {lv[cat]}")
    stats["zk"] = zk
    stats["counts"] = {k: len(v["features"]) for k, v in layers.items()}
    stats["categories"] = {cat: sum(1 for f in tfeats if f["properties"]["category"] == cat) for cat in CATEGORY_CODES}
    stats["levels"] = {lvl: sum(1 for f in tfeats if f["properties"]["level"] == lvl) for lvl in LEVELS}
    stats["max_households"] = max(f["properties"]["households"] for f in kfeats)
    stats["over_4000"] = sum(1 for f in kfeats if f["properties"]["households"] > 4000)
    stats["with_entrance"] = sum(1 for f in kfeats if f["properties"]["entrance_lon"] is not None)
    stats["grid_vertices"] = int(shapely.get_num_coordinates(ggs).sum())
    return stats


def gtree_query(gs, geom, _cache={}):
    key = id(gs)
    if key not in _cache:
        _cache.clear()
        _cache[key] = STRtree(gs)
    return [int(k) for k in _cache[key].query(geom, predicate="intersects")]


# ----------------------------------------------------------------------------- README
def readme(stats, scale, seed, sizes):
    c = stats["counts"]
    zk = stats["zk"]
    cmd = "python3 tools/generate_sample_city.py"
    if seed != 20261122:
        cmd += f" --seed {seed}"
    if scale != 1:
        cmd += f" --scale {scale}"
    rows = "\n".join(f"| `{k}.geojson` | {c[k]:,} | {sizes[k] / 1e6:.2f} MB |" for k in
                     ("districts", "streets", "communities", "grids", "compounds", "stations"))
    cats = "\n".join(f"| `{k}` | {v:,} | {zk[k]} |" for k, v in stats["categories"].items())
    lv = ", ".join(f"{k} {v:,}" for k, v in stats["levels"].items())
    if scale == 1:
        zk_text = (f"{zk['communities']} communities, {zk['grids']} grids, {zk['compounds']} compounds, "
                   f"{zk['canteen']} community canteens, {zk['elder_day_care']} elder\nday-care centres and "
                   f"{zk['fitness_station']} fitness stations: fixed targets of the generator (the first two after "
                   "the\n\"27 communities, 167 grids\" figure in DESIGN.md section 1), checked before writing.")
    else:
        zk_text = (f"Not calibrated at scale {scale} (about {scale}x the scale-1 counts): {zk['communities']} "
                   f"communities, {zk['grids']} grids,\n{zk['compounds']} compounds.")
    return f"""# geodata — the sample city (Huizhou 惠州)

Generated by `tools/generate_sample_city.py` (seed {seed}, scale {scale}). Do not edit by hand:
change the generator and regenerate. Regenerate from the repository root with

    pip install -r tools/requirements.txt
    {cmd}

(`--source DIR` defaults to `geodata/sources/`, the real inputs kept in the repository, `--out DIR`
to `geodata/`). The output is
byte-for-byte identical on every run with the same seed, scale and library versions.

## Files

Every file is an RFC 7946 GeoJSON FeatureCollection in WGS84 longitude/latitude: no `crs`
member, counter-clockwise exterior rings and clockwise holes, coordinates rounded to 7 decimals,
one feature per line. Every feature has a string `id`, repeated as the property `id`.

| file | features | size |
|---|---:|---:|
{rows}

- `districts.geojson` — the 5 real county-level districts (区/县); `id` = 6-digit adcode, `name`.
- `streets.geojson` — the 70 real streets and towns (街道/镇/乡) with their real 9-digit codes and
  names; `district_id`, `zone` (`仲恺高新区`, `大亚湾开发区` or null). Their shapes are synthetic:
  Voronoi cells of seed points (urban streets, code 0xx, small and clustered at the district's
  urban core; towns 1xx/2xx large) intersected with the real district outline.
- `communities.geojson` — synthetic communities (社区; villages 村 in towns) tiling each street;
  `id` = street code + 3 digits, `street_id`, `district_id`.
- `grids.geojson` — synthetic grids (网格) tiling each community; `id` = the 15-digit grid code
  (community id + 3 digits), `name`, `community_id`, `street_id`, `district_id`, `worker_name`,
  `worker_phone` (fake). Boundaries are jagged (a labelled lattice, not straight Voronoi edges);
  {stats['grid_holes']} grids have holes that are exactly filled by an enclave of another grid of the same
  community, and {stats['grid_multipolygons']} grids are MultiPolygons (exclaves, coastal pieces).
- `compounds.geojson` — synthetic residential compounds (小区), small quadrilaterals that do not
  overlap; `id` = grid id + `-C` + 2 digits, `name`, `grid_id` (grid containing the centroid),
  `community_id`, `street_id`, `district_id`, `households`, `population`, `entrance_lon`,
  `entrance_lat` (a gate vertex on the boundary, or null: {stats['with_entrance']:,} have one).
  {stats['straddlers']} large compounds straddle two grids (they lie inside their community);
  {stats['over_4000']} compounds have more than 4,000 households.
- `stations.geojson` — synthetic service stations (Points); `id`, `name`, `category` (codes in
  `seeds/station_categories.csv`), `level` (county, town, community, compound), `grid_id`,
  `community_id`, `street_id`, `district_id`, `compound_id` (null unless inside a compound).
  Levels: {lv}.

### Station categories (citywide / 仲恺)

| category | city | 仲恺 |
|---|---:|---:|
{cats}

## Topology guarantees (checked by the generator before it writes)

- Every layer is an exact polygon coverage: neighbours at every level (also across district
  borders) share identical vertices, so points on shared edges and vertices are real test cases;
  grids tile their community, communities their street, streets their district (area difference
  below 1e-9 relative, no overlaps); every polygon is valid after rounding.
- District outlines equal the source outlines snapped to 7 decimals (vertices where streets meet
  the outline are added).
- Every compound's centroid lies in its grid; every station lies in its grid (and in its compound
  when `compound_id` is set, and then its `grid_id` is the compound's); every district, street
  and community has exactly one party-mass service centre at its level.

## Calibration (仲恺高新区 = the 5 streets whose zone is 仲恺高新区)

{zk_text}

## Sources and licences

- District outlines: AMap (高德) / DataV.GeoAtlas administrative boundaries, published in GCJ-02
  and converted to WGS84 by an iterative inverse of the GCJ-02 offset. The source map data is for
  non-commercial use.
- Street and town names and codes: Ministry of Civil Affairs of the PRC (民政部), 2025 list of
  administrative division codes (county level and below) — official, public.
- `sources/` holds the two real inputs unchanged: `huizhou_districts_wgs84_from_amap.geojson` (the
  district outlines above, non-commercial use) and `huizhou_townships_mca2025.csv` (the code list).
- Everything below street level (communities, grids, compounds, stations, workers, phone numbers,
  households) and the street shapes are synthetic, generated by `tools/generate_sample_city.py`.
  Names are plausible but invented; any resemblance to a real place or person is coincidental.
"""


# ----------------------------------------------------------------------------- main
# ----------------------------------------------------------------------------- walking network
# Derived only from the serialized layers (texts), so adding it changes no other file. Every
# coordinate is one of the layers' own 7-decimal vertices (or a 7-decimal point computed from
# them), and every iteration runs in sorted order: the file is byte-for-byte reproducible.
RIVER_LAT, RIVER_AMP = 23.091, 0.012
RIVER_LON = (114.28, 114.55)
BRIDGES = (114.33, 114.39, 114.43, 114.49)   # the river's only crossings (longitudes)
COURTYARDS = 5                               # isolated courtyard path networks


def river_line():
    n = 55
    pts = []
    for i in range(n):
        x = RIVER_LON[0] + (RIVER_LON[1] - RIVER_LON[0]) * i / (n - 1)
        y = RIVER_LAT + RIVER_AMP * math.sin((x - RIVER_LON[0]) / (RIVER_LON[1] - RIVER_LON[0]) * 2.5 * math.pi)
        pts.append((round(x, 7), round(y, 7)))
    return LineString(pts)


def _rings(geom):
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [[tuple(p) for p in ring] for poly in polys for ring in poly]


def _chains(segments):
    """Undirected segments (a, b) → polylines between vertices of degree ≠ 2, then the cycles left."""
    adj = defaultdict(list)
    for a, b in segments:
        adj[a].append(b)
        adj[b].append(a)
    for v in adj:
        adj[v].sort()
    seen = set()
    out = []

    def walk(a, b):
        line = [a, b]
        seen.add((min(a, b), max(a, b)))
        while len(adj[b]) == 2:
            n0, n1 = adj[b]
            nxt = n1 if n0 == line[-2] else n0
            key = (min(b, nxt), max(b, nxt))
            if key in seen:
                break
            seen.add(key)
            line.append(nxt)
            b = nxt
        return line

    for v in sorted(adj):
        if len(adj[v]) != 2:
            for w in adj[v]:
                if (min(v, w), max(v, w)) not in seen:
                    out.append(walk(v, w))
    for v in sorted(adj):
        for w in adj[v]:
            if (min(v, w), max(v, w)) not in seen:
                out.append(walk(v, w))
    return out


NEIGHBOUR_M = 1200.0                          # longest lane joining two neighbouring compounds
GATE_REACH = (0.003, 0.02, 0.1)               # degrees searched for a compound's entrance path


def _node(segs, extra):
    """Splits the segments [(a, b, key)] into [(a, b, key, index of the segment split)] wherever two
    of them cross or touch (at the point rounded to 7 decimals, shared by both), and at the points
    in extra[index]. Collinear overlaps are not split (the paths run at random angles to the
    axis-parallel grid edges)."""
    geoms = shapely.linestrings(np.array([[a, b] for a, b, _ in segs], dtype=float))
    tree = STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    inter = shapely.intersection(geoms[i], geoms[j])
    is_pt = shapely.get_type_id(inter) == 0
    xy = shapely.get_coordinates(inter[is_pt])
    cuts = defaultdict(set)
    for k, (x, y) in zip(np.flatnonzero(is_pt), xy):
        p = (round(float(x), 7), round(float(y), 7))
        cuts[int(i[k])].add(p)
        cuts[int(j[k])].add(p)
    for k, ps in extra.items():
        cuts[k] |= ps
    out = []
    for k, (a, b, key) in enumerate(segs):
        ps = sorted(p for p in cuts.get(k, ()) if p != a and p != b)
        if not ps:
            out.append((a, b, key, k))
            continue
        dx, dy = b[0] - a[0], b[1] - a[1]
        ps.sort(key=lambda p: ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy, p))
        chain = [a] + ps + [b]
        out.extend((p, q, key, k) for p, q in zip(chain, chain[1:]) if p != q)
    return out


def _neighbour_lanes(sites, cpolys, ctree, river):
    """Lanes between neighbouring sites (compounds and the service stations outside compounds):
    the Gabriel graph of their centres (a Delaunay edge whose diametral circle holds no other
    centre), each pair up to NEIGHBOUR_M apart joined by the shortest segment between their
    vertices (a compound's outline vertices, a station's point), unless it passes through a
    compound or crosses the river. `sites` = [(centre (x, y), [vertices])]. The Gabriel graph is
    planar, so these lanes cross only streets and other paths (noded later)."""
    at = {}
    for k, (c, _) in enumerate(sites):
        at.setdefault((round(c[0], 9), round(c[1], 9)), k)
    keys = sorted(at)
    cent = [Point(c) for c in keys]
    ptree = STRtree(cent)
    edges = shapely.delaunay_triangles(MultiPoint(cent), only_edges=True)
    pairs = set()
    for e in shapely.get_parts(edges):
        (x0, y0), (x1, y1) = e.coords
        a, b = at.get((round(x0, 9), round(y0, 9))), at.get((round(x1, 9), round(y1, 9)))
        if a is None or b is None:
            continue
        if math.hypot((x1 - x0) * MX, (y1 - y0) * MY) > NEIGHBOUR_M:
            continue
        m = Point((x0 + x1) / 2, (y0 + y1) / 2)
        r = math.hypot(x1 - x0, y1 - y0) / 2 * 0.999
        if any(at[keys[int(o)]] not in (a, b) for o in ptree.query(m.buffer(r))):
            continue
        pairs.add((min(a, b), max(a, b)))
    out = []
    for a, b in sorted(pairs):
        _, p, q = min((math.hypot((p[0] - q[0]) * MX, (p[1] - q[1]) * MY), p, q) for p in sites[a][1] for q in sites[b][1])
        link = LineString([p, q])
        if p == q or link.intersects(river):
            continue
        if any(cpolys[int(o)].intersection(link).length > 1e-9 for o in ctree.query(link)):
            continue
        out.append((p, q))
    return out


def make_network(texts):
    """The sample city's walking network as a GeoJSON FeatureCollection text:
    - streets along every grid edge (highway primary between streets, secondary between
      communities, residential inside a community, unclassified on the city's outer edge);
    - lanes between compounds and stations (living_street): neighbouring sites (compounds, and
      service stations outside compounds: the Gabriel graph of their centres, up to NEIGHBOUR_M
      apart) joined by the shortest segment between their vertices (a compound's outline vertices,
      a station's point), unless it passes through a compound or crosses the river;
    - park paths (footway, 公园步道): a diagonal across every urban grid without a compound;
    - a river (东江-like, synthetic) through the 惠城区 core that cuts every street and lane it crosses
      except at BRIDGES (bridge=yes): the river itself is not in the file;
    - every compound's outline (highway=service) joined by a footway from its entrance (else its
      first vertex) to the foot point on the nearest street or park path, on the same side of the
      river and through no compound;
    - COURTYARDS isolated courtyard path networks (a ring and a diagonal, 2 junction nodes each,
      joined to nothing) inside compounds of 惠城区;
    - one expressway (highway=motorway) that the foot profile drops at import.
    Lines cross only at shared vertices (everything but the courtyards is noded together)."""
    grids = json.loads(texts["grids"])["features"]
    compounds = sorted(json.loads(texts["compounds"])["features"], key=lambda f: f["id"])
    river = river_line()
    seg_grids = defaultdict(set)
    grid_info = {}
    for g in grids:
        p = g["properties"]
        grid_info[g["id"]] = (p["community_id"], p["street_id"])
        for ring in _rings(g["geometry"]):
            for a, b in zip(ring, ring[1:]):
                if a != b:
                    seg_grids[(min(a, b), max(a, b))].add(g["id"])
    segs = []      # (a, b, key); key = (highway, name) or ("bridge", name)
    crossing = []
    for seg in sorted(seg_grids):
        ids = sorted(seg_grids[seg])
        if len(ids) == 1:
            cls = "unclassified"
        else:
            (c1, s1), (c2, s2) = grid_info[ids[0]], grid_info[ids[1]]
            cls = "primary" if s1 != s2 else "secondary" if c1 != c2 else "residential"
        if LineString(seg).intersects(river):
            crossing.append((seg, cls))
        else:
            segs.append((seg[0], seg[1], (cls, None)))
    for k, bx in enumerate(BRIDGES):
        by = RIVER_LAT + RIVER_AMP * math.sin((bx - RIVER_LON[0]) / (RIVER_LON[1] - RIVER_LON[0]) * 2.5 * math.pi)
        seg, cls = min(crossing, key=lambda sc: (Point(bx, by).distance(LineString(sc[0])), sc[0]))
        segs.append((seg[0], seg[1], ("bridge", cls, f"东江{'一二三四五六'[k]}桥")))

    cpolys = [shape(c["geometry"]) for c in compounds]
    ctree = STRtree(cpolys)
    by_grid = defaultdict(list)
    for k, c in enumerate(compounds):
        by_grid[c["properties"]["grid_id"]].append(k)
    # park paths: a diagonal across every urban grid that holds no compound (a park, a school,
    # a plaza), between two of its boundary vertices, where it stays inside the grid
    for g in sorted(grids, key=lambda g: g["id"]):
        if by_grid.get(g["id"]) or not is_urban_code(g["properties"]["street_id"]) or g["geometry"]["type"] != "Polygon":
            continue
        gp = shape(g["geometry"])
        ring = _rings(g["geometry"])[0][:-1]
        a = min(ring, key=lambda v: (v[0] * MX + v[1] * MY, v))
        b = max(ring, key=lambda v: (v[0] * MX + v[1] * MY, v))
        path = LineString([a, b])
        if gp.covers(path) and not path.intersects(river) and not len(ctree.query(path, predicate="intersects")):
            segs.append((a, b, ("footway", "公园步道")))

    # every compound's outline, and its entrance path to the nearest street or lane
    walkable = [k for k, (_, _, key) in enumerate(segs)]
    wtree = STRtree([LineString([segs[k][0], segs[k][1]]) for k in walkable])
    extra = defaultdict(set)
    courtyards = []
    n_court = 0
    gate_links = []
    for ci, c in enumerate(compounds):
        ring = _rings(c["geometry"])[0]
        if LineString(ring).intersects(river):
            continue      # a compound on the river bank gets no paths of its own
        name = c["properties"]["name"]
        for a, b in zip(ring, ring[1:]):
            segs.append((a, b, ("service", name + "内部道路")))
        p = c["properties"]
        gate = (p["entrance_lon"], p["entrance_lat"]) if p["entrance_lon"] is not None else ring[0]
        if gate not in ring:
            gate = ring[0]
        g = Point(gate)
        for r in GATE_REACH:
            near = []
            for t in wtree.query(g.buffer(r)):
                k = walkable[int(t)]
                line = LineString([segs[k][0], segs[k][1]])
                f = line.interpolate(line.project(g))
                near.append((g.distance(f), k, (round(f.x, 7), round(f.y, 7))))
            near.sort()
            found = None
            for _, k, f in near:
                if f == gate:
                    continue
                link = LineString([gate, f])
                if link.intersects(river):
                    continue
                if any(cpolys[int(o)].intersection(link).length > 1e-9 for o in ctree.query(link)):
                    continue
                found = (k, f)
                break
            if found is not None:
                k, f = found
                if f not in (segs[k][0], segs[k][1]):
                    extra[k].add(f)
                gate_links.append((gate, f, name))
                break
        if n_court < COURTYARDS and p["district_id"] == "441302" and p["households"] >= 500:
            cx = sum(x for x, _ in ring[:-1]) / (len(ring) - 1)
            cy = sum(y for _, y in ring[:-1]) / (len(ring) - 1)
            inner = [(round(cx + 0.4 * (x - cx), 7), round(cy + 0.4 * (y - cy), 7)) for x, y in ring[:-1]]
            if len(set(inner)) == len(inner) >= 4:
                courtyards.append((p["name"] + "庭院步道", inner + [inner[0]], [inner[0], inner[2]]))
                n_court += 1
    for a, b, name in gate_links:
        segs.append((a, b, ("footway", None)))
    sites = [((c.centroid.x, c.centroid.y), _rings(f["geometry"])[0][:-1]) for f, c in zip(compounds, cpolys)
             if not c.exterior.intersects(river)]    # a compound on the river bank has no outline path to join
    for st in sorted(json.loads(texts["stations"])["features"], key=lambda f: f["id"]):
        if st["properties"]["compound_id"] is None:
            xy = tuple(st["geometry"]["coordinates"])
            sites.append((xy, [xy]))
    for a, b in _neighbour_lanes(sites, cpolys, ctree, river):
        segs.append((a, b, ("living_street", None)))

    noded = _node(segs, extra)
    # paths stop at compound walls; nothing but a bridge crosses the river
    geoms = shapely.linestrings(np.array([[a, b] for a, b, _, _ in noded], dtype=float))
    mids = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    inside = np.zeros(len(noded), dtype=bool)
    inside[ctree.query(mids, predicate="within")[0]] = True
    wet = shapely.intersects(geoms, river)
    kept = defaultdict(list)
    for k, (a, b, key, src) in enumerate(noded):
        if wet[k] and key[0] != "bridge":
            continue
        if key[0] in ("living_street", "footway") and inside[k]:
            continue
        kept[key].append((a, b))

    feats = []

    def add(props, coords):
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "LineString", "coordinates": [[float(x), float(y)] for x, y in coords]}})

    order = {"primary": 0, "secondary": 1, "residential": 2, "unclassified": 3, "bridge": 4,
             "living_street": 5, "footway": 6, "service": 7}
    for key in sorted(kept, key=lambda k: (order[k[0]], k[1] is not None, k[1] or "", k[2:] )):
        for line in _chains(kept[key]):
            if key[0] == "bridge":
                add({"highway": key[1], "name": key[2], "bridge": "yes"}, line)
            elif key[1] is None:
                add({"highway": key[0]}, line)
            else:
                add({"highway": key[0], "name": key[1]}, line)
    for name, ring, diagonal in courtyards:
        add({"highway": "footway", "name": name}, ring)
        add({"highway": "footway", "name": name}, diagonal)
    add({"highway": "motorway", "name": "惠州环城高速(示例)"},
        [(114.30, 23.16), (114.38, 23.15), (114.46, 23.15), (114.54, 23.16)])
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def write_network(out, texts):
    """Writes network.geojson (derived from the grids, compounds and stations texts only) and its section of
    README.md (replaced in place, so --network-only keeps the rest of the README as it is)."""
    text = make_network(texts)
    data = text.encode("utf-8")
    with open(os.path.join(out, "network.geojson"), "wb") as f:
        f.write(data)
    feats = json.loads(text)["features"]
    by = defaultdict(int)
    for f in feats:
        by[f["properties"]["highway"]] += 1
    kinds = ", ".join(f"{k} {by[k]:,}" for k in sorted(by, key=lambda k: (-by[k], k)))
    bridges = sum(1 for f in feats if f["properties"].get("bridge") == "yes")
    section = f"""## Walking network (`network.geojson`)

`network.geojson` ({len(feats):,} LineStrings, {len(data) / 1e6:.2f} MB; highway: {kinds}) is derived
from `grids.geojson`, `compounds.geojson` and `stations.geojson` only, after the other layers are
written, so it changes none of them (`python3 tools/generate_sample_city.py --network-only`
rewrites just this file and this section). `wangge seed` (and `serve` on an empty store) imports
it with the same reader as `wangge import network`. Every line but the courtyard paths is noded
with every other: lines cross only at shared vertices, where the import splits them.

- Streets along every grid edge, merged into lines between junctions: `primary` between streets,
  `secondary` between communities, `residential` inside a community, `unclassified` on the city's
  outer edge. They share the grids' exact vertices, so they meet at junctions exactly.
- Lanes between compounds and stations (`living_street`): neighbouring sites — compounds, and the
  service stations outside compounds — of the Gabriel graph of their centres, up to
  {NEIGHBOUR_M:,.0f} m apart, joined by the shortest segment between their vertices (a compound's
  outline vertex, a station's point), unless it passes through a compound or crosses the river.
- Park paths (`footway`, 公园步道): a diagonal across every urban grid that holds no compound,
  between two of its boundary vertices, where it stays inside the grid.
- A synthetic river (a sine curve through the 惠城区 core, {RIVER_LON[0]}–{RIVER_LON[1]} °E around
  {RIVER_LAT} °N; not in the file) cuts every street and path it crosses, except {bridges} bridges
  (`bridge: "yes"`, named 东江一桥…): walking across it means walking to a bridge.
- Every compound's outline (`service`, the paths along its walls) and a `footway` from its
  entrance (else its first vertex) to the foot point on the nearest street or park path, not
  across the river and through no compound; compounds on the river bank get neither.
- {COURTYARDS} isolated courtyard path networks (`footway`, a ring and a diagonal, 2 nodes each,
  joined to nothing) inside large compounds of 惠城区: the snapping rule's test case (a compound's
  access point lies closer to them than to any street, yet they are far below 50 nodes).
- Grid holes filled by enclaves and coastal islands make a few more small separate pieces.
- One expressway (`motorway`, 惠州环城高速(示例)) that the foot profile drops at import.

How far out of the way the network makes people walk (network ÷ straight-line distance between
compound access points) is measured by `tools/network_detour.py`; its figures, and the sample
city's coverage by network against straight-line, are in docs/PERFORMANCE.md.

"""
    path = os.path.join(out, "README.md")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            readme_text = f.read()
        start = readme_text.find("## Walking network")
        if start >= 0:
            end = readme_text.find("\n## ", start + 1)
            readme_text = readme_text[:start] + readme_text[end + 1:] if end >= 0 else readme_text[:start]
        anchor = readme_text.find("## Topology guarantees")
        readme_text = (readme_text[:anchor] + section + readme_text[anchor:]) if anchor >= 0 else readme_text + "\n" + section
        with open(path, "w", encoding="utf-8") as f:
            f.write(readme_text)
    print(f"network.geojson: {len(feats)} lines, {len(data) / 1e6:.2f} MB")


def main(argv=None):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20261122, help="random seed (default 20261122)")
    ap.add_argument("--source", default=os.path.join(repo, "geodata", "sources"),
                    help="folder with the real input data (default: geodata/sources, the copies kept in the repository)")
    ap.add_argument("--out", default=os.path.join(repo, "geodata"), help="output folder (default: geodata/)")
    ap.add_argument("--scale", type=int, default=1,
                    help="about N times the grids, compounds and stations (benchmarks); the 仲恺 calibration "
                         "applies at scale 1 only")
    ap.add_argument("--enclaves", type=int, default=14, help="number of enclave/exclave pairs (scale 1)")
    ap.add_argument("--network-only", action="store_true",
                    help="only (re)write network.geojson from the layers already in --out (the others unchanged)")
    args = ap.parse_args(argv)
    if args.network_only:
        texts = {k: open(os.path.join(args.out, f"{k}.geojson"), encoding="utf-8").read() for k in ("grids", "compounds", "stations")}
        write_network(args.out, texts)
        return 0
    if args.scale < 1:
        ap.error("--scale must be >= 1")
    t0 = time.time()

    def log(msg):
        print(f"[{time.time() - t0:6.1f}s] {msg}", flush=True)

    rng = np.random.default_rng(np.random.SeedSequence([args.seed, args.scale]))
    districts, streets = load_source(args.source)
    check_categories(repo)
    if len(streets) != 70 or len(districts) != 5:
        raise SystemExit(f"expected 5 districts and 70 streets, got {len(districts)} and {len(streets)}")
    build_streets(districts, streets, rng)
    log("streets built")
    plan_counts(streets, args.scale, rng)
    communities, grids = [], []
    for s in streets:
        label_street(s, args.scale, rng, communities, grids)
    log(f"lattices labelled: {len(communities)} communities, {len(grids)} grids")
    enclaves = add_enclaves(streets, grids, rng, args.enclaves * args.scale)
    faces, face_grid = build_faces(streets, grids)
    log(f"noded and polygonized: {len(faces)} faces")
    by_grid = defaultdict(list)
    for f, g in enumerate(face_grid):
        by_grid[int(g)].append(f)
    missing = [grids[i].id for i in range(len(grids)) if i not in by_grid]
    if missing:
        raise SystemExit(f"grids without area: {missing[:10]}")
    for g in grids:
        g.geom = finish(union_faces(list(faces[by_grid[g.idx]])))
    for c in communities:
        fl = [f for g in c.grids for f in by_grid[g.idx]]
        c.geom = finish(union_faces(list(faces[fl])))
    for s in streets:
        fl = [f for c in s.communities for g in c.grids for f in by_grid[g.idx]]
        s.geom = finish(union_faces(list(faces[fl])))
    for d in districts:
        fl = [f for s in streets if s.district == d["id"] for c in s.communities for g in c.grids
              for f in by_grid[g.idx]]
        d["geom"] = finish(union_faces(list(faces[fl])))
    log("polygons assembled")
    # workers
    phones = set()
    for g in grids:
        sn = SURNAMES[int(rng.integers(len(SURNAMES)))]
        given = "".join(GIVEN_CHARS[int(rng.integers(len(GIVEN_CHARS)))] for _ in range(1 + (rng.random() < 0.7)))
        g.worker_name = sn + given
        while True:
            ph = PHONE_PREFIXES[int(rng.integers(len(PHONE_PREFIXES)))] + f"{int(rng.integers(10 ** 8)):08d}"
            if ph not in phones:
                phones.add(ph)
                break
        g.worker_phone = ph
    compounds = make_compounds(streets, communities, grids, args.scale, rng)
    log(f"{len(compounds)} compounds")
    stations = make_stations(districts, streets, communities, grids, compounds, args.scale, rng)
    log(f"{len(stations)} stations")

    texts = {}
    texts["districts"] = feature_collection(
        [feat(d["id"], {"name": d["name"]}, d["geom"]) for d in districts])
    texts["streets"] = feature_collection(
        [feat(s.code, {"name": s.name, "district_id": s.district, "zone": s.zone}, s.geom) for s in streets])
    texts["communities"] = feature_collection(
        [feat(c.id, {"name": c.name, "street_id": c.street.code, "district_id": c.street.district}, c.geom)
         for c in communities])
    texts["grids"] = feature_collection(
        [feat(g.id, {"name": g.name, "community_id": g.community.id, "street_id": g.street.code,
                     "district_id": g.street.district, "worker_name": g.worker_name,
                     "worker_phone": g.worker_phone}, g.geom) for g in grids])
    texts["compounds"] = feature_collection(
        [feat(k.id, {"name": k.name, "grid_id": k.grid.id, "community_id": k.grid.community.id,
                     "street_id": k.grid.street.code, "district_id": k.grid.street.district,
                     "households": k.households, "population": k.population,
                     "entrance_lon": k.entrance[0] if k.entrance else None,
                     "entrance_lat": k.entrance[1] if k.entrance else None}, k.geom) for k in compounds])
    texts["stations"] = feature_collection(
        [feat(st.id, {"name": st.name, "category": st.category, "level": st.level, "grid_id": st.grid.id,
                      "community_id": st.grid.community.id, "street_id": st.grid.street.code,
                      "district_id": st.grid.street.district,
                      "compound_id": st.compound.id if st.compound else None}, Point(st.xy)) for st in stations])
    log("serialized; verifying")
    try:
        stats = verify(texts, districts, args.scale, enclaves)
    except VerifyError as e:
        print(f"VERIFICATION FAILED: {e}", file=sys.stderr)
        return 1
    log("verified")
    os.makedirs(args.out, exist_ok=True)
    sizes = {}
    for k, v in texts.items():
        data = v.encode("utf-8")
        sizes[k] = len(data)
        with open(os.path.join(args.out, f"{k}.geojson"), "wb") as f:
            f.write(data)
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme(stats, args.scale, args.seed, sizes))
    write_network(args.out, texts)
    c = stats["counts"]
    zk = stats["zk"]
    print()
    print(f"{'layer':<12}{'city':>8}{'仲恺':>8}{'size MB':>10}")
    for k in ("districts", "streets", "communities", "grids", "compounds", "stations"):
        print(f"{k:<12}{c[k]:>8}{zk.get(k, 0) if k != 'districts' else '-':>8}{sizes[k] / 1e6:>10.2f}")
    print(f"{'total':<12}{'':>16}{sum(sizes.values()) / 1e6:>10.2f}")
    print("stations by category (city / 仲恺):",
          ", ".join(f"{k} {v}/{zk[k]}" for k, v in stats["categories"].items()))
    print("stations by level:", ", ".join(f"{k} {v}" for k, v in stats["levels"].items()))
    print(f"grids with holes: {stats['grid_holes']}, multipolygon grids: {stats['grid_multipolygons']}, "
          f"grid vertices: {stats['grid_vertices']}")
    print(f"compounds with entrance: {stats['with_entrance']}, over 4000 households: {stats['over_4000']}, "
          f"max households: {stats['max_households']}")
    log(f"done, wrote {args.out}")
    return 0


def check_categories(repo):
    path = os.path.join(repo, "seeds", "station_categories.csv")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        codes = [r["code"] for r in csv.DictReader(f)]
    if codes != CATEGORY_CODES:
        raise SystemExit(f"{path} does not list the generator's categories {CATEGORY_CODES}")


if __name__ == "__main__":
    sys.exit(main())
