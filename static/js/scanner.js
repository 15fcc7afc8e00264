// The warehouse terminal: the code field keeps the focus, every scan ends with a loud
// result (colour and a short beep), the quantity goes back to 1, the "to" location is only
// shown for transfers.
(function () {
  var form = document.getElementById("scan-form");
  if (!form) { return; }
  var code = form.querySelector("[name=code]");
  var quantity = form.querySelector("[name=quantity]");
  var moveType = form.querySelector("[name=move_type]");
  var beep = window.scanBeep;  // static/js/beep.js

  function showTransfer() {
    form.classList.toggle("is-transfer", moveType.value === "transfer");
  }
  moveType.addEventListener("change", function () { showTransfer(); code.focus(); });
  showTransfer();

  // Each scan is posted on its own, in order: the field is read and cleared at once, so a
  // scanner that sends the next code before the answer to the last one loses nothing.
  var queue = Promise.resolve();
  var result = document.getElementById("scan-result");

  // An error shown here in the page (the previous banner goes, so nothing looks recorded).
  function refuse(message) {
    var alert = document.createElement("div");
    alert.className = "alert alert-danger scan-result";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-scan-status", "error");
    alert.setAttribute("data-testid", "scan-error");
    alert.innerHTML = '<div class="scan-headline"></div>';
    alert.firstChild.textContent = "\u2716 " + message;
    htmx.swap(result, alert.outerHTML, { swapStyle: "innerHTML" });
  }
  function failed() { refuse(form.dataset.failedMessage); }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!code.value.trim()) { code.value = ""; refuse(form.dataset.emptyMessage); return; }
    var data = new FormData(form);
    code.value = "";
    quantity.value = "1";
    code.focus();
    queue = queue.then(function () {
      return fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "HX-Request": "true", "Accept": "text/html" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      }).then(function (html) {
        htmx.swap(result, html, { swapStyle: "innerHTML" });
      }).catch(failed);
    });
  });

  // Each answer replaces #scan-result: beep high for a recorded move, low for an error.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "scan-result") { return; }
    var answer = event.target.querySelector("[data-scan-status]");
    var ok = !!answer && answer.dataset.scanStatus === "success";
    form.dataset.lastBeep = ok ? "success" : "error";
    beep(ok);
    code.focus();
  });
  // A click elsewhere (not on another field) brings the cursor back to the code field.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, summary")) { code.focus(); }
  });
})();
