/* Registry corrections on the phone: a form per record sends only the fields the member changed,
 * through the outbox (a UUID made here is the idempotency key), with the record's version as the
 * page showed it. A stale one comes back as a conflict for the conflicts list. */
(function () {
  "use strict";
  function changed(form) {
    var values = {};
    form.querySelectorAll("[name]").forEach(function (el) {
      if (el.type === "checkbox") { if (el.checked) values[el.name] = true; return; }
      var v = el.value.trim();
      if (el.name === "phone") { if (v) values.phone = v; return; }
      if (v !== (el.dataset.initial || "")) values[el.name] = v;
    });
    return values;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("m-household");
    if (!box || !window.GridApp) return;
    var state = document.getElementById("m-correct-state");
    box.querySelectorAll("form.m-correct").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var values = changed(form);
        if (!Object.keys(values).length) { state.textContent = box.dataset.nothing; return; }
        var id = window.GridOutbox.uuid();
        window.GridApp.queue({
          id: id, url: "/api/v1/phone/corrections", method: "POST",
          label: box.dataset.label + " · " + form.dataset.title,
          body: { id: id, kind: form.dataset.kind, record_id: parseInt(form.dataset.record, 10),
            base_version: form.dataset.version, values: values }
        }).then(function () {
          state.textContent = box.dataset.queued;
          form.querySelector("button[type=submit]").disabled = true;
          return window.GridApp.send();
        });
      });
    });
  });
})();
