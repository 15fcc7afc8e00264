// The support dashboard's weekly chart (Chart.js served from static/node_modules, no CDN).
// Data and translated labels come from the canvas's data-chart attribute.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("tickets-chart");
    if (!canvas || typeof Chart === "undefined") { return; }
    var data = JSON.parse(canvas.dataset.chart);
    var colours = ["#0d6efd", "#198754"];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return { label: series.label, data: series.data, backgroundColor: colours[index] };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
