// The warehouse pages' loud feedback: a short high beep for success, a long low one for an
// error. Browsers only let a page make sound after the user did something, so the audio
// context opens on the first key or tap and the beeps after each answer are heard.
window.scanBeep = (function () {
  var audio = null;

  function unlock() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") { audio.resume(); }
    } catch (e) { audio = null; }
  }
  document.addEventListener("keydown", unlock, { once: true });
  document.addEventListener("pointerdown", unlock, { once: true });

  return function beep(ok) {
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
  };
})();
