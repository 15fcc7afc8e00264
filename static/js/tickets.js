// Ticket SLA countdowns: every element with data-deadline shows the time left (or how long
// overdue) and turns red once the deadline has passed. Re-applied after htmx swaps the queue.
(function () {
  function compact(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var text = (hours ? hours + "h " : "") + (mins < 10 && hours ? "0" : "") + mins + "m";
    return days ? days + "d " + text : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      var late = left < 0;
      var template = late ? el.dataset.overdue : el.dataset.left;
      if (template) { el.textContent = template.replace("{t}", compact(left)); }
      el.classList.toggle("text-danger", late);
      el.classList.toggle("fw-semibold", late);
      var row = el.closest("[data-ticket-row]");
      if (row) { row.classList.toggle("table-danger", late); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 15000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
