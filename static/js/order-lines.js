// The product picker and lines of an order form (a quotation, a purchase order): the form
// marked data-order-lines. The delivery and receipt scanners are static/js/line-scanner.js.
(function () {
  var form = document.querySelector("form[data-order-lines]");
  if (!form) { return; }
  var lines = document.getElementById("order-lines");

  function changed() { htmx.trigger(form, "lines-changed"); }

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
