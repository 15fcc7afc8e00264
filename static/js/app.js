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
