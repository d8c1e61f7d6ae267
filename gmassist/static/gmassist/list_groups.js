/* The chart of a grouped list: one bar per group, its count of rows, drawn from the JSON the
   results carry (json_script), on load and again after every htmx swap of the results. A bar
   opens its group's rows, as the group's link in the table does (the table is the keyboard's
   way in). */
(function () {
  "use strict";
  var chart = null;
  function draw() {
    if (typeof Chart === "undefined") return;
    var canvas = document.getElementById("list-group-chart");
    var source = document.getElementById("list-group-chart-data");
    if (chart && chart.canvas !== canvas) {
      chart.destroy();
      chart = null;
    }
    if (!canvas || !source || chart) return;
    var data = JSON.parse(source.textContent);
    var style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue("--pico-muted-color").trim() || "#646b79";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    canvas.parentElement.style.height = Math.max(140, data.labels.length * 24 + 40) + "px";
    chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.counts, backgroundColor: "#1f5fbf", maxBarThickness: 26 }]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: {
            grid: { display: false },
            ticks: {
              // long names are shortened, more on a phone
              callback: function (value) {
                var label = String(this.getLabelForValue(value));
                var room = window.innerWidth < 600 ? 14 : 28;
                return label.length > room ? label.slice(0, room - 1) + "…" : label;
              }
            }
          }
        },
        plugins: { legend: { display: false } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          var link = elements.length ? data.links[elements[0].index] : null;
          if (link) window.location.assign(link);
        }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSettle", draw);
})();
