/* Charts of the customers pages. Each chart is a canvas that names the JSON it draws (json_script):
   <canvas data-chart="bar" data-source="id-of-the-json">, the JSON being
   {labels: [...], datasets: [{label, data, color, type, dashed, fill}], horizontal, stacked,
    percent, xTitle, yTitle, xLinear, legend}.
   Drawn on load and again after an htmx swap (a job's progress turning into its result). */
(function () {
  "use strict";
  var PALETTE = ["#1f5fbf", "#c4513d", "#2f7d4f", "#b7791f", "#6b46c1", "#2c7a7b", "#646b79"];
  var charts = [];

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function number(value, percent) {
    if (percent) return (value * 100).toFixed(0) + "%";
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: 2 });
  }

  /* A chart of rows as they are stored (e.g. a proposal's payload): data-rows names the JSON
     list, data-label-key the label of each row, data-series "key|label[|line];..." the bars
     (or a line), data-limit keeps the rows that change most between the first two series. */
  function fromRows(canvas) {
    var rows = read(canvas.dataset.rows);
    if (!rows) return null;
    var series = canvas.dataset.series.split(";").map(function (part) {
      var bits = part.split("|");
      return { key: bits[0], label: bits[1], type: bits[2] || undefined };
    });
    var limit = parseInt(canvas.dataset.limit || "0", 10);
    if (limit && rows.length > limit && series.length > 1) {
      var a = series[0].key, b = series[1].key;
      rows = rows.slice().sort(function (x, y) {
        return Math.abs(y[b] - y[a]) - Math.abs(x[b] - x[a]);
      }).slice(0, limit);
    }
    var colors = ["#9aa5b8", "#1f5fbf", "#c4513d"];
    return {
      labels: rows.map(function (row) { return row[canvas.dataset.labelKey]; }),
      horizontal: canvas.dataset.horizontal === "true",
      datasets: series.map(function (s, i) {
        return {
          label: s.label,
          data: rows.map(function (row) { return row[s.key]; }),
          type: s.type,
          color: colors[i % colors.length],
          points: s.type === "line" ? true : undefined,
          showLine: s.type === "line" ? false : undefined
        };
      })
    };
  }

  /* Two objects {category: number} as bars side by side: data-before and data-after name
     them, data-series "label before;label after". */
  function fromPairs(canvas) {
    var before = read(canvas.dataset.before) || {};
    var after = read(canvas.dataset.after) || {};
    var names = canvas.dataset.series.split(";");
    var keys = Object.keys(before);
    Object.keys(after).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    var labels = canvas.dataset.keyLabels ? JSON.parse(canvas.dataset.keyLabels) : {};
    return {
      labels: keys.map(function (k) { return labels[k] || k; }),
      datasets: [
        { label: names[0], data: keys.map(function (k) { return before[k] || 0; }), color: "#9aa5b8" },
        { label: names[1], data: keys.map(function (k) { return after[k] || 0; }), color: "#1f5fbf" }
      ]
    };
  }

  /* A few numbers in the markup: data-values "1,2", data-labels "a;b", data-name the series. */
  function fromValues(canvas) {
    var values = canvas.dataset.values.split(",").map(Number);
    return {
      labels: canvas.dataset.labels.split(";"),
      datasets: [{ label: canvas.dataset.name || "", data: values, color: "#1f5fbf" }],
      horizontal: canvas.dataset.horizontal === "true"
    };
  }

  function build(canvas) {
    var spec = canvas.dataset.rows ? fromRows(canvas)
      : canvas.dataset.before ? fromPairs(canvas)
      : canvas.dataset.values ? fromValues(canvas)
      : read(canvas.dataset.source);
    if (!spec) return null;
    var type = canvas.dataset.chart || "bar";
    var datasets = spec.datasets.map(function (set, i) {
      var color = set.color || PALETTE[i % PALETTE.length];
      return {
        type: set.type || undefined,
        label: set.label,
        data: set.data,
        backgroundColor: set.fill ? color + "33" : color,
        borderColor: color,
        borderDash: set.dashed ? [6, 4] : undefined,
        borderWidth: type === "line" || set.type === "line" ? 2 : 0,
        pointRadius: set.points === false ? 0 : 2,
        fill: !!set.fill,
        showLine: set.showLine === undefined ? undefined : set.showLine,
        stack: set.stack || undefined
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: !!spec.stacked,
      title: { display: !!spec.yTitle, text: spec.yTitle || "" },
      ticks: { callback: function (v) { return number(v, spec.percent); } }
    };
    var categoryAxis = {
      grid: { display: false },
      stacked: !!spec.stacked,
      title: { display: !!spec.xTitle, text: spec.xTitle || "" }
    };
    if (spec.xLinear) {
      categoryAxis = {
        type: "linear", min: 0, max: spec.xMax || undefined,
        title: { display: !!spec.xTitle, text: spec.xTitle || "" },
        ticks: { callback: function (v) { return number(v, spec.xPercent); } }
      };
      valueAxis.max = spec.yMax || undefined;
    }
    var scales = spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis };
    if (spec.horizontal) {
      canvas.parentElement.style.height = Math.max(180, spec.labels.length * 22 + 60) + "px";
    }
    return new Chart(canvas, {
      type: type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        interaction: { mode: spec.xLinear ? "nearest" : "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { display: spec.legend !== false && datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
                return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + number(v, spec.percent);
              }
            }
          }
        }
      }
    });
  }

  function drawAll() {
    if (typeof Chart === "undefined") return;
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = build(canvas);
      if (chart) charts.push(chart);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();
