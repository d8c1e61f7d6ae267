/* Charts of the home page, drawn from the JSON the page carries (json_script). */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    if (typeof Chart === "undefined") return;
    var labels = data("chart-labels") || {};
    var style = getComputedStyle(document.documentElement);
    var muted = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.color = muted;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    var flow = data("chart-flow-data");
    var flowCanvas = document.getElementById("chart-flow");
    if (flow && flowCanvas) {
      new Chart(flowCanvas, {
        type: "bar",
        data: {
          labels: flow.labels,
          datasets: [
            { label: labels.hires || "Hires", data: flow.hires, backgroundColor: "#2f7d4f" },
            { label: labels.leavers || "Leavers", data: flow.leavers, backgroundColor: "#c4513d" }
          ]
        },
        options: {
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    }
    var heads = data("chart-headcount-data");
    var headCanvas = document.getElementById("chart-headcount");
    if (heads && headCanvas) {
      var box = headCanvas.parentElement;
      box.style.height = Math.max(160, heads.labels.length * 20 + 40) + "px";
      new Chart(headCanvas, {
        type: "bar",
        data: {
          labels: heads.labels,
          datasets: [{ label: labels.headcount || "Active employees", data: heads.values, backgroundColor: "#1f5fbf" }]
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          scales: {
            x: { beginAtZero: true, ticks: { precision: 0 } },
            y: {
              grid: { display: false },
              ticks: {
                // long department names are shortened on a phone
                callback: function (value) {
                  var label = this.getLabelForValue(value);
                  var room = window.innerWidth < 600 ? 16 : 32;
                  return label.length > room ? label.slice(0, room - 1) + "…" : label;
                }
              }
            }
          },
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
