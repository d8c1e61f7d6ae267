/* The feedback trends: volume by month and topic stacked by sentiment, and the negative share
   by department, drawn from the JSON the page carries (json_script). */
(function () {
  "use strict";
  var COLORS = { negative: "#c0392b", neutral: "#9aa5b1", positive: "#2e7d32" };
  function draw() {
    if (typeof Chart === "undefined") return;
    var el = document.getElementById("voice-trends-data");
    if (!el) return;
    var data = JSON.parse(el.textContent);
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    function stacked(series) {
      return series.map(function (s) {
        return { label: s.label, data: s.values, backgroundColor: COLORS[s.key] };
      });
    }
    var stackScales = { x: { stacked: true, grid: { display: false } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };
    var months = document.getElementById("voice-chart-months");
    if (months) {
      new Chart(months, {
        type: "bar",
        data: { labels: data.months, datasets: stacked(data.series) },
        options: { maintainAspectRatio: false, scales: stackScales }
      });
    }
    var topics = document.getElementById("voice-chart-topics");
    if (topics) {
      new Chart(topics, {
        type: "bar",
        data: { labels: data.topics.labels, datasets: stacked(data.topics.series) },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true, grid: { display: false } } }
        }
      });
    }
    var departments = document.getElementById("voice-chart-departments");
    if (departments) {
      new Chart(departments, {
        type: "bar",
        data: { labels: data.departments.labels, datasets: [{ label: data.departments.label, data: data.departments.values, backgroundColor: COLORS.negative }] },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          scales: { x: { beginAtZero: true, max: 100 }, y: { grid: { display: false } } },
          plugins: { legend: { display: false } }
        }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
