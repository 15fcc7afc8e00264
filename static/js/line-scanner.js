// Scanner pages of lines (sales deliveries, purchase receipts): one script for both.
(function () {
  // A scanner page of lines (a delivery, a receipt): each scan adds one unit (or the typed
  // quantity) to its line, here in the page, so a fast scanner loses nothing; the form's
  // button posts the quantities. <form data-line-scanner data-qty-selector=qtySelector>
  // carries the data-unknown, data-over and data-empty messages; a scan beyond what is left
  // is refused and the line keeps what it had.
  var page = document.querySelector("form[data-line-scanner]");
  if (!page) { return; }
  var qtySelector = page.dataset.qtySelector;
  var code = page.querySelector("[name=code]");
  var amount = page.querySelector("[name=scan_quantity]");
  var feedback = document.getElementById("scan-feedback");
  var beep = window.scanBeep;  // static/js/beep.js

  function say(ok, text) {
    feedback.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert scan-result " + (ok ? "alert-success" : "alert-danger");
    alert.setAttribute("role", ok ? "status" : "alert");
    alert.setAttribute("data-scan-status", ok ? "success" : "error");
    alert.setAttribute("data-testid", ok ? "scan-success" : "scan-error");
    var headline = document.createElement("div");
    headline.className = "scan-headline";
    headline.textContent = (ok ? "\u2714 " : "\u2716 ") + text;
    alert.appendChild(headline);
    feedback.appendChild(alert);
    page.dataset.lastBeep = ok ? "success" : "error";
    beep(ok);
  }

  function number(value) {
    var n = parseFloat(String(value || "0").replace(",", "."));
    return isNaN(n) ? 0 : n;
  }

  function mark(row) {
    var input = row.querySelector(qtySelector);
    var over = number(input.value) > number(row.dataset.left);
    input.classList.toggle("is-invalid", over);
    row.classList.toggle("table-danger", over);
    row.classList.toggle("table-success", !over && number(input.value) === number(row.dataset.left) && number(input.value) > 0);
  }

  // Lines still open (a line with nothing left has no quantity field).
  var rows = Array.prototype.slice.call(page.querySelectorAll("tr[data-line-id]"))
    .filter(function (row) { return row.querySelector(qtySelector); });
  rows.forEach(mark);
  page.addEventListener("input", function (event) {
    var row = event.target.closest("tr[data-line-id]");
    if (row) { mark(row); }
  });

  function scan() {
    var value = code.value.trim();
    var step = number(amount.value || "1");
    code.value = "";
    amount.value = "1";
    code.focus();
    if (!value) { say(false, page.dataset.empty); return; }
    var lower = value.toLowerCase();
    var matching = rows.filter(function (row) { return row.dataset.barcode === value; });
    if (!matching.length) { matching = rows.filter(function (row) { return row.dataset.sku === value; }); }
    if (!matching.length) { matching = rows.filter(function (row) { return row.dataset.sku.toLowerCase() === lower; }); }
    if (!matching.length) {
      say(false, page.dataset.unknown.replace("%(code)s", value));
      return;
    }
    var row = matching.find(function (r) {
      return number(r.querySelector(qtySelector).value) < number(r.dataset.left);
    }) || matching[0];
    var input = row.querySelector(qtySelector);
    var before = number(input.value);
    var total = Math.round((before + step) * 1000) / 1000;
    var left = number(row.dataset.left);
    if (total > left) {  // refused: the line keeps what it had
      say(false, page.dataset.over.replace("%(sku)s", row.dataset.sku)
        .replace("%(left)s", left).replace("%(n)s", before));
      return;
    }
    input.value = String(total);
    mark(row);
    say(true, row.dataset.sku + ": " + total + " / " + left);
  }

  // Enter in the code field is a scan, not the form's post.
  code.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); scan(); }
  });
  // The Add button (and Enter in a quantity field, which presses it) scans here too.
  page.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "scan") { event.preventDefault(); scan(); }
  });
  var clear = page.querySelector("[data-clear]");
  if (clear) {
    clear.addEventListener("click", function () {
      rows.forEach(function (row) { row.querySelector(qtySelector).value = ""; mark(row); });
      code.focus();
    });
  }
  // A click elsewhere (not on another field) brings the cursor back to the code field.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, summary")) { code.focus(); }
  });
  if (feedback.querySelector("[data-scan-status]")) {
    beep(feedback.querySelector("[data-scan-status]").dataset.scanStatus === "success");
  }
})();
