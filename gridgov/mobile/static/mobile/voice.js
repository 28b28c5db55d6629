/* Voice notes on the phone (MediaRecorder): tap to record, tap again to stop (two minutes at
 * most), listen, delete. Every `.m-voice` box on a page gets a recorder; `GridVoice.take(box)`
 * gives {blob, name} or null, and `GridVoice.clear(box)` empties it after sending. In a plain
 * form the box holds a file input (`.m-voice-file`) that gets the recording, so the form posts
 * it. Recording needs a secure context (HTTPS or localhost) and the microphone; without them the
 * box says why and shows the file input instead (the phone's own recorder app). */
(function (root) {
  "use strict";
  var LIMIT_MS = 120000;
  var TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4", "audio/ogg;codecs=opus"];

  function pickType() {
    if (!root.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
    for (var i = 0; i < TYPES.length; i++) if (MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    return "";
  }

  function extension(type) {
    if (type.indexOf("mp4") >= 0) return "m4a";
    return type.indexOf("ogg") >= 0 ? "ogg" : "webm";
  }

  function parts(box) {
    return { record: box.querySelector(".m-voice-record"), info: box.querySelector(".m-voice-info"),
      player: box.querySelector(".m-voice-player"), remove: box.querySelector(".m-voice-delete"),
      file: box.querySelector(".m-voice-file") };
  }

  function putInForm(p, voice) {
    if (!p.file || !root.DataTransfer) return;
    var list = new DataTransfer();
    if (voice) list.items.add(new File([voice.blob], voice.name, { type: voice.blob.type }));
    p.file.files = list.files;
  }

  function clear(box) {
    var p = parts(box);
    box.voice = null;
    putInForm(p, null);
    p.player.removeAttribute("src"); p.player.hidden = true; p.remove.hidden = true;
    p.info.textContent = ""; p.record.textContent = box.dataset.record;
  }

  function setup(box) {
    var p = parts(box), recorder = null, timer = null, started = 0;
    var usable = root.isSecureContext && root.MediaRecorder && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia;
    if (!usable) {
      p.record.hidden = true; p.info.textContent = box.dataset.unavailable;
      if (p.file) p.file.hidden = false;
      return;
    }
    p.record.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { recorder.stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = pickType(), chunks = [];
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          clearInterval(timer);
          var seconds = Math.max(1, Math.round((Date.now() - started) / 1000));
          var blob = new Blob(chunks, { type: (recorder.mimeType || type || "audio/webm").split(";")[0] });
          box.voice = { blob: blob, name: "voice." + extension(blob.type) };
          putInForm(p, box.voice);
          p.player.src = URL.createObjectURL(blob); p.player.hidden = false; p.remove.hidden = false;
          p.record.textContent = box.dataset.again; p.record.classList.remove("m-recording");
          p.info.textContent = seconds + " s · " + Math.max(1, Math.round(blob.size / 1024)) + " KB";
        };
        recorder.start(1000);
        started = Date.now();
        p.record.textContent = box.dataset.stop; p.record.classList.add("m-recording");
        timer = setInterval(function () {
          var ms = Date.now() - started;
          p.info.textContent = "● " + Math.floor(ms / 1000) + " s";  // whole seconds elapsed, like a stopwatch
          if (ms >= LIMIT_MS && recorder.state === "recording") recorder.stop();
        }, 250);
      }, function (err) { p.info.textContent = box.dataset.denied + " (" + err.name + ")"; });
    });
    p.remove.addEventListener("click", function () { clear(box); });
  }

  root.GridVoice = {
    take: function (box) { return (box && box.voice) || null; },
    clear: clear
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".m-voice").forEach(setup);
  });
})(this);
