/* The pay review's compa-ratio chart, drawn from the JSON the page carries (json_script), and
   drawn again when htmx swaps the summary in after a filter change. */
(function () {
  "use strict";
  var chart = null;
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    if (typeof Chart === "undefined") return;
    var canvas = document.getElementById("pay-chart-compa");
    var compa = data("pay-chart-compa-data");
    if (chart) { chart.destroy(); chart = null; }
    if (!canvas || !compa) return;
    var labels = data("pay-chart-labels") || {};
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: compa.labels,
        datasets: [{ label: labels.people || "People", data: compa.values, backgroundColor: "#1f5fbf" }]
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } },
        plugins: { legend: { display: false } }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (document.getElementById("pay-chart-compa") && event.target && event.target.id === "list-results") draw();
  });
})();
