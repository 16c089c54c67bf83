/* karavan web map: a planner's workbench. Plan a shipment, compare Pareto routes on a chart and leg by leg,
   read the transit-time distribution, compare scenarios, see network utilisation, download, save and share.
   The query lives in the URL (shareable; the back button works). Other scripts may add map layers through
   window.KaravanApp (see registerLayer). */
(function () {
  "use strict";
  var K = window.KaravanMap, C = window.KaravanCharts, I = window.KaravanI18n, L = window.L;
  var API = "api/";
  var state = {
    data: null, routes: [], layers: [], stopLayer: null, sims: {}, selected: -1, net: null, netLayers: null,
    assign: {}, utilOn: false, query: null, caps: { reliability: false, capacity: false }, names: {}, nodes: {},
    scenarios: [], scenario: "", tab: "plan", plan: null, cache: {}, seq: 0
  };
  var $ = function (id) { return document.getElementById(id); };
  var esc = K.esc;

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
  function fmt(v, d) { return C.fmt(v, d); }
  function days(h) { return fmt(h / 24, 1); }
  function placeName(id) { var n = state.nodes[id]; return n ? K.placeName(n) : id; }

  /* ------------------------------------------------------------------ map */
  var map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, attributionControl: true, minZoom: 2, maxZoom: 10 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth · rail © <a href='https://www.openstreetmap.org/copyright'>OpenStreetMap</a> contributors (ODbL) · searoute");
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
      fc.features.forEach(function (f) {
        if (f.properties.feature === "node") { state.names[f.properties.id] = f.properties.name_en; state.nodes[f.properties.id] = f.properties; }
      });
      var b = state.netLayers.nodes.getBounds();
      if (b.isValid()) { map.fitBounds(b.pad(0.08)); }
      renderLegend();
      renderFoot();
    });
  }

  function renderFoot() {
    var fc = state.net;
    if (!fc) { return; }
    var nodes = fc.features.filter(function (f) { return f.properties.feature === "node"; }).length;
    $("foot").innerHTML = I.t("dataset") + " <strong>" + esc(fc.name || "") + "</strong> · " + nodes + " " + I.t("places") + " · " +
      (fc.features.length - nodes) + " " + I.t("links") + " · <a href='docs'>" + I.t("api_docs") + "</a>";
  }

  function renderLegend() {
    var el = $("legend");
    if (state.utilOn) {
      var steps = [["< 50 %", 0.3], ["50–75 %", 0.6], ["75–90 %", 0.8], ["90–100 %", 0.95], ["≥ 100 %", 1.1], [I.t("no_data"), null]];
      el.innerHTML = "<div class='legend-title'>" + I.t("legend_util") + (state.scenario ? " · " + esc(state.scenario) : "") + "</div>" +
        steps.map(function (s) { return "<span class='key'><i class='line' style='background:" + K.utilColor(s[1]) + "'></i>" + s[0] + "</span>"; }).join("");
      return;
    }
    var kinds = {};
    (state.net ? state.net.features : []).forEach(function (f) { if (f.properties.feature === "node") { kinds[f.properties.kind] = true; } });
    el.innerHTML = ["rail", "sea", "road"].map(function (m) {
      var s = K.MODE_STYLE[m];
      return "<span class='key'><svg width='26' height='8' aria-hidden='true'><line x1='0' y1='4' x2='26' y2='4' stroke='" + s.color +
        "' stroke-width='2.5' stroke-dasharray='" + (s.dashArray || "") + "'/></svg>" + esc(I.t("mode_" + m)) + "</span>";
    }).join("") + "<span class='key schematic'><svg width='26' height='8' aria-hidden='true'><line x1='0' y1='4' x2='26' y2='4' stroke='" +
      K.MODE_STYLE.rail.color + "' stroke-width='2.5' stroke-dasharray='" + K.SCHEMATIC_STYLE.dashArray + "'/></svg>" +
      esc(I.t("schematic")) + "</span>" + Object.keys(kinds).sort().map(function (k) {
      return "<span class='key'><i class='dot' style='background:" + (K.KIND_COLORS[k] || "#555") + "'></i>" + esc(K.kindLabel(k)) + "</span>";
    }).join("");
  }

  /* ------------------------------------------------------------ form setup */
  function loadMeta() {
    return apiGet("meta").then(function (meta) {
      var names = { FEU: "FEU (40 ft)", TEU: "TEU (20 ft)", wagon: "Wagon", trailer: "Trailer", tonne: "Bulk, tonnes" };
      $("cargo").innerHTML = meta.units.map(function (u) {
        return "<option value='" + esc(u) + "'" + (u === "FEU" ? " selected" : "") + ">" + esc(names[u] || u) + "</option>";
      }).join("");
      $("avoid-countries").innerHTML = meta.countries.map(function (c) {
        return "<label class='chip'><input type='checkbox' name='avoid' value='" + esc(c) + "'><span data-cc='" + esc(c) + "'>" +
          esc(I.countryName(c)) + "</span></label>";
      }).join("");
    });
  }
  $("cargo").addEventListener("change", function () {
    var bulk = this.value === "tonne";
    $("count").step = bulk ? "any" : "1";
    $("count").min = bulk ? "0.001" : "1";
  });
  $("depart").value = new Date().toISOString().slice(0, 10);

  /* --------------------------------------------------------- autocomplete */
  function combobox(input, list) {
    var items = [], active = -1, timer = null, seq = 0;
    function close() {
      seq += 1; /* answers still in flight must not reopen the list */
      clearTimeout(timer);
      list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function render() {
      list.innerHTML = items.map(function (p, i) {
        return "<li role='option' id='" + list.id + "-" + i + "' data-i='" + i + "' aria-selected='" + (i === active) + "'>" +
          "<span class='dot' style='background:" + (K.KIND_COLORS[p.kind] || "#555") + "'></span>" +
          "<span class='opt-main'>" + esc(K.placeName(p)) + " <span class='ru'>" + esc(I.lang === "ru" ? p.name_en : p.name_ru) + "</span></span>" +
          "<span class='opt-sub'>" + esc(I.countryName(p.country)) + " · " + esc(K.kindLabel(p.kind)) + "</span></li>";
      }).join("");
      list.hidden = !items.length;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) { input.setAttribute("aria-activedescendant", list.id + "-" + active); }
    }
    function choose(i) {
      var p = items[i];
      if (!p) { return; }
      input.value = K.placeName(p);
      input.dataset.id = p.id;
      items = [];
      close();
    }
    input.addEventListener("input", function () {
      delete input.dataset.id;
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { items = []; close(); return; }
      var mine = ++seq;
      timer = setTimeout(function () {
        apiGet("places", new URLSearchParams({ q: q, limit: "8" })).then(function (res) {
          if (mine !== seq || document.activeElement !== input || input.value.trim() !== q) { return; }
          items = res; active = -1; render();
        }).catch(function () { items = []; close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape" || e.key === "Tab") { close(); return; }
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); render(); e.preventDefault(); }
      else if (e.key === "Enter") { choose(active >= 0 ? active : 0); e.preventDefault(); }
    });
    list.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li");
      if (li) { choose(Number(li.dataset.i)); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    return { close: close };
  }
  var combos = [combobox($("origin"), $("origin-list")), combobox($("destination"), $("destination-list"))];

  /* ----------------------------------------------------------- URL state */
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

  function setForm(q) {
    function place(input, v) {
      input.value = v ? (state.nodes[v] ? K.placeName(state.nodes[v]) : v) : "";
      if (v && state.nodes[v]) { input.dataset.id = v; } else { delete input.dataset.id; }
    }
    place($("origin"), q.origin);
    place($("destination"), q.destination);
    if (q.depart) { $("depart").value = String(q.depart).slice(0, 10); }
    if (q.cargo) { $("cargo").value = (q.cargo.unit || q.cargo); }
    if (q.count) { $("count").value = q.count; }
    var avoid = q.avoid_countries || [];
    Array.prototype.forEach.call(document.querySelectorAll("input[name=avoid]"), function (c) { c.checked = avoid.indexOf(c.value) >= 0; });
  }

  function routeParams(q) {
    var p = new URLSearchParams();
    p.set("origin", q.origin); p.set("destination", q.destination);
    if (q.depart) { p.set("depart", q.depart); }
    p.set("cargo", q.cargo); p.set("count", String(q.count));
    if (q.avoid_countries && q.avoid_countries.length) { p.set("avoid_countries", q.avoid_countries.join(",")); }
    return p;
  }

  function pageParams() {
    var p = new URLSearchParams();
    if (state.plan) { p.set("plan", state.plan); }
    else if (state.query) {
      var q = state.query;
      p.set("o", q.origin); p.set("d", q.destination);
      if (q.depart) { p.set("date", q.depart); }
      p.set("unit", q.cargo); p.set("n", String(q.count));
      if (q.avoid_countries.length) { p.set("avoid", q.avoid_countries.join(",")); }
    }
    if (state.selected > 0) { p.set("r", String(state.selected)); }
    if (state.tab !== "plan") { p.set("tab", state.tab); }
    if (state.scenario) { p.set("sc", state.scenario); }
    if (state.utilOn) { p.set("util", "1"); }
    if (I.lang !== "en") { p.set("lang", I.lang); }
    return p;
  }

  function pushUrl(replace) {
    var s = pageParams().toString();
    var url = location.pathname + (s ? "?" + s : "");
    if (url === location.pathname + location.search) { return; }
    history[replace ? "replaceState" : "pushState"]({ karavan: true }, "", url);
  }

  function queryFromUrl(p) {
    if (!p.get("o") || !p.get("d")) { return null; }
    return {
      origin: p.get("o"), destination: p.get("d"), depart: p.get("date") || undefined, cargo: p.get("unit") || "FEU",
      count: Number(p.get("n") || 1), avoid_countries: (p.get("avoid") || "").split(",").filter(Boolean)
    };
  }

  /* Apply the page state written in the URL (first load and back/forward). */
  function applyUrl() {
    var p = new URLSearchParams(location.search);
    setLang(p.get("lang") || "en", true);
    state.utilOn = p.get("util") === "1";
    $("util").checked = state.utilOn;
    state.scenario = p.get("sc") || "";
    if ($("scenario").querySelector("option[value='" + CSS.escape(state.scenario) + "']")) { $("scenario").value = state.scenario; }
    showTab(p.get("tab") || "plan", true);
    var sel = Number(p.get("r") || 0);
    var done;
    if (p.get("plan")) { done = openPlan(p.get("plan"), sel); }
    else {
      var q = queryFromUrl(p);
      if (q) { setForm(q); done = runPlan(q, sel); }
      else { state.plan = null; state.query = null; clearRoutes(); setStatus(""); done = Promise.resolve(); }
    }
    applyUtil();
    if (state.tab === "scenarios" && state.scenario) { compareScenario(); } else { renderScenarioInfo(); }
    return done;
  }
  window.addEventListener("popstate", function () { applyUrl(); });

  /* -------------------------------------------------------------- routes */
  function clearRoutes() {
    state.layers.forEach(function (l) { map.removeLayer(l.group); });
    if (state.stopLayer) { map.removeLayer(state.stopLayer); state.stopLayer = null; }
    state.layers = []; state.routes = []; state.sims = {}; state.selected = -1; state.data = null;
    $("route-list").innerHTML = ""; $("results").hidden = true; $("dist").hidden = true; $("tradeoff").hidden = true;
    $("downloads").hidden = true; $("share").hidden = true;
  }

  function showError(err) {
    var d = err.data || {};
    var html = "<strong>" + esc(err.message) + "</strong>";
    if (d.suggestions && d.suggestions.length) {
      html = "<strong>" + esc(I.t("unknown_place", { q: d.query })) + "</strong> " + I.t("did_you_mean") + ": " + d.suggestions.map(function (s) {
        return "<button type='button' class='link suggestion' data-q='" + esc(d.query) + "' data-s='" + esc(s) + "'>" + esc(s) + "</button>";
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
    combos.forEach(function (c) { c.close(); });
    var q = formQuery();
    if (!q.origin || !q.destination) { setStatus(I.t("enter_places"), "error"); return; }
    state.plan = null;
    state.query = q;
    state.selected = 0;
    pushUrl(false);
    runPlan(q, 0);
  });

  function planKey(q) { return JSON.stringify(q); }

  function runPlan(q, sel) {
    var mine = ++state.seq;
    state.query = q; state.plan = null;
    clearRoutes();
    setStatus("<span class='spinner' aria-hidden='true'></span> " + I.t("planning"), "busy");
    $("plan-button").disabled = true;
    var key = planKey(q);
    var p = state.cache[key] || (state.cache[key] = apiPost("routes", Object.assign({ trail: false, geojson: true }, q)));
    p.catch(function () { delete state.cache[key]; });
    return p.then(function (data) {
      if (mine !== state.seq) { return; }
      showPlan(data, q, sel);
      simulateAll(q, mine);
    }).catch(function (err) { if (mine === state.seq) { showError(err); } })
      .then(function () { $("plan-button").disabled = false; });
  }

  function showPlan(data, q, sel) {
    state.data = data;
    state.routes = data.routes;
    var layers = data.layers || {};
    state.layers = K.routes(map, data.geojson, K.ROUTE_COLORS, layers.legs);
    state.layers.forEach(function (l, i) { l.lines.forEach(function (line) { line.on("click", function () { select(i, true); }); }); });
    renderList(data);
    var b = L.latLngBounds([]);
    state.layers.forEach(function (l) { b.extend(l.bounds()); });
    if (b.isValid()) { map.fitBounds(b.pad(0.15), { paddingTopLeft: [10, 10] }); }
    var o = placeName(data.query.origin), d = placeName(data.query.destination);
    setStatus(esc(data.routes.length === 1 ? I.t("one_route", { o: o, d: d }) : I.t("n_routes", { n: data.routes.length, o: o, d: d })), "ok");
    renderDownloads(q);
    select(Math.min(sel || 0, data.routes.length - 1), false);
    if (window.matchMedia("(max-width: 720px)").matches) { $("results").scrollIntoView({ block: "start" }); }
  }

  function labelsHtml(r) {
    return (r.labels.length ? r.labels : ["alternative"]).map(function (l) {
      return "<span class='badge badge-" + esc(l) + "'>" + esc(I.t(l)) + "</span>";
    }).join("");
  }

  function legFeatures(i) {
    var legs = state.data && state.data.layers && state.data.layers.legs;
    return legs ? legs.features.filter(function (f) { return f.properties.route === i; }).map(function (f) { return f.properties; }) : [];
  }

  /* Legs and hub operations in time order: mode, service, places, times, cost, CO2e and intensity. */
  function legListHtml(r, i) {
    var legs = legFeatures(i);
    var byIndex = {};
    legs.forEach(function (l) { byIndex[l.index] = l; });
    var rows = [];
    r.legs.forEach(function (leg) { rows.push({ index: leg.index, leg: Object.assign({}, leg, byIndex[leg.index] || {}) }); });
    r.hubs.forEach(function (hub) { rows.push({ index: hub.index, hub: hub }); });
    rows.sort(function (a, b) { return a.index - b.index; });
    return "<ol class='legs'>" + rows.map(function (row) {
      if (row.leg) {
        var l = row.leg, mode = l.mode || "rail";
        var straight = (l.geometry_source || []).indexOf("straight") >= 0;
        return "<li class='leg leg-" + esc(mode) + "'><span class='mode mode-" + esc(mode) + "'>" + esc(I.t("mode_" + mode)) + "</span>" +
          "<div class='leg-main'><strong>" + esc(placeName(l.from)) + " → " + esc(placeName(l.to)) + "</strong>" +
          "<div class='leg-svc'>" + esc(l.service_name || l.service) + (l.operator ? " · " + esc(l.operator) : "") + "</div>" +
          "<div class='leg-fig'>" + fmt(l.distance_km) + " km · " + I.t("running") + " " + fmt(l.running_h, 1) + " h" +
          (l.wait_h > 0.05 ? " · " + I.t("wait") + " " + fmt(l.wait_h, 1) + " h" : "") + " · " + fmt(l.cost_usd) + " USD · " +
          fmt(l.co2e_kg, 1) + " kg CO₂e" + (l.co2e_intensity_g_per_tkm != null ? " (" + fmt(l.co2e_intensity_g_per_tkm, 1) + " " + I.t("intensity") + ")" : "") +
          (straight ? " · <span class='muted' title='" + esc(I.t("straight")) + "'>≈</span>" : "") + "</div></div></li>";
      }
      var h = row.hub;
      return "<li class='hub hub-" + esc(h.kind) + "'><span class='mode mode-hub'>" + esc(K.opLabel(h.kind)) + "</span>" +
        "<div class='leg-main'>" + esc(placeName(h.node)) + " <span class='muted'>· " + esc(I.countryName((state.nodes[h.node] || {}).country)) + "</span>" +
        "<div class='leg-fig'>" + I.t("dwell") + " " + fmt(h.dwell_h, 1) + " h" + (h.wait_h > 0.05 ? " · " + I.t("wait") + " " + fmt(h.wait_h, 1) + " h" : "") +
        " · " + fmt(h.cost_usd) + " USD · " + fmt(h.co2e_kg, 1) + " kg CO₂e</div></div></li>";
    }).join("") + "</ol>";
  }

  function renderList(data) {
    $("results").hidden = false;
    $("route-list").innerHTML = data.routes.map(function (r, i) {
      var via = r.countries.map(function (c) { return "<span data-cc='" + esc(c) + "' title='" + esc(c) + "'>" + esc(I.countryName(c)) + "</span>"; }).join(" → ");
      return "<li class='route' data-i='" + i + "'>" +
        "<div class='route-card' tabindex='0' role='button' aria-pressed='false'>" +
        "<div class='route-head'><span class='swatch' style='background:" + state.layers[i].color + "'></span>" + labelsHtml(r) + "</div>" +
        "<dl class='figures'>" +
        "<div><dt>" + I.t("p50") + "</dt><dd><span class='p50'>" + days(r.transit_time_h) + "</span> " + I.t("days") + "</dd></div>" +
        "<div><dt>" + I.t("p90") + "</dt><dd><span class='p90'>…</span> " + I.t("days") + "</dd></div>" +
        "<div><dt>" + I.t("cost") + "</dt><dd class='cost'>" + fmt(r.cost_usd) + " USD</dd></div>" +
        "<div><dt>" + I.t("emissions") + "</dt><dd class='co2e'>" + fmt(r.co2e_kg / 1000, 2) + " t CO₂e</dd></div></dl>" +
        "<div class='route-via'>" + via + " · " + fmt(r.distance_km) + " km · " + r.legs.length + " " + I.t("legs") + "</div></div>" +
        "<details class='leg-details'><summary>" + I.t("leg_list") + "</summary>" + legListHtml(r, i) + "</details></li>";
    }).join("");
    Object.keys(state.sims).forEach(function (i) { showSim(Number(i)); });
    $("tradeoff").hidden = data.routes.length < 1;
    drawPareto();
  }

  /* Fill a card's P50/P90 from a simulation already answered (also after the list is redrawn, e.g. on a language switch). */
  function showSim(i) {
    var li = document.querySelector("#route-list li[data-i='" + i + "']"), sim = state.sims[i];
    if (!li || sim === undefined) { return; }
    if (sim === null) { li.querySelector(".p90").textContent = "–"; li.querySelector(".p50").title = "deterministic transit time"; return; }
    li.querySelector(".p50").textContent = days(sim.p50_h); li.querySelector(".p90").textContent = days(sim.p90_h);
  }

  function drawPareto() {
    if (!state.routes.length) { return; }
    C.pareto($("pareto"), state.routes, { colors: state.layers.map(function (l) { return l.color; }), selected: state.selected,
      onSelect: function (i) { select(i, true); } });
  }

  $("route-list").addEventListener("click", function (e) {
    if (e.target.closest("details")) { return; }
    var li = e.target.closest("li.route");
    if (li) { select(Number(li.dataset.i), true); }
  });
  $("route-list").addEventListener("keydown", function (e) {
    var card = e.target.closest(".route-card");
    if (card && (e.key === "Enter" || e.key === " ")) { select(Number(card.parentNode.dataset.i), true); e.preventDefault(); }
  });

  function select(i, push) {
    state.selected = i;
    state.layers.forEach(function (l, j) {
      l.lines.forEach(function (line) { line.setStyle({ weight: j === i ? 6 : 3.5, opacity: j === i ? 1 : 0.5 }); });
      if (j === i) { l.group.eachLayer(function (x) { x.bringToFront(); }); l.lines.forEach(function (x) { x.bringToFront(); }); }
    });
    if (state.stopLayer) { map.removeLayer(state.stopLayer); state.stopLayer = null; }
    if (state.data && state.data.layers && state.data.layers.stops && i >= 0) { state.stopLayer = K.stops(map, state.data.layers.stops, i); }
    Array.prototype.forEach.call(document.querySelectorAll("#route-list li.route"), function (li) {
      var on = Number(li.dataset.i) === i;
      li.classList.toggle("selected", on);
      li.querySelector(".route-card").setAttribute("aria-pressed", on ? "true" : "false");
    });
    drawPareto();
    renderDist();
    renderDownloads(state.query);
    if (push) { pushUrl(true); }
  }

  function renderDist() {
    var i = state.selected, sim = state.sims[i], note = $("dist-note");
    $("dist").hidden = i < 0;
    if (i < 0) { return; }
    var r = state.routes[i];
    if (sim === undefined) { note.innerHTML = "<span class='spinner' aria-hidden='true'></span> " + I.t("simulating"); $("charts").hidden = true; return; }
    if (sim === null) { note.textContent = I.t("no_dist", { d: days(r.transit_time_h) }); $("charts").hidden = true; return; }
    $("charts").hidden = false;
    var color = state.layers[i].color;
    C.cdf($("cdf"), sim, { color: color });
    C.histogram($("hist"), sim, { color: color });
    var ot = sim.on_time_probability != null ? " · " + I.t("on_time") + " <strong>" + fmt(100 * sim.on_time_probability) + " %</strong>" : "";
    var above = C.aboveNote(sim);
    note.innerHTML = "P10 " + days(sim.p10_h) + " · P50 <strong>" + days(sim.p50_h) + "</strong> · P90 <strong>" + days(sim.p90_h) +
      "</strong> · P95 " + days(sim.p95_h) + " " + I.t("days") + ot + (above ? "<br><small class='muted'>" + esc(above) + "</small>" : "");
  }

  function targetFor(q) {
    /* the on-time target: the P50 of the deterministic plan rounded up to a whole day after departure */
    var r = state.routes[0];
    if (!r || !q.depart) { return undefined; }
    var d = new Date(q.depart + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + Math.ceil(r.transit_time_h / 24) + 1);
    return d.toISOString().slice(0, 10);
  }

  function simulateAll(q, mine) {
    if (!state.caps.reliability) { state.routes.forEach(function (r, i) { noSim(i); }); return; }
    var target = $("target").value || targetFor(q);
    if (target && !$("target").value) { $("target").value = target; }
    state.routes.forEach(function (r, i) {
      apiPost("simulate", Object.assign({ runs: 2000, seed: 0, route_index: i, target: target }, q)).then(function (sim) {
        if (mine !== state.seq) { return; }
        state.sims[i] = sim;
        showSim(i);
        if (i === state.selected) { renderDist(); }
      }).catch(function () { if (mine === state.seq) { noSim(i); } });
    });
  }
  $("target").addEventListener("change", function () {
    if (!state.query || !state.routes.length) { return; }
    state.sims = {}; renderDist(); simulateAll(state.query, state.seq);
  });

  function noSim(i) {
    state.sims[i] = null;
    showSim(i);
    if (i === state.selected) { renderDist(); }
  }

  /* ------------------------------------------------------------ downloads */
  function renderDownloads(q) {
    if (!q || !state.routes.length) { $("downloads").hidden = true; return; }
    var p = routeParams(q), i = Math.max(0, state.selected);
    var name = "karavan-" + (q.origin + "-" + q.destination).replace(/[^A-Za-z0-9_-]+/g, "_");
    var pj = new URLSearchParams(p); pj.set("trail", "true");
    var pc = new URLSearchParams(p); pc.set("route_index", String(i));
    $("dl-geojson").href = API + "export/routes.geojson?" + p.toString(); $("dl-geojson").download = name + ".geojson";
    $("dl-csv").href = API + "export/trail.csv?" + pc.toString(); $("dl-csv").download = name + "-route" + (i + 1) + "-trail.csv";
    $("dl-json").href = API + "routes?" + pj.toString(); $("dl-json").download = name + ".json";
    $("dl-report").href = API + "export/report.html?" + p.toString(); $("dl-report").download = name + ".html";
    $("downloads").hidden = false;
  }

  /* ------------------------------------------------------- save and share */
  $("save").addEventListener("click", function () {
    if (!state.query) { return; }
    var btn = this;
    btn.disabled = true;
    apiPost("plans", { kind: "route", query: Object.assign({ trail: false }, state.query) }).then(function (res) {
      state.plan = String(res.id);
      pushUrl(false);
      showShare(state.plan);
    }).catch(function (err) { setStatus(esc(I.t("save_unavailable", { e: err.message })), "error"); })
      .then(function () { btn.disabled = false; });
  });

  function showShare(id) {
    var url = location.origin + location.pathname + "?plan=" + encodeURIComponent(id) + (I.lang !== "en" ? "&lang=" + I.lang : "");
    $("share-url").value = url;
    $("share").hidden = false;
  }
  $("share-copy").addEventListener("click", function () {
    var input = $("share-url"), btn = this;
    input.select();
    var done = function () { btn.textContent = I.t("copied"); setTimeout(function () { btn.textContent = I.t("copy"); }, 1500); };
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(input.value).then(done, done); }
    else { try { document.execCommand("copy"); } catch (e) { /* ignore */ } done(); }
  });

  function openPlan(id, sel) {
    var mine = ++state.seq;
    clearRoutes();
    setStatus("<span class='spinner' aria-hidden='true'></span> " + I.t("planning"), "busy");
    return apiGet("plans/" + encodeURIComponent(id)).then(function (rec) {
      if (mine !== state.seq) { return; }
      var q = rec.query || {};
      var query = { origin: (rec.result && rec.result.query && rec.result.query.origin) || q.origin,
        destination: (rec.result && rec.result.query && rec.result.query.destination) || q.destination,
        depart: q.depart ? String(q.depart).slice(0, 10) : undefined, cargo: q.cargo || "FEU", count: q.count || 1,
        avoid_countries: q.avoid_countries || [] };
      setForm(query);
      state.query = query; state.plan = String(id);
      showPlan(rec.result, query, sel);
      showShare(id);
      setStatus(esc(I.t("reopened", { id: id })) + " " + esc(rec.title || ""), "ok");
      simulateAll(query, mine);
    }).catch(function (err) { if (mine === state.seq) { setStatus(esc(I.t("plan_missing", { id: id, e: err.message })), "error"); } });
  }

  /* ------------------------------------------------------- utilisation */
  function applyUtil() {
    if (!state.netLayers) { return; }
    if (!state.utilOn) {
      K.styleLinksByMode(state.netLayers.links); K.styleNodesByKind(state.netLayers.nodes); renderLegend(); return;
    }
    var sc = state.scenario || "";
    var apply = function (res) {
      if (!state.utilOn || (state.scenario || "") !== sc) { return; }
      var m = res.map || { links: {}, nodes: {} };
      K.styleLinksByUtilisation(state.netLayers.links, m.links);
      K.styleNodesByUtilisation(state.netLayers.nodes, m.nodes);
      renderLegend();
      var b = (res.bottlenecks || []).slice(0, 3).map(function (x) {
        return esc(x.name || x.id) + (x.utilisation != null ? " (" + fmt(100 * x.utilisation) + " %)" : "");
      }).join(", ");
      $("util-note").innerHTML = esc(I.t("sc_bottlenecks")) + (sc ? " (" + esc(sc) + ")" : "") + ": " + (b || "–");
    };
    if (state.assign[sc]) { return state.assign[sc].then(apply); }
    $("util-note").innerHTML = "<span class='spinner' aria-hidden='true'></span> " + I.t("assigning");
    var params = new URLSearchParams();
    if (sc) { params.set("scenario", sc); }
    state.assign[sc] = apiGet("assign", params);
    state.assign[sc].then(apply).catch(function (err) {
      delete state.assign[sc];
      state.utilOn = false; $("util").checked = false;
      $("util-note").textContent = I.t("util_unavailable", { e: err.message });
    });
  }
  $("util").addEventListener("change", function () { state.utilOn = this.checked; pushUrl(false); applyUtil(); if (!this.checked) { $("util-note").textContent = ""; } });

  /* ------------------------------------------------------------ scenarios */
  function loadScenarios() {
    if (!state.caps.capacity) { return Promise.resolve(); }
    return apiGet("scenarios").then(function (list) {
      state.scenarios = list;
      $("scenario").innerHTML = "<option value=''>—</option>" + list.map(function (s) {
        return "<option value='" + esc(s.name) + "'>" + esc(s.title || s.name) + "</option>";
      }).join("");
      if (state.scenario) { $("scenario").value = state.scenario; }
    }).catch(function () { state.scenarios = []; });
  }

  function renderScenarioInfo() {
    var s = state.scenarios.filter(function (x) { return x.name === state.scenario; })[0];
    $("scenario-info").innerHTML = s ? "<p><strong>" + esc(s.title || s.name) + "</strong>" + (s.year ? " (" + esc(s.year) + ")" : "") + "</p><p class='muted'>" +
      esc(s.description || "") + "</p>" : (state.scenarios.length ? "<p class='muted'>" + esc(I.t("scenario_help")) + "</p>" : "<p class='muted'>" + esc(I.t("sc_none")) + "</p>");
    $("compare").disabled = !s;
  }
  $("scenario").addEventListener("change", function () {
    state.scenario = this.value; $("comparison").innerHTML = ""; renderScenarioInfo(); pushUrl(false);
    if (state.utilOn) { applyUtil(); }
  });
  $("compare").addEventListener("click", function () { compareScenario(); pushUrl(false); });

  function compareScenario() {
    renderScenarioInfo();
    var sc = state.scenario;
    if (!sc) { return; }
    $("comparison").innerHTML = "<p class='muted'><span class='spinner' aria-hidden='true'></span> " + I.t("comparing") + "</p>";
    apiGet("scenarios/" + encodeURIComponent(sc) + "/diff").then(function (diff) {
      if (state.scenario !== sc) { return; }
      $("comparison").innerHTML = comparisonHtml(diff);
      I.apply($("comparison"));
    }).catch(function (err) { $("comparison").innerHTML = "<p class='status error'>" + esc(err.message) + "</p>"; });
  }

  function delta(a, b, digits, unit) {
    if (a == null || b == null) { return "–"; }
    var d = b - a, cls = Math.abs(d) < 1e-9 ? "same" : d < 0 ? "better" : "worse";
    return "<span class='delta " + cls + "'>" + (d > 0 ? "+" : "") + fmt(d, digits) + (unit ? " " + unit : "") + "</span>";
  }

  function comparisonHtml(diff) {
    var rows = (diff.routes || []).map(function (row) {
      var base = row.base || {}, neu = row.new || {};
      var labels = Object.keys(base).filter(function (k) { return k !== "percentiles" && k !== "error"; });
      if (!labels.length) { labels = Object.keys(neu).filter(function (k) { return k !== "percentiles" && k !== "error"; }); }
      var head = "<tr class='od'><th colspan='4'>" + esc(placeName(row.origin)) + " → " + esc(placeName(row.destination)) + "</th></tr>";
      var pb = base.percentiles || {}, pn = neu.percentiles || {};
      var pct = pb.p90_h != null || pn.p90_h != null ? "<tr><td>P90</td><td>" + days(pb.p90_h) + "</td><td>" + days(pn.p90_h) + "</td><td>" +
        delta(pb.p90_h / 24, pn.p90_h / 24, 1, I.t("days")) + "</td></tr>" : "";
      return head + labels.map(function (l) {
        var a = base[l] || {}, b = neu[l] || {};
        return "<tr><td>" + esc(I.t(l)) + "</td><td>" + days(a.transit_time_h) + " " + I.t("days") + "<br><small>" + fmt(a.cost_usd) + " USD</small></td><td>" +
          days(b.transit_time_h) + " " + I.t("days") + "<br><small>" + fmt(b.cost_usd) + " USD</small></td><td>" +
          delta(a.transit_time_h / 24, b.transit_time_h / 24, 1, I.t("days")) + "<br>" + delta(a.cost_usd, b.cost_usd, 0, "USD") + "</td></tr>";
      }).join("") + pct + (base.error || neu.error ? "<tr><td colspan='4' class='muted'>" + esc(base.error || neu.error) + "</td></tr>" : "");
    }).join("");
    var bn = diff.bottlenecks || {};
    var side = function (list) {
      return "<ol class='bn'>" + (list || []).map(function (b) {
        return "<li>" + esc(b.name || b.id) + " <strong>" + (b.utilisation != null ? fmt(100 * b.utilisation) + " %" : "–") + "</strong></li>";
      }).join("") + "</ol>";
    };
    return "<h3>" + I.t("sc_routes") + "</h3><table class='cmp'><thead><tr><th>" + I.t("sc_route") + "</th><th>" + I.t("base") + "</th><th>" +
      esc(diff.new || state.scenario) + "</th><th>" + I.t("sc_delta") + "</th></tr></thead><tbody>" + rows + "</tbody></table>" +
      "<h3>" + I.t("sc_bottlenecks") + "</h3><div class='cmp-bn'><div><h4>" + I.t("base") + "</h4>" + side(bn.base) + "</div><div><h4>" +
      esc(diff.new || state.scenario) + "</h4>" + side(bn.new) + "</div></div>" +
      ((diff.notes || []).length ? "<ul class='notes'>" + diff.notes.map(function (n) { return "<li>" + esc(n) + "</li>"; }).join("") + "</ul>" : "");
  }

  /* ---------------------------------------------------------------- tabs */
  function showTab(tab, silent) {
    state.tab = tab === "scenarios" ? "scenarios" : "plan";
    ["plan", "scenarios"].forEach(function (t) {
      var on = t === state.tab;
      $("tab-" + t).setAttribute("aria-selected", on ? "true" : "false");
      $("tab-" + t).tabIndex = on ? 0 : -1;
      $("pane-" + t).hidden = !on;
    });
    if (!silent) { pushUrl(false); }
  }
  $("tab-plan").addEventListener("click", function () { showTab("plan"); });
  $("tab-scenarios").addEventListener("click", function () { showTab("scenarios"); if (state.scenario) { compareScenario(); } });

  /* ------------------------------------------------------------ language */
  function setLang(l, silent) {
    I.setLang(l);
    I.apply(document);
    Array.prototype.forEach.call(document.querySelectorAll(".lang button"), function (b) { b.setAttribute("aria-pressed", b.dataset.lang === I.lang ? "true" : "false"); });
    $("panel-toggle").textContent = I.t(document.body.classList.contains("panel-collapsed") ? "show_panel" : "hide_panel");
    renderLegend(); renderFoot();
    if (state.data) { renderList(state.data); select(state.selected, false); }
    if (!silent) { pushUrl(true); }
  }
  Array.prototype.forEach.call(document.querySelectorAll(".lang button"), function (b) {
    b.addEventListener("click", function () { setLang(b.dataset.lang); });
  });

  /* ---------------------------------------------------------- panel toggle */
  $("panel-toggle").addEventListener("click", function () {
    var open = this.getAttribute("aria-expanded") !== "true";
    this.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("panel-collapsed", !open);
    this.textContent = I.t(open ? "hide_panel" : "show_panel");
    setTimeout(function () { map.invalidateSize(); }, 220);
  });
  window.addEventListener("resize", function () { map.invalidateSize(); });

  function loadCaps() {
    return fetch("healthz").then(function (r) { return r.json(); }).then(function (h) {
      state.caps = h.capabilities || state.caps;
      if (!state.caps.capacity) {
        $("util").disabled = true;
        $("util").parentNode.title = "Capacity assignment is not available in this installation";
        $("tab-scenarios").disabled = true;
      }
    });
  }

  /* Extension point: other scripts add their own layers and legend entries. */
  window.KaravanApp = {
    map: map, i18n: I, api: { get: apiGet, post: apiPost },
    registerLayer: function (title, layer, opts) {
      var id = "extra-" + String(title).replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
      var box = $("extra-layers");
      box.insertAdjacentHTML("beforeend", "<label class='toggle'><input type='checkbox' id='" + id + "'" + (opts && opts.on ? " checked" : "") +
        "> " + esc(title) + "</label>");
      var input = $(id);
      if (input.checked) { layer.addTo(map); }
      input.addEventListener("change", function () { if (input.checked) { layer.addTo(map); } else { map.removeLayer(layer); } });
      return input;
    }
  };

  setLang(new URLSearchParams(location.search).get("lang") || "en", true);
  Promise.all([loadBasemap(), loadNetwork(), loadMeta(), loadCaps()]).then(loadScenarios).then(function () {
    I.apply(document);
    return applyUrl();
  }).then(function () {
    document.body.classList.add("ready");
  }).catch(function (err) { setStatus("Could not load the network: " + esc(err.message), "error"); });
})();
