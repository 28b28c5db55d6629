/* The phone's dispute form (lines). Online it is an ordinary form post, with the desk's registry
 * picker (htmx, the same endpoint). Offline the picker's search is switched off with a note, and
 * a submitted form waits in the phone's outbox as POST /api/v1/disputes: the typed names, and the
 * parties already picked by their registry ids (the server takes their names from the registry).
 * A UUID made here is the dispute's client key, so a replay after a cut answers the first
 * dispute and never makes a second one. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  function pickerState() {
    if (!$("party-picker")) return;
    var online = navigator.onLine;
    ["party-q", "party-role"].forEach(function (id) { if ($(id)) $(id).disabled = !online; });
    if ($("party-offline")) $("party-offline").hidden = online;
    if ($("party-results") && !online) $("party-results").textContent = "";
  }

  function lines(text, role) {
    return (text || "").split("\n").map(function (n) { return n.trim(); })
      .filter(Boolean).map(function (n) { return { name: n.slice(0, 120), role: role }; });
  }

  function parties(form) {
    var out = lines(form.elements.applicants.value, "applicant")
      .concat(lines(form.elements.respondents.value, "respondent"));
    form.querySelectorAll("input[name=linked]:checked").forEach(function (box) {
      var bits = box.value.split(":"), id = parseInt(bits[1], 10);
      var party = { role: bits[2] };
      party[bits[0] === "org" ? "organization_id" : "person_id"] = id;
      out.push(party);
    });
    return out;
  }

  function body(form, id) {
    var f = form.elements, out = { client_key: id, parties: parties(form) };
    ["kind", "title", "risk", "source", "place", "description", "mediation_body"].forEach(function (n) {
      if (f[n]) out[n] = f[n].value.trim();
    });
    out.area_code = f.area.value;
    return out;
  }

  function queueOffline(form, e) {
    if (navigator.onLine || !window.GridApp || !window.GridOutbox) return;
    e.preventDefault();
    var state = $("m-dispute-state");
    var id = window.GridOutbox.uuid();
    var data = body(form, id);
    if (!data.parties.some(function (p) { return p.role === "applicant"; })) {
      state.hidden = false; state.textContent = form.dataset.needApplicant; return;
    }
    window.GridApp.queue({ id: id, url: form.dataset.url, method: "POST", body: data,
      label: form.dataset.label + " " + data.title })
      .then(function () {
        state.hidden = false; state.textContent = form.dataset.queued;
        form.reset();
        if ($("linked-parties")) $("linked-parties").textContent = "";
      }, function (err) { state.hidden = false; state.textContent = String(err && err.message || err); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    pickerState();
    var form = $("m-dispute-form");
    if (form) form.addEventListener("submit", function (e) { queueOffline(form, e); });
  });
  window.addEventListener("online", pickerState);
  window.addEventListener("offline", pickerState);
})();
