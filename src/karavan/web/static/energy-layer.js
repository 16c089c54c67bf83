/* karavan energy layer: gas pipelines and power links on the map, styled by carrier and, once solved, by
   utilisation (plain JS over Leaflet; data from /api/energy/network). Loads after app.js and adds itself
   through window.KaravanApp.registerLayer. */
(function (root) {
  "use strict";

  var API = "api/energy/network";
  var CARRIER_COLORS = { gas: "#e07b00", electricity: "#3366cc" };
  var KIND_LABELS = { pipeline: "Gas pipeline", ac_line: "AC line", hvdc: "HVDC link", controllable: "Export link (islanded)" };

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(v, d) {
    if (v == null || !isFinite(v)) { return "–"; }
    return Number(v).toLocaleString("en-US", { minimumFractionDigits: d || 0, maximumFractionDigits: d || 0 });
  }

  function utilColor(u) {
    var K = root.KaravanMap;
    if (K && K.utilColor) { return K.utilColor(u); }
    return u >= 0.9 ? "#d7301f" : u >= 0.5 ? "#fdcc8a" : "#1a9850";
  }

  function lineStyle(p, solved) {
    var operating = p.status === "operating";
    var cap = p.capacity_unit === "bcm/yr" ? p.capacity / 10 : p.capacity / 1000;
    var weight = Math.max(1.5, Math.min(7, 1.5 + 1.6 * Math.sqrt(Math.max(cap, 0))));
    var color = solved && p.utilisation != null ? utilColor(p.utilisation) : (CARRIER_COLORS[p.carrier] || p.color || "#888");
    return {
      color: color, weight: operating ? weight : 1.5, opacity: operating ? 0.9 : 0.6,
      dashArray: !operating ? "4 6" : p.carrier === "electricity" ? "10 4" : null,
      className: "energy-line energy-" + p.carrier + (operating ? "" : " energy-planned")
    };
  }

  function linePopup(p) {
    var rows = [
      "<strong>" + esc(p.name) + "</strong>",
      esc(KIND_LABELS[p.kind] || p.kind) + " · " + esc(p.status.replace(/_/g, " ")),
      fmt(p.capacity, p.capacity < 20 ? 1 : 0) + " " + esc(p.capacity_unit) + " · " + fmt(p.length_km) + " km"
    ];
    if (p.net != null) {
      rows.push("flow " + fmt(p.net, 2) + " " + esc(p.unit) + "/yr · utilisation " + fmt(100 * p.utilisation) + " % (peak " +
        fmt(100 * p.peak_utilisation) + " %)");
    }
    return rows.join("<br>");
  }

  function busPopup(p) {
    var s = "<strong>" + esc(p.name_en) + "</strong> <span class='ru'>" + esc(p.name_ru) + "</span><br>" +
      (p.carrier === "gas" ? "gas " : "power ") + esc(p.kind) + " · " + esc(p.country);
    if (p.price_mean_usd_per_mwh != null) {
      s += "<br>mean price " + fmt(p.price_mean_usd_per_mwh, 1) + " USD/MWh";
      if (p.unserved > 0) { s += " · unserved " + fmt(p.unserved, 3) + " " + esc(p.unit); }
    }
    return s;
  }

  function draw(map, group, fc, solved) {
    group.clearLayers();
    fc.features.forEach(function (f) {
      var p = f.properties;
      if (f.geometry.type === "LineString") {
        var latlngs = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
        root.L.polyline(latlngs, lineStyle(p, solved)).bindPopup(linePopup(p)).addTo(group);
      } else {
        var c = f.geometry.coordinates;
        root.L.circleMarker([c[1], c[0]], {
          radius: p.carrier === "gas" ? 4 : 6, color: "#fff", weight: 1, fillOpacity: 0.95,
          fillColor: CARRIER_COLORS[p.carrier] || "#888", className: "energy-bus energy-bus-" + p.carrier
        }).bindPopup(busPopup(p)).addTo(group);
      }
    });
  }

  function attach(app) {
    var map = app.map;
    var group = root.L.featureGroup();
    var state = { loaded: false };
    var toggle = app.registerLayer("Gas & power", group);
    toggle.classList.add("energy-toggle");
    var Control = root.L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var div = root.L.DomUtil.create("div", "leaflet-bar energy-control");
        div.style.background = "#fff";
        div.style.padding = "4px 8px";
        div.hidden = true;
        div.innerHTML = "<strong>Gas &amp; power</strong> <span id='energy-status' class='muted' role='status' aria-live='polite'></span>" +
          "<div class='energy-legend'><span style='color:" + CARRIER_COLORS.gas + "'>━</span> gas pipeline " +
          "<span style='color:" + CARRIER_COLORS.electricity + "'>╍</span> power link <span>┄</span> planned<br>" +
          "<small>once solved, colour = utilisation</small></div>";
        root.L.DomEvent.disableClickPropagation(div);
        return div;
      }
    });
    var control = new Control().addTo(map);
    var box = control.getContainer();
    var status = box.querySelector("#energy-status");

    function get(url) {
      return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) { return r.json().then(function (b) { throw new Error(b.message || r.statusText); }); }
        return r.json();
      });
    }

    function load() {
      state.loaded = true;
      status.textContent = "loading…";
      return get(API).then(function (fc) {
        draw(map, group, fc, false);
        status.textContent = "solving the year…";
        return get(API + "?solved=true");
      }).then(function (fc) {
        draw(map, group, fc, true);
        group.eachLayer(function (l) { if (l.getElement && l.getElement()) { l.getElement().classList.add("energy-solved"); } });
        status.textContent = "";
      }).catch(function (err) { state.loaded = false; status.textContent = "energy layer: " + err.message; });
    }

    function sync() {
      box.hidden = !toggle.checked;
      if (toggle.checked && !state.loaded) { load(); }
    }
    toggle.addEventListener("change", sync);
    sync();
    return group;
  }

  if (root.KaravanApp && root.KaravanApp.registerLayer) { attach(root.KaravanApp); }

  root.KaravanEnergy = { attach: attach, lineStyle: lineStyle, draw: draw };
})(window);
