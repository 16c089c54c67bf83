/* karavan charts on the vendored Chart.js: Pareto trade-off, transit-time CDF, clipped histogram.
   Shared by the web page and the self-contained HTML reports. */
(function (root) {
  "use strict";
  var Chart = root.Chart;
  var I = root.KaravanI18n || { t: function (k) { return k; }, locale: function () { return "en-US"; } };

  function fmt(v, d) {
    if (v == null || !isFinite(v)) { return "–"; }
    return Number(v).toLocaleString(I.locale(), { minimumFractionDigits: d || 0, maximumFractionDigits: d || 0 });
  }

  /* Vertical markers (P50, P90, target) and point labels, drawn after the datasets. */
  var markerPlugin = {
    id: "karavanMarkers",
    afterDatasetsDraw: function (chart) {
      var opts = chart.options.plugins.karavanMarkers || {};
      var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x;
      if (!ctx || !area || !x) { return; }
      ctx.save();
      (opts.markers || []).forEach(function (m, k) {
        if (m.x == null || !isFinite(m.x)) { return; }
        var px = x.getPixelForValue(m.x);
        if (px < area.left - 1 || px > area.right + 1) { return; }
        ctx.strokeStyle = m.color || "#222"; ctx.lineWidth = m.width || 1.2;
        ctx.setLineDash(m.dash || [4, 3]);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = m.color || "#222"; ctx.font = "600 11px system-ui, sans-serif";
        var w = ctx.measureText(m.label).width, right = px + 4 + w > area.right;
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText(m.label, right ? px - 4 : px + 4, area.top + 11 + 13 * (k % 3));
      });
      if (opts.pointLabels) {
        var meta = chart.getDatasetMeta(0);
        ctx.font = "600 11px system-ui, sans-serif"; ctx.fillStyle = "#1f2933"; ctx.textAlign = "left";
        var placed = [];
        meta.data.forEach(function (pt, i) {
          var label = opts.pointLabels[i];
          if (!label) { return; }
          var r = (pt.options && pt.options.radius) || 6;
          var w = ctx.measureText(label).width, tx = pt.x + r + 4, ty = pt.y + 4;
          if (tx + w > area.right) { tx = pt.x - r - 4 - w; }
          /* move a label down (then up) until it no longer overlaps one already drawn */
          for (var tries = 0; tries < 8 && placed.some(function (b) { return tx < b.x + b.w && b.x < tx + w && Math.abs(ty - b.y) < 12; }); tries++) {
            ty = pt.y + 4 + 12 * Math.ceil((tries + 1) / 2) * (tries % 2 === 0 ? 1 : -1);
          }
          placed.push({ x: tx, y: ty, w: w });
          ctx.textAlign = "left";
          ctx.fillText(label, tx, ty);
        });
      }
      ctx.restore();
    }
  };

  function base(canvas, config) {
    if (canvas._chart) { canvas._chart.destroy(); }
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options);
    config.plugins = (config.plugins || []).concat([markerPlugin]);
    canvas._chart = new Chart(canvas, config);
    return canvas._chart;
  }

  /* CO2e ramp: green (lowest of the plan) to red (highest). */
  function ramp(v, lo, hi) {
    var f = hi > lo ? (v - lo) / (hi - lo) : 0;
    var a = [26, 152, 80], b = [253, 174, 97], c = [215, 48, 39];
    var from = f < 0.5 ? a : b, to = f < 0.5 ? b : c, g = f < 0.5 ? f * 2 : (f - 0.5) * 2;
    return "rgb(" + from.map(function (x, i) { return Math.round(x + (to[i] - x) * g); }).join(",") + ")";
  }

  function routeLabel(r) {
    var labels = r.labels && r.labels.length ? r.labels : ["alternative"];
    return labels.map(function (l) { return I.t(l); }).join(", ");
  }

  /* Pareto scatter: x transit days, y cost USD, bubble size and fill by CO2e, outline in the route's colour. */
  function pareto(canvas, routes, opts) {
    opts = opts || {};
    var co2 = routes.map(function (r) { return r.co2e_kg; });
    var lo = Math.min.apply(null, co2), hi = Math.max.apply(null, co2);
    var data = routes.map(function (r, i) {
      var size = hi > lo ? (r.co2e_kg - lo) / (hi - lo) : 0.5;
      return { x: r.transit_time_h / 24, y: r.cost_usd, r: 6 + 10 * size, co2e_t: r.co2e_kg / 1000, i: i };
    });
    var colors = opts.colors || [];
    return base(canvas, {
      type: "bubble",
      data: { datasets: [{
        data: data,
        backgroundColor: data.map(function (d) { return ramp(d.co2e_t * 1000, lo, hi); }),
        borderColor: data.map(function (d) { return colors[d.i % colors.length] || "#333"; }),
        borderWidth: data.map(function (d) { return d.i === opts.selected ? 4 : 2; })
      }] },
      options: {
        layout: { padding: { right: 8, top: 4 } },
        /* select after Chart.js has finished handling the event (selecting redraws this chart) */
        onClick: function (evt, els) { if (els.length && opts.onSelect) { var i = els[0].index; setTimeout(function () { opts.onSelect(i); }, 0); } },
        scales: {
          x: { title: { display: true, text: I.t("transit_days") }, grace: "8%", ticks: { callback: function (v) { return fmt(v, 1); } } },
          y: { title: { display: true, text: I.t("cost") + ", " + I.t("usd") }, grace: "10%", ticks: { callback: function (v) { return fmt(v); } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) {
            var d = c.raw;
            return routeLabel(routes[d.i]) + ": " + fmt(d.x, 1) + " " + I.t("days") + ", " + fmt(d.y) + " USD, " + fmt(d.co2e_t, 2) + " t CO₂e";
          } } },
          /* unlabelled alternatives keep their tooltip but draw no text, so labels stay readable */
          karavanMarkers: { pointLabels: routes.map(function (r) { return r.labels && r.labels.length ? routeLabel(r) : ""; }) }
        }
      }
    });
  }

  function targetDays(sim) {
    if (!sim.target || !sim.depart) { return null; }
    return (Date.parse(sim.target) - Date.parse(sim.depart)) / 864e5;
  }

  /* Transit-time CDF with the target date and the on-time probability. */
  function cdf(canvas, sim, opts) {
    opts = opts || {};
    var c = sim.cdf || {};
    var hs = c.transit_h || [], ps = c.p || [];
    var pts = hs.map(function (h, i) { return { x: h / 24, y: ps[i] }; });
    var markers = [{ x: sim.p50_h / 24, label: "P50 " + fmt(sim.p50_h / 24, 1), dash: [3, 2], color: "#52606d" },
      { x: sim.p90_h / 24, label: "P90 " + fmt(sim.p90_h / 24, 1), dash: [1, 2], color: "#52606d" }];
    var td = targetDays(sim);
    if (td != null) {
      var ot = sim.on_time_probability != null ? " · " + fmt(100 * sim.on_time_probability) + " % " + I.t("on_time") : "";
      markers.push({ x: td, label: I.t("target") + ot, dash: [], color: "#b42318", width: 2 });
    }
    var xs = pts.map(function (p) { return p.x; });
    var xmin = Math.min.apply(null, xs.concat(td != null ? [td] : [])), xmax = Math.max.apply(null, xs.concat(td != null ? [td] : []));
    var hi99 = hs.length > 99 ? hs[99] / 24 : xmax;
    return base(canvas, {
      type: "line",
      data: { datasets: [{ data: pts, borderColor: opts.color || "#00798c", backgroundColor: "transparent", pointRadius: 0, borderWidth: 2, stepped: false }] },
      options: {
        parsing: false,
        scales: {
          x: { type: "linear", min: Math.floor(xmin * 10) / 10, max: Math.max(hi99, td != null ? td : 0) + 0.2,
            title: { display: true, text: I.t("transit_days") }, ticks: { callback: function (v) { return fmt(v, 1); } } },
          y: { min: 0, max: 1, title: { display: true, text: I.t("prob") }, ticks: { callback: function (v) { return fmt(100 * v) + " %"; } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return fmt(100 * ctx.raw.y) + " % ≤ " + fmt(ctx.raw.x, 1) + " " + I.t("days"); } } },
          karavanMarkers: { markers: markers }
        }
      }
    });
  }

  /* Histogram of transit time up to P99 (the tail is counted, not drawn), y as share of runs. */
  function histogram(canvas, sim, opts) {
    opts = opts || {};
    var h = sim.histogram || {};
    var edges = h.bin_edges_h || [], counts = h.counts || [];
    var runs = h.runs || counts.reduce(function (a, b) { return a + b; }, 0) || 1;
    var bars = counts.map(function (c, i) { return { x: (edges[i] + edges[i + 1]) / 48, y: 100 * c / runs }; });
    var width = edges.length > 1 ? (edges[1] - edges[0]) / 24 : 1;
    var td = targetDays(sim);
    var markers = [{ x: sim.p50_h / 24, label: "P50", dash: [3, 2] }, { x: sim.p90_h / 24, label: "P90", dash: [1, 2] }];
    if (td != null) { markers.push({ x: td, label: I.t("target"), dash: [], color: "#b42318", width: 2 }); }
    var chart = base(canvas, {
      type: "bar",
      data: { datasets: [{ data: bars, backgroundColor: opts.color || "#00798c", barPercentage: 1, categoryPercentage: 1, borderWidth: 0 }] },
      options: {
        parsing: false,
        scales: {
          x: { type: "linear", min: edges.length ? edges[0] / 24 : 0, max: edges.length ? edges[edges.length - 1] / 24 : 1, offset: false,
            title: { display: true, text: I.t("transit_days") }, ticks: { callback: function (v) { return fmt(v, 1); } } },
          y: { beginAtZero: true, title: { display: true, text: I.t("share") }, ticks: { callback: function (v) { return fmt(v, 1) + " %"; } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            title: function (items) { var x = items[0].raw.x; return fmt(x - width / 2, 1) + "–" + fmt(x + width / 2, 1) + " " + I.t("days"); },
            label: function (ctx) { return fmt(ctx.raw.y, 1) + " % " + I.t("share"); }
          } },
          karavanMarkers: { markers: markers }
        }
      }
    });
    chart.$karavanAbove = h.above || 0;
    return chart;
  }

  function aboveNote(sim) {
    var h = sim.histogram || {};
    return h.above ? I.t("above", { n: fmt(h.above), d: fmt(h.above_h / 24, 1) }) : "";
  }

  root.KaravanCharts = { pareto: pareto, cdf: cdf, histogram: histogram, aboveNote: aboveNote, ramp: ramp, fmt: fmt };
})(window);
