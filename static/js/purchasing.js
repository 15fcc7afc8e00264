// Purchasing: the order form's product picker and lines (the supplier's price fills the
// line), and the receipt page's scanner.
(function () {
  var form = document.getElementById("po-form");
  if (!form) { return; }
  var lines = document.getElementById("order-lines");

  function changed() { htmx.trigger(form, "lines-changed"); }

  // Another supplier: the typed prices stay, the empty ones follow the new supplier on save.

  function pick(option) {
    var row = option.closest(".line-row");
    row.querySelector("[name=line-product_id]").value = option.dataset.productId;
    row.querySelector("[name=line-product_search]").value = option.dataset.label;
    var description = row.querySelector("[name=line-description]");
    if (!description.value) { description.value = option.dataset.name; }
    row.querySelector("[name=line-unit_price]").value = option.dataset.price;
    row.querySelector("[name=line-tax_rate]").value = option.dataset.tax;
    var quantity = row.querySelector("[name=line-quantity]");
    if (!quantity.value) { quantity.value = "1"; }
    row.querySelector(".picker-results").innerHTML = "";
    row.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    quantity.focus();
    quantity.select();
    changed();
  }

  lines.addEventListener("click", function (event) {
    var option = event.target.closest(".picker-option");
    if (option) { pick(option); }
    var remove = event.target.closest(".line-remove");
    if (remove) {
      remove.closest(".line-row").remove();
      if (!lines.querySelector(".line-row")) { addLine(); }
      changed();
    }
  });

  lines.addEventListener("keydown", function (event) {
    if (!event.target.matches(".picker-search")) { return; }
    var results = event.target.parentElement.querySelector(".picker-results");
    if (event.key === "Enter") {
      event.preventDefault();  // Enter picks, it never saves half a line
      var first = results.querySelector(".picker-option");
      if (first) { pick(first); }
    } else if (event.key === "Escape") {
      results.innerHTML = "";
    } else if (event.key === "ArrowDown") {
      var option = results.querySelector(".picker-option");
      if (option) { event.preventDefault(); option.focus(); }
    }
  });

  // Typing in the product field un-picks the product until another one is picked.
  lines.addEventListener("input", function (event) {
    if (event.target.matches(".picker-search")) {
      event.target.parentElement.querySelector("[name=line-product_id]").value = "";
    }
  });

  // Leaving the picker closes its list (after a click on an option has been handled).
  lines.addEventListener("focusout", function (event) {
    var picker = event.target.closest(".picker");
    if (!picker) { return; }
    setTimeout(function () {
      if (!picker.contains(document.activeElement)) {
        picker.querySelector(".picker-results").innerHTML = "";
      }
    }, 200);
  });

  // A late answer (the user already picked or moved on) never reopens the list.
  lines.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target.classList.contains("picker-results")) { return; }
    var search = event.detail.target.parentElement.querySelector(".picker-search");
    if (document.activeElement !== search) { event.detail.shouldSwap = false; }
  });

  function addLine() {
    var template = document.getElementById("line-template");
    var row = template.content.firstElementChild.cloneNode(true);
    lines.appendChild(row);
    htmx.process(row);
    row.querySelector(".picker-search").focus();
  }
  document.getElementById("add-line").addEventListener("click", addLine);
})();

(function () {
  // The receipt page: each scan adds one unit (or the typed quantity) to its line, here in
  // the page, so a fast scanner loses nothing; the Receive button posts the quantities.
  var page = document.getElementById("receive-form");
  if (!page) { return; }
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
    var input = row.querySelector(".receive-qty");
    var over = number(input.value) > number(row.dataset.left);
    input.classList.toggle("is-invalid", over);
    row.classList.toggle("table-danger", over);
    row.classList.toggle("table-success", !over && number(input.value) === number(row.dataset.left) && number(input.value) > 0);
  }

  var rows = Array.prototype.slice.call(page.querySelectorAll("tr[data-line-id]"));
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
    if (!value) { return; }
    var lower = value.toLowerCase();
    var matching = rows.filter(function (row) { return row.dataset.barcode === value; });
    if (!matching.length) { matching = rows.filter(function (row) { return row.dataset.sku === value; }); }
    if (!matching.length) { matching = rows.filter(function (row) { return row.dataset.sku.toLowerCase() === lower; }); }
    if (!matching.length) {
      say(false, page.dataset.unknown.replace("%(code)s", value));
      return;
    }
    var row = matching.find(function (r) {
      return number(r.querySelector(".receive-qty").value) < number(r.dataset.left);
    }) || matching[0];
    var input = row.querySelector(".receive-qty");
    var total = Math.round((number(input.value) + step) * 1000) / 1000;
    input.value = String(total);
    mark(row);
    var left = number(row.dataset.left);
    var text = row.dataset.sku + ": " + total + " / " + left;
    if (total > left) {
      say(false, page.dataset.over.replace("%(sku)s", row.dataset.sku).replace("%(n)s", total).replace("%(left)s", left));
    } else {
      say(true, text);
    }
  }

  // Enter in the code field is a scan, not a receipt.
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
      rows.forEach(function (row) { row.querySelector(".receive-qty").value = ""; mark(row); });
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
