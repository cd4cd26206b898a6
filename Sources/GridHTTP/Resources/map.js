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
        onEachFeature: (f, l) => l.bindTooltip(esc(f.properties.name) + "<br>" + esc(name)),
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
    await highlightGrid(props.grid && props.grid.id);
    L.circleMarker(e.latlng, { radius: 5, color: "#d7191c", weight: 2, fill: false }).addTo(highlight);
  } catch (err) {
    document.getElementById("chain").innerHTML = '<span class="err">' + esc(err.message) + "</span>";
  }
});

(async () => {
  try {
    const categories = (await getJSON("/categories")).categories || [];
    for (const def of LAYERS) await loadLayer(def, categories);
    statusBox.textContent = LAYERS.map(d => d.id + " " + fmt(wangge.counts[d.id])).join(" · ");
    wangge.ready = true;
  } catch (err) {
    statusBox.innerHTML = '<span class="err">' + esc(err.message) + "</span>";
    wangge.error = err.message;
  }
})();
