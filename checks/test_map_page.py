"""The planner's map page in Debian's headless Chromium (selenium + chromium-driver) against a real
`wangge serve` over the sample city: Leaflet loads from the service itself, every layer renders the
number of features the store holds, the console stays clean, and a click shows the grid chain.

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
