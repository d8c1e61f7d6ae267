/* Survey results: eNPS by group (bars), eNPS across rounds (lines) and the mean of each 1-5
   question, drawn from the JSON the page carries (json_script). Only groups of 5 or more
   respondents are in that JSON: the page never has more than it may show. */
(function () {
  "use strict";
  var PALETTE = ["#1f6feb", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b", "#2c3e50"];
  function draw() {
    if (typeof Chart === "undefined") return;
    var el = document.getElementById("voice-survey-data");
    if (!el) return;
    var data = JSON.parse(el.textContent);
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    var groups = document.getElementById("survey-chart-groups");
    if (groups && data.groups.labels) {
      new Chart(groups, {
        type: "bar",
        data: {
          labels: data.groups.labels,
          datasets: [{
            label: data.groups.label,
            data: data.groups.values,
            backgroundColor: data.groups.values.map(function (v) { return v === null ? "#9aa5b1" : (v >= 0 ? "#2e7d32" : "#c0392b"); })
          }]
        },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          scales: { x: { min: -100, max: 100 }, y: { grid: { display: false } } },
          plugins: { legend: { display: false } }
        }
      });
    }
    var trend = document.getElementById("survey-chart-trend");
    if (trend && data.trend.labels) {
      new Chart(trend, {
        type: "line",
        data: {
          labels: data.trend.labels,
          datasets: data.trend.series.map(function (s, i) {
            return {
              label: s.label, data: s.values, spanGaps: false,
              borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
              borderWidth: s.key === "overall" ? 3 : 1.5, tension: 0.2
            };
          })
        },
        options: { maintainAspectRatio: false, scales: { y: { min: -100, max: 100 } } }
      });
    }
    var questions = document.getElementById("survey-chart-questions");
    if (questions && data.questions.labels) {
      new Chart(questions, {
        type: "bar",
        data: { labels: data.questions.labels, datasets: [{ label: data.questions.label, data: data.questions.values, backgroundColor: "#1f6feb" }] },
        options: {
          indexAxis: "y", maintainAspectRatio: false,
          scales: { x: { min: 1, max: 5 }, y: { grid: { display: false } } },
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
