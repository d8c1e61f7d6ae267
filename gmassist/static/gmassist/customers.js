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

  function build(canvas) {
    var spec = read(canvas.dataset.source);
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
    document.querySelectorAll("canvas[data-chart][data-source]").forEach(function (canvas) {
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
