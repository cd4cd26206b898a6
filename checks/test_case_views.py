"""Issue 11 §6, the managers' views, through the real binary: GDAL's OAPIF driver (ogrinfo) opens the
token-protected cases collection by its URL with the token as a header (GDAL_HTTP_HEADERS) or as
`api_key` in the URL, and `GET /cases/stats` agrees with figures computed here with numpy from the
cases as `GET /cases` lists them (counts by state, median and p90 hours to close by numpy's default
linear percentile, share closed by the deadline, share closed at the compound level)."""
import os
import random
import re
import subprocess
from collections import Counter, defaultdict
from datetime import datetime

import numpy as np
from shapely.geometry import shape

from test_cases_intake import call, mint_token


def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def all_cases(server, token):
    out, offset = [], 0
    while True:
        _, page = call("GET", f"{server}/cases?limit=1000&offset={offset}", token=token)
        out += page["cases"]
        offset += page["numberReturned"]
        if offset >= page["numberMatched"] or not page["numberReturned"]:
            return out


def make_cases(server, admin, n=24, seed=20261130):
    """n cases in a few grids, taken through random stretches of the loop (some escalated, some rejected)."""
    rng = random.Random(seed)
    _, page = call("GET", f"{server}/collections/grids/items?limit=4")
    points = [shape(g["geometry"]).representative_point() for g in page["features"]]
    loop = ["file", "dispatch", "handle", "verify", "close", "evaluate"]
    for k in range(n):
        p = points[k % len(points)]
        status, case = call("POST", f"{server}/cases", {"lon": p.x, "lat": p.y, "category": rng.choice(["garbage", "broken_lift", "street_light"]),
                                                       "description": f"stats {k}"}, token=admin)
        assert status == 201, case
        cid = case["id"]
        if rng.random() < 0.15:
            assert call("POST", f"{server}/cases/{cid}/events", {"action": "reject", "reason": "invalid"}, token=admin)[0] == 201
            continue
        steps = loop[:rng.randint(0, len(loop))]
        if steps and rng.random() < 0.3:
            assert call("POST", f"{server}/cases/{cid}/events", {"action": "file"}, token=admin)[0] == 201
            assert call("POST", f"{server}/cases/{cid}/events", {"action": "escalate"}, token=admin)[0] == 201
            steps = steps[1:]
        for a in steps:
            status, body = call("POST", f"{server}/cases/{cid}/events", {"action": a}, token=admin)
            assert status == 201, body


def test_stats_agree_with_numpy_over_the_listed_cases(server, city_db):
    admin = mint_token(city_db, "admin")
    make_cases(server, admin)
    planner = mint_token(city_db, "planner")
    for level in ("grid", "community", "street"):
        cases = all_cases(server, admin)
        status, stats = call("GET", f"{server}/cases/stats?level={level}", token=planner)
        assert status == 200, stats
        groups = defaultdict(list)
        for c in cases:
            groups[c[f"{level}_id"]].append(c)
        assert [a["id"] for a in stats["areas"]] == sorted(groups, key=lambda k: k or "")
        for a in stats["areas"]:
            cs = groups[a["id"]]
            assert a["total"] == len(cs)
            assert {k: v for k, v in a["by_state"].items() if v} == dict(Counter(c["state"] for c in cs))
            closed = [c for c in cs if c["state"] in ("closed", "evaluated")]
            assert a["closed"] == len(closed)
            assert a["open"] == sum(c["state"] not in ("closed", "evaluated", "rejected") for c in cs)
            if not closed:
                assert a["median_hours_to_close"] is None and a["share_solved_at_compound"] is None
                continue
            hours = np.array([(t(c["closed_at"]) - t(c["reported_at"])).total_seconds() / 3600 for c in closed])
            assert abs(a["median_hours_to_close"] - np.percentile(hours, 50)) < 1e-6
            assert abs(a["p90_hours_to_close"] - np.percentile(hours, 90)) < 1e-6
            assert abs(a["share_closed_within_deadline"] - np.mean([t(c["closed_at"]) <= t(c["deadline"]) for c in closed])) < 1e-12
            assert abs(a["share_solved_at_compound"] - np.mean([c["level"] == "compound" for c in closed])) < 1e-12


def test_ogrinfo_opens_the_cases_collection_with_a_token(server, city_db):
    admin = mint_token(city_db, "admin")
    make_cases(server, admin, n=3, seed=7)
    _, items = call("GET", f"{server}/collections/cases/items?limit=1", token=admin)
    want = items["numberMatched"]
    env = dict(os.environ, GDAL_HTTP_HEADERS=f"Authorization: Bearer {admin}")
    out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{server}/collections/cases", "cases"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert f"Feature Count: {want}" in out.stdout, out.stdout
    assert "state: String" in out.stdout and "overdue: " in out.stdout, out.stdout
    # Every feature comes through paging, with the filters pushed to the server.
    out = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{server}/collections/cases", "cases", "-where", "state = 'closed'"],
                         capture_output=True, text=True, env=env, check=True).stdout
    _, closed = call("GET", f"{server}/collections/cases/items?state=closed&limit=1000", token=admin)
    assert len(re.findall(r"^OGRFeature\(cases\):", out, re.M)) == closed["numberMatched"]
    # api_key in the URL works for clients that can only be given one.
    out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{server}/collections/cases?api_key={admin}", "cases"], capture_output=True, text=True)
    assert out.returncode == 0 and f"Feature Count: {want}" in out.stdout, out.stdout + out.stderr
    # Without a token GDAL cannot open it.
    out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{server}/collections/cases", "cases"], capture_output=True, text=True)
    assert out.returncode != 0 and "401" in out.stderr, out.stdout + out.stderr
