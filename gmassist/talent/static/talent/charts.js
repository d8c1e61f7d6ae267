/* Charts of the talent pages (overview, person, plan). Each chart is a canvas naming the JSON it
   draws (json_script): <canvas data-chart="line" data-source="id-of-the-json">, the JSON being
   {labels, datasets: [{label, data, color, dashed, points, showLine}], percent, xPercent,
    xLinear, xMax, yMax, xTitle, yTitle}. Drawn on load and again after an htmx swap. */
(function () {
  "use strict";
  var PALETTE = ["#1f5fbf", "#c4513d", "#2f7d4f", "#b7791f", "#646b79"];
  var charts = [];

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // numbers in the page's language (the reader's), not the browser's
  var LANG = document.documentElement.lang || undefined;
  function number(value, percent) {
    if (percent) {
      return Number(value).toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
    }
    return Number(value).toLocaleString(LANG, { maximumFractionDigits: 2 });
  }

  function build(canvas) {
    var spec = read(canvas.dataset.source);
    if (!spec) return null;
    var type = canvas.dataset.chart || "line";
    var datasets = spec.datasets.map(function (set, i) {
      var color = set.color || PALETTE[i % PALETTE.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: color,
        borderColor: color,
        borderDash: set.dashed ? [6, 4] : undefined,
        borderWidth: 2,
        pointRadius: set.points === false ? 0 : 3,
        showLine: set.showLine === undefined ? undefined : set.showLine
      };
    });
    var x = spec.xLinear
      ? { type: "linear", min: 0, max: spec.xMax || undefined,
          ticks: { callback: function (v) { return number(v, spec.xPercent); } } }
      : { grid: { display: false } };
    x.title = { display: !!spec.xTitle, text: spec.xTitle || "" };
    var y = {
      beginAtZero: true, max: spec.yMax || undefined,
      title: { display: !!spec.yTitle, text: spec.yTitle || "" },
      ticks: { callback: function (v) { return number(v, spec.percent); } }
    };
    return new Chart(canvas, {
      type: type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: spec.xLinear ? "nearest" : "index", intersect: false },
        scales: { x: x, y: y },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + number(ctx.parsed.y, spec.percent);
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
