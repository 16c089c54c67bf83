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
  /* Links the dataset has no real alignment for (drawn straight, through waypoints or across gaps). */
  var SCHEMATIC_STYLE = { dashArray: "10 4 2 4", opacity: 0.7 };

  function linkStyle(p) {
    var s = MODE_STYLE[p.mode] || MODE_STYLE.road;
    return p.schematic ? Object.assign({}, s, SCHEMATIC_STYLE) : Object.assign({}, s);
  }

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

  var I = root.KaravanI18n || { t: function (k) { return k; }, countryName: function (c) { return c; }, lang: "en" };

  function placeName(p) { return I.lang === "ru" ? (p.name_ru || p.name_en) : p.name_en; }
  function otherName(p) { var o = I.lang === "ru" ? p.name_en : p.name_ru; return o && o !== placeName(p) ? o : ""; }
  function kindLabel(kind) { var k = "kind_" + kind, v = I.t(k); return v === k ? (KIND_LABELS[kind] || kind) : v; }
  function opLabel(kind) { var k = "op_" + kind, v = I.t(k); return v === k ? String(kind).replace(/_/g, " ") : v; }

  /* Operation kinds with counts, once each ("port handling ×4"), not the raw list of operations. */
  function opSummary(ops) {
    var counts = {}, order = [];
    (ops || []).forEach(function (k) { if (!counts[k]) { counts[k] = 0; order.push(k); } counts[k] += 1; });
    return order.map(function (k) { return opLabel(k) + (counts[k] > 1 ? " ×" + counts[k] : ""); }).join(", ");
  }

  function nodePopup(p) {
    var other = otherName(p);
    var sub = [kindLabel(p.kind), I.countryName(p.country)];
    if (p.locode && p.locode !== p.id) { sub.push(p.locode); }
    return "<strong>" + esc(placeName(p)) + "</strong>" + (other ? " <span class='ru'>" + esc(other) + "</span>" : "") +
      "<br>" + esc(sub.join(" · ")) + (p.locode && p.locode === p.id ? " · " + esc(p.locode) : "") +
      (p.operations && p.operations.length ? "<br><small>" + esc(opSummary(p.operations)) + "</small>" : "");
  }

  function linkPopup(p, names) {
    names = names || {};
    var a = names[p.from] || p.from, b = names[p.to] || p.to;
    var parts = ["<strong>" + esc(a) + " – " + esc(b) + "</strong>",
      esc(I.t("mode_" + p.mode)) + " · " + fmt(p.length_km) + " km"];
    var track = [];
    if (p.gauge_mm) { track.push(I.t("gauge") + " " + esc(p.gauge_mm) + " mm"); }
    if (p.tracks) { track.push(esc(p.tracks) + " " + I.t("tracks")); }
    if (p.electrified != null) { track.push(p.electrified ? I.t("electrified") : I.t("not_electrified")); }
    if (track.length) { parts.push(track.join(" · ")); }
    var html = parts.join("<br>");
    if (p.services && p.services.length) { html += "<br><small>" + I.t("services") + ": " + esc(p.services.join(", ")) + "</small>"; }
    if (p.schematic) { html += "<br><small class='muted'>" + esc(I.t(p.geometry_source === "straight" ? "straight" : "schematic")) + "</small>"; }
    if (p.utilisation != null) { html += "<br><strong>" + fmt(100 * p.utilisation) + " %</strong>"; }
    return html;
  }

  function network(map, fc) {
    var names = {};
    fc.features.forEach(function (f) { if (f.properties.feature === "node") { names[f.properties.id] = f.properties.name_en; } });
    var links = root.L.geoJSON({ type: "FeatureCollection", features: fc.features.filter(function (f) { return f.properties.feature === "link"; }) }, {
      style: function (f) {
        var cls = "net-link mode-" + f.properties.mode + (f.properties.schematic ? " schematic" : "");
        return Object.assign({ className: cls }, linkStyle(f.properties));
      },
      onEachFeature: function (f, layer) { layer.bindPopup(function () { return linkPopup(f.properties, names); }); }
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
        layer.bindPopup(function () { return nodePopup(f.properties); });
        layer.bindTooltip(function () { return esc(placeName(f.properties)); }, { direction: "top", offset: [0, -4] });
      }
    }).addTo(map);
    return { links: links, nodes: nodes };
  }

  function styleLinksByMode(links) {
    links.eachLayer(function (layer) {
      var p = layer.feature.properties;
      delete p.utilisation;
      layer.setStyle(Object.assign({ dashArray: null }, linkStyle(p)));
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

  function routeLabelText(labels) {
    return (labels && labels.length ? labels : ["alternative"]).map(function (l) { return I.t(l); }).join(", ");
  }

  /* Legs in their mode's style (rail solid, sea dashed, road dotted) in the route's colour; or whole routes. */
  function routes(map, fc, colors, legs) {
    colors = colors || ROUTE_COLORS;
    var layers = [];
    fc.features.forEach(function (f, i) {
      var color = colors[i % colors.length];
      var own = legs ? legs.features.filter(function (l) { return l.properties.route === i; }) : [];
      var parts = own.length ? own : [f];
      var lines = [], casings = [];
      parts.forEach(function (part) {
        var latlngs = part.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
        var mode = part.properties.mode || "rail";
        var dash = mode === "sea" ? "10 7" : mode === "road" ? "2 6" : null;
        casings.push(root.L.polyline(latlngs, { color: "#ffffff", weight: 8, opacity: 0.9, className: "route-casing", interactive: false }));
        var line = root.L.polyline(latlngs, { color: color, weight: 4.5, opacity: 0.95, dashArray: dash, lineCap: mode === "road" ? "round" : "butt",
          className: "route-line route-" + i + " leg-mode-" + mode });
        if (part.properties.feature === "leg") {
          line.bindTooltip(function () { return legTooltip(part.properties); }, { sticky: true });
        } else {
          line.bindTooltip(esc(routeLabelText(f.properties.labels)), { sticky: true });
        }
        lines.push(line);
      });
      var group = root.L.featureGroup(casings.concat(lines)).addTo(map);
      layers.push({ group: group, lines: lines, casings: casings, line: lines[0], color: color,
        bounds: function () { return root.L.featureGroup(lines).getBounds(); } });
    });
    return layers;
  }

  function legTooltip(p) {
    return "<strong>" + esc(I.t("mode_" + p.mode)) + "</strong> · " + esc(p.service_name || p.service) + "<br>" +
      esc(p.from_name) + " → " + esc(p.to_name) + " · " + fmt(p.distance_km) + " km · " + fmt(p.running_h / 24, 1) + " " + I.t("days") +
      (p.schematic ? "<br><small>" + esc(I.t("schematic")) + "</small>" : "");
  }

  var STOP_CLASS = { border_crossing: "border", gauge_change: "gauge", port_handling: "port", transshipment: "port", terminal: "end", marshalling: "end" };

  /* Ports, border crossings and gauge changes of one route as labelled markers. */
  function stops(map, fc, routeIndex) {
    var feats = fc.features.filter(function (f) { return f.properties.route === routeIndex; });
    var markers = feats.map(function (f) {
      var p = f.properties, kinds = p.operations.map(function (o) { return o.kind; });
      var cls = kinds.indexOf("border_crossing") >= 0 ? "border" : kinds.indexOf("gauge_change") >= 0 ? "gauge" :
        kinds.indexOf("port_handling") >= 0 ? "port" : STOP_CLASS[kinds[0]] || "end";
      var latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var m = root.L.marker(latlng, { icon: root.L.divIcon({ className: "stop-icon stop-" + cls, iconSize: [14, 14] }), keyboard: false });
      m.bindTooltip(esc(placeName(p)), { permanent: cls !== "end", direction: "right", offset: [8, 0], className: "stop-label stop-label-" + cls });
      m.bindPopup(function () {
        return "<strong>" + esc(placeName(p)) + "</strong> · " + esc(I.countryName(p.country)) + "<br>" + p.operations.map(function (o) {
          return esc(opLabel(o.kind)) + ": " + fmt(o.dwell_h, 1) + " h" + (o.wait_h > 0.05 ? " + " + I.t("wait") + " " + fmt(o.wait_h, 1) + " h" : "");
        }).join("<br>");
      });
      return m;
    });
    return root.L.featureGroup(markers).addTo(map);
  }

  root.KaravanMap = {
    ROUTE_COLORS: ROUTE_COLORS, KIND_COLORS: KIND_COLORS, KIND_LABELS: KIND_LABELS, MODE_STYLE: MODE_STYLE, SCHEMATIC_STYLE: SCHEMATIC_STYLE,
    esc: esc, fmt: fmt, utilColor: utilColor, basemap: basemap, network: network, routes: routes, stops: stops,
    placeName: placeName, nodePopup: nodePopup, linkPopup: linkPopup, kindLabel: kindLabel, opLabel: opLabel, opSummary: opSummary, routeLabelText: routeLabelText,
    styleLinksByMode: styleLinksByMode, styleLinksByUtilisation: styleLinksByUtilisation,
    styleNodesByKind: styleNodesByKind, styleNodesByUtilisation: styleNodesByUtilisation
  };
})(window);
