/* A visit recorded on the phone goes through the outbox like a report: the form `#m-visit`
 * names its API (`data-url`), the voice note's API (`data-voice-url`, `{id}` = the visit) and
 * the label shown on the Me tab. A UUID made here is the visit's client key, so a replay after
 * a cut answers the first visit and never makes a second one. Offline it waits ("1 waiting")
 * and goes when the network returns. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("m-visit");
    if (!form || !window.GridApp || !window.GridOutbox) return;
    var state = document.getElementById("m-visit-state");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var id = window.GridOutbox.uuid();
      var met = form.querySelector("[name=met]"), note = form.querySelector("[name=note]");
      var body = { met: met ? met.checked : true, note: note ? note.value.trim() : "", client_key: id };
      var voiceBox = form.querySelector(".m-voice");
      var voice = window.GridVoice && window.GridVoice.take(voiceBox);
      var attachments = voice ? [{ url: form.dataset.voiceUrl, field: "file", blob: voice.blob, name: voice.name }] : [];
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      window.GridApp.queue({ id: id, url: form.dataset.url, method: "POST", body: body,
        label: form.dataset.label, attachments: attachments })
        .then(function () { return window.GridApp.send(); })
        .then(function (items) {
          var waiting = (items || []).some(function (i) { return i.id === id; });
          state.hidden = false;
          state.textContent = waiting ? form.dataset.queued : form.dataset.sent;
          form.reset();
          if (voiceBox && window.GridVoice) window.GridVoice.clear(voiceBox);
        }, function (err) {
          state.hidden = false; state.textContent = String(err && err.message || err);
          button.disabled = false;
        });
    });
  });
})();
