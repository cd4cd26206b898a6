"""The planner's map page in Debian's headless Chromium (selenium + chromium-driver) against a real
`wangge serve` over the sample city: Leaflet loads from the service itself, every layer renders the
number of features the store holds, the console stays clean, and a click shows the grid chain.
The coverage control (issue 9 §5) lists the store's categories and tiers, colours compounds and grids
with the counts /coverage gives, draws /coverage/gaps's uncovered areas, and a click lists the
nearest station of each category exactly as /nearest answers; a click on a station draws its walking
isochrones exactly as /stations/{id}/isochrone answers.

Set WANGGE_MAP_SCREENSHOT=docs/map.png to write the screenshot the README shows."""
import json
import os
import shutil
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from conftest import LAYERS, REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("chromium and chromium-driver are needed (scripts/setup --test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--lang=zh-CN", "--hide-scrollbars"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    d.set_page_load_timeout(60)
    yield d
    d.quit()


def store_counts(db):
    with sqlite3.connect(db) as c:
        return {l: c.execute(f"SELECT count(*) FROM {l}").fetchone()[0] for l in LAYERS}


def wait_for(driver, script, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = driver.execute_script(script)
        if v:
            return v
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for: {script}")


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture(scope="module")
def loaded(browser, server):
    browser.get(server + "/map")
    wait_for(browser, "return window.wangge && (window.wangge.ready || window.wangge.error)")
    assert browser.execute_script("return window.wangge.error || null") is None
    return browser


def test_map_loads_leaflet_from_the_service_with_no_console_errors(loaded, server):
    assert loaded.execute_script("return typeof L === 'object' && typeof L.map === 'function' && L.version")
    scripts = loaded.execute_script("return [...document.scripts].map(s => s.src).filter(Boolean)")
    # No CDN: Leaflet and the page's own script (a resource file of the binary) come from the service.
    assert scripts == [server + "/static/leaflet/leaflet.js", server + "/static/map.js"]
    assert console_errors(loaded) == []


def test_every_layer_renders_every_feature(loaded, city_db):
    counts = loaded.execute_script("return window.wangge.counts")
    expected = loaded.execute_script("return window.wangge.expected")
    assert counts == store_counts(city_db)
    assert expected == counts, "what was drawn is what the API said matched"
    # The legend shows the counts, stations broken down by category.
    legend = loaded.find_element("id", "legend").text
    assert f"({counts['grids']:,})" in legend
    with urllib.request.urlopen(loaded.current_url.replace("/map", "/categories")) as r:
        categories = json.loads(r.read())["categories"]
    station_layers = loaded.execute_script("return Object.keys(window.wangge.layers).filter(k => k.startsWith('stations:'))")
    assert station_layers and all(k.split(":", 1)[1] in {c["code"] for c in categories} for k in station_layers)
    # Layer switcher: one overlay per layer, plus one per station category.
    overlays = loaded.find_elements("css selector", ".leaflet-control-layers-overlays label")
    assert len(overlays) == 5 + len(station_layers)


def test_a_click_shows_the_grid_chain(loaded, server):
    with urllib.request.urlopen(f"{server}/collections/grids/items?limit=1&offset=100") as r:
        grid = json.loads(r.read())["features"][0]
    geom = shape(grid["geometry"])
    p = shapely.get_coordinates(geom.representative_point())[0]
    minx, miny, maxx, maxy = geom.bounds
    loaded.execute_script("""
        const m = window.wanggeMap; m.fitBounds([[arguments[1], arguments[0]], [arguments[3], arguments[2]]], {animate: false});
        """, minx, miny, maxx, maxy)
    xy = loaded.execute_script("""
        const pt = window.wanggeMap.latLngToContainerPoint([arguments[1], arguments[0]]); return [pt.x, pt.y];
        """, p[0], p[1])
    from selenium.webdriver.common.action_chains import ActionChains
    el = loaded.find_element("id", "map")
    size = el.size
    ActionChains(loaded).move_to_element_with_offset(el, xy[0] - size["width"] / 2, xy[1] - size["height"] / 2).click().perform()
    wait_for(loaded, "return document.getElementById('chain-table') && window.wangge.lastChain && window.wangge.highlighted")
    chain = loaded.execute_script("return window.wangge.lastChain")
    assert chain["grid"]["id"] == grid["id"]
    assert chain["community"]["id"] == grid["properties"]["community_id"]
    text = loaded.find_element("id", "chain").text
    assert grid["id"] in text and grid["properties"]["community_id"] in text and grid["properties"]["district_id"] in text
    assert loaded.execute_script("return window.wangge.highlighted") == grid["id"]
    assert console_errors(loaded) == []


def get(server, path):
    with urllib.request.urlopen(server + path) as r:
        return json.loads(r.read())


def choose_coverage(driver, category, tier):
    from selenium.webdriver.support.ui import Select
    Select(driver.find_element("id", "coverage-tier")).select_by_value(str(tier))
    Select(driver.find_element("id", "coverage-category")).select_by_value(category)
    wait_for(driver, f"const c = window.wangge.coverage; return c && c.category === {json.dumps(category)} && c.tier === {tier}")


def test_coverage_control_lists_the_stores_categories_and_tiers(loaded, server):
    categories = get(server, "/categories")["categories"]
    tiers = get(server, "/tiers")["tiers"]
    cat_values = loaded.execute_script("return [...document.querySelectorAll('#coverage-category option')].map(o => o.value)")
    tier_values = loaded.execute_script("return [...document.querySelectorAll('#coverage-tier option')].map(o => o.value)")
    assert cat_values == ["", "*all"] + [c["code"] for c in categories]
    assert tier_values == [str(t["minutes"]) for t in tiers]
    assert loaded.execute_script("return window.wangge.coverage") is None, "coverage is off until chosen"


def test_choosing_canteen_15_colours_compounds_and_grids_as_coverage_says(loaded, server):
    choose_coverage(loaded, "canteen", 15)
    rows = [f["properties"] for f in get(server, "/coverage?level=compound&tier=15&category=canteen")["features"]
            if f["properties"]["category"] == "canteen"]
    covered = sum(1 for r in rows if r["covered"])
    assert 0 < covered < len(rows), "the sample city has canteen gaps"
    cov = loaded.execute_script("return window.wangge.coverage")
    assert cov["compounds"] == {"covered": covered, "uncovered": len(rows) - covered, "none": 0}
    # What was drawn: every compound polygon's fill is the covered or the uncovered colour.
    fills = loaded.execute_script("""
        const n = {}; window.wangge.layers.compounds.eachLayer(l => { n[l.options.fillColor] = (n[l.options.fillColor] || 0) + 1; });
        return n;""")
    assert fills == {"#1a9641": covered, "#d7191c": len(rows) - covered}
    # Grids by household ratio: the class counts add up to the grids /coverage rolls up.
    grids = [f["properties"] for f in get(server, "/coverage?level=grid&tier=15&category=canteen")["features"]
             if f["properties"]["category"] == "canteen"]
    zero = sum(1 for g in grids if g["ratio_households"] == 0)
    full = sum(1 for g in grids if g["ratio_households"] == 1)
    none = sum(1 for g in grids if g["ratio_households"] is None)
    assert cov["grids"]["classes"].get("0 %", 0) == zero and cov["grids"]["classes"].get("100 %", 0) == full
    assert cov["grids"]["none"] == none
    assert sum(cov["grids"]["classes"].values()) + none == len(grids)
    legend = loaded.find_element("id", "coverage-legend").text
    assert f"({covered:,})" in legend and f"({len(rows) - covered:,})" in legend
    assert console_errors(loaded) == []


def test_uncovered_areas_of_the_grids_in_view_are_drawn(loaded, server):
    choose_coverage(loaded, "canteen", 15)
    # A grid with uncovered households; zoom to it so at most 50 grids are in view.
    grids = [f for f in get(server, "/coverage?level=grid&tier=15&category=canteen")["features"]
             if f["properties"]["category"] == "canteen" and f["properties"]["ratio_households"] == 0]
    minx, miny, maxx, maxy = shape(grids[len(grids) // 2]["geometry"]).bounds
    loaded.execute_script("window.wangge.coverage.gaps = null")
    loaded.execute_script("window.wanggeMap.fitBounds([[arguments[1], arguments[0]], [arguments[3], arguments[2]]], {animate: false});",
                          minx, miny, maxx, maxy)
    gaps = wait_for(loaded, "const c = window.wangge.coverage; return c && c.gaps && c.gaps.scope.view && c.gaps")
    in_view = loaded.execute_script("return gridsInView()")
    assert in_view and len(in_view) <= 50 and grids[len(grids) // 2]["properties"]["grid_id"] in in_view
    answer = get(server, "/coverage/gaps?tier=15&category=canteen&" + "&".join("grid_id=" + g for g in in_view))["features"]
    answer = [f for f in answer if f["properties"]["category"] == "canteen"]  # the answer carries `all` too
    areas = [f for f in answer if f["properties"]["kind"] == "uncovered_area"]
    assert gaps["areas"] == len(areas) > 0
    assert gaps["compounds"] == sum(1 for f in answer if f["properties"]["kind"] == "uncovered_compound")
    assert abs(gaps["uncovered_m2"] - sum(f["properties"]["uncovered_m2"] for f in areas)) < 1e-6 * gaps["uncovered_m2"]
    drawn = loaded.execute_script("let n = 0; gapsLayer.eachLayer(g => g.eachLayer(() => n++)); return n")
    assert drawn == gaps["areas"] + gaps["compounds"]
    assert console_errors(loaded) == []


def test_a_click_shows_the_nearest_station_of_each_category_and_its_communitys_gaps(loaded, server):
    choose_coverage(loaded, "canteen", 15)
    c = loaded.execute_script("return window.wanggeMap.getCenter()")
    loaded.execute_script("window.wangge.lastNearest = null")
    el = loaded.find_element("id", "map")
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(loaded).move_to_element_with_offset(el, 7, -5).click().perform()
    nearest = wait_for(loaded, "return window.wangge.lastNearest")
    lon, lat = loaded.execute_script("""
        const m = window.wanggeMap, r = m.getContainer().getBoundingClientRect();
        const ll = m.containerPointToLatLng([r.width / 2 + 7, r.height / 2 - 5]); return [ll.lng, ll.lat];""")
    assert abs(lon - c["lng"]) < 0.05 and abs(lat - c["lat"]) < 0.05
    # The page asked /nearest with the point it was clicked at (a pixel or so from our estimate).
    click = loaded.execute_script("return window.wangge.lastClick")
    assert abs(click[0] - lon) < 1e-3 and abs(click[1] - lat) < 1e-3
    lon, lat = click
    categories = get(server, "/categories")["categories"]
    assert [n["category"] for n in nearest] == [c["code"] for c in categories]
    for n in nearest:
        answer = get(server, f"/nearest?k=1&lon={lon}&lat={lat}&category={n['category']}")["features"]
        if answer:
            assert (n["id"], n["distance_m"], n["walk_min"]) == (answer[0]["id"], answer[0]["properties"]["distance_m"],
                                                                 answer[0]["properties"]["walk_min"]), n["category"]
        else:
            assert n["id"] is None
    text = loaded.find_element("id", "nearest").text
    assert all(n["id"] in text for n in nearest if n["id"])
    assert any(n["id"] for n in nearest)
    # The clicked grid's community's uncovered areas replace the view's.
    chain = wait_for(loaded, "return window.wangge.lastChain")
    if chain.get("community"):
        gaps = wait_for(loaded, "const g = window.wangge.coverage.gaps; return g && g.scope.community_id && g")
        assert gaps["scope"]["community_id"] == chain["community"]["id"]
        answer = get(server, f"/coverage/gaps?tier=15&category=canteen&community_id={chain['community']['id']}")["features"]
        assert gaps["areas"] == sum(1 for f in answer if f["properties"]["kind"] == "uncovered_area" and f["properties"]["category"] == "canteen")
    assert console_errors(loaded) == []


def test_all_counting_categories_downloads_only_the_all_rows(loaded, server):
    loaded.execute_script("performance.clearResourceTimings()")
    choose_coverage(loaded, "*all", 15)
    # The answer with category=all holds exactly the `all` rows of the answer for every category.
    full = get(server, "/coverage?level=compound&tier=15")["features"]
    want = {f["properties"]["compound_id"]: f["properties"]["covered"] for f in full if f["properties"]["category"] == "all"}
    only = get(server, "/coverage?level=compound&tier=15&category=all")["features"]
    assert {f["properties"]["category"] for f in only} == {"all"} and len(only) == len(want) < len(full)
    assert {f["properties"]["compound_id"]: f["properties"]["covered"] for f in only} == want
    covered = sum(1 for v in want.values() if v)
    cov = loaded.execute_script("return window.wangge.coverage")
    assert cov["compounds"] == {"covered": covered, "uncovered": len(want) - covered, "none": 0}
    # The page asked for the `all` rows only.
    urls = loaded.execute_script("return performance.getEntriesByType('resource').map(e => e.name).filter(u => u.includes('/coverage?'))")
    assert any("level=compound" in u and "category=all" in u for u in urls), urls
    assert all("category=all" in u for u in urls), urls
    assert console_errors(loaded) == []


def test_siting_draws_the_suggested_sites_in_rank_order(loaded, server):
    from selenium.webdriver.support.ui import Select

    def run(category, tier, count, candidates, spacing=None):
        Select(loaded.find_element("id", "siting-category")).select_by_value(category)
        Select(loaded.find_element("id", "siting-tier")).select_by_value(str(tier))
        Select(loaded.find_element("id", "siting-candidates")).select_by_value(candidates)
        box = loaded.find_element("id", "siting-count")
        box.clear()
        box.send_keys(str(count))
        if spacing:
            box = loaded.find_element("id", "siting-spacing")
            assert box.is_enabled()
            box.clear()
            box.send_keys(str(spacing))
        loaded.execute_script("window.wangge.siting = null")
        loaded.find_element("id", "siting-run").click()
        siting = wait_for(loaded, "return window.wangge.siting", timeout=180)
        q = f"category={category}&tier={tier}&count={count}&candidates={candidates}" + (f"&spacing={spacing}" if spacing else "")
        answer = get(server, "/coverage/suggest?" + q)
        feats = answer["features"]
        assert 0 < len(feats) <= count
        # What the page holds is what the API ranked, in its order, with the households each adds.
        assert [(s["rank"], s["id"], s["households_new"]) for s in siting["sites"]] == \
            [(f["properties"]["rank"], f["properties"]["site_id"], f["properties"]["households_new"]) for f in feats]
        assert [s["rank"] for s in siting["sites"]] == list(range(1, len(feats) + 1))
        # What was drawn: one numbered marker per site, at the site, numbered in rank order.
        assert siting["drawn"] == len(feats)
        drawn = loaded.execute_script("""
            const o = []; sitingLayer.eachLayer(l => { const p = l.getLatLng(); o.push([p.lng, p.lat, l.getElement().textContent]); });
            return o;""")
        assert drawn == [[*f["geometry"]["coordinates"], str(f["properties"]["rank"])] for f in feats]
        rows = loaded.find_elements("css selector", "#siting-table tr[data-site]")
        assert [r.get_attribute("data-site") for r in rows] == [f["properties"]["site_id"] for f in feats]
        for r, f in zip(rows, feats):
            assert f"{f['properties']['households_new']:,}" in r.text
        added = sum(f["properties"]["households_new"] for f in feats)
        assert f"add {added:,} households" in loaded.find_element("id", "siting-status").text
        return feats

    compounds = run("canteen", 10, 4, "compounds")
    assert [f["properties"]["households_new"] for f in compounds] == sorted((f["properties"]["households_new"] for f in compounds), reverse=True)
    lattice = run("canteen", 15, 3, "lattice", spacing=500)
    assert all(f["properties"]["site_id"].startswith("L") for f in lattice)
def test_a_click_on_a_station_draws_its_isochrones(loaded, server):
    # A station away from the points the other tests clicked, centred at zoom 17 and clicked there.
    stations = get(server, "/collections/stations/items?limit=200")["features"]
    st = stations[len(stations) // 3]
    lon, lat = st["geometry"]["coordinates"]
    loaded.execute_script("window.wangge.lastIsochrone = null; window.wanggeMap.setView([arguments[1], arguments[0]], 17, {animate: false});", lon, lat)
    xy = loaded.execute_script("const p = window.wanggeMap.latLngToContainerPoint([arguments[1], arguments[0]]); return [p.x, p.y];", lon, lat)
    from selenium.webdriver.common.action_chains import ActionChains
    el = loaded.find_element("id", "map")
    size = el.size
    ActionChains(loaded).move_to_element_with_offset(el, xy[0] - size["width"] / 2, xy[1] - size["height"] / 2).click().perform()
    iso = wait_for(loaded, "return window.wangge.lastIsochrone")
    assert iso.get("error") is None, iso
    answer = get(server, f"/stations/{st['id']}/isochrone?minutes=5,10,15")
    assert iso["station"] == st["id"]
    assert iso["contours"] == [{"minutes": f["properties"]["value"], "area_m2": f["properties"]["area_m2"]} for f in answer["features"]]
    assert [c["minutes"] for c in iso["contours"]] == [5, 10, 15]
    assert 0 < iso["contours"][0]["area_m2"] < iso["contours"][2]["area_m2"]
    text = loaded.find_element("id", "isochrone").text
    assert st["id"] in text and "15 min" in text
    # The three polygons are on the map, drawn as paths of the canvas renderer.
    assert loaded.execute_script("let n = 0; window.wanggeMap.eachLayer(l => { if (l.feature && l.feature.properties && l.feature.properties.method === 'network' && 'value' in l.feature.properties) n++; }); return n;") >= 3
    assert console_errors(loaded) == []


def test_screenshot(loaded, tmp_path):
    # Runs after the click test: the city core around the highlighted grid, every layer visible.
    loaded.execute_script("""
        const h = window.wangge.highlighted ? window.wanggeMap.getCenter() : window.wangge.layers.districts.getBounds().getCenter();
        window.wanggeMap.setView(h, 13, {animate: false});""")
    time.sleep(0.5)
    out = Path(os.environ.get("WANGGE_MAP_SCREENSHOT") or tmp_path / "map.png")
    if not out.is_absolute():
        out = REPO / out
    assert loaded.save_screenshot(str(out))
    assert out.stat().st_size > 10_000


def test_cases_layer_needs_a_token_and_colours_points_by_state(loaded, server, city_db):
    """Issue 11 §6: the cases layer asks for a staff token (kept in sessionStorage), refuses a bad
    one with the server's 401, and draws every case the collection serves, coloured by state."""
    from collections import Counter

    from test_cases_intake import call, mint_token
    admin = mint_token(city_db, "admin")
    page = get(server, "/collections/grids/items?limit=3")
    ids = []
    for k, g in enumerate(page["features"]):
        p = shape(g["geometry"]).representative_point()
        status, case = call("POST", f"{server}/cases", {"lon": p.x, "lat": p.y, "category": "garbage", "description": f"map {k}"}, token=admin)
        assert status == 201, case
        ids.append(case["id"])
    assert call("POST", f"{server}/cases/{ids[1]}/events", {"action": "file"}, token=admin)[0] == 201
    assert call("POST", f"{server}/cases/{ids[2]}/events", {"action": "reject", "reason": "duplicate"}, token=admin)[0] == 201

    show = "document.getElementById('cases-token').value = arguments[0]; document.getElementById('cases-show').click()"
    loaded.execute_script(show, "not-a-token")
    err = wait_for(loaded, "return window.wangge.cases && window.wangge.cases.error")
    assert "401" in err and loaded.execute_script("return casesLayer.getLayers().length") == 0

    loaded.execute_script(show, admin)
    got = wait_for(loaded, "return window.wangge.cases && window.wangge.cases.count && window.wangge.cases")
    assert loaded.execute_script("return sessionStorage.getItem('wangge-token')") == admin
    _, items = call("GET", f"{server}/collections/cases/items?limit=1000", token=admin)
    assert got["count"] == items["numberMatched"] == len(items["features"])
    assert got["byState"] == dict(Counter(f["properties"]["state"] for f in items["features"]))
    assert got["overdue"] == sum(f["properties"]["overdue"] for f in items["features"])
    colours = loaded.execute_script("return CASE_COLOURS")
    drawn = loaded.execute_script("return casesLayer.getLayers().map(l => [l.getTooltip().getContent(), l.options.fillColor, l.options.color])")
    by_id = {c.split(" ")[1]: (fill, ring) for c, fill, ring in drawn}
    for f in items["features"]:
        fill, ring = by_id[f["id"]]
        assert fill == colours[f["properties"]["state"]]
        assert (ring == "#ff0000") == f["properties"]["overdue"]
    assert {by_id[str(i)][0] for i in ids} == {colours["reported"], colours["filed"], colours["rejected"]}
    legend = loaded.execute_script("return [...document.querySelectorAll('#cases-legend div')].map(d => d.dataset.state)")
    assert set(legend) == set(got["byState"]) | {"overdue"}
