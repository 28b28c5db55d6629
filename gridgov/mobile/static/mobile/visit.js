/* A visit recorded on the phone goes through the outbox like a report. The form `#m-visit`
 * names its API (`data-url`), the voice note's API (`data-voice-url`, `{id}` = the visit), fixed
 * fields of the body (`data-body`, JSON, e.g. the person) and the label shown on the Me tab; the
 * body takes the form's fields (a checkbox as true/false, `lon`/`lat`/`accuracy` as numbers when
 * known). A UUID made here is the visit's client key, so a replay after a cut answers the first
 * visit and never makes a second one. Offline it waits ("1 waiting") and goes when the network
 * returns. Used by the special-population visit (lines), the visit task (patrol) and the kept
 * visit page (visits.js binds the forms it draws with `GridVisit.bind(form, state, done)`). */
(function () {
  "use strict";
  var SKIP = ["csrfmiddlewaretoken", "client_key", "voice", "action"];
  var NUMBERS = ["lon", "lat", "accuracy"];

  function body(form, id) {
    var out = JSON.parse(form.dataset.body || "{}");
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || SKIP.indexOf(el.name) >= 0 || el.type === "file" || el.type === "submit") return;
      if (el.type === "checkbox") { out[el.name] = el.checked; return; }
      var v = el.value.trim();
      if (NUMBERS.indexOf(el.name) >= 0) { if (v) out[el.name] = parseFloat(v); return; }
      out[el.name] = v;
    });
    out.client_key = id;
    return out;
  }

  /* `done(waiting)` (optional) is told once the visit is kept: waiting is true while it waits
   * in the outbox. `form.dataset.visit` (optional) is kept with the item to know it again. */
  function bind(form, state, done) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var id = window.GridOutbox.uuid();
      var voiceBox = form.querySelector(".m-voice");
      var voice = window.GridVoice && window.GridVoice.take(voiceBox);
      var attachments = voice ? [{ url: form.dataset.voiceUrl, field: "file", blob: voice.blob, name: voice.name }] : [];
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      window.GridApp.queue({ id: id, url: form.dataset.url, method: "POST", body: body(form, id),
        label: form.dataset.label, visit: form.dataset.visit || "", attachments: attachments })
        .then(function () { return window.GridApp.send(); })
        .then(function (items) {
          var waiting = (items || []).some(function (i) { return i.id === id; });
          state.hidden = false;
          state.textContent = waiting ? form.dataset.queued : form.dataset.sent;
          form.reset();
          if (voiceBox && window.GridVoice) window.GridVoice.clear(voiceBox);
          button.disabled = false; /* the next visit gets a key of its own */
          if (done) done(waiting);
        }, function (err) {
          state.hidden = false; state.textContent = String(err && err.message || err);
          button.disabled = false;
        });
    });
  }

  window.GridVisit = { bind: bind };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("m-visit");
    if (!form || !window.GridApp || !window.GridOutbox) return;
    bind(form, document.getElementById("m-visit-state"));
  });
})();
