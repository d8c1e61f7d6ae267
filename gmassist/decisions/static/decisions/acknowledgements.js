/* A decision's acknowledgements by department, as a stacked bar chart drawn from the JSON the
   page carries (json_script). */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("decision-ack-chart");
    var el = document.getElementById("decision-ack-chart-data");
    if (typeof Chart === "undefined" || !canvas || !el) return;
    var data = JSON.parse(el.textContent);
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.names.acknowledged, data: data.acknowledged, backgroundColor: "#2f7d4f" },
          { label: data.names.pending, data: data.pending, backgroundColor: "#d9dde4" }
        ]
      },
      options: {
        indexAxis: data.labels.length > 8 ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
