"""Open311 GeoReport v2 (issue 11 §3) through the real binary with real clients from PyPI:
`georeport` 0.3.1 reads services, service definitions, request lists and single requests in JSON
and in XML (it parses XML with xmltodict), and the GeoReport v2 client in `civicbot` 0.4.0 creates a
request with an api_key (a form-encoded POST, exactly as it sends it to a city). Each created
request must land in the grid that `GET /assign` names for the same point, and read back through
Open311 with the loop's state, the deadline and the point; the spec's error lists come back in
both formats with the right status codes."""
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport
from shapely.geometry import shape

from test_cases_intake import call, gcj02_from_wgs84, mint_token


def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def raw(method, url, form=None, headers=None):
    """status, content type, body text (errors included)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    h = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


@pytest.fixture(scope="module")
def grids(server):
    _, page = call("GET", f"{server}/collections/grids/items?limit=40")
    return [(g["id"], shape(g["geometry"])) for g in page["features"]]


@pytest.fixture(scope="module")
def created(server, city_db, grids):
    """Three requests filed by civicbot with a reporter token's api_key: (id, grid id, point)."""
    token = mint_token(city_db, "reporter")
    endpoint = Endpoint(id="wangge", name="wangge", base_url=f"{server}/open311/v2", write=True)
    client = Open311Client(endpoint)
    out = []
    for k, (gid, poly) in enumerate(grids[:3]):
        p = poly.representative_point()
        prepared = client.create_request(
            "broken_lift", dry_run=False, confirm="SEND", api_key=token, validate_remote=True,
            lat=p.y, lng=p.x, description=f"电梯坏了 {k}", address_string=f"幸福小区 {k} 栋",
            email=f"r{k}@example.org", first_name="小", last_name="王", phone="13800000000",
            media_url=f"https://example.org/photo/{k}.jpg")
        answer = prepared.response
        assert isinstance(answer, list) and len(answer) == 1, answer
        assert answer[0]["account_id"] is None and gid in answer[0]["service_notice"]
        out.append((answer[0]["service_request_id"], gid, p))
    return out


def test_civicbot_creates_requests_that_land_in_the_grid_assign_names(server, city_db, created):
    admin = mint_token(city_db, "admin")
    for rid, gid, p in created:
        status, assigned = call("GET", f"{server}/assign?lon={p.x!r}&lat={p.y!r}")
        assert status == 200 and assigned["properties"]["grid"]["id"] == gid
        status, case = call("GET", f"{server}/cases/{rid}", token=admin)
        assert status == 200, case
        assert case["grid_id"] == gid and case["category"] == "broken_lift" and case["state"] == "reported"
        assert abs(case["lon"] - p.x) < 1e-9 and abs(case["lat"] - p.y) < 1e-9
        # The contact fields reach the case (staff read them on /cases), the photo too.
        assert "小 王" in case["contact"] and "@example.org" in case["contact"] and "13800000000" in case["contact"]
        assert case["photo_urls"][0].startswith("https://example.org/photo/")


def test_coordinate_system_extension_routes_gcj02_like_post_cases(server, city_db, grids):
    token = mint_token(city_db, "reporter")
    gid, poly = grids[5]
    p = poly.representative_point()
    glon, glat = gcj02_from_wgs84(p.x, p.y)
    status, ctype, text = raw("POST", f"{server}/open311/v2/requests.json", {
        "api_key": token, "service_code": "garbage", "lat": repr(glat), "long": repr(glon), "coordinate_system": "gcj02",
        "description": "垃圾堆放"})
    assert status == 201 and ctype.startswith("application/json"), text
    rid = json.loads(text)[0]["service_request_id"]
    _, assigned = call("GET", f"{server}/assign?lon={glon!r}&lat={glat!r}&crs=gcj02")
    status, back = call("GET", f"{server}/open311/v2/requests/{rid}.json")
    assert status == 200 and gid == assigned["properties"]["grid"]["id"]
    assert f"grid {gid}" in back[0]["agency_responsible"]
    # Served in WGS84 as the spec defines lat/long: the point shapely put in the grid.
    assert abs(back[0]["long"] - p.x) < 1e-6 and abs(back[0]["lat"] - p.y) < 1e-6


def test_discovery_leads_a_client_to_the_endpoint(server):
    """Service discovery in both formats (parsed by json and ElementTree), and the endpoint it names
    is one a real client reads services from."""
    status, ctype, body = raw("GET", f"{server}/open311/v2/discovery.json")
    assert status == 200 and ctype.startswith("application/json")
    d = json.loads(body)
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(d)
    (e,) = d["endpoints"]
    assert e["specification"] == "http://wiki.open311.org/GeoReport_v2" and e["type"] == "production"
    assert sorted(e["formats"]) == ["application/json", "text/xml"]
    status, ctype, body = raw("GET", f"{server}/open311/v2/discovery.xml")
    assert status == 200 and ctype.startswith("text/xml")
    root = ET.fromstring(body.encode())
    assert root.tag == "discovery" and root.findtext("changeset") == d["changeset"]
    assert root.findtext("endpoints/endpoint/url") == e["url"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == e["formats"]
    assert GeoReport(e["url"], output_format="json").get_service_list(), "the discovered endpoint serves"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_definitions(server, fmt):
    client = GeoReport(f"{server}/open311/v2", output_format=fmt)
    services = client.get_service_list()
    _, cats = call("GET", f"{server}/case-categories")
    assert [s["service_code"] for s in services] == [c["code"] for c in cats["categories"]]
    for s, c in zip(services, cats["categories"]):
        assert s["service_name"] == c["name_zh"] and s["group"] == c["group"] and s["type"] == "realtime"
        assert s["metadata"] in (False, "false")
    d = client.get_service_definition("broken_lift")
    assert d["service_code"] == "broken_lift" and not d["attributes"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_requests_with_the_loops_state_and_deadline(server, city_db, created, fmt):
    admin = mint_token(city_db, "admin")
    client = GeoReport(f"{server}/open311/v2", output_format=fmt, jurisdiction="huizhou")
    for rid, gid, p in created:
        one = client.get_service_request(rid)
        _, case = call("GET", f"{server}/cases/{rid}", token=admin)
        assert one["service_request_id"] == rid and one["service_code"] == "broken_lift"
        assert one["status"] == "open" and one["status_notes"].startswith("reported at the")
        assert instant(one["expected_datetime"]) == instant(case["deadline"])
        assert abs(instant(one["requested_datetime"]) - instant(case["reported_at"])).total_seconds() < 1
        assert float(one["lat"]) == pytest.approx(p.y, abs=1e-9) and float(one["long"]) == pytest.approx(p.x, abs=1e-9)
        assert one["address"].startswith("幸福小区") and one["description"].startswith("电梯坏了")
        assert f"grid {gid}" in one["agency_responsible"]
        # Public reads: no contact details in any field.
        assert "example.org" not in json.dumps(one).replace("https://example.org/photo", "")
        assert "13800000000" not in json.dumps(one)
    ids = ",".join(r for r, _, _ in created)
    listed = client.get_service_requests(service_request_id=ids)
    assert sorted(r["service_request_id"] for r in listed) == sorted(r for r, _, _ in created)
    # status, service_code and date filters.
    opened = client.get_service_requests(service_code="broken_lift", status="open")
    assert {r for r, _, _ in created} <= {r["service_request_id"] for r in opened}
    assert all(r["status"] == "open" and r["service_code"] == "broken_lift" for r in opened)
    status, _, text = raw("GET", f"{server}/open311/v2/requests.json?status=closed&service_code=broken_lift")
    assert status == 200 and not {r for r, _, _ in created} & {r["service_request_id"] for r in json.loads(text)}
    status, _, text = raw("GET", f"{server}/open311/v2/requests.json?end_date=2020-01-01T00:00:00Z")
    assert status == 200 and json.loads(text) == []


def test_bbox_extension_selects_by_point(server, created):
    rid, _, p = created[0]
    near = f"{p.x - 1e-4},{p.y - 1e-4},{p.x + 1e-4},{p.y + 1e-4}"
    _, _, text = raw("GET", f"{server}/open311/v2/requests.json?bbox={near}")
    assert rid in [r["service_request_id"] for r in json.loads(text)]
    far = f"{p.x + 1},{p.y + 1},{p.x + 2},{p.y + 2}"
    _, _, text = raw("GET", f"{server}/open311/v2/requests.json?bbox={far}")
    assert json.loads(text) == []


def xml_errors(text):
    root = ET.fromstring(text)
    assert root.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in root.findall("error")]


def test_errors_are_the_specs_lists_in_both_formats(server, city_db):
    token = mint_token(city_db, "reporter")
    planner = mint_token(city_db, "planner")
    form = {"service_code": "garbage", "lat": "23.1", "long": "114.41", "description": "x"}
    cases = [
        # (method, path, form, status, words in the description)
        ("POST", "requests", {**form, "api_key": "not-a-token"}, 401, "token"),
        ("POST", "requests", form, 401, "token"),
        ("POST", "requests", {**form, "api_key": planner}, 403, "planner"),
        ("POST", "requests", {**form, "api_key": token, "service_code": "nope"}, 400, "service_code"),
        ("POST", "requests", {k: v for k, v in {**form, "api_key": token}.items() if k != "lat"}, 400, "lat"),
        ("POST", "requests", {**form, "api_key": token, "lat": "north"}, 400, "lat"),
        ("POST", "requests", {**form, "api_key": token, "description": "长" * 4001}, 400, "description"),
        ("POST", "requests", {**form, "api_key": token, "coordinate_system": "mars"}, 400, "coordinate_system"),
        ("POST", "requests", {**form, "api_key": token, "attribute[x]": "1"}, 400, "attribute[x]"),
        ("GET", "requests/999999999", None, 404, "999999999"),
        ("GET", "services/nope", None, 404, "nope"),
        ("GET", "requests?status=maybe", None, 400, "status"),
        ("GET", "requests?start_date=yesterday", None, 400, "start_date"),
    ]
    for method, path, body, want, words in cases:
        for fmt in ("json", "xml"):
            base, _, query = path.partition("?")
            url = f"{server}/open311/v2/{base}.{fmt}" + (f"?{query}" if query else "")
            status, ctype, text = raw(method, url, body)
            assert status == want, (path, fmt, status, text)
            if fmt == "json":
                assert ctype.startswith("application/json"), ctype
                errs = [(e["code"], e["description"]) for e in json.loads(text)]
            else:
                assert ctype.startswith("text/xml"), ctype
                errs = xml_errors(text)
            assert len(errs) == 1 and errs[0][0] == want and words in errs[0][1], (path, fmt, text)
    # A JSON body is not the spec's form encoding.
    status, _, text = raw("POST", f"{server}/open311/v2/requests.json?api_key={token}",
                          headers={"Content-Type": "application/json"})
    assert status == 415 and json.loads(text)[0]["code"] == 415
