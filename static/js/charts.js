// Every dashboard chart (Chart.js served from static/node_modules, no CDN).
// <canvas data-chart="{...}"> carries its spec as JSON in the attribute (data, not code, so
// the CSP's script-src 'self' holds):
//   {type: "bar" | "horizontal" | "line" | "doughnut", labels: [...], money: bool,
//    datasets: [{label, data: [numbers], texts: [formatted], urls: [url or null]}]}
// Labels and formatted values come translated from the server. Clicking a bar, point or
// slice opens the URL of that figure (the filtered list behind it).
(function () {
  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#6c757d",
                 "#ffc107"];

  function spec(canvas) {
    return canvas.dataset.chart ? JSON.parse(canvas.dataset.chart) : null;
  }

  function draw(canvas) {
    var data = spec(canvas);
    if (!data || Chart.getChart(canvas)) { return; }
    var doughnut = data.type === "doughnut";
    var horizontal = data.type === "horizontal";
    var datasets = data.datasets.map(function (set, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: set.label, data: set.data,
        backgroundColor: doughnut ? data.labels.map(function (_l, i) {
          return COLOURS[i % COLOURS.length]; }) : colour,
        borderColor: data.type === "line" ? colour : undefined,
        tension: 0.25
      };
    });
    var options = {
      responsive: true, maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: {
        legend: { position: "bottom", display: doughnut || datasets.length > 1 },
        tooltip: { callbacks: { label: function (item) {
          var set = data.datasets[item.datasetIndex];
          var text = set.texts ? set.texts[item.dataIndex] : item.formattedValue;
          return (doughnut ? data.labels[item.dataIndex] : set.label) + ": " + text;
        } } }
      },
      onClick: function (event, elements, chart) {
        var hit = elements.length ? elements[0] :
          chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true)[0];
        if (!hit) { return; }
        var urls = data.datasets[hit.datasetIndex].urls || [];
        if (urls[hit.index]) { window.location.assign(urls[hit.index]); }
      },
      onHover: function (event, elements) {
        var target = event.native && event.native.target;
        if (!target) { return; }
        var linked = elements.length &&
          (data.datasets[elements[0].datasetIndex].urls || [])[elements[0].index];
        target.style.cursor = linked ? "pointer" : "default";
      }
    };
    if (!doughnut) {
      var value = { beginAtZero: true, ticks: { precision: 0 } };
      // Long names (customers, products) are cut on the axis; the tooltip and the table
      // under the chart give them whole.
      var category = { ticks: { autoSkip: true, maxRotation: 0, callback: function (value) {
        var label = String(this.getLabelForValue(value));
        return label.length > 16 ? label.slice(0, 15) + "\u2026" : label;
      } } };
      options.scales = horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    new Chart(canvas, { type: horizontal ? "bar" : data.type, data: {
      labels: data.labels, datasets: datasets }, options: options });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart === "undefined") { return; }
    // The page's own font stack, so Chinese labels use a font that has the characters.
    Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
