// htmx requests carry the CSRF token from the page's meta tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// After a failed save, put the cursor in the first field with an error.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("form .is-invalid");
  if (invalid) { invalid.focus(); }
});

// Buttons that change records ask first: <form data-confirm="Reverse move 12?">.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
}, true);

// A table wider than its box scrolls sideways; the scrolling box must then be reachable by
// keyboard (WCAG 2.1: scrollable regions are focusable).
function markScrollableTables(root) {
  root.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth + 1) { box.tabIndex = 0; }
    else { box.removeAttribute("tabindex"); }
  });
}
document.addEventListener("DOMContentLoaded", function () { markScrollableTables(document); });
document.addEventListener("htmx:afterSwap", function () { markScrollableTables(document); });

// A "select all" checkbox: <input type="checkbox" data-select-all="invoice_id"> ticks every
// checkbox named invoice_id.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name) { return; }
  document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});

// A select that applies itself: <select data-submit-on-change> sends its form when changed.
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("[data-submit-on-change]")) {
    event.target.form.submit();
  }
});

// A product picker's search field opens its list again when it gets the focus with text typed
// but no product picked (an htmx trigger filter would need eval, which the CSP forbids).
document.addEventListener("focusin", function (event) {
  var field = event.target;
  if (!field.matches || !field.matches("[data-picker-search]")) { return; }
  var picked = field.previousElementSibling;
  if (field.value && picked && !picked.value) { htmx.trigger(field, "picker-open"); }
});
