/* Recruiting charts: median days to fill by department (requisitions page) and candidates
   sent, interviewed and hired by agency (agencies page), drawn from the JSON the page carries
   (json_script). */
(function () {
  "use strict";
  var COLORS = ["#9aa5b1", "#1f6feb", "#2e7d32"];
  function draw() {
    if (typeof Chart === "undefined") return;
    var el = document.getElementById("voice-recruiting-data");
    if (!el) return;
    var data = JSON.parse(el.textContent);
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    var ttf = document.getElementById("recruiting-chart-ttf");
    if (ttf && data.time_to_fill) {
      new Chart(ttf, {
        type: "bar",
        data: { labels: data.time_to_fill.labels, datasets: [{ label: data.time_to_fill.label, data: data.time_to_fill.values, backgroundColor: "#1f6feb" }] },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          scales: { x: { beginAtZero: true }, y: { grid: { display: false } } },
          plugins: { legend: { display: false } }
        }
      });
    }
    var agencies = document.getElementById("recruiting-chart-agencies");
    if (agencies && data.performance) {
      new Chart(agencies, {
        type: "bar",
        data: {
          labels: data.performance.labels,
          datasets: data.performance.series.map(function (s, i) {
            return { label: s.label, data: s.values, backgroundColor: COLORS[i % COLORS.length] };
          })
        },
        options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
