// Invoice form: one more empty line row.
function addInvoiceLine() {
  var body = document.querySelector("#line-table tbody");
  var row = body.lastElementChild.cloneNode(true);
  row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
  body.appendChild(row);
  row.querySelector("input").focus();
}

document.addEventListener("click", function (event) {
  if (event.target.closest("[data-add-invoice-line]")) { addInvoiceLine(); }
  if (event.target.closest("[data-suggest-allocations]")) { suggestAllocations(); }
});

// Payment form: spread the amount over the open invoices, oldest first.
function suggestAllocations() {
  var amountInput = document.querySelector("input[name=amount]");
  var left = Math.round(parseFloat(amountInput.value || "0") * 100);
  document.querySelectorAll("input[name=alloc-amount]").forEach(function (input) {
    var due = Math.round(parseFloat(input.dataset.due) * 100);
    var share = Math.max(0, Math.min(left, due));
    input.value = share > 0 ? (share / 100).toFixed(2) : "";
    left -= share;
  });
}
