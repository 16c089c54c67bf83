/* karavan web map: plan a shipment, see Pareto routes, their transit-time distribution and bottlenecks. */
(function () {
  "use strict";
  var K = window.KaravanMap, L = window.L;
  var API = "api/";
  var state = { routes: [], layers: [], sims: {}, selected: -1, net: null, netLayers: null, assign: null, lastQuery: null,
    caps: { reliability: false, capacity: false }, names: {} };

  var $ = function (id) { return document.getElementById(id); };

  function apiGet(path, params) {
    var url = API + path + (params ? "?" + params.toString() : "");
    return fetch(url, { headers: { Accept: "application/json" } }).then(handle);
  }
  function apiPost(path, body) {
    return fetch(API + path, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body)
    }).then(handle);
  }
  function handle(resp) {
    return resp.json().catch(function () { return {}; }).then(function (data) {
      if (!resp.ok) { var e = new Error(data.message || ("HTTP " + resp.status)); e.status = resp.status; e.data = data; throw e; }
      return data;
    });
  }

  function setStatus(html, kind) {
    var el = $("status");
    el.className = "status" + (kind ? " " + kind : "");
    el.innerHTML = html || "";
  }

  /* ------------------------------------------------------------------ map */
  var map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, attributionControl: true, minZoom: 2, maxZoom: 10 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: Natural Earth");
  map.setView([42, 58], 4);
  L.control.scale({ imperial: false }).addTo(map);

  function loadBasemap() {
    return fetch("static/vendor/world-atlas/countries-50m.json").then(function (r) { return r.json(); })
      .then(function (topo) { var layer = K.basemap(map, topo); layer.bringToBack(); });
  }

  function loadNetwork() {
    return apiGet("network").then(function (fc) {
      state.net = fc;
      state.netLayers = K.network(map, fc);
      fc.features.forEach(function (f) { if (f.properties.feature === "node") { state.names[f.properties.id] = f.properties.name_en; } });
      var b = state.netLayers.nodes.getBounds();
      if (b.isValid()) { map.fitBounds(b.pad(0.08)); }
      renderLegend(false);
      var nodes = fc.features.filter(function (f) { return f.properties.feature === "node"; }).length;
      var links = fc.features.length - nodes;
      $("foot").innerHTML = "Dataset <strong>" + K.esc(fc.name || "") + "</strong> · " + nodes + " places · " + links +
        " links · <a href='docs'>API docs</a>";
    });
  }

  function renderLegend(util) {
    var el = $("legend");
    if (util) {
      var steps = [["< 50 %", 0.3], ["50–75 %", 0.6], ["75–90 %", 0.8], ["90–100 %", 0.95], ["≥ 100 %", 1.1], ["no data", null]];
      el.innerHTML = "<div class='legend-title'>Utilisation (built-in demand)</div>" + steps.map(function (s) {
        return "<span class='key'><i class='line' style='background:" + K.utilColor(s[1]) + "'></i>" + s[0] + "</span>";
      }).join("");
      return;
    }
    var kinds = {};
    (state.net ? state.net.features : []).forEach(function (f) { if (f.properties.feature === "node") { kinds[f.properties.kind] = true; } });
    var modes = { rail: "Rail", sea: "Sea lane", road: "Road" };
    el.innerHTML = Object.keys(modes).map(function (m) {
      var s = K.MODE_STYLE[m];
      return "<span class='key'><svg width='26' height='8' aria-hidden='true'><line x1='0' y1='4' x2='26' y2='4' stroke='" + s.color +
        "' stroke-width='2.5' stroke-dasharray='" + (s.dashArray || "") + "'/></svg>" + modes[m] + "</span>";
    }).join("") + Object.keys(kinds).sort().map(function (k) {
      return "<span class='key'><i class='dot' style='background:" + (K.KIND_COLORS[k] || "#555") + "'></i>" + K.esc(K.KIND_LABELS[k] || k) + "</span>";
    }).join("");
  }

  /* ------------------------------------------------------------ form setup */
  function loadMeta() {
    return apiGet("meta").then(function (meta) {
      var sel = $("cargo");
      var names = { FEU: "FEU (40 ft)", TEU: "TEU (20 ft)", wagon: "Wagon", trailer: "Trailer", tonne: "Bulk, tonnes" };
      sel.innerHTML = meta.units.map(function (u) {
        return "<option value='" + K.esc(u) + "'" + (u === "FEU" ? " selected" : "") + ">" + K.esc(names[u] || u) + "</option>";
      }).join("");
      $("avoid-countries").innerHTML = meta.countries.map(function (c) {
        return "<label class='chip'><input type='checkbox' name='avoid' value='" + K.esc(c) + "'><span>" + K.esc(c) + "</span></label>";
      }).join("");
    });
  }
  $("cargo").addEventListener("change", function () {
    var bulk = this.value === "tonne";
    $("count").step = bulk ? "any" : "1";
    $("count").min = bulk ? "0.001" : "1";
  });
  var today = new Date();
  $("depart").value = today.toISOString().slice(0, 10);

  /* --------------------------------------------------------- autocomplete */
  function combobox(input, list) {
    var items = [], active = -1, timer = null, seq = 0;
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function render() {
      list.innerHTML = items.map(function (p, i) {
        return "<li role='option' id='" + list.id + "-" + i + "' data-i='" + i + "' aria-selected='" + (i === active) + "'>" +
          "<span class='dot' style='background:" + (K.KIND_COLORS[p.kind] || "#555") + "'></span>" +
          "<span class='opt-main'>" + K.esc(p.name_en) + " <span class='ru'>" + K.esc(p.name_ru) + "</span></span>" +
          "<span class='opt-sub'>" + K.esc(p.country) + " · " + K.esc((K.KIND_LABELS[p.kind] || p.kind)) + "</span></li>";
      }).join("");
      list.hidden = !items.length;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) { input.setAttribute("aria-activedescendant", list.id + "-" + active); }
    }
    function choose(i) {
      var p = items[i];
      if (!p) { return; }
      input.value = p.name_en;
      input.dataset.id = p.id;
      close();
    }
    input.addEventListener("input", function () {
      delete input.dataset.id;
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { items = []; close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        apiGet("places", new URLSearchParams({ q: q, limit: "8" })).then(function (res) {
          if (mine !== seq) { return; }
          items = res; active = -1; render();
        }).catch(function () { items = []; close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); render(); e.preventDefault(); }
      else if (e.key === "Enter") { if (active >= 0) { choose(active); e.preventDefault(); } else if (items.length) { choose(0); e.preventDefault(); } }
      else if (e.key === "Escape") { close(); }
    });
    list.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li");
      if (li) { choose(Number(li.dataset.i)); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }
  combobox($("origin"), $("origin-list"));
  combobox($("destination"), $("destination-list"));

  /* -------------------------------------------------------------- routes */
  function formQuery() {
    var origin = $("origin"), dest = $("destination");
    var q = {
      origin: origin.dataset.id || origin.value.trim(),
      destination: dest.dataset.id || dest.value.trim(),
      cargo: $("cargo").value || "FEU",
      count: Number($("count").value || 1),
      avoid_countries: Array.prototype.map.call(document.querySelectorAll("input[name=avoid]:checked"), function (c) { return c.value; })
    };
    if ($("depart").value) { q.depart = $("depart").value; }
    return q;
  }

  function clearRoutes() {
    state.layers.forEach(function (l) { map.removeLayer(l.group); });
    state.layers = []; state.routes = []; state.sims = {}; state.selected = -1;
    $("route-list").innerHTML = ""; $("results").hidden = true; $("dist").hidden = true;
  }

  function showError(err) {
    var d = err.data || {};
    var html = "<strong>" + K.esc(err.message) + "</strong>";
    if (d.suggestions && d.suggestions.length) {
      html = "<strong>Unknown place “" + K.esc(d.query) + "”.</strong> Did you mean: " + d.suggestions.map(function (s) {
        return "<button type='button' class='link suggestion' data-q='" + K.esc(d.query) + "' data-s='" + K.esc(s) + "'>" + K.esc(s) + "</button>";
      }).join(", ") + "?";
    }
    setStatus(html, "error");
  }
  $("status").addEventListener("click", function (e) {
    var b = e.target.closest("button.suggestion");
    if (!b) { return; }
    var id = b.dataset.s.replace(/^.*\(([^)]+)\)\s*$/, "$1"), name = b.dataset.s.replace(/\s*\([^)]*\)\s*$/, "");
    ["origin", "destination"].forEach(function (f) {
      var inp = $(f);
      if ((inp.dataset.id || inp.value.trim()) === b.dataset.q) { inp.value = name; inp.dataset.id = id; }
    });
    setStatus("");
    $("plan-form").requestSubmit();
  });

  $("plan-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = formQuery();
    if (!q.origin || !q.destination) { setStatus("Enter an origin and a destination.", "error"); return; }
    clearRoutes();
    setStatus("<span class='spinner' aria-hidden='true'></span> Planning routes…", "busy");
    $("plan-button").disabled = true;
    state.lastQuery = q;
    apiPost("routes", Object.assign({ trail: false }, q)).then(function (data) {
      state.routes = data.routes;
      state.layers = K.routes(map, data.geojson);
      state.layers.forEach(function (l, i) { l.line.on("click", function () { select(i); }); });
      renderList(data);
      var b = L.featureGroup(state.layers.map(function (l) { return l.line; })).getBounds();
      if (b.isValid()) { map.fitBounds(b.pad(0.15), { paddingTopLeft: [10, 10] }); }
      setStatus(data.routes.length + (data.routes.length === 1 ? " route" : " Pareto routes") + " from " +
        K.esc(state.names[data.query.origin] || data.query.origin) + " to " +
        K.esc(state.names[data.query.destination] || data.query.destination) + ".", "ok");
      select(0);
      simulateAll(q);
      if (window.matchMedia("(max-width: 720px)").matches) { $("results").scrollIntoView({ block: "start" }); }
    }).catch(showError).then(function () { $("plan-button").disabled = false; });
  });

  function days(h) { return K.fmt(h / 24, 1); }

  function renderList(data) {
    $("results").hidden = false;
    $("route-list").innerHTML = data.routes.map(function (r, i) {
      var labels = (r.labels.length ? r.labels : ["alternative"]).map(function (l) {
        return "<span class='badge badge-" + K.esc(l) + "'>" + K.esc(l.replace(/_/g, " ").replace("co2e", "CO₂e")) + "</span>";
      }).join("");
      return "<li class='route' data-i='" + i + "' tabindex='0' role='button' aria-pressed='false'>" +
        "<div class='route-head'><span class='swatch' style='background:" + state.layers[i].color + "'></span>" + labels + "</div>" +
        "<dl class='figures'>" +
        "<div><dt>P50</dt><dd><span class='p50' data-det='" + r.transit_time_h + "'>" + days(r.transit_time_h) + "</span> days</dd></div>" +
        "<div><dt>P90</dt><dd><span class='p90'>…</span> days</dd></div>" +
        "<div><dt>Cost</dt><dd>" + K.fmt(r.cost_usd) + " USD</dd></div>" +
        "<div><dt>Emissions</dt><dd>" + K.fmt(r.co2e_kg / 1000, 2) + " t CO₂e</dd></div></dl>" +
        "<div class='route-via'>" + K.esc(r.countries.join(" → ")) + " · " + K.fmt(r.distance_km) + " km · " + r.legs.length + " legs</div></li>";
    }).join("");
  }

  $("route-list").addEventListener("click", function (e) {
    var li = e.target.closest("li.route");
    if (li) { select(Number(li.dataset.i)); }
  });
  $("route-list").addEventListener("keydown", function (e) {
    var li = e.target.closest("li.route");
    if (li && (e.key === "Enter" || e.key === " ")) { select(Number(li.dataset.i)); e.preventDefault(); }
  });

  function select(i) {
    state.selected = i;
    state.layers.forEach(function (l, j) {
      l.line.setStyle({ weight: j === i ? 6 : 3.5, opacity: j === i ? 1 : 0.55 });
      if (j === i) { l.casing.bringToFront(); l.line.bringToFront(); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("#route-list li.route"), function (li) {
      var on = Number(li.dataset.i) === i;
      li.classList.toggle("selected", on);
      li.setAttribute("aria-pressed", on ? "true" : "false");
    });
    renderDist();
  }

  function renderDist() {
    var i = state.selected, sim = state.sims[i], el = $("hist");
    $("dist").hidden = i < 0;
    if (i < 0) { return; }
    var r = state.routes[i];
    if (sim === undefined) { el.innerHTML = "<p class='muted'><span class='spinner' aria-hidden='true'></span> Simulating…</p>"; return; }
    if (sim === null) {
      el.innerHTML = "<p class='muted'>Transit-time distribution unavailable; deterministic time " + days(r.transit_time_h) + " days.</p>";
      return;
    }
    K.histogram(el, sim, { color: state.layers[i].color });
    var ot = sim.on_time_probability != null ? " · on time " + K.fmt(100 * sim.on_time_probability) + " %" : "";
    el.insertAdjacentHTML("beforeend", "<p class='hist-note'>P10 " + days(sim.p10_h) + " · P50 <strong>" + days(sim.p50_h) +
      "</strong> · P90 <strong>" + days(sim.p90_h) + "</strong> · P95 " + days(sim.p95_h) + " days" + ot + "</p>");
  }

  function simulateAll(q) {
    if (!state.caps.reliability) { state.routes.forEach(function (r, i) { noSim(i); }); return; }
    state.routes.forEach(function (r, i) {
      apiPost("simulate", Object.assign({ runs: 2000, seed: 0, route_index: i }, q)).then(function (sim) {
        if (state.lastQuery !== q) { return; }
        state.sims[i] = sim;
        var li = document.querySelector("#route-list li[data-i='" + i + "']");
        if (li) { li.querySelector(".p50").textContent = days(sim.p50_h); li.querySelector(".p90").textContent = days(sim.p90_h); }
        if (i === state.selected) { renderDist(); }
      }).catch(function () { if (state.lastQuery === q) { noSim(i); } });
    });
  }

  function noSim(i) {
    state.sims[i] = null;
    var li = document.querySelector("#route-list li[data-i='" + i + "']");
    if (li) { li.querySelector(".p90").textContent = "–"; li.querySelector(".p50").title = "deterministic transit time"; }
    if (i === state.selected) { renderDist(); }
  }

  /* --------------------------------------------------------- bottlenecks */
  $("bottlenecks").addEventListener("change", function () {
    var on = this.checked, box = this;
    if (!state.netLayers) { return; }
    if (!on) { K.styleLinksByMode(state.netLayers.links); K.styleNodesByKind(state.netLayers.nodes); renderLegend(false); setStatus(""); return; }
    var apply = function (res) {
      var m = res.map || { links: {}, nodes: {} };
      K.styleLinksByUtilisation(state.netLayers.links, m.links);
      K.styleNodesByUtilisation(state.netLayers.nodes, m.nodes);
      renderLegend(true);
      var b = (res.bottlenecks || []).slice(0, 3).map(function (x) {
        return K.esc(x.name || x.id) + (x.utilisation != null ? " (" + K.fmt(100 * x.utilisation) + " %)" : "");
      }).join(", ");
      setStatus("Utilisation from the built-in yearly demand" + (b ? "; bottlenecks: " + b : "") + ".", "ok");
    };
    if (state.assign) { apply(state.assign); return; }
    setStatus("<span class='spinner' aria-hidden='true'></span> Assigning the yearly demand…", "busy");
    apiGet("assign").then(function (res) { state.assign = res; if (box.checked) { apply(res); } }).catch(function (err) {
      box.checked = false; setStatus("Bottlenecks unavailable: " + K.esc(err.message), "error");
    });
  });

  /* ---------------------------------------------------------- panel toggle */
  $("panel-toggle").addEventListener("click", function () {
    var open = this.getAttribute("aria-expanded") !== "true";
    this.setAttribute("aria-expanded", open ? "true" : "false");
    this.textContent = open ? "Hide panel" : "Show panel";
    document.body.classList.toggle("panel-collapsed", !open);
    setTimeout(function () { map.invalidateSize(); }, 220);
  });
  window.addEventListener("resize", function () { map.invalidateSize(); });

  function loadCaps() {
    return fetch("healthz").then(function (r) { return r.json(); }).then(function (h) {
      state.caps = h.capabilities || state.caps;
      if (!state.caps.capacity) {
        $("bottlenecks").disabled = true;
        $("bottlenecks").parentNode.title = "Capacity assignment is not available in this installation";
      }
    });
  }

  Promise.all([loadBasemap(), loadNetwork(), loadMeta(), loadCaps()]).then(function () {
    document.body.classList.add("ready");
  }).catch(function (err) { setStatus("Could not load the network: " + K.esc(err.message), "error"); });
})();
