import Foundation

/// The planner's map page: one HTML document with its script inline; Leaflet comes from
/// /static/leaflet (the system's libjs-leaflet). Layers are entries in `LAYERS`: a coverage
/// result, gaps or nearest stations later join as one more entry each (any GeoJSON URL,
/// paged through `next` links, with a style function and a legend).
enum MapPage {
    static func html(tileURL: String?, leafletAvailable: Bool) -> String {
        let tiles = tileURL.map { JSONTextLiteral.quote($0) } ?? "null"
        guard leafletAvailable else {
            return """
                <!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>wangge 网格 — map</title></head>
                <body style="font:16px system-ui,sans-serif;margin:2em">
                <h1>wangge 网格 — map</h1>
                <p id="leaflet-missing">Leaflet is missing on this server: install Debian's <code>libjs-leaflet</code>
                (<code>scripts/setup</code> does) or set <code>WANGGE_LEAFLET_DIR</code>, then reload.
                The layers are still available as OGC API – Features at <a href="/collections">/collections</a>.</p>
                </body></html>
                """
        }
        return head + "<script>\nconst TILE_URL = \(tiles);\n" + script + "\n</script>\n</body></html>\n"
    }

    static let head = """
        <!DOCTYPE html>
        <html lang="zh">
        <head>
        <meta charset="utf-8">
        <title>wangge 网格 — planner's map</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/static/leaflet/leaflet.css">
        <script src="/static/leaflet/leaflet.js"></script>
        <style>
        html, body { height: 100%; margin: 0; font: 14px/1.4 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
        #map { position: absolute; inset: 0 23rem 0 0; background: #f4f1ea; }
        #side { position: absolute; top: 0; right: 0; bottom: 0; width: 23rem; overflow: auto; padding: .6em .9em;
                box-sizing: border-box; border-left: 1px solid #ccc; background: #fff; }
        h1 { font-size: 1.15em; margin: .2em 0 .5em; }
        h2 { font-size: 1em; margin: 1em 0 .3em; border-bottom: 1px solid #ddd; }
        .sw { display: inline-block; width: 1.1em; height: .8em; margin-right: .4em; vertical-align: middle; border: 1px solid #555; }
        .dot { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .45em; vertical-align: middle; border: 1px solid #333; }
        #legend div { margin: .1em 0; } .count { color: #666; font-variant-numeric: tabular-nums; }
        #chain table { border-collapse: collapse; width: 100%; } #chain td { padding: .15em .3em; border-bottom: 1px solid #eee; vertical-align: top; }
        #chain td:first-child { color: #555; white-space: nowrap; }
        #status { color: #666; font-size: .9em; } .err { color: #b00020; }
        </style>
        </head>
        <body>
        <div id="map"></div>
        <div id="side">
          <h1>wangge 网格 — planner's map</h1>
          <div id="status">loading layers…</div>
          <h2>Legend 图例</h2>
          <div id="legend"></div>
          <h2>Grid chain 网格归属</h2>
          <div id="chain">Click the map to see the grid, community, street and district of a place.</div>
          <p style="font-size:.85em;color:#777">Layers from <a href="/collections">/collections</a> (OGC API – Features);
          API: <a href="/api.html">/api.html</a>. Base map: add <code>?tiles=URL-template</code>.</p>
        </div>
        """

    static let script = #"""
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
        """#
}

/// A JavaScript string literal (JSON string syntax, with `<` escaped so it cannot end a script).
enum JSONTextLiteral {
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
