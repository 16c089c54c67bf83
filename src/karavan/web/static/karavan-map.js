/* karavan map helpers shared by the web page and the HTML reports (plain JS, Leaflet + topojson-client). */
(function (root) {
  "use strict";

  var ROUTE_COLORS = ["#d1495b", "#00798c", "#edae49", "#6a4c93", "#30638e", "#8a5a44"];
  var KIND_COLORS = {
    seaport: "#1d6fa5", rail_terminal: "#6a4c93", dry_port: "#c26a1b", border_post: "#c0392b",
    junction: "#7f8c8d", city: "#2c3e50", road_terminal: "#8a5a44"
  };
  var KIND_LABELS = {
    seaport: "Seaport", rail_terminal: "Rail terminal", dry_port: "Dry port", border_post: "Border post",
    junction: "Junction", city: "City", road_terminal: "Road terminal"
  };
  var MODE_STYLE = {
    rail: { color: "#5d4a3a", weight: 2, opacity: 0.85 },
    sea: { color: "#2f80b7", weight: 2, opacity: 0.85, dashArray: "6 5" },
    road: { color: "#8c8c8c", weight: 1.6, opacity: 0.85, dashArray: "2 4" }
  };

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(value, digits) {
    if (value == null || !isFinite(value)) { return "–"; }
    return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
  }

  function utilColor(u) {
    if (u == null || !isFinite(u)) { return "#9e9e9e"; }
    if (u >= 1.0) { return "#8e0c24"; }
    if (u >= 0.9) { return "#d7301f"; }
    if (u >= 0.75) { return "#fc8d59"; }
    if (u >= 0.5) { return "#fdcc8a"; }
    return "#1a9850";
  }

  /* Keep rings continuous across the antimeridian (no lines drawn across the whole world). */
  function unwrapRing(ring) {
    var out = [], shift = 0;
    for (var i = 0; i < ring.length; i++) {
      if (i > 0) {
        var d = ring[i][0] - ring[i - 1][0];
        if (d > 180) { shift -= 360; } else if (d < -180) { shift += 360; }
      }
      out.push([ring[i][0] + shift, ring[i][1]]);
    }
    return out;
  }

  function unwrapGeometry(g) {
    if (!g) { return g; }
    if (g.type === "Polygon") { return { type: g.type, coordinates: g.coordinates.map(unwrapRing) }; }
    if (g.type === "MultiPolygon") {
      return { type: g.type, coordinates: g.coordinates.map(function (p) { return p.map(unwrapRing); }) };
    }
    return g;
  }

  function basemap(map, topo) {
    var key = topo.objects.countries ? "countries" : Object.keys(topo.objects)[0];
    var land = root.topojson.feature(topo, topo.objects[key]);
    land.features.forEach(function (f) { f.geometry = unwrapGeometry(f.geometry); });
    return root.L.geoJSON(land, {
      interactive: false,
      style: { color: "#b9b2a3", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1, className: "country" }
    }).addTo(map);
  }

  function nodePopup(p) {
    return "<strong>" + esc(p.name_en) + "</strong> <span class='ru'>" + esc(p.name_ru) + "</span><br>" +
      esc(KIND_LABELS[p.kind] || p.kind) + " · " + esc(p.country) + (p.locode ? " · " + esc(p.locode) : "") +
      (p.operations && p.operations.length ? "<br><small>" + esc(p.operations.join(", ").replace(/_/g, " ")) + "</small>" : "");
  }

  function linkPopup(p) {
    var parts = ["<strong>" + esc(p.from) + " – " + esc(p.to) + "</strong>",
      esc(p.mode) + " · " + fmt(p.length_km) + " km"];
    if (p.gauge_mm) { parts.push("gauge " + esc(p.gauge_mm) + " mm"); }
    if (p.tracks) { parts.push(esc(p.tracks) + (p.tracks > 1 ? " tracks" : " track")); }
    if (p.electrified != null) { parts.push(p.electrified ? "electrified" : "not electrified"); }
    var html = parts.join("<br>");
    if (p.services && p.services.length) { html += "<br><small>services: " + esc(p.services.join(", ")) + "</small>"; }
    if (p.utilisation != null) { html += "<br>utilisation " + fmt(100 * p.utilisation) + " %"; }
    return html;
  }

  function network(map, fc) {
    var links = root.L.geoJSON({ type: "FeatureCollection", features: fc.features.filter(function (f) { return f.properties.feature === "link"; }) }, {
      style: function (f) {
        var s = MODE_STYLE[f.properties.mode] || MODE_STYLE.road;
        return Object.assign({ className: "net-link mode-" + f.properties.mode }, s);
      },
      onEachFeature: function (f, layer) { layer.bindPopup(function () { return linkPopup(f.properties); }); }
    }).addTo(map);
    var nodes = root.L.geoJSON({ type: "FeatureCollection", features: fc.features.filter(function (f) { return f.properties.feature === "node"; }) }, {
      pointToLayer: function (f, latlng) {
        var kind = f.properties.kind;
        return root.L.circleMarker(latlng, {
          radius: kind === "seaport" || kind === "city" ? 5 : 4, color: "#fff", weight: 1.2,
          fillColor: KIND_COLORS[kind] || "#555", fillOpacity: 0.95, className: "net-node kind-" + kind
        });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(nodePopup(f.properties));
        layer.bindTooltip(esc(f.properties.name_en), { direction: "top", offset: [0, -4] });
      }
    }).addTo(map);
    return { links: links, nodes: nodes };
  }

  function styleLinksByMode(links) {
    links.eachLayer(function (layer) {
      var p = layer.feature.properties;
      delete p.utilisation;
      layer.setStyle(Object.assign({ dashArray: null }, MODE_STYLE[p.mode] || MODE_STYLE.road));
    });
  }

  function styleLinksByUtilisation(links, byLink) {
    links.eachLayer(function (layer) {
      var p = layer.feature.properties;
      var u = byLink[p.id];
      p.utilisation = u;
      layer.setStyle({ color: utilColor(u), weight: u == null ? 1.2 : 2 + 4 * Math.min(u, 1.2), opacity: u == null ? 0.5 : 0.95, dashArray: null });
    });
  }

  function styleNodesByKind(nodes) {
    nodes.eachLayer(function (layer) {
      var kind = layer.feature.properties.kind;
      layer.setStyle({ fillColor: KIND_COLORS[kind] || "#555", color: "#fff", weight: 1.2 });
      layer.setRadius(kind === "seaport" || kind === "city" ? 5 : 4);
    });
  }

  function styleNodesByUtilisation(nodes, byNode) {
    nodes.eachLayer(function (layer) {
      var u = byNode[layer.feature.properties.id];
      if (u == null) { layer.setStyle({ fillColor: "#bdbdbd", color: "#fff", weight: 1 }); layer.setRadius(3); return; }
      layer.setStyle({ fillColor: utilColor(u), color: "#333", weight: 1 });
      layer.setRadius(4 + 5 * Math.min(u, 1.2));
    });
  }

  function routes(map, fc, colors) {
    colors = colors || ROUTE_COLORS;
    var layers = [];
    fc.features.forEach(function (f, i) {
      var latlngs = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
      var casing = root.L.polyline(latlngs, { color: "#ffffff", weight: 8, opacity: 0.9, className: "route-casing", interactive: false });
      var line = root.L.polyline(latlngs, { color: colors[i % colors.length], weight: 4.5, opacity: 0.95, className: "route-line route-" + i });
      var group = root.L.featureGroup([casing, line]).addTo(map);
      line.bindTooltip(esc((f.properties.labels.length ? f.properties.labels.join(", ") : "alternative").replace(/_/g, " ")), { sticky: true });
      layers.push({ group: group, line: line, casing: casing, color: colors[i % colors.length] });
    });
    return layers;
  }

  function histogram(el, sim, opts) {
    opts = opts || {};
    var h = sim.histogram || {};
    var edges = h.bin_edges_h || h.edges || [], counts = h.counts || [];
    if (!edges.length || !counts.length) { el.innerHTML = "<p class='muted'>No distribution available.</p>"; return; }
    var W = 340, H = 150, L = 24, R = 10, T = 12, B = 30;
    var lo = edges[0] / 24, hi = edges[edges.length - 1] / 24;
    if (hi <= lo) { hi = lo + 1; }
    var maxC = Math.max.apply(null, counts) || 1;
    var total = counts.reduce(function (a, b) { return a + b; }, 0) || 1;
    var x = function (d) { return L + (W - L - R) * (d - lo) / (hi - lo); };
    var y = function (c) { return T + (H - T - B) * (1 - c / maxC); };
    var color = opts.color || "#00798c";
    var bars = counts.map(function (c, i) {
      var x0 = x(edges[i] / 24), x1 = x(edges[i + 1] / 24);
      return "<rect class='bar' x='" + x0.toFixed(1) + "' y='" + y(c).toFixed(1) + "' width='" + Math.max(0.5, x1 - x0 - 0.6).toFixed(1) +
        "' height='" + (H - B - y(c)).toFixed(1) + "' fill='" + color + "' opacity='0.8'><title>" +
        fmt(edges[i] / 24, 1) + "–" + fmt(edges[i + 1] / 24, 1) + " days: " + fmt(100 * c / total, 1) + " %</title></rect>";
    }).join("");
    var ticks = "", n = 5;
    for (var k = 0; k <= n; k++) {
      var d = lo + (hi - lo) * k / n;
      ticks += "<line x1='" + x(d).toFixed(1) + "' x2='" + x(d).toFixed(1) + "' y1='" + (H - B) + "' y2='" + (H - B + 4) + "' stroke='#888'/>" +
        "<text x='" + x(d).toFixed(1) + "' y='" + (H - B + 15) + "' text-anchor='" + (k === 0 ? "start" : k === n ? "end" : "middle") + "'>" + fmt(d, 1) + "</text>";
    }
    function marker(hours, label, dash) {
      if (hours == null) { return ""; }
      var xx = x(hours / 24).toFixed(1);
      return "<line class='marker' x1='" + xx + "' x2='" + xx + "' y1='" + T + "' y2='" + (H - B) + "' stroke='#222' stroke-dasharray='" + dash + "'/>" +
        "<text x='" + xx + "' y='" + (T + 8) + "' dx='3' class='mlabel'>" + label + "</text>";
    }
    el.innerHTML = "<svg class='hist-svg' viewBox='0 0 " + W + " " + H + "' role='img' aria-label='Histogram of transit time in days'>" +
      "<line x1='" + L + "' x2='" + (W - R) + "' y1='" + (H - B) + "' y2='" + (H - B) + "' stroke='#888'/>" + bars + ticks +
      marker(sim.p50_h, "P50", "3 2") + marker(sim.p90_h, "P90", "1 2") +
      "<text x='" + ((L + W - R) / 2) + "' y='" + (H - 2) + "' text-anchor='middle' class='axis'>transit time, days</text>" +
      "<text x='10' y='" + ((T + H - B) / 2) + "' text-anchor='middle' class='axis' transform='rotate(-90 10 " + ((T + H - B) / 2) + ")'>share</text></svg>";
  }

  root.KaravanMap = {
    ROUTE_COLORS: ROUTE_COLORS, KIND_COLORS: KIND_COLORS, KIND_LABELS: KIND_LABELS, MODE_STYLE: MODE_STYLE,
    esc: esc, fmt: fmt, utilColor: utilColor, basemap: basemap, network: network, routes: routes,
    histogram: histogram, styleLinksByMode: styleLinksByMode, styleLinksByUtilisation: styleLinksByUtilisation,
    styleNodesByKind: styleNodesByKind, styleNodesByUtilisation: styleNodesByUtilisation
  };
})(window);
