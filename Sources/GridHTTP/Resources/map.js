"use strict";
// Station category colours, in the order categories are listed by /categories.
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
                 "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4", "#dcbeff", "#a9a9a9"];
// The layers, drawn bottom to top. A coverage, gaps or nearest-station layer is one more entry.
const LAYERS = [
  { id: "districts",   title: "Districts 区县",          url: "/collections/districts/items",   show: true,
    style: { color: "#222", weight: 2.5, fill: false } },
  { id: "streets",     title: "Streets/towns 街道/镇",   url: "/collections/streets/items",     show: true,
    style: { color: "#7b3294", weight: 1.6, fill: false, dashArray: "6 3" } },
  { id: "communities", title: "Communities 社区",        url: "/collections/communities/items", show: true,
    style: { color: "#1b7837", weight: 1.1, fill: false } },
  { id: "grids",       title: "Grids 网格",              url: "/collections/grids/items",       show: true,
    style: { color: "#2166ac", weight: 0.6, fillColor: "#92c5de", fillOpacity: 0.12 } },
  { id: "compounds",   title: "Compounds 小区",          url: "/collections/compounds/items",   show: true,
    style: { color: "#b35806", weight: 0.6, fillColor: "#fdb863", fillOpacity: 0.45 } },
  { id: "stations",    title: "Service stations 服务站点", url: "/collections/stations/items",  show: true,
    byCategory: true },
];
const wangge = window.wangge = { counts: {}, expected: {}, layers: {}, ready: false, lastChain: null };

const map = window.wanggeMap = L.map("map", { preferCanvas: true, zoomControl: true });
map.setView([23.1, 114.4], 9);
if (TILE_URL) L.tileLayer(TILE_URL, { maxZoom: 19, attribution: "base map: " + new URL(TILE_URL, location.href).host }).addTo(map);
const control = L.control.layers(null, null, { collapsed: true }).addTo(map);
L.control.scale({ imperial: false }).addTo(map);
const highlight = L.layerGroup().addTo(map);
const legend = document.getElementById("legend");
const statusBox = document.getElementById("status");

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/geo+json, application/json" } });
  if (!r.ok) { const e = new Error(url + ": HTTP " + r.status); e.status = r.status; throw e; }
  return r.json();
}

// Every feature of a collection, following `next` links.
async function fetchAll(url) {
  let next = url + (url.includes("?") ? "&" : "?") + "limit=10000";
  const features = [];
  let matched = null;
  while (next) {
    const page = await getJSON(next);
    if (matched === null && typeof page.numberMatched === "number") matched = page.numberMatched;
    features.push(...page.features);
    const link = (page.links || []).find(l => l.rel === "next");
    next = link ? link.href : null;
  }
  return { features, matched };
}

function esc(s) { return String(s ?? "").replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
function fmt(n) { return n.toLocaleString("en"); }

function legendRow(html, countId) {
  const d = document.createElement("div");
  d.innerHTML = html + (countId ? ' <span class="count" id="' + countId + '"></span>' : "");
  legend.appendChild(d);
  return d;
}

async function loadLayer(def, categories) {
  const { features, matched } = await fetchAll(def.url);
  wangge.expected[def.id] = matched;
  if (def.byCategory) {
    const colour = {};
    categories.forEach((c, i) => colour[c.code] = PALETTE[i % PALETTE.length]);
    const groups = {};
    for (const f of features) {
      const cat = f.properties.category || "other";
      (groups[cat] = groups[cat] || []).push(f);
    }
    let total = 0;
    const order = categories.map(c => c.code).concat(Object.keys(groups).filter(k => !colour[k]));
    legendRow("<b>" + esc(def.title) + "</b>", "count-" + def.id);
    for (const code of order) {
      const list = groups[code];
      if (!list) continue;
      const c = categories.find(x => x.code === code);
      const name = c ? c.name_zh + " " + c.name_en : code;
      const col = colour[code] || "#666";
      const layer = L.geoJSON({ type: "FeatureCollection", features: list }, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 3.5, color: "#222", weight: 0.5, fillColor: col, fillOpacity: 0.9 }),
        onEachFeature: (f, l) => {
          l.bindTooltip(esc(f.properties.name) + "<br>" + esc(name));
          // A click on a station draws its walking isochrones instead of the grid chain of the spot.
          l.on("click", ev => { L.DomEvent.stopPropagation(ev); showIsochrone(f.id, f.properties.name); });
        },
      });
      layer.addTo(map);
      control.addOverlay(layer, '<span class="dot" style="background:' + col + '"></span>' + esc(name));
      wangge.layers["stations:" + code] = layer;
      legendRow('<span class="dot" style="background:' + col + '"></span>' + esc(name) + ' <span class="count">' + fmt(list.length) + "</span>");
      total += list.length;
    }
    wangge.counts[def.id] = total;
  } else {
    // `style` is a Leaflet style object or a function of the feature (e.g. coverage colouring);
    // `legend` ([[colour, label], ...]) lists the classes of a function style.
    const layer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: def.style, interactive: false,
      pointToLayer: (f, ll) => L.circleMarker(ll, typeof def.style === "function" ? def.style(f) : def.style),
    });
    if (def.show) layer.addTo(map);
    const s = typeof def.style === "function" ? { color: "#555", fillColor: "#ccc" } : def.style;
    const sw = '<span class="sw" style="border-color:' + s.color + ";background:" + (s.fill === false ? "transparent" : s.fillColor) + '"></span>';
    control.addOverlay(layer, sw + esc(def.title));
    legendRow(sw + esc(def.title), "count-" + def.id);
    for (const [colour, label] of def.legend || []) {
      legendRow('&nbsp;&nbsp;<span class="sw" style="background:' + colour + '"></span>' + esc(label));
    }
    wangge.layers[def.id] = layer;
    wangge.counts[def.id] = layer.getLayers().length;
    if (def.id === "districts" && features.length) map.fitBounds(layer.getBounds());
  }
  document.getElementById("count-" + def.id).textContent = "(" + fmt(wangge.counts[def.id]) + ")";
}

function ref(o) { return o ? esc(o.name || "") + ' <span class="count">' + esc(o.id) + "</span>" : "—"; }

function showChain(p, lonlat, method) {
  const rows = [
    ["District 区县", ref(p.district)], ["Street 街道", ref(p.street)], ["Community 社区", ref(p.community)],
    ["Grid 网格", ref(p.grid)], ["Compound 小区", ref(p.compound)],
  ];
  if (p.worker && p.worker.name) rows.push(["Grid worker 网格员", esc(p.worker.name) + (p.worker.phone ? " " + esc(p.worker.phone) : "")]);
  if (p.boundary) rows.push(["On a boundary", esc((p.candidates || []).join(", "))]);
  if (!p.grid && p.nearest) rows.push(["Nearest grid", ref(p.nearest.grid) + " " + fmt(Math.round(p.nearest.distance_m)) + " m"]);
  rows.push(["Point", lonlat[0].toFixed(6) + ", " + lonlat[1].toFixed(6)], ["Answered by", esc(method)]);
  document.getElementById("chain").innerHTML =
    '<table id="chain-table">' + rows.map(r => "<tr><td>" + r[0] + "</td><td>" + r[1] + "</td></tr>").join("") + "</table>";
  wangge.lastChain = p;
}

async function highlightGrid(id) {
  highlight.clearLayers();
  if (!id) return;
  const f = await getJSON("/collections/grids/items/" + encodeURIComponent(id));
  L.geoJSON(f, { style: { color: "#d7191c", weight: 3, fillColor: "#d7191c", fillOpacity: 0.15 }, interactive: false }).addTo(highlight);
  wangge.highlighted = f.id;
}

map.on("click", async (e) => {
  const lon = e.latlng.lng, lat = e.latlng.lat;
  highlight.clearLayers();
  wangge.highlighted = null;
  L.circleMarker(e.latlng, { radius: 5, color: "#d7191c", weight: 2, fill: false }).addTo(highlight);
  document.getElementById("chain").textContent = "looking up…";
  wangge.lastClick = [lon, lat];
  showNearest(lon, lat);
  try {
    let props, method = "GET /assign";
    try {
      props = (await getJSON("/assign?lon=" + lon + "&lat=" + lat)).properties;
    } catch (err) {
      if (err.status !== 404 && err.status !== 405) throw err;
      // No assignment endpoint on this server: the grid whose polygon meets a tiny box.
      const d = 1e-6;
      const page = await getJSON("/collections/grids/items?bbox=" + [lon - d, lat - d, lon + d, lat + d].join(","));
      const g = page.features[0];
      const q = g ? g.properties : null;
      props = { grid: g ? { id: g.id, name: q.name } : null, community: q ? { id: q.community_id } : null,
                street: q ? { id: q.street_id } : null, district: q ? { id: q.district_id } : null,
                worker: q ? { name: q.worker_name, phone: q.worker_phone } : null };
      method = "grids?bbox (no /assign)";
    }
    showChain(props, [lon, lat], method);
    // The clicked grid's community decides which uncovered areas are drawn (until the map moves).
    if (props.community && props.community.id) coverageScope({ community_id: props.community.id });
    await highlightGrid(props.grid && props.grid.id);
    L.circleMarker(e.latlng, { radius: 5, color: "#d7191c", weight: 2, fill: false }).addTo(highlight);
  } catch (err) {
    document.getElementById("chain").innerHTML = '<span class="err">' + esc(err.message) + "</span>";
  }
});

// ---- Coverage (issue 9 §5): compounds covered/uncovered, grids by household ratio, uncovered areas,
// and the nearest station of each category for a clicked point. Everything comes from the API
// (/tiers, /coverage, /coverage/gaps, /nearest); the page only colours and counts what it is told.
const COVERED = "#1a9641", UNCOVERED = "#d7191c", NO_DATA = "#bdbdbd";
// Grid classes by ratio_households (null: the grid has no households).
// A brown-to-teal (ColorBrewer BrBG) ramp, so grid classes are not confused with the red/green of
// compounds or the red of uncovered areas.
const RATIO_CLASSES = [
  { label: "0 %",      colour: "#a6611a", test: r => r === 0 },
  { label: "1–49 %",   colour: "#dfc27d", test: r => r > 0 && r < 0.5 },
  { label: "50–79 %",  colour: "#f5f5f5", test: r => r >= 0.5 && r < 0.8 },
  { label: "80–99 %",  colour: "#80cdc1", test: r => r >= 0.8 && r < 1 },
  { label: "100 %",    colour: "#018571", test: r => r === 1 },
];
const MAX_GAP_GRIDS = 50;  // /coverage/gaps answers for at most 50 grids
const ALL = "*all";        // every category that counts toward "all" (the API's `all` rows)
const gapsLayer = L.layerGroup();
const nearestLayer = L.layerGroup().addTo(map);
wangge.coverage = null;
let coverageSeq = 0, gapsSeq = 0, gapsTimer = null, gapScope = null;

function ratioClass(r) { return r === null || r === undefined ? null : RATIO_CLASSES.find(c => c.test(r)) || null; }

async function setUpCoverage(categories) {
  const tiers = (await getJSON("/tiers")).tiers || [];
  wangge.tiers = tiers;
  const catSel = document.getElementById("coverage-category"), tierSel = document.getElementById("coverage-tier");
  const opt = (value, text) => { const o = document.createElement("option"); o.value = value; o.textContent = text; return o; };
  catSel.appendChild(opt(ALL, "all counting categories 全部"));
  for (const c of categories) catSel.appendChild(opt(c.code, c.name_zh + " " + c.name_en));
  for (const t of tiers) tierSel.appendChild(opt(String(t.minutes), t.minutes + " min · " + fmt(t.radius_m) + " m — " + t.name_zh));
  const last = tiers[tiers.length - 1];
  if (last) tierSel.value = String(last.minutes);
  const onChange = () => applyCoverage(catSel.value, tierSel.value);
  catSel.addEventListener("change", onChange);
  tierSel.addEventListener("change", onChange);
  map.on("movestart", () => { clearTimeout(gapsTimer); });
  map.on("moveend", () => {
    if (!wangge.coverage) return;
    clearTimeout(gapsTimer);
    gapsTimer = setTimeout(() => coverageScope({ view: true }), 250);
  });
}

function coverageLegend(rows) {
  document.getElementById("coverage-legend").innerHTML = rows.map(r => "<div>" + r + "</div>").join("");
}
function coverageStatus(html) { document.getElementById("coverage-status").innerHTML = html; }
function sw(colour, border) { return '<span class="sw" style="background:' + colour + ";border-color:" + (border || "#555") + '"></span>'; }
function count(n, id) { return ' <span class="count" id="' + id + '">(' + fmt(n) + ")</span>"; }

function restoreStyles() {
  for (const id of ["compounds", "grids"]) {
    const def = LAYERS.find(d => d.id === id), layer = wangge.layers[id];
    if (layer) layer.setStyle(def.style);
  }
}

// The compound and grid answers for a query, the last few kept (each is a few MB of GeoJSON) so
// going back to an earlier choice costs no second request (until the page reloads: a re-import
// is seen on the next load). Dropped when a request fails.
const coverageCache = new Map();
function coverageAnswers(q) {
  if (!coverageCache.has(q)) {
    const p = Promise.all([getJSON("/coverage?level=compound&" + q), getJSON("/coverage?level=grid&" + q)]);
    p.catch(() => coverageCache.delete(q));
    coverageCache.set(q, p);
    while (coverageCache.size > 4) coverageCache.delete(coverageCache.keys().next().value);
  }
  return coverageCache.get(q);
}

// Colour compounds and grids for one category (or ALL) and tier; "" turns coverage off.
async function applyCoverage(category, tier) {
  const seq = ++coverageSeq;
  gapsLayer.clearLayers();
  if (!category) {
    wangge.coverage = null;
    map.removeLayer(gapsLayer);
    restoreStyles();
    coverageLegend([]);
    coverageStatus("");
    return;
  }
  wangge.coverage = null;
  coverageStatus("computing coverage…");
  // category=all: only the `all` rows (over the counting categories), not every category's.
  const q = "tier=" + encodeURIComponent(tier) + "&category=" + (category === ALL ? "all" : encodeURIComponent(category));
  try {
    const [compounds, grids] = await coverageAnswers(q);
    if (seq !== coverageSeq) return;  // a later choice won
    const want = category === ALL ? "all" : category;
    const covered = new Map(), ratio = new Map();
    for (const f of compounds.features) if (f.properties.category === want) covered.set(f.properties.compound_id, f.properties.covered);
    for (const f of grids.features) if (f.properties.category === want) ratio.set(f.properties.grid_id, f.properties.ratio_households);
    const c = { covered: 0, uncovered: 0, none: 0 };
    wangge.layers.compounds.setStyle(f => {
      const v = covered.get(f.id);
      if (v === true) { c.covered++; return { color: "#0b5d1e", weight: 0.6, fillColor: COVERED, fillOpacity: 0.85 }; }
      if (v === false) { c.uncovered++; return { color: "#7f0000", weight: 0.6, fillColor: UNCOVERED, fillOpacity: 0.85 }; }
      c.none++; return { color: "#555", weight: 0.6, fillColor: NO_DATA, fillOpacity: 0.5 };
    });
    const g = {}; let gNone = 0;
    wangge.layers.grids.setStyle(f => {
      const k = ratioClass(ratio.get(f.id));
      if (!k) { gNone++; return { color: "#2166ac", weight: 0.6, fillColor: NO_DATA, fillOpacity: 0.25 }; }
      g[k.label] = (g[k.label] || 0) + 1;
      return { color: "#2166ac", weight: 0.6, fillColor: k.colour, fillOpacity: 0.45 };
    });
    const catName = category === ALL ? "all counting categories" : ((wangge.categories.find(x => x.code === category) || {}).name_en || category);
    const tierInfo = (wangge.tiers || []).find(t => String(t.minutes) === String(tier));
    coverageLegend([
      "<b>" + esc(catName) + ", " + esc(tier) + " min" + (tierInfo ? " (" + fmt(tierInfo.radius_m) + " m, " + esc(compounds.method || "") + ")" : "") + "</b>",
      "Compounds 小区",
      "&nbsp;&nbsp;" + sw(COVERED) + "covered 覆盖" + count(c.covered, "cov-compounds-covered"),
      "&nbsp;&nbsp;" + sw(UNCOVERED) + "not covered 未覆盖" + count(c.uncovered, "cov-compounds-uncovered"),
      ...(c.none ? ["&nbsp;&nbsp;" + sw(NO_DATA) + "no answer" + count(c.none, "cov-compounds-none")] : []),
      "Grids by households covered 网格户数覆盖率",
      ...RATIO_CLASSES.map((k, i) => "&nbsp;&nbsp;" + sw(k.colour) + esc(k.label) + count(g[k.label] || 0, "cov-grids-" + i)),
      "&nbsp;&nbsp;" + sw(NO_DATA) + "no households 无住户" + count(gNone, "cov-grids-none"),
      sw("rgba(215,25,28,.45)", "#7f0000") + "uncovered area 未覆盖区域" + ' <span class="count" id="cov-gaps-count"></span>',
    ]);
    wangge.coverage = { category, tier: Number(tier), compounds: c, grids: { classes: g, none: gNone }, gaps: null };
    gapsLayer.addTo(map);
    coverageStatus("");
    coverageScope(gapScope && gapScope.community_id ? gapScope : { view: true });
  } catch (err) {
    if (seq !== coverageSeq) return;
    restoreStyles();
    coverageStatus('<span class="err">' + esc(err.message) + "</span>");
  }
}

// The grids whose bounds meet the view, or null when there are more than /coverage/gaps takes.
function gridsInView() {
  const b = map.getBounds(), ids = [];
  for (const l of wangge.layers.grids.getLayers()) {
    if (b.intersects(l.getBounds())) { ids.push(l.feature.id); if (ids.length > MAX_GAP_GRIDS) return null; }
  }
  return ids;
}

// Draw the uncovered areas of a scope: { view: true } (the grids in view) or { community_id }.
async function coverageScope(scope) {
  clearTimeout(gapsTimer);
  const cov = wangge.coverage;
  const previous = gapScope;
  gapScope = scope;
  if (!cov) return;
  const seq = ++gapsSeq;
  let q;
  if (scope.community_id) {
    q = "community_id=" + encodeURIComponent(scope.community_id);
  } else {
    const ids = gridsInView();
    if (ids === null && previous && previous.community_id && cov.gaps) {
      // Zoomed out past what /coverage/gaps takes: keep the clicked community's areas.
      gapScope = previous;
      return;
    }
    if (ids === null) {
      gapsLayer.clearLayers();
      cov.gaps = null;
      document.getElementById("cov-gaps-count").textContent = "";
      coverageStatus("Uncovered areas: zoom in to " + MAX_GAP_GRIDS + " grids or fewer, or click a grid for its community's.");
      return;
    }
    if (!ids.length) { gapsLayer.clearLayers(); cov.gaps = null; return; }
    q = ids.map(id => "grid_id=" + encodeURIComponent(id)).join("&");
  }
  coverageStatus("loading uncovered areas…");
  try {
    const cat = "&category=" + (cov.category === ALL ? "all" : encodeURIComponent(cov.category));
    const page = await getJSON("/coverage/gaps?tier=" + cov.tier + cat + "&" + q);
    if (seq !== gapsSeq || cov !== wangge.coverage) return;
    const want = cov.category === ALL ? "all" : cov.category;
    const areas = page.features.filter(f => f.properties.kind === "uncovered_area" && f.properties.category === want);
    const compounds = page.features.filter(f => f.properties.kind === "uncovered_compound" && f.properties.category === want);
    gapsLayer.clearLayers();
    L.geoJSON({ type: "FeatureCollection", features: areas }, {
      style: { color: "#7f0000", weight: 1.2, fillColor: "#d7191c", fillOpacity: 0.45, dashArray: "4 2" },
      onEachFeature: (f, l) => l.bindTooltip("grid " + esc(f.properties.grid_id) + ": " + fmt(Math.round(f.properties.uncovered_m2)) + " m² uncovered"),
    }).addTo(gapsLayer);
    L.geoJSON({ type: "FeatureCollection", features: compounds }, {
      style: { color: "#7f0000", weight: 2, fill: false }, interactive: false,
    }).addTo(gapsLayer);
    const m2 = areas.reduce((s, f) => s + (f.properties.uncovered_m2 || 0), 0);
    cov.gaps = { scope, areas: areas.length, compounds: compounds.length, uncovered_m2: m2 };
    document.getElementById("cov-gaps-count").textContent = "(" + fmt(areas.length) + ", " + fmt(Math.round(m2 / 1e4) / 100) + " km²)";
    coverageStatus("Uncovered areas of " + (scope.community_id ? "community " + esc(scope.community_id) : "the grids in view") +
                   ": " + fmt(areas.length) + " polygons, " + fmt(compounds.length) + " uncovered compounds outlined.");
  } catch (err) {
    if (seq !== gapsSeq) return;
    coverageStatus('<span class="err">' + esc(err.message) + "</span>");
  }
}

// The nearest station of every category to a clicked point, one /nearest call each (k=1).
let nearestSeq = 0;
async function showNearest(lon, lat) {
  const seq = ++nearestSeq;
  const box = document.getElementById("nearest");
  nearestLayer.clearLayers();
  box.textContent = "looking up…";
  try {
    const cats = wangge.categories || [];
    const answers = await Promise.all(cats.map(c =>
      getJSON("/nearest?k=1&lon=" + lon + "&lat=" + lat + "&category=" + encodeURIComponent(c.code))));
    if (seq !== nearestSeq) return;
    const rows = cats.map((c, i) => {
      const f = answers[i].features[0];
      return { category: c.code, name: c.name_zh + " " + c.name_en, colour: PALETTE[i % PALETTE.length],
               id: f ? f.id : null, station: f ? f.properties.name : null,
               distance_m: f ? f.properties.distance_m : null, walk_min: f ? f.properties.walk_min : null,
               coordinates: f ? f.geometry.coordinates : null };
    });
    for (const r of rows) {
      if (!r.coordinates) continue;
      const ll = [r.coordinates[1], r.coordinates[0]];
      L.polyline([[lat, lon], ll], { color: r.colour, weight: 1.5, dashArray: "3 3", interactive: false }).addTo(nearestLayer);
      L.circleMarker(ll, { radius: 6, color: "#000", weight: 1.5, fillColor: r.colour, fillOpacity: 1 })
        .bindTooltip(esc(r.station) + "<br>" + fmt(r.distance_m) + " m · " + r.walk_min.toFixed(1) + " min").addTo(nearestLayer);
    }
    box.innerHTML = '<table id="nearest-table"><tr><td>Category 类别</td><td>Station 站点</td><td class="num">m</td><td class="num">walk 步行</td></tr>' +
      rows.map(r => '<tr data-category="' + esc(r.category) + '" data-station="' + esc(r.id || "") + '"><td><span class="dot" style="background:' +
        r.colour + '"></span>' + esc(r.name) + "</td><td>" + (r.id ? esc(r.station) + ' <span class="count">' + esc(r.id) + "</span>" : "none 无") +
        '</td><td class="num">' + (r.id ? fmt(r.distance_m) : "") + '</td><td class="num">' + (r.id ? r.walk_min.toFixed(1) + " min" : "") + "</td></tr>").join("") +
      "</table>";
    wangge.lastNearest = rows.map(({ category, id, distance_m, walk_min }) => ({ category, id, distance_m, walk_min }));
  } catch (err) {
    if (seq !== nearestSeq) return;
    box.innerHTML = '<span class="err">' + esc(err.message) + "</span>";
  }
}

// ---- Siting (issue 9 §4): where to build next. /coverage/suggest ranks new sites by the
// households they newly cover (greedy maximal covering, existing stations fixed); the page draws
// them numbered in the order taken and lists the households each adds.
const sitingLayer = L.layerGroup().addTo(map);
wangge.siting = null;
let sitingSeq = 0;

function setUpSiting(categories) {
  const catSel = document.getElementById("siting-category"), tierSel = document.getElementById("siting-tier");
  const candSel = document.getElementById("siting-candidates"), spacing = document.getElementById("siting-spacing");
  const opt = (value, text) => { const o = document.createElement("option"); o.value = value; o.textContent = text; return o; };
  for (const c of categories) catSel.appendChild(opt(c.code, c.name_zh + " " + c.name_en));
  for (const t of wangge.tiers || []) tierSel.appendChild(opt(String(t.minutes), t.minutes + " min · " + fmt(t.radius_m) + " m"));
  const last = (wangge.tiers || [])[(wangge.tiers || []).length - 1];
  if (last) tierSel.value = String(last.minutes);
  candSel.addEventListener("change", () => { spacing.disabled = candSel.value !== "lattice"; });
  document.getElementById("siting-form").addEventListener("submit", () => suggestSites());
}

async function suggestSites() {
  const seq = ++sitingSeq;
  const v = id => document.getElementById(id).value;
  const q = "category=" + encodeURIComponent(v("siting-category")) + "&tier=" + encodeURIComponent(v("siting-tier")) +
            "&count=" + encodeURIComponent(v("siting-count")) + "&candidates=" + encodeURIComponent(v("siting-candidates")) +
            (v("siting-candidates") === "lattice" ? "&spacing=" + encodeURIComponent(v("siting-spacing")) : "");
  const status = document.getElementById("siting-status"), list = document.getElementById("siting-list");
  sitingLayer.clearLayers();
  wangge.siting = null;
  list.innerHTML = "";
  status.textContent = "ranking sites…";
  try {
    const page = await getJSON("/coverage/suggest?" + q);
    if (seq !== sitingSeq) return;
    const sites = page.features.map(f => ({ rank: f.properties.rank, id: f.properties.site_id,
      households_new: f.properties.households_new, households_cumulative: f.properties.households_cumulative,
      compounds_new: f.properties.compounds_new, coordinates: f.geometry.coordinates }));
    const bounds = [];
    for (const s of sites) {
      const ll = [s.coordinates[1], s.coordinates[0]];
      bounds.push(ll);
      L.marker(ll, { icon: L.divIcon({ className: "site-icon", html: String(s.rank), iconSize: [22, 22] }), zIndexOffset: 1000 })
        .bindTooltip("#" + s.rank + " " + esc(s.id) + ": +" + fmt(s.households_new) + " households 户 (" + fmt(s.compounds_new) + " compounds)")
        .addTo(sitingLayer);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 15, animate: false });
    const before = page.households_covered_before, total = page.households_total;
    const added = sites.reduce((n, s) => n + s.households_new, 0);  // households_cumulative counts `before` too
    list.innerHTML = '<table id="siting-table"><tr><td>#</td><td>Site 站址</td><td class="num">+households 户</td><td class="num">compounds</td></tr>' +
      sites.map(s => '<tr data-site="' + esc(s.id) + '"><td>' + s.rank + "</td><td>" + esc(s.id) + '</td><td class="num">' +
        fmt(s.households_new) + '</td><td class="num">' + fmt(s.compounds_new) + "</td></tr>").join("") + "</table>";
    status.textContent = sites.length
      ? fmt(sites.length) + " sites add " + fmt(added) + " households: " + fmt(before) + " → " + fmt(before + added) + " of " + fmt(total) + " covered."
      : "No site adds a household: every household is covered already.";
    wangge.siting = { query: q, sites: sites.map(({ rank, id, households_new }) => ({ rank, id, households_new })),
                      drawn: sitingLayer.getLayers().length };
  } catch (err) {
    if (seq !== sitingSeq) return;
    status.innerHTML = '<span class="err">' + esc(err.message) + "</span>";
  }
}
// Cases (issue 11 §6): points coloured by the loop's state, overdue ones ringed in red. Cases
// carry reporters' contact details, so the collection needs a staff token: the page asks for
// one and keeps it in sessionStorage (this tab only, gone when it closes), never in the URL.
const CASE_COLOURS = { reported: "#e41a1c", filed: "#ff7f00", dispatched: "#377eb8", escalated: "#984ea3", handled: "#4daf4a",
                       verified: "#a6d854", closed: "#8c8c8c", evaluated: "#525252", rejected: "#d9d9d9" };
const casesLayer = L.layerGroup();

async function showCases() {
  const token = document.getElementById("cases-token").value.trim();
  const box = document.getElementById("cases-status"), legendBox = document.getElementById("cases-legend");
  casesLayer.clearLayers();
  legendBox.innerHTML = "";
  wangge.cases = null;
  if (!token) { sessionStorage.removeItem("wangge-token"); box.textContent = "Cases need a staff token (kept in this tab only)."; return; }
  sessionStorage.setItem("wangge-token", token);
  box.textContent = "loading cases…";
  try {
    const features = [];
    for (let next = "/collections/cases/items?limit=1000"; next;) {
      const r = await fetch(next, { headers: { Authorization: "Bearer " + token, Accept: "application/geo+json" } });
      const page = await r.json();
      if (!r.ok) throw new Error("cases: HTTP " + r.status + " " + (page.description || ""));
      features.push(...page.features);
      const link = (page.links || []).find(l => l.rel === "next");
      next = link ? link.href : null;
    }
    const byState = {};
    let overdue = 0;
    for (const f of features) {
      const p = f.properties, [lon, lat] = f.geometry.coordinates;
      byState[p.state] = (byState[p.state] || 0) + 1;
      if (p.overdue) overdue++;
      L.circleMarker([lat, lon], { radius: p.overdue ? 7 : 5, color: p.overdue ? "#ff0000" : "#222", weight: p.overdue ? 3 : 0.8,
                                   fillColor: CASE_COLOURS[p.state] || "#000", fillOpacity: 0.95 })
        .bindTooltip("case " + esc(f.id) + " · " + esc(p.category) + "<br>" + esc(p.state) + (p.overdue ? " · <b>overdue 超期</b>" : "") +
                     "<br>grid " + esc(p.grid_id || "—"))
        .addTo(casesLayer);
    }
    casesLayer.addTo(map);
    // In the layer switcher once there is something to switch (not for a page without a token).
    if (!wangge.casesOverlay) wangge.casesOverlay = control.addOverlay(casesLayer, '<span class="dot" style="background:#e41a1c"></span>Cases 案件');
    legendBox.innerHTML = Object.keys(CASE_COLOURS).filter(s => byState[s]).map(s => '<div data-state="' + s + '"><span class="dot" style="background:' +
      CASE_COLOURS[s] + '"></span>' + s + ' <span class="count">' + fmt(byState[s]) + "</span></div>").join("") +
      '<div data-state="overdue"><span class="dot" style="background:#fff;border:3px solid #ff0000"></span>overdue 超期 <span class="count">' + fmt(overdue) + "</span></div>";
    box.textContent = fmt(features.length) + " cases";
    wangge.cases = { count: features.length, byState, overdue };
  } catch (err) {
    box.innerHTML = '<span class="err">' + esc(err.message) + "</span>";
    wangge.cases = { error: err.message };
  }
}
document.getElementById("cases-form").addEventListener("submit", showCases);
if (sessionStorage.getItem("wangge-token")) {
  document.getElementById("cases-token").value = sessionStorage.getItem("wangge-token");
  showCases();
}
// ---- Isochrones (issue 10 §3): a clicked station's 5/10/15-minute walks along the network,
// from GET /stations/{id}/isochrone, longest drawn first so the shorter walks lie on top.
const ISO_MINUTES = [5, 10, 15], ISO_COLOURS = ["#08519c", "#3182bd", "#9ecae1"];
const isochroneLayer = L.layerGroup().addTo(map);
let isochroneSeq = 0;
async function showIsochrone(id, name) {
  const seq = ++isochroneSeq, box = document.getElementById("isochrone");
  isochroneLayer.clearLayers();
  box.textContent = "walking from " + (name || id) + "…";
  try {
    const r = await fetch("/stations/" + encodeURIComponent(id) + "/isochrone?minutes=" + ISO_MINUTES.join(","),
                          { headers: { Accept: "application/geo+json" } });
    const body = await r.json();
    if (seq !== isochroneSeq) return;
    // A store without a walking network answers 409 naming it: say so rather than draw nothing.
    if (!r.ok) throw new Error(body.description || "HTTP " + r.status);
    const contours = body.features.map((f, i) => ({ minutes: f.properties.value, area_m2: f.properties.area_m2, colour: ISO_COLOURS[i % ISO_COLOURS.length], f }));
    for (const c of contours.slice().reverse()) {
      if (!c.f.geometry) continue;
      L.geoJSON(c.f, { style: { color: c.colour, weight: 1.2, fillColor: c.colour, fillOpacity: 0.3 }, interactive: false }).addTo(isochroneLayer);
    }
    box.innerHTML = "<b>" + esc(name || id) + '</b> <span class="count">' + esc(id) + "</span> (" + esc(body.method) + ", " +
      fmt(body.buffer_m) + " m each side of the streets walked)" + '<table id="isochrone-table">' +
      contours.map(c => "<tr><td>" + sw(c.colour) + c.minutes + ' min</td><td class="num">' + fmt(Math.round(c.area_m2 / 1e4) / 100) + " km²</td></tr>").join("") + "</table>";
    wangge.lastIsochrone = { station: id, contours: contours.map(c => ({ minutes: c.minutes, area_m2: c.area_m2 })) };
  } catch (err) {
    if (seq !== isochroneSeq) return;
    box.innerHTML = '<span class="err">' + esc(err.message) + "</span>";
    wangge.lastIsochrone = { station: id, error: err.message };
  }
}

(async () => {
  try {
    const categories = wangge.categories = (await getJSON("/categories")).categories || [];
    for (const def of LAYERS) await loadLayer(def, categories);
    await setUpCoverage(categories);
    setUpSiting(categories);
    statusBox.textContent = LAYERS.map(d => d.id + " " + fmt(wangge.counts[d.id])).join(" · ");
    wangge.ready = true;
  } catch (err) {
    statusBox.innerHTML = '<span class="err">' + esc(err.message) + "</span>";
    wangge.error = err.message;
  }
})();
