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

  // Browsers only let a page make sound after the user did something: open the audio
  // context on the first key or tap, so the beeps after each answer are heard.
  function unlock() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") { audio.resume(); }
    } catch (e) { audio = null; }
  }
  document.addEventListener("keydown", unlock, { once: true });
  document.addEventListener("pointerdown", unlock, { once: true });

  function beep(ok) {
    try {
      unlock();
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
  // Each answer replaces #scan-result: beep high for a recorded move, low for an error.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "scan-result") { return; }
    var result = event.target.querySelector("[data-scan-status]");
    var ok = !!result && result.dataset.scanStatus === "success";
    form.dataset.lastBeep = ok ? "success" : "error";
    beep(ok);
    code.focus();
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) {  // server error or no network: nothing was swapped
      form.dataset.lastBeep = "error";
      beep(false);
    }
    code.focus();
  });
  // A click elsewhere (not on another field) brings the cursor back to the code field.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, summary")) { code.focus(); }
  });
})();
