// Invoice form: one more empty line row.
function addInvoiceLine() {
  var body = document.querySelector("#line-table tbody");
  var row = body.lastElementChild.cloneNode(true);
  row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
  body.appendChild(row);
  row.querySelector("input").focus();
}

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

// Batch download: show progress while the server renders, then restore the button.
(function () {
  var form = document.getElementById("batch-form");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("batch-progress");
    var button = document.getElementById("batch-button");
    bar.classList.remove("d-none");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form) })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        var name = (response.headers.get("Content-Disposition") || "").split("filename=")[1] || "invoices.zip";
        return response.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = name.replace(/"/g, "");
          link.click();
        });
      })
      .catch(function (error) { alert(error); })
      .finally(function () { bar.classList.add("d-none"); button.disabled = false; });
  });
})();
