// The warehouse terminal: the code field keeps the focus, every scan ends with a loud
// result (colour and a short beep), the quantity goes back to 1, the "to" location is only
// shown for transfers.
(function () {
  var form = document.getElementById("scan-form");
  if (!form) { return; }
  var code = form.querySelector("[name=code]");
  var quantity = form.querySelector("[name=quantity]");
  var moveType = form.querySelector("[name=move_type]");
  var audio = null;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = ok ? "sine" : "square";
      osc.frequency.value = ok ? 1320 : 180;
      gain.gain.value = ok ? 0.2 : 0.3;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.12 : 0.45));
    } catch (e) { /* no sound on this device */ }
  }

  function showTransfer() {
    form.classList.toggle("is-transfer", moveType.value === "transfer");
  }
  moveType.addEventListener("change", function () { showTransfer(); code.focus(); });
  showTransfer();

  // The values have been read: clear at once, so the next scan can start while this one
  // is on its way.
  form.addEventListener("htmx:beforeRequest", function () {
    code.value = "";
    quantity.value = "1";
    code.focus();
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    var result = document.querySelector("#scan-result [data-scan-status]");
    beep(event.detail.successful && result && result.dataset.scanStatus === "success");
    code.focus();
  });
  // A click elsewhere (not on another field) brings the cursor back to the code field.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, summary")) { code.focus(); }
  });
})();
