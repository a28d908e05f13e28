// sonde's dashboard: draws charts with uPlot from /ui/hosts/ID/graphs (or the
// URL in the range box's data-src: a custom or service dashboard's), with a
// range selector and drag-to-zoom; shows a monitor form's fields for the chosen
// type. No build step; served as is.
(function () {
  "use strict";
  // The monitor form: only the chosen type's fields (without script all show,
  // and the server reads only the chosen type's).
  var type = document.getElementById("m-type");
  if (!type) return;
  function show() {
    document.querySelectorAll("fieldset[data-kinds]").forEach(function (f) {
      f.hidden = f.dataset.kinds.split(" ").indexOf(type.value) < 0;
    });
  }
  type.addEventListener("change", show);
  show();
})();

(function () {
  "use strict";
  var range = document.getElementById("range");
  if (!range) return;
  var src = range.dataset.src || "/ui/hosts/" + encodeURIComponent(range.dataset.host) + "/graphs";
  var charts = document.getElementById("charts");
  var plots = [];
  var history = [];
  var now = function () { return Math.floor(Date.now() / 1000); };
  var view = { from: now() - 3600, to: now() };
  var colors = ["#3b7dd8", "#e8833a", "#3fa34d", "#d64545", "#8e63ce", "#8c564b",
                "#d46fb0", "#7f7f7f", "#b5b51f", "#17becf"];

  function fmt(unit, v) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (unit === "bytes" || unit === "bytes/sec") {
      var u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], i = 0;
      while (a >= 1024 && i < u.length - 1) { a /= 1024; v /= 1024; i++; }
      return v.toFixed(i ? 1 : 0) + " " + u[i] + (unit === "bytes/sec" ? "/s" : "");
    }
    if (unit === "percentage") return v.toFixed(1) + " %";
    if (a >= 1e9) return (v / 1e9).toFixed(1) + "G";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(1) + "k";
    return +v.toFixed(3) + "";
  }

  function toLocalInput(t) {
    var d = new Date(t * 1000);
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }

  // The lines of a graph on one time axis; stacked lines drawn as running sums
  // (the legend still shows each line's own value).
  function align(g) {
    var ts = {};
    g.lines.forEach(function (l) { l.points.forEach(function (p) { ts[p[0]] = 1; }); });
    var xs = Object.keys(ts).map(Number).sort(function (a, b) { return a - b; });
    var index = {};
    xs.forEach(function (t, i) { index[t] = i; });
    var raw = g.lines.map(function (l) {
      var ys = new Array(xs.length).fill(null);
      l.points.forEach(function (p) { ys[index[p[0]]] = p[1]; });
      return ys;
    });
    var base = new Array(xs.length).fill(0);
    var drawn = raw.map(function (ys, i) {
      if (!g.lines[i].stacked) return ys;
      return ys.map(function (v, j) {
        if (v == null) return null;
        base[j] += v;
        return base[j];
      });
    });
    return { xs: xs, raw: raw, drawn: drawn };
  }

  function zoom(u) {
    var s = u.select;
    if (s.width < 5) return;
    var from = Math.floor(u.posToVal(s.left, "x"));
    var to = Math.ceil(u.posToVal(s.left + s.width, "x"));
    if (to - from < 60) return;
    history.push({ from: view.from, to: view.to });
    view = { from: from, to: to };
    load();
  }

  function draw(data) {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    charts.textContent = "";
    var total = 0;
    var width = Math.max(320, Math.min(charts.clientWidth || 900, 1400));
    data.graphs.forEach(function (g) {
      var a = align(g);
      var box = document.createElement("section");
      box.className = "chart";
      var h = document.createElement("h3");
      h.textContent = g.title;
      box.appendChild(h);
      charts.appendChild(box);
      var points = 0;
      a.raw.forEach(function (ys) { ys.forEach(function (v) { if (v != null) points++; }); });
      total += points;
      box.dataset.points = points;
      var series = [{}];
      // Each stacked line fills the band down to the stacked line below it.
      var bands = [];
      var below = 0;
      g.lines.forEach(function (l, i) {
        if (l.stacked) {
          if (below) bands.push({ series: [i + 1, below] });
          below = i + 1;
        }
        var c = colors[i % colors.length];
        series.push({
          label: l.label,
          stroke: c,
          width: 1.5,
          fill: l.stacked ? c + "55" : undefined,
          spanGaps: false,
          // The line's own value under the cursor; away from the chart,
          // its latest.
          value: function (u, v, si, idx) {
            var ys = a.raw[si - 1];
            if (idx == null) {
              for (idx = ys.length - 1; idx >= 0 && ys[idx] == null; idx--);
            }
            return fmt(g.unit, idx >= 0 ? ys[idx] : null);
          },
        });
      });
      var opts = {
        width: width,
        height: 220,
        series: series,
        bands: bands,
        scales: { x: { time: true, min: data.from, max: data.to } },
        axes: [{}, { size: 70, values: function (u, vals) { return vals.map(function (v) { return fmt(g.unit, v); }); } }],
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: { setSelect: [zoom] },
      };
      var u = new uPlot(opts, [a.xs].concat(a.drawn), box);
      u.over.addEventListener("dblclick", function () {
        var back = history.pop();
        if (back) { view = back; load(); }
      });
      plots.push(u);
    });
    if (!data.graphs.length) {
      charts.textContent = "No metrics in this range.";
    }
    // For people and for the end-to-end test: how much was drawn.
    document.body.dataset.charts = data.graphs.length;
    document.body.dataset.points = total;
    document.getElementById("range-label").textContent =
      new Date(data.from * 1000).toLocaleString() + " – " + new Date(data.to * 1000).toLocaleString();
    document.getElementById("range-from").value = toLocalInput(data.from);
    document.getElementById("range-to").value = toLocalInput(data.to);
  }

  function load() {
    document.body.dataset.loading = "1";
    var url = src + "?from=" + view.from + "&to=" + view.to;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { location.href = "/login"; throw new Error("logged out"); }
        if (!r.ok) return r.text().then(function (t) { throw new Error(r.status + ": " + t); });
        return r.json();
      })
      .then(draw)
      .catch(function (e) { charts.textContent = "Could not load the metrics: " + e.message; })
      .then(function () { document.body.dataset.loading = "0"; });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      var width = Math.max(320, Math.min(charts.clientWidth || 900, 1400));
      plots.forEach(function (p) { p.setSize({ width: width, height: 220 }); });
    }, 150);
  });

  range.addEventListener("click", function (e) {
    var span = e.target.dataset && e.target.dataset.span;
    if (span) {
      history = [];
      view = { from: now() - Number(span), to: now() };
      load();
    }
  });
  document.getElementById("range-apply").addEventListener("click", function () {
    var f = Date.parse(document.getElementById("range-from").value) / 1000;
    var t = Date.parse(document.getElementById("range-to").value) / 1000;
    if (isFinite(f) && isFinite(t) && t > f) {
      history.push({ from: view.from, to: view.to });
      view = { from: Math.floor(f), to: Math.ceil(t) };
      load();
    }
  });
  load();
})();
