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
